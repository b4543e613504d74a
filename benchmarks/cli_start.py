"""How long the `qualify` command takes to start: `qualify --help`, and a cold `qualify lead` of the sample lead.

Every run is a fresh process (nothing cached in memory). `qualify lead` runs against a data folder copied from one that
was prepared once as a user's would be after their first lead: `qualify db upgrade`, `qualify library sync` (database
created, library indexed) and one `qualify lead` of another sample lead (which leaves the embedder calls every lead
repeats in the data folder's cache). So each run qualifies a lead it has never seen, as a user's next `qualify lead`
does; the very first run on an empty data folder is timed apart. Prints the median and the range of several runs,
wall time and CPU time (user + system; steadier on a shared machine).
Targets on a 2-core machine: `--help` under 1 s, `qualify lead` under 3 s.

    .venv/bin/python benchmarks/cli_start.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEAD = ROOT / "samples" / "ledgerly" / "lead.json"
LEADS = ROOT / "samples" / "ledgerly" / "leads.jsonl"  # its second line is another lead than LEAD


def qualify_command() -> list[str]:
    """The installed console script next to this interpreter, else the module."""
    script = Path(sys.executable).parent / "qualify"
    return [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(args: list[str], data_dir: Path, cpu: list[float] | None = None) -> float:
    """Wall seconds of one fresh process; its CPU seconds (user + system) are appended to `cpu`."""
    env = {**os.environ, "QUALIFY_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    cpu_before, started = _children_cpu(), time.perf_counter()
    done = subprocess.run(args, env=env, cwd=data_dir.parent, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if cpu is not None:
        cpu.append(_children_cpu() - cpu_before)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds


def line(label: str, times: list[float], cpu: list[float], target: float) -> str:
    median = statistics.median(times)
    verdict = "ok" if median < target else "MISSED"
    return (
        f"{label:30} median {median:5.2f} s wall (min {min(times):.2f}, max {max(times):.2f}, n={len(times)}), "
        f"{statistics.median(cpu):5.2f} s CPU  target < {target:g} s: {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per figure (median reported)")
    args = parser.parse_args()
    qualify = qualify_command()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="qualify-cli-start-") as tmp:
        base = Path(tmp)
        help_cpu: list[float] = []
        lead_cpu: list[float] = []
        help_times = [timed([*qualify, "--help"], base / "help", help_cpu) for _ in range(args.runs)]
        first = timed([*qualify, "lead", str(LEAD)], base / "first")
        prepared = base / "prepared"
        timed([*qualify, "db", "upgrade"], prepared)  # `library sync` alone leaves the database to the first lead
        timed([*qualify, "library", "sync"], prepared)
        other = base / "other-lead.json"
        other.write_text(LEADS.read_text(encoding="utf-8").splitlines()[1], encoding="utf-8")
        timed([*qualify, "lead", str(other)], prepared)
        lead_times = []
        for i in range(args.runs):
            run_dir = base / f"run{i}"
            shutil.copytree(prepared, run_dir)
            lead_times.append(timed([*qualify, "lead", str(LEAD)], run_dir, lead_cpu))
    load = os.getloadavg()[0]
    print(
        f"command: {' '.join(qualify)}  ({os.cpu_count()} cores, load average {load:.1f}: wall time grows with "
        "the load; CPU time much less)"
    )
    loads = " → ".join(", ".join(f"{x:.2f}" for x in avg) for avg in (load_before, os.getloadavg()))
    print(f"load averages (1, 5, 15 min) before → after: {loads}")
    if sys.flags.dont_write_bytecode:
        print(
            "PYTHONDONTWRITEBYTECODE is set: modules without compiled bytecode (`make install` compiles it) are "
            "compiled on every run"
        )
    print(line("qualify --help", help_times, help_cpu, 1.0))
    print(line("qualify lead (cold process)", lead_times, lead_cpu, 3.0))
    print(f"{'qualify lead (empty data dir)':30} {first:5.2f} s wall (creates the database and indexes the library)")


if __name__ == "__main__":
    main()
