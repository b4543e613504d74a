"""Quality and speed of the embedded judge on labeled question-level cases, next to a plain-similarity baseline.

    .venv/bin/python -m benchmarks.judge [--cases FILE.jsonl] [--library DIR] [--show-errors]

Each case line: {"id", "lead": <Lead JSON>, "question_id", "expected": "yes"|"no"|"unknown", "evidence": [...], "note"}.
The cases are split deterministically by `int(sha1(id), 16) % 2` into DEV (0, the only half to tune on) and TEST (1).
For each half and each predictor it prints accuracy overall and per class (precision / recall), the confusion matrix,
the share of unknowns, accuracy by confidence band for the decided answers, and milliseconds per question.
`--show-errors` lists DEV mistakes only: reading TEST mistakes would turn TEST into a second DEV. Figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from agent.checks import evaluate
from agent.deps import Embedder
from agent.enrichment.base import waterfall
from agent.enrichment.local import local_providers
from agent.evidence import lead_sources, units
from agent.judges.local import LocalJudge
from agent.schemas import Enrichment, Lead
from library.loader import load_library
from library.schemas import Library, QualifyingQuestion

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "evals/data/ledgerly/question_cases.jsonl"
DEV_CASES = ROOT / "tests/agent/judges/data/dev_cases.jsonl"
LIBRARY = ROOT / "library/data/ledgerly"
CLASSES = ("yes", "no", "unknown")
BASELINE_CUT = 0.5  # below this cosine the baseline says unknown

Predict = Callable[[Lead, Enrichment, QualifyingQuestion, datetime], tuple[str, float]]


def load_cases(path: Path) -> list[dict]:
    """Labeled cases, one JSON object per line."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def split(cases: list[dict]) -> tuple[list[dict], list[dict]]:
    """DEV (sha1 of the id is even) and TEST (odd): stable as cases are appended."""
    halves: tuple[list[dict], list[dict]] = ([], [])
    for case in cases:
        halves[int(hashlib.sha1(case["id"].encode()).hexdigest(), 16) % 2].append(case)
    return halves


def baseline(embedder: Embedder) -> Predict:
    """Plain embedding similarity: the label of the nearest yes/no example over all units; unknown below a cut."""
    def predict(lead: Lead, enrichment: Enrichment, q: QualifyingQuestion, now: datetime) -> tuple[str, float]:
        if q.check is not None:
            a = evaluate(q, lead, enrichment, now)
            return a.answer, a.confidence
        texts = [u.text for u in units(lead_sources(lead))]
        examples = [*q.yes_examples, *q.no_examples]
        if not texts or not examples:
            return "unknown", 0.0
        sims = embedder.embed(texts) @ embedder.embed(examples).T
        i = int(np.argmax(sims.max(axis=0)))
        best = float(sims.max())
        if best < BASELINE_CUT:
            return "unknown", 0.0
        return ("yes" if i < len(q.yes_examples) else "no"), best
    return predict


def local(judge: LocalJudge) -> Predict:
    def predict(lead: Lead, enrichment: Enrichment, q: QualifyingQuestion, now: datetime) -> tuple[str, float]:
        [a] = judge.answer(lead, enrichment, [q], now)
        return a.answer, a.confidence
    return predict


def enrich(case: dict, library: Library) -> tuple[Lead, Enrichment, datetime]:
    """The lead, its offline enrichment (as the pipeline gives the judge: title rules, free-mail, country codes), now."""
    lead = Lead.model_validate(case["lead"])
    now = lead.received_at or datetime.now(UTC)
    return lead, asyncio.run(waterfall(lead, local_providers(library), now)), now


