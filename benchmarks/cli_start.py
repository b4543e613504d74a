"""How long the `qualify` command takes to start: `qualify --help`, and a cold `qualify lead` of the sample lead.

Every run is a fresh process (nothing cached in memory). `qualify lead` runs against a data folder copied from one that
`qualify library sync` prepared once (database created, library indexed), so each run qualifies a lead it has never
seen, as a user's next `qualify lead` does; the very first run on an empty data folder is timed apart. Prints the
median and the range of several runs. Targets on a 2-core machine: `--help` under 1 s, `qualify lead` under 3 s.

    .venv/bin/python benchmarks/cli_start.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEAD = ROOT / "samples" / "ledgerly" / "lead.json"


def qualify_command() -> list[str]:
    """The installed console script next to this interpreter, else the module."""
    script = Path(sys.executable).parent / "qualify"
    return [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]


def timed(args: list[str], data_dir: Path) -> float:
    env = {**os.environ, "QUALIFY_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    started = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=data_dir.parent, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds


def line(label: str, times: list[float], target: float) -> str:
    median = statistics.median(times)
    verdict = "ok" if median < target else "MISSED"
    return (
        f"{label:34} median {median:5.2f} s  (min {min(times):.2f}, max {max(times):.2f}, n={len(times)})  "
        f"target < {target:g} s: {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per figure (median reported)")
    args = parser.parse_args()
    qualify = qualify_command()
    with tempfile.TemporaryDirectory(prefix="qualify-cli-start-") as tmp:
        base = Path(tmp)
        help_times = [timed([*qualify, "--help"], base / "help") for _ in range(args.runs)]
        first = timed([*qualify, "lead", str(LEAD)], base / "first")
        prepared = base / "prepared"
        timed([*qualify, "library", "sync"], prepared)
        lead_times = []
        for i in range(args.runs):
            run_dir = base / f"run{i}"
            shutil.copytree(prepared, run_dir)
            lead_times.append(timed([*qualify, "lead", str(LEAD)], run_dir))
    print(f"command: {' '.join(qualify)}  ({os.cpu_count()} cores)")
    print(line("qualify --help", help_times, 1.0))
    print(line("qualify lead (cold process)", lead_times, 3.0))
    print(f"{'qualify lead (empty data folder)':34} {first:5.2f} s  (creates the database and indexes the library)")


if __name__ == "__main__":
    main()
