"""A real Qualify service for benchmarks: `qualify serve` in a process of its own on a free loopback port, with a
fresh data folder, an admin key and an SDR; restartable (SIGTERM, or SIGKILL to play a crash)."""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Service:
    def __init__(self, data_dir: Path, **env: str):
        self.data_dir, self.port = data_dir, free_port()
        self.env = {
            **os.environ,
            "QUALIFY_DATA_DIR": str(data_dir),
            "QUALIFY_WEBHOOK_ALLOWED_HOSTS": '["127.0.0.1"]',
            "QUALIFY_FORM_RATE_LIMIT": "1000000 per minute",
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.base = f"http://127.0.0.1:{self.port}"

    def people(self) -> str:
        """An admin key (returned) and an SDR, made in the service's database before it starts."""
        from api.db import transaction
        from api.runtime import open_database
        from api.settings import Settings
        from api.users.service import Role, add_user, issue_key

        _, sessions = open_database(Settings(data_dir=self.data_dir))  # type: ignore[call-arg]
        now = datetime.now(UTC)
        with transaction(sessions) as s:
            add_user(s, f"sdr-{random.randrange(10**6)}@bench.example", Role.sdr, now)
            return issue_key(s, add_user(s, f"admin-{random.randrange(10**6)}@bench.example", Role.admin, now), now)

    def start(self, timeout: float = 120) -> None:
        qualify = Path(sys.executable).parent / "qualify"
        self.proc = subprocess.Popen(
            [str(qualify), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.data_dir / "serve.log", "ab"),
        )
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"qualify serve exited; see {self.data_dir / 'serve.log'}")
            time.sleep(0.2)
        raise RuntimeError("qualify serve did not start")

    def stop(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


TITLES = ["CFO", "VP Finance", "Controller", "AP Manager", "Finance Director", "Accounts Payable Clerk", "Student"]
COMPANIES = ["Harborline Logistics", "Northwind Traders", "Acme Robotics", "Bluefin Foods", "Cobalt Health", "Tiny Co"]


class Visitor:
    """One anonymous visitor with its own cookie jar, filling the form with varied, realistic answers."""

    def __init__(self, base: str, rng: random.Random):
        self.client = httpx.Client(base_url=base, timeout=60)
        self.rng = rng

    def page(self) -> tuple[str, list[str]]:
        html = self.client.get("/forms/demo").text
        token = re.search(r'name="token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
        return token, sorted(set(re.findall(r'name="q\.([a-z_]+)"', html)))

    def values(self, form, asked: list[str], first: bool) -> dict[str, str]:  # type: ignore[no-untyped-def]
        rng, out = self.rng, {}
        if first:
            out = {
                "person.email": f"p{rng.randrange(10**9)}@{rng.choice(['acme', 'northwind', 'bluefin'])}"
                f"{rng.randrange(10**6)}.com",
                "person.name": "Sam Doe",
                "person.title": rng.choice(TITLES),
                "company.name": rng.choice(COMPANIES),
            }
        for fid in asked:
            f = form.field(fid)
            out[f"q.{fid}"] = (
                rng.choice(f.options)
                if f.options
                else rng.choice(
                    [
                        "$25k approved for this year",
                        "about $80k, CFO signed off",
                        "no budget yet",
                        "NetSuite",
                        "SAP",
                        "Our contract ends in two months and approvals are slow",
                    ]
                )
            )
        return out

    def submit(self, values: dict[str, str], token: str) -> tuple[float, float, dict[str, object]]:
        """(when it was sent, seconds until the response, the response body)."""
        t0 = time.time()
        r = self.client.post("/forms/demo", data={"token": token, **values}, headers={"Accept": "application/json"})
        r.raise_for_status()
        return t0, time.time() - t0, r.json()
