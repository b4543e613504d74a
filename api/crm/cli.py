"""`qualify crm hubspot setup | jobs | retry`: create the HubSpot properties, see and replay CRM jobs."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from api.settings import get_settings

app = typer.Typer(help="CRM connectors (HubSpot, Salesforce): set-up and the write-back jobs.", no_args_is_help=True)
hubspot_app = typer.Typer(help="HubSpot.", no_args_is_help=True)
app.add_typer(hubspot_app, name="hubspot")
out = Console()
err = Console(stderr=True)


@hubspot_app.command("setup")
def hubspot_setup() -> None:
    """Create the `qualify` contact property group and the SQL record properties (existing ones are kept)."""
    from api.crm import hubspot
    from api.crm.mapping import ConnectorNotConfigured
    from api.jobs.service import JobFailed, RetryLater

    try:
        rows = hubspot.setup(hubspot.client(get_settings()))
    except ConnectorNotConfigured as exc:
        err.print(Text(f"error: {exc}", style="red"))
        raise typer.Exit(2) from exc
    except (JobFailed, RetryLater) as exc:
        err.print(Text(f"error: {exc}", style="red"))
        raise typer.Exit(1) from exc
    for name, what in rows:
        out.print(f"{name}: {what}")


@app.command("jobs")
def list_jobs(
    status: Annotated[str | None, typer.Option(help="queued | running | done | dead")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many jobs, newest first")] = 50,
) -> None:
    """The latest CRM jobs with their attempts and last error."""
    from api.jobs.service import jobs
    from api.runtime import open_database

    _, sessions = open_database(get_settings())
    with sessions() as s:
        rows = jobs(s, status, limit)
    for j in rows:
        error = f"  {escape(j.last_error[:200])}" if j.last_error else ""
        out.print(f"{j.id} {j.kind} {j.status} attempts={j.attempts} due={j.run_after:%Y-%m-%d %H:%M:%S}{error}")
    if not rows:
        out.print("no jobs")


@app.command("retry")
def retry_job(job_id: Annotated[int, typer.Argument(help="Job id (qualify crm jobs)")]) -> None:
    """Queue a dead or waiting job to run now (after fixing what failed)."""
    from agent.deps import utc_now
    from api.jobs.service import retry
    from api.runtime import open_database

    _, sessions = open_database(get_settings())
    if not retry(sessions, job_id, utc_now()):
        err.print(Text(f"error: job {job_id} does not exist, is running or is done", style="red"))
        raise typer.Exit(2)
    out.print(f"job {job_id} queued")
