"""The embedded judge on labeled question cases that it was not written for: several sellers' own plain questions.

    .venv/bin/python -m benchmarks.judge [--sellers DIR] [--holdout] [--ledgerly] [--show-errors] [--seller NAME]

Sellers are folders `<dir>/<seller>/library/` + `question_cases.jsonl`, written blind from a one-line description and
ANSWERS.md. Cases split by sha1 of the id into DEV (tune on it) and TEST (never look at its mistakes); `--holdout` adds
`evals/data/holdout/` sellers, whose cases were never opened while tuning, reported on their own. Metrics come from
`evals.judging`. `--show-errors` lists DEV mistakes only. Figures, never assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from agent.enrichment.base import waterfall
from agent.enrichment.local import local_providers
from agent.evidence import lead_sources
from agent.judges.calibration import DEFAULT_MAP, ConfidenceMap
from agent.judges.local import LocalJudge
from agent.schemas import Lead
from agent.text import sentences
from evals.datasets import QuestionCase, load_question_cases
from evals.judging import fit_confidence, Judged, evaluate, half, render
from library.loader import load_library
from library.schemas import Library

ROOT = Path(__file__).resolve().parent.parent
SELLERS = ROOT / "evals/data/sellers"
HOLDOUT = ROOT / "evals/data/holdout"
LEDGERLY = (ROOT / "library/data/ledgerly", ROOT / "evals/data/ledgerly/question_cases.jsonl")


def _texts(lead: Lead) -> set[str]:
    return {s for src in lead_sources(lead) for s in sentences(src.text)}


def judge_cases(judge: LocalJudge, library: Library, cases: list[QuestionCase], seller: str) -> list[Judged]:
    """Run the judge on every case (each lead enriched offline as the pipeline does) and record what it said."""
    questions = {q.id: q for q in library.questions}
    by_id = {c.id: c for c in cases}
    rows = []
    for case in cases:
        q = questions.get(case.question_id)
        if q is None:
            continue
        lead = case.lead
        now = lead.received_at or datetime.now(UTC)
        enrichment = asyncio.run(waterfall(lead, local_providers(library), now))
        started = time.perf_counter()
        [a] = judge.answer(lead, enrichment, [q], now, seller=library.seller, competitors=library.competitors)
        seconds = time.perf_counter() - started
        injected: tuple[str, ...] = ()
        twin_texts: tuple[str, ...] = ()
        if case.twin and case.twin in by_id:
            injected = tuple(_texts(lead) - _texts(by_id[case.twin].lead))
            twin_texts = tuple(_texts(by_id[case.twin].lead))
        rows.append(
            Judged(
                case_id=f"{seller}/{case.id}",
                expected=case.expected,
                predicted=a.answer,
                confidence=a.confidence,
                category=q.category,
                tags=tuple(case.tags),
                twin=f"{seller}/{case.twin}" if case.twin else None,
                quotes=tuple(e.quote for e in a.evidence),
                evidence_valid="evidence_unverified" not in a.flags,
                injected_texts=injected,
                twin_texts=twin_texts,
                seconds=seconds,
                question_id=f"{seller}/{q.id}",
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sellers", type=Path, default=SELLERS)
    parser.add_argument("--seller", help="only this seller")
    parser.add_argument("--holdout", action="store_true", help="also the held-out sellers (all TEST)")
    parser.add_argument("--ledgerly", action="store_true", help="also the Ledgerly sample library's cases")
    parser.add_argument("--show-errors", action="store_true", help="list DEV mistakes (never TEST)")
    parser.add_argument(
        "--fit-confidence",
        nargs="?",
        const="dev",
        choices=("dev", "holdout"),
        help="fit the confidence map (raw confidences) and write it for the judge: on the DEV half, or on the "
        "held-out sellers (whose answers were never tuned on, so their rate of being right is a new seller's; "
        "implies --holdout). Never on TEST",
    )
    parser.add_argument(
        "--english-only", action="store_true", help="without the cross-language model (the judge before it)"
    )
    args = parser.parse_args()
    from library.embeddings import get_embedder, get_multilingual

    judge = LocalJudge(
        get_embedder(),
        confidence=ConfidenceMap({}) if args.fit_confidence else None,
        meaning=None if args.english_only else get_multilingual(),
    )
    groups: dict[str, list[Judged]] = {"dev": [], "test": []}
    holdout: list[Judged] = []
    per_seller: dict[str, list[Judged]] = {}
    folders = sorted(p for p in args.sellers.iterdir() if (p / "question_cases.jsonl").is_file())
    for folder in folders:
        if args.seller and folder.name != args.seller:
            continue
        rows = judge_cases(
            judge, load_library(folder / "library"), load_question_cases(folder / "question_cases.jsonl"), folder.name
        )
        per_seller[folder.name] = rows
        for r in rows:
            groups[half(r.case_id.split("/", 1)[1])].append(r)
    if args.ledgerly:
        lib = load_library(LEDGERLY[0])
        rows = judge_cases(judge, lib, load_question_cases(LEDGERLY[1]), "ledgerly")
        dev = [r for r in rows if half(r.case_id.split("/", 1)[1]) == "dev"]
        test = [r for r in rows if half(r.case_id.split("/", 1)[1]) == "test"]
        print(render("Ledgerly DEV", evaluate(dev)))
        print(render("Ledgerly TEST", evaluate(test)))
    if (args.holdout or args.fit_confidence == "holdout") and HOLDOUT.is_dir():
        for folder in sorted(p for p in HOLDOUT.iterdir() if (p / "question_cases.jsonl").is_file()):
            holdout += judge_cases(
                judge,
                load_library(folder / "library"),
                load_question_cases(folder / "question_cases.jsonl"),
                f"holdout-{folder.name}",
            )
    for name, rows in groups.items():
        if rows:
            print(render(f"multi-seller {name.upper()}", evaluate(rows)))
    for seller, rows in per_seller.items():
        dev = [r for r in rows if half(r.case_id.split("/", 1)[1]) == "dev"]
        test = [r for r in rows if half(r.case_id.split("/", 1)[1]) == "test"]
        print(
            f"  {seller:<14} DEV {evaluate(dev).accuracy:.1%} (n={len(dev)})   TEST {evaluate(test).accuracy:.1%} "
            f"(n={len(test)})"
        )
    if holdout:
        print(render("held-out sellers (never looked at while tuning)", evaluate(holdout)))
        if ConfidenceMap.load().fitted_on.startswith("held-out"):
            print("  (the confidence map is fitted on these sellers: their ECE is in-sample; TEST's is not)")
    every = [r for rows in groups.values() for r in rows] + holdout
    if every:
        ms = [r.seconds * 1000 for r in every]
        print(f"ms per question: p50 {statistics.median(ms):.2f}, p95 {sorted(ms)[int(0.95 * (len(ms) - 1))]:.2f}")
    if args.fit_confidence:
        source = holdout if args.fit_confidence == "holdout" else groups["dev"]
        name = "held-out sellers" if args.fit_confidence == "holdout" else "multi-seller DEV"
        ConfidenceMap(fit_confidence(source)).dump(
            DEFAULT_MAP,
            fitted_on=f"{name}, {len(source)} cases (benchmarks/judge.py --fit-confidence {args.fit_confidence})",
        )
        print(f"confidence map written to {DEFAULT_MAP.relative_to(ROOT)} (fitted on {name}); run again to see it")
    if args.show_errors:
        for r in groups["dev"]:
            if r.expected != r.predicted:
                print(
                    f"  DEV {r.case_id} [{r.category}] expected {r.expected}, got {r.predicted} ({r.confidence:.2f}) "
                    f"tags={','.join(r.tags)}"
                )


if __name__ == "__main__":
    main()
