"""Qualification under chaos: an LLM endpoint that fails 40 % of the time, worker processes and the API killed mid-run.

Runs `qualify serve` (queue only: QUALIFY_EMBEDDED_WORKER=false) and `qualify worker` processes (the leads-table
engine, or Dramatiq with --queue-url) with the LLM judge pointed at the fake OpenAI-compatible server on 127.0.0.1
(tests/fakes/openai_server.py), which answers each request with a 429 (Retry-After 1 s), a 500, a hang past the
client's timeout, malformed JSON or a valid answer, at the rates given. N leads are posted through the API by four
clients, each with its own Idempotency-Key, retried until acknowledged (202). While they run, worker processes are
killed with SIGKILL three times (a replacement starts at once) and the API once (started again on the same database).
At the end every acknowledged lead must have exactly one scorecard or be in an explicit failure state, and none may be
lost, duplicated or stuck. Prints the counts.

    .venv/bin/python benchmarks/chaos.py [--leads 2000] [--workers 2] [--database-url postgresql://…/qualify_x_chaos
        --recreate-database] [--engine leads|dramatiq --queue-url redis://127.0.0.1:6379/N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from benchmarks.service import free_port  # noqa: E402
from tests.fakes.openai_server import (  # noqa: E402
    FakeOpenAIServer,
    RecordedRequest,
    Reply,
    all_unknown,
    error,
    hang,
    raw_text,
    rate_limited,
)

QUALIFY = str(Path(sys.executable).parent / "qualify")
MARK = re.compile(r"Chaos lead (\d{6})")
FAILED_STATES = ("failed_retryable", "failed_permanent", "budget_exceeded")
UNFINISHED = ("received", "qualifying")
LLM_TIMEOUT, LLM_ATTEMPTS, LEASE_SECONDS = 2.0, 3, 60  # the lease must outlast 3 × 2 s + 2 × 20 s of waits


class ChaosLLM:
    """The fault mix, drawn per request with a seeded generator; counts each kind and the requests per lead."""

    def __init__(self, rates: dict[str, float], seed: int):
        self.rates, self.rng, self.lock = rates, random.Random(seed), threading.Lock()
        self.served: Counter[str] = Counter()
        self.per_lead: Counter[int] = Counter()

    def __call__(self, request: RecordedRequest) -> Reply:
        found = MARK.search(json.dumps(request.body.get("messages", [])))
        with self.lock:
            roll, kind = self.rng.random(), "answer"
            for name, rate in self.rates.items():
                if roll < rate:
                    kind = name
                    break
                roll -= rate
            self.served[kind] += 1
            if found:
                self.per_lead[int(found.group(1))] += 1
        if kind == "rate_limited":
            return rate_limited("1")
        if kind == "server_error":
            return error(500, "upstream overloaded")
        if kind == "hang":
            return hang()
        if kind == "bad_json":
            return raw_text('{"answers": [{"question_id": ')
        return all_unknown(request)


class Proc:
    """One `qualify` process with its log, killable with SIGKILL."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.args, self.env, self.log = args, env, log
        self.proc = subprocess.Popen(
            [QUALIFY, *args], env=env, stdout=subprocess.DEVNULL, stderr=open(log, "ab"), start_new_session=True
        )

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)  # the whole group: Dramatiq's supervisor and its worker processes
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.kill()


def lead(i: int) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    return {
        "person": {"name": f"Dana {i}", "email": f"dana{i}@co-{tag}.com", "title": "VP Finance"},
        "company": {"name": f"Co {tag}", "employees": 60 + i % 800, "country": "US"},
        "notes": f"Chaos lead {i:06d}. We key 2,000 supplier invoices a month by hand and want this live next quarter.",
        "form_answers": {"What is your budget?": "about $40k", "Timeline?": "next quarter"},
    }


