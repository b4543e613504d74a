"""Transcript extraction figures: per-field F1 on the labeled calls of the blind multi-seller benchmark (DEV and TEST
halves by a hash of `<seller>/<file>`), on the labeled Ledgerly calls, and the time to process a generated 60-minute
call (~9,000 words) with the embedded extractor. Prints numbers; asserts nothing.

    .venv/bin/python benchmarks/transcripts.py [--no-embedder] [--show-errors]

`--show-errors` lists the DEV half's mismatches only (never TEST's: tuning on it would make it a DEV set).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.transcripts import EmbeddedExtractor, RoleHints, read_transcript  # noqa: E402
from evals.judging import half  # noqa: E402
from evals.transcripts import applicable, evaluate_transcripts, load_labels, render, score_calls  # noqa: E402
from library.loader import load_library  # noqa: E402

REP = [
    "Could you walk me through how invoices reach you today?",
    "How many people touch an invoice before it is paid?",
    "What happens when an approver is on holiday?",
    "How do you pay international suppliers?",
    "Is there a budget in mind for this?",
    "When would you want to be live?",
    "Who else is involved in the decision?",
]
PROSPECT = [
    "Most invoices come in by email as PDFs and one of the clerks keys them into NetSuite by hand.",
    "Approvals happen over email and things sit in inboxes for a week or more at month end.",
    "We process around two thousand invoices a month across three entities.",
    "Honestly the close takes twelve days and AP is always the bottleneck for us.",
    "We talked to PayFlowly last year but the approval flows looked rigid.",
    "Our CFO signs anything over ten thousand, and I run the evaluation.",
    "We set aside about forty grand for AP tooling this year.",
    "We want it live by the end of next quarter, before the audit starts.",
    "The vendors call every day asking when they will be paid, which eats the afternoon.",
    "Put down a million dollars - kidding, that is not happening.",
]


def generated_call(words: int = 9_000, seed: int = 7) -> str:
    """A plain-text call alternating rep and prospect turns until it holds about `words` words."""
    rng = random.Random(seed)
    lines, count, t = [], 0, 0
    while count < words:
        rep, prospect = rng.choice(REP), " ".join(rng.sample(PROSPECT, 3))
        lines += [
            f"[{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}] Sam Patel: {rep}",
            f"[{(t + 6) // 3600:02d}:{(t + 6) // 60 % 60:02d}:{(t + 6) % 60:02d}] Dana Ortiz: {prospect}",
        ]
        count += len(rep.split()) + len(prospect.split())
        t += 24
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-embedder", action="store_true", help="lexical similarity only (no ONNX model)")
    parser.add_argument("--show-errors", action="store_true", help="print the DEV half's mismatches")
    parser.add_argument("--sellers", type=Path, default=ROOT / "evals/data/sellers")
    args = parser.parse_args()
    library = load_library(ROOT / "library/data/ledgerly")
    embedder, meaning, load_s = None, None, 0.0
    if not args.no_embedder:
        from library.embeddings import get_embedder, get_multilingual

        started = time.perf_counter()
        embedder = get_embedder()
        embedder.embed(["warm up"])
        meaning = get_multilingual()
        load_s = time.perf_counter() - started
    extractor = EmbeddedExtractor(library, embedder, meaning=meaning)
    print(
        f"extractor {extractor.name} {extractor.version}, embedder {getattr(embedder, 'name', 'none')}"
        + (f" (loaded in {load_s:.2f} s)" if embedder else "")
    )

    halves: dict[str, list] = {"dev": [], "test": []}
    for folder in sorted(p for p in args.sellers.iterdir() if (p / "calls").is_dir()):
        seller_library = load_library(folder / "library")
        seller_extractor = EmbeddedExtractor(seller_library, embedder, meaning=meaning)
        for label, path in load_labels(folder / "calls", seller_library):
            halves[half(f"{folder.name}/{path.name}")].append((label, path, seller_library, seller_extractor))
    for name, calls in halves.items():
        report = score_calls(calls)
        print(f"\nmulti-seller calls {name.upper()}")
        print(render(report))
        if args.show_errors and name == "dev":
            for m in report.mismatches:
                print(
                    f"  {m.transcript:38} {m.field:24} want {m.expected}/{m.expected_value}  got {m.got}/{m.got_value}"
                )
    print("\nLedgerly calls")
    print(render(evaluate_transcripts(ROOT / "evals/data/ledgerly/transcripts", library, extractor)))

    text = generated_call()
    questions = applicable(library, "mid_market")
    timings = []
    for _ in range(3):
        fresh = EmbeddedExtractor(
            library, embedder, meaning=meaning
        )  # no cached example vectors: count their embedding too
        started = time.perf_counter()
        transcript = read_transcript(text, call_date=date(2026, 11, 12), roles=RoleHints(seller_names=["Sam Patel"]))
        answers = fresh.extract(transcript, questions)
        timings.append(time.perf_counter() - started)
    decided = sum(a.answer != "unknown" for a in answers)
    print(
        f"60-minute call: {transcript.word_count()} words, {len(transcript.utterances)} utterances; parse + extract "
        f"best {min(timings):.2f} s, worst {max(timings):.2f} s over 3 runs; {decided}/{len(answers)} answers decided"
    )


if __name__ == "__main__":
    main()
