"""Do reviewers' corrections improve the next answers? The embedded judge's learning curve on the multi-seller cases.

    .venv/bin/python -m benchmarks.learning [--steps 0 1 3 5] [--sellers DIR]

For each step k, a fresh embedded judge learns k reviewed answers per question, drawn from the DEV half only (a decided
case's expected answer on its evidence text: what a reviewer's correction records), then answers the TEST half. Prints
TEST accuracy per step, the change against k = 0, and the questions that got worse. Metrics come from `evals.judging`.
Figures, never assertions; TEST mistakes are never listed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from agent.judges.local import LocalJudge
from benchmarks.judge import SELLERS, judge_cases
from evals.datasets import load_question_cases
from evals.judging import Judged, by_question, evaluate, half, reviewed_from_cases
from library.loader import load_library


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sellers", type=Path, default=SELLERS)
    parser.add_argument("--steps", type=int, nargs="+", default=[0, 1, 3, 5])
    parser.add_argument(
        "--dev-only",
        action="store_true",
        help="for tuning: teach from one half of DEV and answer the other half (TEST untouched)",
    )
    args = parser.parse_args()
    from library.embeddings import get_embedder, get_multilingual

    embedder = get_embedder()
    folders = sorted(p for p in args.sellers.iterdir() if (p / "question_cases.jsonl").is_file())
    data = []
    for folder in folders:
        cases = load_question_cases(folder / "question_cases.jsonl")
        dev = [c for c in cases if half(c.id) == "dev"]
        if args.dev_only:  # DEV split again by another hash: teach from one part, answer the other
            teach = [c for c in dev if half(c.id + "#fold") == "dev"]
            data.append((folder.name, load_library(folder / "library"), teach, [c for c in dev if c not in teach]))
        else:
            data.append(
                (folder.name, load_library(folder / "library"), dev, [c for c in cases if half(c.id) == "test"])
            )
    baseline: dict[str, tuple[int, float]] = {}
    scored = "DEV-b" if args.dev_only else "TEST"
    print(
        f"{'reviewed/question':>17} {'examples':>8} {scored + ' acc':>8} {'change':>7} {'no recall':>9} {'unknown':>7} "
        f"{'worse questions':>15}"
    )
    for k in args.steps:
        rows: list[Judged] = []
        taught = 0
        for seller, library, dev, test in data:
            examples = reviewed_from_cases(dev, k)
            taught += len(examples)
            judge = LocalJudge(embedder, reviewed=examples, meaning=get_multilingual())
            rows += judge_cases(judge, library, test, seller)
        report, per_q = evaluate(rows), by_question(rows)
        if not baseline:
            baseline = per_q
            base_acc = report.accuracy
        worse = [q for q, (_, acc) in per_q.items() if acc < baseline.get(q, (0, acc))[1] - 1e-9]
        no_recall = report.classes["no"].recall
        print(
            f"{k:>17} {taught:>8} {report.accuracy:>8.1%} {100 * (report.accuracy - base_acc):>+6.1f}p "
            f"{(no_recall or 0):>9.1%} {report.unknown_rate:>7.1%} {len(worse):>4} of {len(per_q)}"
        )
    print(
        f"{scored} cases per step:",
        len(rows),
        "· examples from",
        "DEV-a" if args.dev_only else "DEV",
        "only (evals.judging.reviewed_from_cases)",
    )


if __name__ == "__main__":
    main()