def recreate(url: str) -> None:
    """Drop and create the PostgreSQL database the URL names (only with --recreate-database)."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def service_key(env: dict[str, str]) -> str:
    """A service user's API key, made in the run's database (migrated first) before anything starts."""
    from api.db import transaction
    from api.runtime import open_database
    from api.settings import Settings
    from api.users.service import Role, add_user, issue_key

    engine, sessions = open_database(
        Settings(data_dir=Path(env["QUALIFY_DATA_DIR"]), DATABASE_URL=env.get("DATABASE_URL"), auto_migrate=True)  # type: ignore[call-arg]
    )
    now = datetime.now(UTC)
    with transaction(sessions) as s:
        key = issue_key(s, add_user(s, f"svc-{uuid.uuid4().hex[:6]}@chaos.example", Role.service, now), now)
    engine.dispose()
    return key


class Api:
    def __init__(self, env: dict[str, str], data: Path):
        self.env, self.data, self.port = env, data, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: Proc | None = None

    def start(self) -> None:
        self.proc = Proc(["serve", "--port", str(self.port)], self.env, self.data / "serve.log")
        for _ in range(600):
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"qualify serve did not start; see {self.data / 'serve.log'}")


def post_all(api: Api, key: str, n: int, acked: dict[int, str], clients: int = 4) -> int:
    """Post leads 0..n-1, each retried with its Idempotency-Key until a 202; returns the number of retries."""
    todo, retries, lock = iter(range(n)), Counter[str](), threading.Lock()

    def client() -> None:
        with httpx.Client(headers={"X-API-Key": key}, timeout=30) as c:
            while True:
                with lock:
                    i = next(todo, None)
                if i is None:
                    return
                body, idem = lead(i), f"chaos-{i}"
                while True:
                    try:
                        r = c.post(f"{api.base}/leads", json=body, headers={"Idempotency-Key": idem})
                    except httpx.HTTPError:
                        r = None
                    if r is not None and r.status_code == 202:
                        acked[i] = r.json()["lead_id"]
                        break
                    if r is not None and r.status_code < 500:
                        raise RuntimeError(f"lead {i}: HTTP {r.status_code} {r.text[:300]}")
                    with lock:
                        retries["post"] += 1
                    time.sleep(0.5)  # the API is down (killed) or restarting

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return retries["post"]


def _doc(value: Any) -> dict[str, Any]:
    """A JSON column as read with plain SQL: text on SQLite, already decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else (value or {})


