"""The `qualify` command line. Exit codes: 0 ok, 1 some leads failed to qualify, 2 bad input (names file, row, field)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from agent.errors import LibraryError
from api.settings import Settings, SettingsError, get_settings
from api.terminal import cli_console, print_parts, print_table

if TYPE_CHECKING:
    from api.runtime import Runtime

# Only what `qualify --help` needs is imported here; each command imports its own machinery (the embedding model,
# the database, LangChain) when it runs, so the help answers at once and `qualify lead` pays only for what it uses.

# Plain (click-style) help on every group: Typer's rich help panels show a `<bool>` value after every flag
# (`--json <bool>`, even `--help <bool>`), which reads as if the flag took an argument; plain help is also faster.
app = typer.Typer(
    help="Qualify: which leads deserve a salesperson's time, and why.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
library_app = typer.Typer(
    help="Validate, index and show the qualification library.", no_args_is_help=True, rich_markup_mode=None
)
enrich_app = typer.Typer(help="Local enrichment data.", no_args_is_help=True, rich_markup_mode=None)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(library_app, name="library")
app.add_typer(db_app, name="db")
app.add_typer(enrich_app, name="enrich")
# Each domain may add its own command group in api/<domain>/cli.py (a `typer.Typer` named `app`), registered here.
from api.transcripts.cli import app as _transcripts_app  # noqa: E402

app.add_typer(_transcripts_app, name="transcript")
from api.users.cli import app as _users_app  # noqa: E402
from api.review.cli import app as _review_app  # noqa: E402

app.add_typer(_users_app, name="user")
from api.crm.cli import app as _crm_app  # noqa: E402

app.add_typer(_crm_app, name="crm")
app.add_typer(_review_app, name="review")
from api.evals.cli import app as _evals_app, calibrate_command as _calibrate  # noqa: E402

app.add_typer(_evals_app, name="eval")
app.command("calibrate")(_calibrate)

out = cli_console()
err = cli_console(stderr=True)
BAD_INPUT, FAILED = 2, 1


def _fail(message: str, code: int = BAD_INPUT) -> typer.Exit:
    err.print(Text(f"error: {message}", style="red"))
    return typer.Exit(code)


@app.callback()
def _check_settings() -> None:
    """Refuse to run any command on a bad configuration value, naming the variable (exit code 2)."""
    try:
        get_settings()
    except SettingsError as exc:
        raise _fail(f"bad configuration: {exc}") from None


def _settings(library_dir: Path | None = None) -> Settings:
    settings = get_settings()
    return settings.model_copy(update={"library_dir": library_dir}) if library_dir else settings


def _runtime(settings: Settings) -> Runtime:
    from api.db import SchemaBehind
    from api.runtime import build_runtime

    try:
        return build_runtime(settings)
    except (LibraryError, SchemaBehind) as exc:
        raise _fail(str(exc)) from exc
    except Exception as exc:
        if settings.judge != "local":  # LangChain is imported only when an endpoint is configured
            from api.llm_wiring import EndpointUnusable

            if isinstance(exc, EndpointUnusable):
                raise _fail(str(exc), FAILED) from exc
        raise


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Upgrade the database schema to this version of Qualify (a database from before migrations is adopted)."""
    from api.db import make_engine, upgrade

    engine = make_engine(get_settings().resolved_database_url)
    before, after = upgrade(engine)
    engine.dispose()
    out.print(f"database schema: {before or 'empty'} → {after}" if before != after else f"database schema at {after}")


@db_app.command("current")
def db_current() -> None:
    """Print the schema revision of the database and the one this code needs."""
    from api.db import current_revision, head_revision, make_engine

    engine = make_engine(get_settings().resolved_database_url)
    out.print(f"database {current_revision(engine) or 'empty'} · code {head_revision()}")
    engine.dispose()


