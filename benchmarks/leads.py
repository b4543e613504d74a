"""Whole leads through the whole pipeline (embedded defaults): does the tier follow each seller's written SQL definition?

    .venv/bin/python -m benchmarks.leads [--sellers DIR] [--seller NAME] [--show-errors]

Sellers are folders `<dir>/<seller>/library/` (with the SQL definition in segments.yaml) + `lead_cases.jsonl`, whose
cases were labeled blind from `sql_definition.md`. Cases split by sha1 of the id into DEV and TEST (as
benchmarks/judge.py splits); metrics come from `evals.metrics.tier_metrics`. `--show-errors` lists DEV mistakes only,
with each criterion's status and the labeled answers the judge got wrong. Figures, never assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from agent.deps import Deps
from agent.enrichment.local import local_providers
from agent.judges.local import LocalJudge
from agent.pipeline import qualify_lead
from agent.retrieve import LibraryRetriever
from agent.schemas import Evidence, QuestionAnswer, ScorecardDraft
from agent.scorecard import rescore
from evals.datasets import TierCase, load_tier_cases
from evals.judging import half
from evals.metrics import TIERS, tier_metrics
from evals.results import TierMetrics
from library.loader import load_library
from library.schemas import Library

ROOT = Path(__file__).resolve().parent.parent
SELLERS = ROOT / "evals/data/sellers"
SHORT = {"sql_ready": "sql", "needs_discovery": "disc", "nurture": "nurt", "disqualified": "dq", "invalid": "inv"}


@dataclass(frozen=True)
class Run:
    seller: str
    case: TierCase
    draft: ScorecardDraft | None
    error: str | None
    category: dict[str, str]  # question id → category, for the answer mistakes
    oracle: ScorecardDraft | None = None  # re-tiered with the labeled answers in place of the judged ones

    @property
    def predicted(self) -> str | None:
        return self.draft.tier if self.draft else None

    @property
    def oracle_tier(self) -> str | None:
        return self.oracle.tier if self.oracle else None


def with_labels(draft: ScorecardDraft, case: TierCase, library: Library) -> ScorecardDraft:
    """The draft re-tiered as if the judge had given every labeled answer: isolates the SQL definition from the judge."""
    labeled = {q: a for q, a in case.criteria.items() if a in ("yes", "no", "unknown")}
    answers = [
        a
        if a.question_id not in labeled
        else QuestionAnswer(
            question_id=a.question_id,
            reasoning="labeled",
            answer=labeled[a.question_id],
            confidence=1.0,  # type: ignore[arg-type]
            evidence=[]
            if labeled[a.question_id] == "unknown"
            else [Evidence(source="notes", ref="notes", quote="label")],
        )
        for a in draft.answers
    ]
    lead = case.lead
    return rescore(draft.model_copy(update={"answers": answers}), lead, library, lead.received_at or draft.created_at)


def run_seller(folder: Path, embedder: object) -> list[Run]:
    """Every case of one seller through `qualify_lead` with the embedded judge and the offline enrichers."""
    from library.embeddings import get_multilingual

    library = load_library(folder / "library")
    deps = Deps(
        library=library,
        snapshot_id=library.snapshot_id(),
        retriever=LibraryRetriever(library, embedder),  # type: ignore[arg-type]
        judge=LocalJudge(embedder, meaning=get_multilingual()),
        enrichers=local_providers(library),  # type: ignore[arg-type]
        embedding_model=getattr(embedder, "name", None),
    )
    categories = {q.id: q.category for q in library.questions}
    runs = []
    for case in load_tier_cases(folder / "lead_cases.jsonl"):
        try:
            lead = case.lead.model_copy(update={"id": case.lead.id or case.id})
            draft = asyncio.run(qualify_lead(lead, deps, lead_id=case.id))
            oracle = with_labels(draft, case, library) if not draft.disqualifications else draft
            runs.append(Run(folder.name, case, draft, None, categories, oracle))
        except Exception as exc:  # noqa: BLE001 - an invalid output of this case, counted in the confusion matrix
            runs.append(Run(folder.name, case, None, f"{type(exc).__name__}: {exc}", categories))
    return runs


def measure(runs: list[Run]) -> TierMetrics:
    return tier_metrics([r.case.expected_tier for r in runs], [r.predicted for r in runs])


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def side_by_side(dev: TierMetrics, test: TierMetrics) -> str:
    rows = [
        ("cases", str(dev.n), str(test.n)),
        ("tier agreement", _pct(dev.agreement), _pct(test.agreement)),
        (
            "hard disqualifiers caught",
            f"{dev.disqualify_caught}/{dev.disqualify_expected}",
            f"{test.disqualify_caught}/{test.disqualify_expected}",
        ),
        ("wrongly disqualified", str(dev.disqualify_false), str(test.disqualify_false)),
        (
            "every disqualifier right",
            "yes" if dev.disqualifiers_right else "NO",
            "yes" if test.disqualifiers_right else "NO",
        ),
    ]
    out = [f"{'whole-lead tiers':28} {'DEV':>10} {'TEST':>10}"]
    out += [f"{name:28} {a:>10} {b:>10}" for name, a, b in rows]
    return "\n".join(out)


def matrices(dev: TierMetrics, test: TierMetrics) -> str:
    """The two confusion matrices next to each other: rows expected, columns predicted (+ invalid)."""
    cols = dev.confusion.columns
    head = "expected \\ predicted".ljust(20) + "".join(f"{SHORT[c]:>6}" for c in cols)
    lines = [f"{'DEV':<{len(head)}}   TEST", f"{head}   {head}"]
    for i, row in enumerate(dev.confusion.rows):
        left = f"{row:<20}" + "".join(f"{v:>6}" for v in dev.confusion.counts[i])
        right = f"{row:<20}" + "".join(f"{v:>6}" for v in test.confusion.counts[i])
        lines.append(f"{left}   {right}")
    return "\n".join(lines)


def answer_mistakes(runs: list[Run]) -> Counter[str]:
    """Labeled answers (the case's `criteria`) the judge got wrong, counted by question category."""
    wrong: Counter[str] = Counter()
    for r in runs:
        if r.draft is None:
            continue
        for qid, expected in r.case.criteria.items():
            got = r.draft.answer(qid)
            if got is not None and expected in ("yes", "no", "unknown") and got.answer != expected:
                wrong[f"{r.category.get(qid, '?')} ({expected}→{got.answer})"] += 1
    return wrong


def show_error(r: Run) -> str:
    d = r.draft
    lines = [
        f"DEV {r.seller}/{r.case.id}: expected {r.case.expected_tier}, got {r.predicted or r.error} "
        f"(with labeled answers: {r.oracle_tier})"
    ]
    if r.case.reason:
        lines.append(f"    label: {r.case.reason}")
    if d is None:
        return "\n".join(lines)
    if d.sql is not None:
        lines.append(f"    decided: {d.sql.tier_reason}")
        lines += [
            f"    {c.kind:<12} {c.id:<24} {c.status:<8} {c.words[:140]}"
            for c in d.sql.criteria
            if c.kind != "nice_to_have"
        ]
    for qid, expected in r.case.criteria.items():
        got = d.answer(qid)
        if got is not None and got.answer != expected:
            quote = got.evidence[0].quote[:80] if got.evidence else ""
            lines.append(
                f"    answer {qid} [{r.category.get(qid, '?')}]: labeled {expected}, judged {got.answer} "
                f"({got.confidence:.2f}) {quote!r}"
            )
    if d.disqualifications:
        lines.append("    hard rules: " + "; ".join(x.reason for x in d.disqualifications))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sellers", type=Path, default=SELLERS)
    parser.add_argument("--seller", help="only this seller")
    parser.add_argument("--show-errors", action="store_true", help="list DEV mistakes (never TEST)")
    args = parser.parse_args()
    from library.embeddings import get_embedder

    embedder = get_embedder()
    started = time.perf_counter()
    runs: list[Run] = []
    for folder in sorted(p for p in args.sellers.iterdir() if (p / "lead_cases.jsonl").is_file()):
        if args.seller and folder.name != args.seller:
            continue
        runs += run_seller(folder, embedder)
    seconds = time.perf_counter() - started
    split: dict[str, list[Run]] = defaultdict(list)
    for r in runs:
        split[half(r.case.id)].append(r)
    dev, test = measure(split["dev"]), measure(split["test"])
    print(side_by_side(dev, test))
    o_dev = tier_metrics([r.case.expected_tier for r in split["dev"]], [r.oracle_tier for r in split["dev"]])
    o_test = tier_metrics([r.case.expected_tier for r in split["test"]], [r.oracle_tier for r in split["test"]])
    print(
        f"{'  with the labeled answers':28} {_pct(o_dev.agreement):>10} {_pct(o_test.agreement):>10}"
        "   (the SQL definitions alone, judge set aside)"
    )
    print()
    print(matrices(dev, test))
    print()
    print(f"{'per seller':28} {'DEV':>10} {'TEST':>10}")
    for seller in sorted({r.seller for r in runs}):
        d = measure([r for r in split["dev"] if r.seller == seller])
        t = measure([r for r in split["test"] if r.seller == seller])
        print(f"  {seller:<26} {_pct(d.agreement):>10} {_pct(t.agreement):>10}   (n={d.n}/{t.n})")
    invalid = [r for r in runs if r.draft is None]
    print(
        f"\n{len(runs)} leads in {seconds:.1f} s ({1000 * seconds / max(len(runs), 1):.0f} ms a lead); "
        f"invalid outputs: {len(invalid)}; tiers: {', '.join(TIERS)}"
    )
    if args.show_errors:
        wrong = answer_mistakes(split["dev"])
        print(
            "\nDEV labeled answers the judge got wrong, by category: "
            + (", ".join(f"{k} ×{v}" for k, v in wrong.most_common()) or "none")
        )
        for r in split["dev"]:
            if r.predicted != r.case.expected_tier:
                print(show_error(r))


if __name__ == "__main__":
    main()