def census(url: str) -> tuple[dict[str, dict[str, Any]], dict[str, int], int]:
    """Each lead (status, attempts, notes mark), scorecards per lead, and LLM calls at most in one scorecard."""
    engine = create_engine(url)
    with engine.connect() as conn:
        leads = {
            r.id: {"status": r.status, "attempts": r.attempts, "notes": _doc(r.payload).get("notes") or ""}
            for r in conn.execute(text("SELECT id, status, attempts, payload FROM leads"))
        }
        cards = dict(conn.execute(text("SELECT lead_id, count(*) FROM scorecards GROUP BY lead_id")).all())
        calls = [_doc(p) for (p,) in conn.execute(text("SELECT payload FROM scorecards"))]
    engine.dispose()
    most = max((int((c.get("usage") or {}).get("llm_calls") or 0) for c in calls), default=0)
    return leads, {k: int(v) for k, v in cards.items()}, most


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--leads", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2, help="worker processes (Dramatiq: processes of one supervisor)")
    ap.add_argument("--engine", default="leads", choices=["leads", "dramatiq"])
    ap.add_argument("--queue-url", default=None, help="redis://127.0.0.1:6379/N for --engine dramatiq")
    ap.add_argument("--database-url", default=None, help="PostgreSQL URL; default: SQLite in a temporary folder")
    ap.add_argument("--recreate-database", action="store_true", help="drop and create --database-url's database")
    ap.add_argument("--settle-seconds", type=float, default=900, help="how long to wait for the queue to drain")
    ap.add_argument("--seed", type=int, default=12)
    args = ap.parse_args()
    if args.engine == "dramatiq" and not args.queue_url:
        ap.error("--engine dramatiq needs --queue-url")
    rates = {"rate_limited": 0.20, "server_error": 0.10, "hang": 0.05, "bad_json": 0.05}
    chaos = ChaosLLM(rates, args.seed)
    started = time.monotonic()
    with FakeOpenAIServer(responder=chaos) as llm, tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        env = {
            **os.environ,
            "QUALIFY_DATA_DIR": str(data),
            "QUALIFY_EMBEDDED_WORKER": "false",
            "QUALIFY_WORKER_POLL_SECONDS": "1",
            "QUALIFY_JUDGE": "llm",
            "OPENAI_BASE_URL": llm.base_url,
            "OPENAI_API_KEY": "chaos",
            "QUALIFY_LLM_METHOD": "json_schema",
            "QUALIFY_LLM_TIMEOUT": str(LLM_TIMEOUT),
            "QUALIFY_LLM_TIMEOUT_PER_1K_TOKENS": "0",
            "QUALIFY_LLM_MAX_ATTEMPTS": str(LLM_ATTEMPTS),
            "QUALIFY_LEAD_LEASE_SECONDS": str(LEASE_SECONDS),
        }
        if args.database_url:
            if args.recreate_database:
                recreate(args.database_url)
            env["DATABASE_URL"], env["QUALIFY_AUTO_MIGRATE"] = args.database_url, "true"
        if args.queue_url:
            env["QUALIFY_QUEUE_URL"] = args.queue_url
            import redis

            redis.Redis.from_url(args.queue_url).flushdb()  # the run's own database number: no stale messages
        url = env.get("DATABASE_URL") or f"sqlite:///{data / 'qualify.db'}"
        key = service_key(env)
        api = Api(env, data)
        api.start()
        serial = itertools.count()

        def worker() -> Proc:
            cmd = ["worker"] + (
                ["--engine", "dramatiq", "--processes", str(args.workers), "--threads", "4"]
                if args.engine == "dramatiq"
                else []
            )
            return Proc(cmd, env, data / f"worker-{next(serial)}.log")

        workers = [worker() for _ in range(1 if args.engine == "dramatiq" else args.workers)]
        acked: dict[int, str] = {}
        posted: list[int] = []
        poster = threading.Thread(target=lambda: posted.append(post_all(api, key, args.leads, acked)))
        poster.start()
        api_killed_at = worker_kills = 0
        kill_points = [0.15, 0.40, 0.65]  # share of the leads finished when a worker is killed
        deadline = time.monotonic() + args.settle_seconds
        engine = create_engine(url)
        while time.monotonic() < deadline:
            time.sleep(0.5)
            with engine.connect() as conn:
                done = conn.execute(
                    text("SELECT count(*) FROM leads WHERE status NOT IN ('received', 'qualifying')")
                ).scalar_one()
            if not api_killed_at and len(acked) >= args.leads // 2:
                assert api.proc is not None
                api.proc.kill()  # intake requests in flight fail; their clients retry with the same key
                api_killed_at = len(acked)
                api.start()
            if worker_kills < len(kill_points) and done >= kill_points[worker_kills] * args.leads:
                victim = workers.pop(random.Random(worker_kills).randrange(len(workers)))
                victim.kill()  # its lead in hand stays `qualifying` until the lease runs out
                workers.append(worker())
                worker_kills += 1
            if not poster.is_alive() and worker_kills == len(kill_points):
                with engine.connect() as conn:
                    left = conn.execute(
                        text("SELECT count(*) FROM leads WHERE status IN ('received', 'qualifying')")
                    ).scalar_one()
                if not left:
                    break
        engine.dispose()
        elapsed = time.monotonic() - started
        poster.join()
        for w in workers:
            w.stop()
        assert api.proc is not None
        api.proc.stop()
        leads, cards, most_calls = census(url)
    by_mark: dict[int, list[str]] = {}
    for lead_id, row in leads.items():
        found = MARK.search(row["notes"])
        if found:
            by_mark.setdefault(int(found.group(1)), []).append(lead_id)
    ids = set(acked.values())
    one_card = [i for i in ids if i in leads and cards.get(i, 0) == 1 and leads[i]["status"] not in UNFINISHED]
    failed = [i for i in ids if i in leads and leads[i]["status"] in FAILED_STATES and cards.get(i, 0) == 0]
    lost = [i for i in ids if i not in leads]
    stuck = [i for i in ids if i in leads and leads[i]["status"] in UNFINISHED]
    duplicate_cards = [i for i in ids if cards.get(i, 0) > 1]
    duplicate_leads = [m for m, rows in by_mark.items() if len(rows) > 1]
    other = ids - set(one_card) - set(failed) - set(lost) - set(stuck) - set(duplicate_cards)
    claims = [leads[i]["attempts"] for i in ids if i in leads]
    over_budget = [
        m for m, n in chaos.per_lead.items() if m in acked and n > LLM_ATTEMPTS * leads[acked[m]]["attempts"]
    ]
    db = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(
        f"chaos: {args.leads} leads through the API, {db}, engine {args.engine}, {args.workers} worker process(es); "
        f"LLM faults {', '.join(f'{k} {v:.0%}' for k, v in rates.items())}; workers SIGKILLed {worker_kills}×, "
        f"API SIGKILLed 1× (after {api_killed_at} acknowledged)"
    )
    print(
        f"  LLM requests {sum(chaos.served.values())}: "
        + ", ".join(f"{k} {v}" for k, v in sorted(chaos.served.items()))
        + f"; intake retries while the API was down: {posted[0] if posted else '?'}"
    )
    print(f"  acknowledged: {len(ids)} / {args.leads}; lead rows: {len(leads)}")
    print(f"  exactly one scorecard: {len(one_card)}")
    states = Counter(leads[i]["status"] for i in failed)
    print(f"  explicit failure state: {len(failed)} ({', '.join(f'{k} {v}' for k, v in sorted(states.items()))})")
    print(
        f"  lost: {len(lost)}; duplicates: {len(duplicate_cards)} lead(s) with >1 scorecard, "
        f"{len(duplicate_leads)} lead(s) stored twice; stuck: {len(stuck)}; other: {len(other)}"
    )
    print(
        f"  attempts: claims per lead max {max(claims, default=0)} (mean {sum(claims) / max(len(claims), 1):.2f}); "
        f"LLM calls in one scorecard max {most_calls} vs budget {LLM_ATTEMPTS}; LLM requests for one lead max "
        f"{max(chaos.per_lead.values(), default=0)}, leads over {LLM_ATTEMPTS} × claims: {len(over_budget)}"
    )
    ok = len(ids) == args.leads and not (lost or stuck or duplicate_cards or duplicate_leads or other or over_budget)
    print(
        f"  {'PASS' if ok else 'FAIL'} in {elapsed:.0f} s: every acknowledged lead has one scorecard or failed explicitly"
    )


if __name__ == "__main__":
    main()
