"""Throughput of 1, 2 and 4 `qualify worker` processes and the API's /healthz latency while they run.

Leads are posted through the API (`qualify serve` with QUALIFY_EMBEDDED_WORKER=false, so the API only queues them);
then N worker processes drain the queue. Prints leads/s per worker count (from the workers' start, and from the first
lead drafted, which leaves out the workers' start-up), the 1→2 ratio, /healthz p50/p95, the load average, and where
the CPU went while the queue drained (the whole machine's busy share from /proc/stat; CPU seconds of the worker
processes, per lead, and of the API). `--engine embedded` is the default set-up instead: no worker processes,
`qualify serve` qualifies each lead it accepts (its embedded worker), timed from the first post.
Usage: .venv/bin/python benchmarks/scale.py [--leads 400] [--database-url postgresql://… [--recreate-database]]
    [--engine leads|dramatiq|embedded --queue-url redis://127.0.0.1:6379/N] [--chroma-server]
(the CPU line also names PostgreSQL's, Redis's, the Chroma server's and the benchmark's own CPU seconds.
--database-url may contain {workers}, e.g. …/qualify_bench_{workers}, so each run gets an empty database of its
own; default: a fresh SQLite file per run. --chroma-server starts `chroma run` on 127.0.0.1 for the library index.)
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


TICK = os.sysconf("SC_CLK_TCK")


def machine_times() -> tuple[float, float]:
    """Seconds of all CPUs since boot: (busy, total), from /proc/stat (busy leaves out idle and iowait)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    total = sum(fields[:8])  # user nice system idle iowait irq softirq steal (guest time is inside user)
    return (total - fields[3] - fields[4]) / TICK, total / TICK