@library_app.command("new")
def library_new(
    directory: Annotated[Path, typer.Argument(help="Folder for the new library (its name is the library's name)")],
    name: Annotated[str, typer.Option(help="Your company's name")],
    product: Annotated[str, typer.Option(help="Your product's name")],
    category: Annotated[str, typer.Option(help="What you sell, in words: 'employee scheduling software'")],
    description: Annotated[str, typer.Option(help="One or two sentences on what you sell and to whom")] = "",
    regions: Annotated[str, typer.Option(help="Countries and groups you serve, comma-separated: US,CA,EU")] = "US",
    languages: Annotated[str, typer.Option(help="Languages you offer, comma-separated ISO codes: en,de")] = "en",
    min_employees: Annotated[int, typer.Option(help="The smallest company you sell to (employees)")] = 20,
    max_employees: Annotated[int, typer.Option(help="The largest company you sell to (employees)")] = 2000,
) -> None:
    """Write a new library to start from: the seller profile, plain-word questions of every kind, a segment with its
    SQL definition, and the other files, each with comments on what to change. It syncs as written."""
    from library.loader import SLUG, load_library
    from library.scaffold import write_library

    if not SLUG.match(directory.name):
        raise _fail(f"{directory}: the folder name is the library's name and must be a slug (a-z, 0-9, _ or -)")
    try:
        written = write_library(
            directory,
            name=name,
            product=product,
            description=description or f"{product}: {category}.",
            category=category,
            regions=[r.strip() for r in regions.split(",") if r.strip()],
            languages=[x.strip() for x in languages.split(",") if x.strip()],
            min_employees=min_employees,
            max_employees=max_employees,
        )
        load_library(directory)  # what was written is a library that loads
    except LibraryError as exc:
        raise _fail(str(exc)) from exc
    out.print(f"wrote {len(written)} files to {directory}: " + ", ".join(p.name for p in written))
    out.print(f"next: edit them, then `qualify library show {directory}` and `qualify library sync {directory}`")


@library_app.command("sync")
def library_sync(directory: Annotated[Path | None, typer.Argument(help="Library folder")] = None) -> None:
    """Validate the library files and index them in ChromaDB (idempotent); prints the snapshot id."""
    from api.runtime import open_store, warm_question_memo
    from library.geo import use_cache_folder
    from library.loader import load_library
    from library.sync import sync_library

    settings = _settings(directory)
    use_cache_folder(settings.cache_dir)  # the place index the next commands read instead of building it
    try:
        library = load_library(settings.library_dir)
        report = sync_library(settings.library_dir, open_store(settings, library.name))
    except LibraryError as exc:
        raise _fail(str(exc)) from exc
    if settings.judge == "local":  # the embedded judge's question embeddings, read by the next `qualify lead`
        warm_question_memo(library, settings.cache_dir / "embeddings")
    out.print(
        f"library {library.name}: snapshot {report.snapshot_id} "
        f"(added {report.added}, updated {report.updated}, deleted {report.deleted}, unchanged {report.unchanged})"
    )


@library_app.command("show")
def library_show(directory: Annotated[Path | None, typer.Argument(help="Library folder")] = None) -> None:
    """Print the library as readable tables."""
    from library.geo import use_cache_folder
    from library.loader import load_library
    from library.show import render_library

    settings = _settings(directory)
    use_cache_folder(settings.cache_dir)
    try:
        library = load_library(settings.library_dir)
    except LibraryError as exc:
        raise _fail(str(exc)) from exc
    print_parts(out, render_library(library))


