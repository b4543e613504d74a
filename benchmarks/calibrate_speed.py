"""Speed of `qualify calibrate` + `qualify eval` on a generated CSV of tabular features only (no question to judge).

Writes a synthetic CSV (default 50,000 rows: a date, numbers and categories, `;`-separated and without an id column,
as a new user's export often is) and its mapping into a temporary folder, then runs both commands as a user would,
each in its own process, starting from a library folder that does not exist (calibrate copies the built-in neutral
library). Prints wall time, rows/s and the peak RSS of each command. Targets: calibrate + eval <= 60 s, <= 1 GB.
Usage: .venv/bin/python benchmarks/calibrate_speed.py [--rows 50000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
QUALIFY = Path(sys.executable).parent / "qualify"
MAPPING = """
name: speed
delimiter: ";"
label: {column: won, positive: ["yes"], negative: ["no"]}
as_of: "2025-01-01T00:00:00Z"
form:
  - {column: employees, question: employees}
  - {column: pages, question: pages}
  - {column: minutes, question: minutes}
  - {column: channel, question: channel}
  - {column: region, question: region}
  - {column: plan, question: plan}
dates:
  - {column: signup, derive: [month, weekday, days_since]}
sets:
  tabular:
    features:
      numeric: [employees, pages, minutes, signup_days_since]
      categorical: [channel, region, plan, signup_month, signup_weekday]
"""


def write_csv(path: Path, n: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    employees = rng.lognormal(4, 1.2, n).round()
    pages = rng.poisson(4, n)
    minutes = rng.exponential(6, n).round(1)
    channel = rng.choice(["ads", "referral", "organic", "partner", "event", "email"], n)
    region = rng.choice([f"R{i:02d}" for i in range(20)], n)
    plan = rng.choice(["free", "team", "business"], n, p=[0.6, 0.3, 0.1])
    days = rng.integers(0, 700, n)
    logit = (
        -2
        + 0.8 * (channel == "referral")
        + 0.5 * (plan == "business")
        + 0.6 * np.log1p(minutes)
        - 0.002 * days
        + np.where((employees > 50) & (employees < 500), 0.9, -0.2)
        + 0.1 * np.minimum(pages, 8)
    )
    won = rng.random(n) < 1 / (1 + np.exp(-logit))
    start = date(2025, 1, 1)
    with path.open("w", encoding="utf-8") as out:
        out.write("signup;employees;pages;minutes;channel;region;plan;won\n")
        for i in range(n):
            signup = (start - timedelta(days=int(days[i]))).isoformat()
            out.write(
                f"{signup};{employees[i]:.0f};{pages[i]};{minutes[i]};{channel[i]};{region[i]};{plan[i]};"
                f"{'yes' if won[i] else 'no'}\n"
            )


def timed(args: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + system: less sensitive to other load on a shared machine), peak RSS in MB of
    this one child (its own resource usage, from wait4), and its output."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as output:
        child = subprocess.Popen(args, stdout=output, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(args[:2])} failed ({child.returncode}):\n{text}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="calibrate-speed-") as tmp:
        folder = Path(tmp)
        csv, mapping, library = folder / "leads.csv", folder / "mapping.yaml", folder / "speed-lib"
        write_csv(csv, args.rows)
        mapping.write_text(MAPPING)
        cal_s, cal_cpu, cal_mb, cal_out = timed(
            [str(QUALIFY), "calibrate", str(csv), "--mapping", str(mapping), "--library", str(library)]
        )
        ev_s, ev_cpu, ev_mb, ev_out = timed(
            [
                str(QUALIFY),
                "eval",
                str(csv),
                "--mapping",
                str(mapping),
                "--library",
                str(library),
                "--out",
                str(folder / "runs"),
                "--name",
                "speed",
                "--n-boot",
                "100",
            ]
        )
    print(cal_out.strip())
    print("\n".join(line for line in ev_out.strip().splitlines() if "scored at once" in line or "pipeline" in line))
    n = args.rows
    print(f"\nrows {n}")
    print(f"calibrate: {cal_s:6.1f} s wall  {cal_cpu:6.1f} s CPU  {n / cal_s:7.0f} rows/s  peak RSS {cal_mb:6.0f} MB")
    print(f"eval:      {ev_s:6.1f} s wall  {ev_cpu:6.1f} s CPU  {n / ev_s:7.0f} rows/s  peak RSS {ev_mb:6.0f} MB")
    print(
        f"total:     {cal_s + ev_s:6.1f} s wall  {cal_cpu + ev_cpu:6.1f} s CPU  (target <= 60 s, <= 1024 MB; 2 shared cores)"
    )


if __name__ == "__main__":
    main()
