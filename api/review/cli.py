"""`qualify review export|assign|stats`: reviewed leads as labeled eval data, and assignment of waiting drafts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.settings import get_settings

app = typer.Typer(
    help="Human review: export decisions as eval data, assign drafts.", no_args_is_help=True, rich_markup_mode=None
)
out = Console()


@app.command("stats")
def stats() -> None:
    """Per question, how often reviewers changed the AI's answer; the checklist's accept-as-suggested rate per rep; why
    leads were rejected or pushed back, by source, segment, rep and criterion."""
    from api.review.stats import stored_reason_stats, stored_rep_stats, stored_review_stats
    from api.runtime import open_database

    settings = get_settings()
    _, sessions = open_database(settings)
    with sessions() as s:
        rows, reps = stored_review_stats(s), stored_rep_stats(s)
        reasons = stored_reason_stats(s)
    texts = _question_texts(settings)
    if not rows:
        out.print("no reviewed answers yet")
    for r in rows:
        moves = ", ".join(f"{a}→{h} ×{n}" for (a, h), n in r.transitions.most_common())
        name = texts.get(r.question_id, r.question_id)
        out.print(
            f"{name}: changed {r.changed}/{r.reviewed} ({r.change_rate:.0%}){'  ' + moves if moves else ''}",
            markup=False,
            highlight=False,
        )
    if reps:
        out.print(
            "\nChecklist per rep (accept-as-suggested: items left as the AI suggested; near 100% is a rubber stamp)"
        )
    for p in reps:
        out.print(
            f"{p.rep}: {p.confirms} confirm(s), {p.items} items — accepted as suggested {p.accept_rate:.0%} "
            f"({p.verified} verified on the call, {p.accepted} unverified), changed {p.changed}",
            markup=False,
            highlight=False,
        )
    if not any(reasons.values()):
        out.print("no rejects or push-backs yet")
        return
    for dimension, counts in reasons.items():
        if not counts:
            continue
        out.print(f"\nreasons by {dimension}:")
        for (value, reason), n in sorted(counts.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1])):
            out.print(f"  {value}: {reason} ×{n}", markup=False)


def _question_texts(settings: object) -> dict[str, str]:
    """Question id → its text in the configured library (ids stay when the library cannot be read)."""
    from library.errors import LibraryError
    from library.loader import load_library

    try:
        return {q.id: q.text for q in load_library(settings.library_dir).questions}  # type: ignore[attr-defined]
    except (LibraryError, OSError):
        return {}


@app.command("export")
def export(
    out_path: Annotated[Path, typer.Option("--out", help="JSONL of whole-lead cases")] = Path("cases.jsonl"),
) -> None:
    """Write every reviewed lead (confirm/accept → sql; reject/push back → nurture or disqualify) as an eval case."""
    from api.review.export import reviewed_cases
    from api.runtime import open_database
    from evals.datasets import write_jsonl

    _, sessions = open_database(get_settings())
    with sessions() as s:
        cases = reviewed_cases(s)
    write_jsonl(out_path, cases)
    out.print(f"{len(cases)} reviewed lead(s) written to {out_path}")


@app.command("assign")
def assign() -> None:
    """Assign every drafted lead that has no SDR yet."""
    from agent.deps import utc_now
    from api.review.assign import assign_pending, territories_for
    from api.runtime import open_database

    settings = get_settings()
    _, sessions = open_database(settings)
    total = 0
    while n := assign_pending(sessions, territories_for(settings.territory_rules_file), utc_now()):
        total += n
    out.print(f"assigned {total} lead(s)")