@enrich_app.command("import")
def enrich_import(
    csv_path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Companies CSV")],
    mapping: Annotated[Path | None, typer.Option(help="Column-mapping YAML (default: canonical column names)")] = None,
) -> None:
    """Import a firmographics table for the local enrichment provider (re-import updates, never duplicates)."""
    from api.db import SchemaBehind
    from api.enrichment.service import MappingError, import_companies, load_mapping
    from api.runtime import open_database

    try:
        spec = load_mapping(mapping)
    except MappingError as exc:
        raise _fail(str(exc)) from exc
    try:
        _, sessions = open_database(get_settings())
    except SchemaBehind as exc:
        raise _fail(str(exc)) from exc
    with sessions() as session:
        try:
            report = import_companies(session, csv_path, spec)
        except MappingError as exc:
            raise _fail(str(exc)) from exc
    out.print(f"imported {report.inserted} new, {report.updated} updated companies from {csv_path.name}")
    for problem in report.errors[:20]:
        err.print(Text(f"  {problem}", style="yellow"))
    if report.errors:
        raise typer.Exit(BAD_INPUT)


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of a lead, as `qualify lead`, `qualify batch` (JSON/JSONL) and POST /leads take it."""
    from agent.schemas import Lead

    typer.echo(json.dumps(Lead.model_json_schema(), indent=2, ensure_ascii=False))


@app.command("lead")
def lead_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, metavar="FILE", help="One lead as JSON")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scorecard as JSON")] = False,
    requalify: Annotated[
        bool,
        typer.Option(
            "--requalify", help="If the lead was qualified with another library snapshot, make a new revision"
        ),
    ] = False,
) -> None:
    """Qualify one lead and print its scorecard (a table on a terminal, TSV blocks when piped, or --json).
    The same lead again shows the scorecard already made, and says so."""
    from api.errors import ApiError
    from api.leads import service
    from api.leads.batch import latest_scorecard, lead_status, made_with_older_library, requalify_stale
    from api.leads.io import LeadFileError, read_json_lead
    from api.leads.render import scorecard_parts, scorecard_title

    if file.suffix.lower() in (".jsonl", ".csv"):
        raise _fail(
            f"{file}: `qualify lead` reads one lead as JSON; for a {file.suffix.lower()} file of leads run "
            f"`qualify batch {file}`"
        )
    try:
        lead = read_json_lead(file)
    except LeadFileError as exc:
        raise _fail(str(exc)) from exc
    rt = _runtime(get_settings())
    try:
        intake = service.intake(rt.sessions, lead, rt.deps.clock())
    except ApiError as exc:
        raise _fail(exc.detail) from exc
    from library.embeddings import get_embedder, get_multilingual

    # One lead per process: the library's own embedder calls (its questions and examples) repeat every run.
    embedders = (get_embedder(), get_multilingual())
    for embedder in embedders:
        embedder.remember_calls(rt.settings.cache_dir / "embeddings")
    try:
        made = asyncio.run(service.qualify_stored(rt.sessions, rt.deps, intake.lead_id, rt.settings.lead_lease))
        found = latest_scorecard(rt, intake.lead_id)
        stale = made is None and found is not None and made_with_older_library(rt, found[1])
        if stale and requalify and requalify_stale(rt, intake.lead_id):
            found, stale = latest_scorecard(rt, intake.lead_id), False
            err.print(f"lead {intake.lead_id} re-qualified with library snapshot {rt.deps.snapshot_id}")
        elif made is None and found is not None:
            err.print(
                f"lead {intake.lead_id} was already qualified: showing its scorecard (revision {found[1].revision})"
                + (
                    f", made with an older library snapshot than {rt.deps.snapshot_id}; add --requalify for a new one"
                    if stale
                    else ""
                ),
                style="yellow" if stale else None,
            )
    finally:
        for embedder in embedders:  # process-wide embedders: keep nothing on disk for other callers
            embedder.remember_calls(None)
    if found is None:
        raise _fail(f"lead {intake.lead_id} ended {lead_status(rt, intake.lead_id)}; see `qualify retry`", FAILED)
    scorecard_id, draft = found
    if as_json:
        out.print_json(json.dumps({"scorecard_id": scorecard_id, **draft.model_dump(mode="json")}))
    else:
        print_parts(out, scorecard_parts(draft, rt.deps.library, short=out.is_terminal), scorecard_title(draft))


@app.command("batch")
def batch_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, metavar="FILE", help="Leads as .csv or .jsonl")],
    out_path: Annotated[Path, typer.Option("--out", help="Where to write scorecards (JSONL)")] = Path(
        "scorecards.jsonl"
    ),
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Leads qualified at once")] = 4,
    show: Annotated[int, typer.Option(min=0, help="How many leads to list in the summary")] = 25,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary and the listed leads as JSON")] = False,
    requalify: Annotated[
        bool,
        typer.Option(
            "--requalify",
            help="Re-qualify, as a new scorecard revision, leads whose scorecard was made with another library "
            "snapshot (after you edited the library); a person's SQL or accept decision stands",
        ),
    ] = False,
) -> None:
    """Qualify every lead of a file; bad rows are reported with row and field and the batch goes on.

    A re-run of the same file reuses the leads and scorecards it made (the summary says how many, and how many of
    them were made with an older library: `--requalify` makes new revisions for those)."""
    _run_batch(file, out_path, concurrency, show, as_json=as_json, requalify=requalify)


def _run_batch(
    file: Path,
    out_path: Path,
    concurrency: int,
    show: int,
    rt: Runtime | None = None,
    as_json: bool = False,
    requalify: bool = False,
) -> None:
    from api.leads.batch import run_batch, write_jsonl
    from api.leads.io import LeadFileError, read_leads
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from api.leads.render import batch_json, leads_table, summary

    try:
        rows = list(read_leads(file))
    except LeadFileError as exc:
        raise _fail(str(exc)) from exc
    rt = rt or _runtime(get_settings())
    started = time.perf_counter()
    columns = (TextColumn("qualifying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("leads", total=len(rows))
        result = asyncio.run(run_batch(rt, rows, concurrency, lambda: progress.advance(task), requalify=requalify))
    write_jsonl(out_path, result)
    drafts = [d for _, _, d in result.drafts]
    labels = {
        r.row: (
            r.lead.person.email or r.lead.person.name or r.lead.external_id or "?",
            r.lead.company.name or r.lead.company.domain or "",
        )
        for r in rows
        if r.lead
    }
    # A salesperson's order: SQL-ready leads first, then discovery, nurture, disqualified; by score within a tier.
    order = {"sql_ready": 0, "needs_discovery": 1, "nurture": 2, "disqualified": 3}
    ranked = sorted(result.drafts, key=lambda d: (order.get(d[2].tier, 4), -d[2].score))[:show]
    seconds = time.perf_counter() - started
    if as_json:
        out.print_json(json.dumps(batch_json(result, labels, ranked, seconds, out_path)))
    else:
        listed, made = len(ranked), len(result.drafts)
        shown = f" (the first {listed} of {made}, SQL-ready first; all are in {out_path})" if listed < made else ""
        rows_shown = [
            (_with_id(labels[row][0], result.external_ids.get(row)), d, labels[row][1]) for row, _, d in ranked
        ]
        print_table(out, leads_table(rows_shown, out.width, title=f"Qualified leads{shown}"))
        out.print()
        print_table(out, summary(drafts, len(result.errors), len(result.failed), seconds, result.reused))
        out.print(f"scorecards written to {out_path} (library {rt.deps.library.name}, snapshot {rt.deps.snapshot_id})")
    if result.requalified:
        err.print(f"{result.requalified} lead(s) re-qualified with library snapshot {rt.deps.snapshot_id}")
    if result.stale:
        err.print(
            Text(
                f"{result.stale} reused scorecard(s) were made with an older library snapshot than "
                f"{rt.deps.snapshot_id}; run again with --requalify to make new revisions with the current library",
                style="yellow",
            )
        )
    for e in result.errors:
        err.print(Text(f"{file.name}: {e}", style="yellow"))
    for row, lead_id, status in result.failed:
        err.print(
            Text(f"{file.name}: row {row}: lead {lead_id} ended {status}; run `qualify retry {lead_id}`", style="red")
        )
    if result.errors:
        raise typer.Exit(BAD_INPUT)
    if result.failed:
        raise typer.Exit(FAILED)


def _with_id(label: str, external_id: str | None) -> str:
    """The table's lead: the person, and the CRM's id so a row finds its record ("ana@globex.com (CRM-1)")."""
    return f"{label} ({external_id})" if external_id and external_id != label else label


@app.command("retry")
def retry_command(
    lead_ids: Annotated[list[str] | None, typer.Argument(help="Lead ids; all failed leads when omitted")] = None,
) -> None:
    """Re-run leads that failed (endpoint faults), were stopped by the spend cap, or were left `qualifying` by a
    killed process (once its lease has expired); each ends with one scorecard."""
    from api.leads import service

    rt = _runtime(get_settings())
    if not lead_ids:
        with rt.sessions() as s:
            lead_ids = [row.id for row in service.failed_leads(s, rt.deps.clock(), limit=1_000_000)]
    done = 0
    for lead_id in lead_ids:
        made = asyncio.run(service.qualify_stored(rt.sessions, rt.deps, lead_id, rt.settings.lead_lease))
        done += made is not None
        out.print(f"{lead_id}: " + ("qualified" if made else "not retried (not in a failed state, or failed again)"))
    if done < len(lead_ids):
        raise typer.Exit(FAILED)


@app.command("worker")
def worker_command(
    once: Annotated[bool, typer.Option(help="Drain the queue once and exit (cron, tests)")] = False,
    poll: Annotated[float | None, typer.Option(help="Seconds between looks when idle")] = None,
    engine: Annotated[str, typer.Option(help="leads (poll the leads table) | dramatiq (QUALIFY_QUEUE_URL)")] = "leads",
    processes: Annotated[int, typer.Option(min=1, help="Dramatiq worker processes")] = 1,
    threads: Annotated[int, typer.Option(min=1, help="Threads per Dramatiq process")] = 1,
) -> None:
    """Qualify queued leads (and take over expired leases) until stopped; SIGTERM/Ctrl-C finish the lead in hand."""
    import signal
    import threading

    from api.leads.worker import drain, drain_jobs, lower_priority, run

    lower_priority(get_settings().worker_nice)  # the API beside it answers first (QUALIFY_WORKER_NICE=0 keeps it)
    if engine == "dramatiq":
        raise typer.Exit(_dramatiq_workers(processes, threads, poll))
    if engine != "leads":
        raise _fail(f"--engine {engine!r}: use leads or dramatiq")
    from api.events.delivery import Deliverer, DeliveryWorker

    rt = _runtime(get_settings())
    if once:
        out.print(f"qualified {drain(rt)} lead(s); {drain_jobs(rt)} CRM job(s) done")
        deliverer = Deliverer(rt.sessions, rt.deps.clock, rt.settings.delivery_policy())
        deliverer.drain()
        deliverer.close()
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    events = DeliveryWorker(rt.sessions, rt.deps.clock, rt.settings.delivery_policy(), rt.settings.worker_poll_seconds)
    events.start()  # webhooks go out from worker processes too (a lease per delivery: no double sends)
    out.print(f"worker running (judge {rt.deps.judge.name}); Ctrl-C to stop")
    run(rt, stop, poll or rt.settings.worker_poll_seconds)
    events.close()
    out.print("worker stopped")


def _dramatiq_workers(processes: int, threads: int, poll: float | None) -> int:
    """Dramatiq's own supervisor with N worker processes, and the periodic sweep sent on the same broker."""
    import logging
    import sys
    import threading

    from dramatiq.cli import main as dramatiq_main

    settings = get_settings()
    if not settings.queue_url:
        raise _fail("--engine dramatiq needs QUALIFY_QUEUE_URL (redis://host:port/db)")
    from api.leads.engine import QUEUE, SWEEP_QUEUE, sweep, sweep_due

    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(poll or settings.worker_poll_seconds):
            try:
                if sweep_due():  # one sweep at a time: a slow one is not joined by more
                    sweep.send()
            except Exception:  # Redis away for a moment: the next tick tries again
                logging.getLogger("qualify.worker").exception("could not send the periodic sweep")

    threading.Thread(target=tick, daemon=True, name="qualify-sweep").start()
    sys.argv = [
        "dramatiq",
        "api.leads.engine",
        "--processes",
        str(processes),
        "--threads",
        str(threads),
        "--queues",
        QUEUE,
        SWEEP_QUEUE,
    ]
    try:
        return int(dramatiq_main() or 0)
    finally:
        stop.set()


