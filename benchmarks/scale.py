"""Throughput of 1, 2 and 4 `qualify worker` processes and the API's /healthz latency while they run.

Leads are posted through the API (`qualify serve` with QUALIFY_EMBEDDED_WORKER=false, so the API only queues them);
then N worker processes drain the queue. Prints leads/s per worker count, the 1→2 ratio, and /healthz p50/p95.
Usage: .venv/bin/python benchmarks/scale.py [--leads 400] [--database-url postgresql://…] [--engine leads|dramatiq]
(--database-url may contain {workers}, e.g. …/qualify_bench_{workers}, so each run gets an empty database of its
own; default: a fresh SQLite file per run).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUALIFY = str(ROOT / ".venv" / "bin" / "qualify")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lead(i: int) -> dict[str, object]:
    tag = uuid.uuid4().hex[:8]
    return {
        "person": {"name": f"Lead {i}", "email": f"p{i}@co-{tag}.com", "title": "CFO"},
        "company": {"name": f"Co {tag}", "employees": 50 + i % 900, "country": "US"},
        "notes": "We process 2,000 invoices a month by hand and have budget approved for Q3.",
        "form_answers": {"What is your budget?": "$40k", "Timeline?": "next quarter"},
    }


def run(workers: int, n: int, env: dict[str, str], engine: str) -> tuple[float, list[float]]:
    from api.db import transaction
    from api.runtime import build_runtime
    from api.settings import Settings
    from api.users.service import Role, add_user, issue_key

    rt = build_runtime(
        Settings(data_dir=Path(env["QUALIFY_DATA_DIR"]), DATABASE_URL=env.get("DATABASE_URL"), auto_migrate=True)
    )  # type: ignore[call-arg]
    with transaction(rt.sessions) as s:
        key = issue_key(
            s, add_user(s, f"svc-{uuid.uuid4().hex[:6]}@bench.example", Role.service, rt.deps.clock()), rt.deps.clock()
        )
    port = free_port()
    api = subprocess.Popen(
        [QUALIFY, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=30) as c:
            for _ in range(200):
                try:
                    c.get("/healthz")
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            for i in range(n):
                assert c.post("/leads", json=lead(i)).status_code == 202
        cmd = [QUALIFY, "worker"] + (
            ["--engine", "dramatiq", "--processes", str(workers)] if engine == "dramatiq" else []
        )
        started = time.perf_counter()
        procs = [
            subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(1 if engine == "dramatiq" else workers)
        ]
        latencies: list[float] = []
        done = threading.Event()

        def probe() -> None:
            with httpx.Client(base_url=url, timeout=30) as c:
                while not done.is_set():
                    t = time.perf_counter()
                    c.get("/healthz")
                    latencies.append(time.perf_counter() - t)
                    time.sleep(0.02)

        threading.Thread(target=probe, daemon=True).start()
        from sqlalchemy import func, select

        from api.leads.models import LeadRow

        while True:
            with rt.sessions() as s:
                left = s.scalar(
                    select(func.count()).select_from(LeadRow).where(LeadRow.status.in_(["received", "qualifying"]))
                )
            if not left:
                break
            time.sleep(0.2)
        spent = time.perf_counter() - started
        done.set()
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(30)
        return n / spent, latencies
    finally:
        api.terminate()
        api.wait(30)
        rt.engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--leads", type=int, default=400)
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--engine", default="leads", choices=["leads", "dramatiq"])
    args = ap.parse_args()
    rates = {}
    for w in (int(x) for x in args.workers.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                **os.environ,
                "QUALIFY_DATA_DIR": tmp,
                "QUALIFY_EMBEDDED_WORKER": "false",
                "QUALIFY_WORKER_POLL_SECONDS": "0.2",
            }
            if args.database_url:
                env["DATABASE_URL"], env["QUALIFY_AUTO_MIGRATE"] = args.database_url.format(workers=w), "true"
            rate, lat = run(w, args.leads, env, args.engine)
            lat.sort()
            p95 = lat[int(0.95 * (len(lat) - 1))] if lat else float("nan")
            rates[w] = rate
            print(
                f"workers {w}: {rate:6.1f} leads/s · /healthz p50 {1000 * statistics.median(lat):.1f} ms "
                f"p95 {1000 * p95:.1f} ms ({len(lat)} probes)",
                flush=True,
            )
    if 1 in rates and 2 in rates:
        print(f"speed-up 1→2 workers: {rates[2] / rates[1]:.2f}×")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
