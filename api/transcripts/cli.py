"""`qualify transcript ingest FILE --lead ID`: a call into a new scorecard revision, from the command line."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from api.terminal import cli_console, print_table

app = typer.Typer(help="Call transcripts.", no_args_is_help=True, rich_markup_mode=None)
out, err = cli_console(), cli_console(stderr=True)


@app.command("ingest")
def ingest_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="WebVTT, SRT, JSON utterances or plain text")
    ],
    lead: Annotated[str, typer.Option("--lead", help="The lead the call was with")],
    call_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD; relative dates are read against it")] = None,
    rep: Annotated[list[str] | None, typer.Option(help="A seller's name (repeatable)")] = None,
    format: Annotated[str | None, typer.Option(help="vtt | srt | json | text (detected when omitted)")] = None,
) -> None:
    """Extract the lead's questions from a call and store them as a new scorecard revision for review."""
    from agent.transcripts import RoleHints
    from api.cli import _runtime
    from api.errors import ApiError
    from api.settings import get_settings
    from api.transcripts import service

    try:
        when = date.fromisoformat(call_date) if call_date else None
    except ValueError as exc:
        err.print(Text(f"error: --call-date {call_date!r} is not YYYY-MM-DD", style="red"))
        raise typer.Exit(2) from exc
    rt = _runtime(get_settings())
    roles = RoleHints(seller_names=rep or [], seller_company=rt.deps.library.seller.name)
    try:
        found = asyncio.run(
            service.ingest(rt, lead, file.read_bytes(), filename=file.name, format=format, call_date=when, roles=roles)
        )
    except ApiError as exc:
        err.print(Text(f"error: {file.name}: {exc.detail}", style="red"))
        raise typer.Exit(2) from exc
    verb = "stored as" if found.created else "was already ingested as"
    out.print(f"{file.name} {verb} transcript {found.transcript_id} → scorecard revision {found.revision}")
    table = Table("question", "before", "after", "from the call", title="Changes for review", title_justify="left")
    for change in found.diff["changes"]:
        if change["needs_review"]:
            before = (change["before"] or {}).get("answer", "-")
            quote = (change["after"]["evidence"] or [{}])[0]
            said = f"{quote.get('speaker') or ''}: “{quote.get('quote', '')[:90]}”" if quote else ""
            table.add_row(Text(change["question_id"]), Text(before), Text(change["after"]["answer"]), Text(said))
    print_table(out, table)