@app.command("doctor")
def doctor_command() -> None:
    """Check the configured LLM endpoint: which structured-output methods it accepts, and the one Qualify would use."""
    settings = _settings()
    if settings.judge == "local" and not (settings.openai_base_url or settings.openai_api_key):
        print("judge: local (embedded, offline); no LLM endpoint configured, nothing to check")
        return
    from agent.llm import StructuredLLM
    from api.llm_wiring import EndpointUnusable, choose_method, llm_config, probe_sync

    config = llm_config(settings)
    print(f"endpoint: {config.base_url}  model: {config.model}")
    results = probe_sync(StructuredLLM(config), every_method=True)
    for r in results:
        print(f"  {'ok' if r.ok else 'no':2}  {r.method:16}  {r.detail}")
    try:
        method = choose_method(results)
    except EndpointUnusable as exc:
        raise _fail(str(exc), FAILED) from exc
    pinned = settings.llm_method != "auto"
    print(
        f"method: {settings.llm_method if pinned else method}"
        + (" (pinned by QUALIFY_LLM_METHOD)" if pinned else " (chosen by the probe; QUALIFY_LLM_METHOD=auto)")
    )


@app.command("serve")
def serve_command(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: QUALIFY_HOST, 127.0.0.1)")] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port to listen on (default: QUALIFY_PORT, 8000)")
    ] = None,
) -> None:
    """Serve the API (OpenAPI docs at /docs)."""
    import uvicorn

    from api.main import create_app

    settings = get_settings()
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port)