def run(name: str, predict: Predict, cases: list[tuple[dict, Lead, Enrichment, datetime]],
        questions: dict[str, QualifyingQuestion], show_errors: bool) -> None:
    """Score one predictor on all cases and print its figures."""
    rows, times = [], []
    for case, lead, enrichment, now in cases:
        started = time.perf_counter()
        answer, confidence = predict(lead, enrichment, questions[case["question_id"]], now)
        times.append((time.perf_counter() - started) * 1000)
        rows.append((case["expected"], answer, confidence, case))
    n = len(rows)
    correct = sum(e == p for e, p, _, _ in rows)
    print(f"\n== {name}: {n} cases, accuracy {correct / n:.1%} ==")
    matrix = Counter((e, p) for e, p, _, _ in rows)
    print(f"{'expected / predicted':>22}" + "".join(f"{c:>9}" for c in CLASSES) + f"{'recall':>9}")
    for e in CLASSES:
        total = sum(matrix[(e, p)] for p in CLASSES)
        recall = matrix[(e, e)] / total if total else float("nan")
        print(f"{e:>22}" + "".join(f"{matrix[(e, p)]:>9}" for p in CLASSES) + f"{recall:>9.1%}")
    precision = [matrix[(c, c)] / s if (s := sum(matrix[(e, c)] for e in CLASSES)) else float("nan") for c in CLASSES]
    print(f"{'precision':>22}" + "".join(f"{p:>9.1%}" for p in precision))
    unknowns = sum(p == "unknown" for _, p, _, _ in rows)
    print(f"unknown share: predicted {unknowns / n:.1%}, expected {sum(e == 'unknown' for e, *_ in rows) / n:.1%}")
    decided = [(e == p, c) for e, p, c, _ in rows if p != "unknown"]
    if decided:
        wrong_sign = sum(1 for e, p, _, _ in rows if {e, p} == {"yes", "no"})
        print(f"decided answers: {len(decided)}, correct {sum(ok for ok, _ in decided) / len(decided):.1%}, "
              f"yes<->no swaps {wrong_sign}")
        for lo, hi in ((0.0, 0.5), (0.5, 0.7), (0.7, 0.85), (0.85, 1.01)):
            band = [ok for ok, c in decided if lo <= c < hi]
            if band:
                print(f"  confidence [{lo:.2f}, {min(hi, 1):.2f}): {len(band):>4} answers, {sum(band) / len(band):.1%} correct")
    warm = times[min(5, n - 1):] or times
    print(f"ms per question: p50 {statistics.median(warm):.2f}, mean {statistics.fmean(warm):.2f}, max {max(warm):.2f}")
    if show_errors:
        for e, p, _, case in rows:
            if e != p:
                print(f"  {case['id']} {case['question_id']}: expected {e}, got {p} | {case.get('note', '')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--library", type=Path, default=LIBRARY)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    path = args.cases if args.cases.exists() else DEV_CASES
    if path != args.cases:
        print(f"{args.cases} not found; using the dev set {path}")
    from library.embeddings import MiniLMEmbedder, get_embedder

    started = time.perf_counter()
    embedder = get_embedder()
    print(f"embedder {embedder.name} loaded in {(time.perf_counter() - started) * 1000:.0f} ms")
    library = load_library(args.library)
    questions = {q.id: q for q in library.questions}
    cases = [c for c in load_cases(path) if c["question_id"] in questions]
    judge = LocalJudge(embedder)
    started = time.perf_counter()
    for q in library.questions:  # warm the question-vector cache once per library, as a running service would
        judge._question_vectors(q)
    print(f"question vectors for {len(library.questions)} questions: {(time.perf_counter() - started) * 1000:.0f} ms")
    plain = baseline(MiniLMEmbedder())  # a fresh embedder: the baseline's timing must not ride on the judge's cache
    for name, cases_half in zip(("DEV", "TEST"), split(cases), strict=True):
        counts = Counter(c["expected"] for c in cases_half)
        half = [(c, *enrich(c, library)) for c in cases_half]
        print(f"\n######## {name}: {path.name} ({len(half)}; " + ", ".join(f"{k} {counts[k]}" for k in CLASSES) + ")")
        run(f"{name} LocalJudge {judge.version}", local(judge), half, questions, args.show_errors and name == "DEV")
        run(f"{name} baseline: nearest example, unknown below cosine {BASELINE_CUT}", plain, half, questions, False)


if __name__ == "__main__":
    main()
