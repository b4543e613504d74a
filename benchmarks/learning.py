"""Do reviewers' corrections improve the next answers? The embedded judge's learning curve on the multi-seller cases.

    .venv/bin/python -m benchmarks.learning [--steps 0 1 3 5] [--sellers DIR] [--dev-only]

For each step k, a fresh embedded judge learns k reviewed answers per question (a decided case's expected answer on its
evidence text: what a reviewer's correction records) and answers cases it was not taught from. Two columns side by side:
DEV, where DEV is split again by another hash and each part teaches the judge that answers the other (tune on this), and
TEST, taught from all of DEV. Prints accuracy per step, the change against k = 0, and how many questions got worse.
Metrics come from `evals.judging`. Figures, never assertions; TEST mistakes are never listed. `--dev-only` skips TEST.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from agent.deps import Embedder
from agent.judges.local import LocalJudge
from benchmarks.judge import SELLERS, judge_cases
from evals.datasets import QuestionCase, load_question_cases
from evals.judging import Judged, by_question, evaluate, half, reviewed_from_cases
from library.loader import load_library
from library.schemas import Library

# (seller, library, taught from, answered) per seller and fold
Runs = list[tuple[str, Library, list[QuestionCase], list[QuestionCase]]]


def curve(runs: Runs, steps: list[int], embedder: Embedder, meaning: Embedder | None) -> list[tuple[int, int, str]]:
    """Per step: examples taught, and the figures as one formatted cell."""
    baseline: dict[str, tuple[int, float]] = {}
    base_acc = 0.0
    out = []
    for k in steps:
        rows: list[Judged] = []
        taught = 0
        for seller, library, teach, answer in runs:
            examples = reviewed_from_cases(teach, k)
            taught += len(examples)
            rows += judge_cases(LocalJudge(embedder, reviewed=examples, meaning=meaning), library, answer, seller)
        report, per_q = evaluate(rows), by_question(rows)
        if not baseline:
            baseline, base_acc = per_q, report.accuracy
        worse = sum(1 for q, (_, acc) in per_q.items() if acc < baseline.get(q, (0, acc))[1] - 1e-9)
        cell = (
            f"{report.accuracy:>6.1%} {100 * (report.accuracy - base_acc):>+5.1f}p {report.unknown_rate:>6.1%} "
            f"{worse:>3}/{len(per_q):<3}"
        )
        out.append((taught, len(rows), cell))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sellers", type=Path, default=SELLERS)
    parser.add_argument("--steps", type=int, nargs="+", default=[0, 1, 3, 5])
    parser.add_argument("--dev-only", action="store_true", help="for tuning: the DEV column only (TEST untouched)")
    args = parser.parse_args()
    from library.embeddings import get_embedder, get_multilingual

    embedder, meaning = get_embedder(), get_multilingual()
    dev_runs: Runs = []
    test_runs: Runs = []
    for folder in sorted(p for p in args.sellers.iterdir() if (p / "question_cases.jsonl").is_file()):
        library = load_library(folder / "library")
        cases = load_question_cases(folder / "question_cases.jsonl")
        dev = [c for c in cases if half(c.id) == "dev"]
        a = [c for c in dev if half(c.id + "#fold") == "dev"]
        b = [c for c in dev if c not in a]
        dev_runs += [(folder.name, library, a, b), (folder.name, library, b, a)]
        if not args.dev_only:
            test_runs.append((folder.name, library, dev, [c for c in cases if half(c.id) == "test"]))
    dev_curve = curve(dev_runs, args.steps, embedder, meaning)
    test_curve = curve(test_runs, args.steps, embedder, meaning) if test_runs else []
    head = f"{'acc':>6} {'change':>6} {'unknown':>6} {'worse':>7}"
    print(f"{'reviewed/question':>17} | {'DEV (2 folds)':^29} | {'TEST (taught from DEV)':^29}")
    print(f"{'':>17} | {head} | {head}")
    for i, k in enumerate(args.steps):
        test_cell = test_curve[i][2] if test_curve else ""
        print(f"{k:>17} | {dev_curve[i][2]} | {test_cell}")
    print(
        "examples taught per step: DEV",
        [t for t, _, _ in dev_curve],
        "TEST",
        [t for t, _, _ in test_curve],
        f"· cases answered per step: DEV {dev_curve[0][1]}",
        f"TEST {test_curve[0][1]}" if test_curve else "",
    )


if __name__ == "__main__":
    main()