def _processes() -> list[tuple[int, str, int, float]]:
    """(pid, command name, parent pid, user + system CPU seconds) of every live process (Linux /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        rest = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) ": state ppid … utime(12) stime(13)
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        out.append((int(entry.name), comm, int(rest[1]), (int(rest[11]) + int(rest[12])) / TICK))
    return out


def cpu_seconds(roots: list[int]) -> float:
    """User + system CPU seconds of the processes `roots` and all their live descendants."""
    procs = _processes()
    parent = {pid: ppid for pid, _, ppid, _ in procs}
    spent = {pid: cpu for pid, _, _, cpu in procs}
    family = set(roots)
    for pid in sorted(spent):
        p, chain = pid, []
        while p and p not in family and p in parent:
            chain.append(p)
            p = parent[p]
        if p in family:
            family.update(chain)
    return sum(spent.get(p, 0.0) for p in family)


def named_cpu_seconds(names: tuple[str, ...]) -> float:
    """User + system CPU seconds of every live process whose command name starts with one of `names`."""
    return sum(cpu for _, comm, _, cpu in _processes() if comm.startswith(names))


SERVICES = {"PostgreSQL": ("postgres",), "Redis": ("redis-server",)}


def lead(i: int) -> dict[str, object]:
    tag = uuid.uuid4().hex[:8]
    return {
        "person": {"name": f"Lead {i}", "email": f"p{i}@co-{tag}.com", "title": "CFO"},
        "company": {"name": f"Co {tag}", "employees": 50 + i % 900, "country": "US"},
        "notes": "We process 2,000 invoices a month by hand and have budget approved for Q3.",
        "form_answers": {"What is your budget?": "$40k", "Timeline?": "next quarter"},
    }


def post_all(url: str, key: str, n: int, clients: int = 4) -> None:
    """Post leads 0..n-1 from a few clients at once (intake is not what is measured)."""
    todo, lock = iter(range(n)), threading.Lock()

    def client() -> None:
        with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=60) as c:
            while True:
                with lock:
                    i = next(todo, None)
                if i is None:
                    return
                r = c.post("/leads", json=lead(i))
                assert r.status_code == 202, r.text

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


class Run:
    def __init__(self, rate: float, steady: float, latencies: list[float], cpu: dict[str, float]):
        self.rate, self.steady, self.latencies, self.cpu = rate, steady, latencies, cpu


def run(workers: int, n: int, env: dict[str, str], engine: str, threads: int, chroma_pid: int | None = None) -> Run:
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
    log = Path(env["QUALIFY_DATA_DIR"]) / "serve.log"
    api = subprocess.Popen(
        [QUALIFY, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=open(log, "ab")
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if api.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"qualify serve did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
        latencies: list[float] = []
        done = threading.Event()

        def probe() -> None:
            with httpx.Client(base_url=url, timeout=30) as c:
                while not done.is_set():
                    t = time.perf_counter()
                    c.get("/healthz")
                    latencies.append(time.perf_counter() - t)
                    time.sleep(0.02)

        poster = threading.Thread(target=post_all, args=(url, key, n))
        if engine == "embedded":  # the API qualifies what it accepts: the clock runs from the first post
            started = time.perf_counter()
            machine_before, api_before = machine_times(), cpu_seconds([api.pid])
            services_before = {k: named_cpu_seconds(v) for k, v in SERVICES.items()}
            chroma_before = cpu_seconds([chroma_pid]) if chroma_pid else 0.0
            poster.start()
        else:  # the leads are queued first, then the worker processes drain them
            poster.start()
            poster.join()
            started = time.perf_counter()
            machine_before, api_before = machine_times(), cpu_seconds([api.pid])
            services_before = {k: named_cpu_seconds(v) for k, v in SERVICES.items()}
            chroma_before = cpu_seconds([chroma_pid]) if chroma_pid else 0.0
        bench_before = time.process_time()
        cmd = [QUALIFY, "worker"] + (
            ["--engine", "dramatiq", "--processes", str(workers), "--threads", str(threads)]
            if engine == "dramatiq"
            else []
        )
        count = {"embedded": 0, "dramatiq": 1}.get(engine, workers)
        procs = [
            subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(count)
        ]
        threading.Thread(target=probe, daemon=True).start()
        from sqlalchemy import func, select

        from api.leads.models import LeadRow

        first: float | None = None
        while True:
            with rt.sessions() as s:  # the rows still waiting, through the status index (a scan of all would cost more)
                waiting = s.scalar(
                    select(func.count()).select_from(LeadRow).where(LeadRow.status.in_(["received", "qualifying"]))
                )
            finished = n - int(waiting or 0)
            if first is None and finished:
                first, first_left = time.perf_counter(), n - finished
            if finished >= n:
                break
            time.sleep(0.2)
        poster.join()
        spent = time.perf_counter() - started
        steady = first_left / (time.perf_counter() - first) if first is not None and first_left else float("nan")
        machine_after = machine_times()
        cpu = {
            "workers": cpu_seconds([p.pid for p in procs]),  # Dramatiq's supervisor and its worker processes
            "api": cpu_seconds([api.pid]) - api_before,
            "busy": (machine_after[0] - machine_before[0]) / max(machine_after[1] - machine_before[1], 1e-9),
            "wall": spent,
            "benchmark": time.process_time() - bench_before,
            **{k: named_cpu_seconds(v) - services_before[k] for k, v in SERVICES.items()},
        }
        if chroma_pid:
            cpu["Chroma server"] = cpu_seconds([chroma_pid]) - chroma_before
        done.set()
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(30)
        return Run(n / spent, steady, latencies, cpu)
    finally:
        api.terminate()
        api.wait(30)
        rt.engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--leads", type=int, default=400)
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--recreate-database", action="store_true", help="drop and create each run's PostgreSQL database")
    ap.add_argument(
        "--engine",
        default="leads",
        choices=["leads", "dramatiq", "embedded"],
        help="embedded: no worker processes, `qualify serve` qualifies as it accepts (the default set-up, one run)",
    )
    ap.add_argument("--queue-url", default=None, help="redis://127.0.0.1:6379/N (emptied before each run)")
    ap.add_argument("--threads", type=int, default=1, help="threads per Dramatiq worker process")
    ap.add_argument("--chroma-server", action="store_true", help="index the library on a `chroma run` server")
    args = ap.parse_args()
    if args.engine == "dramatiq" and not args.queue_url:
        ap.error("--engine dramatiq needs --queue-url")
    rates, steady_rates = {}, {}
    chroma: subprocess.Popen[bytes] | None = None
    chroma_dir = tempfile.TemporaryDirectory()
    extra: dict[str, str] = {}
    if args.chroma_server:
        port = free_port()
        chroma = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "chroma"), "run", "--path", chroma_dir.name, "--host", "127.0.0.1"]
            + ["--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        extra = {"QUALIFY_CHROMA_HOST": "127.0.0.1", "QUALIFY_CHROMA_PORT": str(port)}
    if args.queue_url:
        extra["QUALIFY_QUEUE_URL"] = args.queue_url
    print(
        f"scale: {args.leads} leads, engine {args.engine}, "
        f"{'PostgreSQL' if args.database_url else 'SQLite'}, Chroma {'server' if chroma else 'embedded'}",
        flush=True,
    )
    for w in [0] if args.engine == "embedded" else [int(x) for x in args.workers.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                **os.environ,
                "QUALIFY_DATA_DIR": tmp,
                "QUALIFY_EMBEDDED_WORKER": "true" if args.engine == "embedded" else "false",
                "QUALIFY_WORKER_POLL_SECONDS": "0.2",
            }
            env.update(extra)
            if args.database_url:
                env["DATABASE_URL"], env["QUALIFY_AUTO_MIGRATE"] = args.database_url.format(workers=w), "true"
                if args.recreate_database:
                    from benchmarks.chaos import recreate

                    recreate(env["DATABASE_URL"])
            if args.queue_url:
                import redis

                redis.Redis.from_url(args.queue_url).flushdb()
            load_before = os.getloadavg()[0]
            result = run(w, args.leads, env, args.engine, args.threads, chroma.pid if chroma else None)
            rate, steady, lat, cpu = result.rate, result.steady, result.latencies, result.cpu
            lat.sort()
            p95 = lat[int(0.95 * (len(lat) - 1))] if lat else float("nan")
            rates[w], steady_rates[w] = rate, steady
            print(
                f"{f'workers {w}' if w else 'embedded worker'}: {rate:6.2f} leads/s ({steady:.2f} after the first draft) · /healthz p50 "
                f"{1000 * statistics.median(lat):.1f} ms p95 {1000 * p95:.1f} ms ({len(lat)} probes) · load "
                f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after",
                flush=True,
            )
            print(
                f"  CPU while draining ({cpu['wall']:.0f} s): machine {cpu['busy']:.0%} busy of {os.cpu_count()} cores; "
                f"workers {cpu['workers']:.0f} CPU-s ({1000 * cpu['workers'] / args.leads:.1f} ms per lead, "
                f"{cpu['workers'] / cpu['wall']:.2f} cores); API {cpu['api']:.0f} CPU-s; "
                + "; ".join(
                    f"{k} {cpu[k]:.0f} CPU-s ({1000 * cpu[k] / args.leads:.1f} ms per lead)"
                    for k in ("PostgreSQL", "Redis", "Chroma server", "benchmark")
                    if k in cpu
                ),
                flush=True,
            )
    if chroma is not None:
        chroma.terminate()
        chroma.wait(30)
    chroma_dir.cleanup()
    if 1 in rates and 2 in rates:
        print(
            f"speed-up 1→2 workers: {rates[2] / rates[1]:.2f}× "
            f"({steady_rates[2] / steady_rates[1]:.2f}× after the first draft)"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