@app.command("demo")
def demo_command(serve: Annotated[bool, typer.Option(help="Serve the API afterwards")] = True) -> None:
    """Sync the sample library, import sample firmographics, qualify the sample leads, print a summary, serve the API."""
    from api.db import SchemaBehind
    from api.enrichment.service import import_companies, load_mapping
    from api.runtime import open_database
    from api.settings import ROOT

    samples = ROOT / "samples" / "ledgerly"
    try:
        _, sessions = open_database(get_settings())
    except SchemaBehind as exc:
        raise _fail(str(exc)) from exc
    with sessions() as session:
        report = import_companies(session, samples / "companies.csv", load_mapping(None))
    out.print(f"firmographics: {report.inserted} new, {report.updated} updated")
    rt = _runtime(get_settings())
    out.print(f"library {rt.deps.library.name}: snapshot {rt.deps.snapshot_id} · judge {rt.deps.judge.name}")
    try:
        from agent.deps import utc_now
        from api.leads.io import dated_to_now

        data_dir = Path(get_settings().data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        leads = dated_to_now(samples / "leads.csv", data_dir / "demo-leads.jsonl", utc_now())  # timers read true
        _run_batch(leads, data_dir / "demo-scorecards.jsonl", 4, 25, rt)
    except typer.Exit as exc:
        if exc.exit_code not in (0, None):
            raise
    _demo_people(rt)
    if serve:
        out.print(f"serving on http://{rt.settings.host}:{rt.settings.port} (docs at /docs); Ctrl-C to stop")
        serve_command()


def _demo_people(rt: Runtime) -> None:
    """Demo users (created once) and the sample drafts assigned to them, so the review UI works at once."""
    from api.review.assign import assign_pending, territories_for
    from api.users.cli import demo_users

    for email, role, key in demo_users():
        out.print(
            f"user {email} ({role}) password demo-password" + (f" · API key (shown once): {key}" if key else ""),
            soft_wrap=True,
        )
    while assign_pending(rt.sessions, territories_for(rt.settings.territory_rules_file), rt.deps.clock()):
        pass
    out.print(f"review UI: http://{rt.settings.host}:{rt.settings.port}/ui/login")


if __name__ == "__main__":
    app()
