"""`qualify review export|assign|stats`: reviewed leads as labeled eval data, and assignment of waiting drafts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.settings import get_settings

app = typer.Typer(help="Human review: export decisions as eval data, assign drafts.", no_args_is_help=True,
                  rich_markup_mode=None)
out = Console()


@app.command("stats")
def stats() -> None:
    """Per question: how often reviewers changed the AI's answer, and to what."""
    from api.review.stats import stored_review_stats
    from api.runtime import open_database

    _, sessions = open_database(get_settings())
    with sessions() as s:
        rows = stored_review_stats(s)
    if not rows:
        out.print("no reviewed answers yet")
        return
    for r in rows:
        moves = ", ".join(f"{a}→{h} ×{n}" for (a, h), n in r.transitions.most_common())
        out.print(f"{r.question_id}: changed {r.changed}/{r.reviewed} ({r.change_rate:.0%}){'  ' + moves if moves else ''}")


@app.command("export")
def export(out_path: Annotated[Path, typer.Option("--out", help="JSONL of whole-lead cases")] = Path("cases.jsonl")) -> None:
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
