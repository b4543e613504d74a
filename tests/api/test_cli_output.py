"""CLI output where it lands: TSV when piped, fitted tables on a terminal, reuse counted, flags and help that read
right, files pointed to the command that reads them, and blank CSV rows skipped."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from agent.schemas import ScorecardDraft
from api.cli import app
from api.leads.render import leads_table
from api.settings import ROOT, get_settings
from api.terminal import print_table, tsv

HEADER = "external_id,person.name,person.email,person.title,company.name,company.employees,company.country,notes"
LONG_NOTE = "We process about 4000 invoices a month by hand; approvals take weeks and the auditors flagged it twice."
ROWS = [
    f"CRM-1,Ana Diaz,ana@globex.com,CFO,Globex Intercontinental Holdings Group,900,US,{LONG_NOTE}",
    "CRM-2,Bo Li,bo@initech.io,Controller,Initech,300,US,Looking to go live within 60 days.",
]


@pytest.fixture()
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("QUALIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def leads_csv(tmp: Path, *extra: str) -> Path:
    path = tmp / "leads.csv"
    path.write_text("\n".join([HEADER, ROWS[0], *extra, ROWS[1]]) + "\n")
    return path


def test_batch_piped_prints_tsv_one_line_per_lead_with_nothing_cut(env: Path) -> None:
    code, stdout, _ = run("batch", str(leads_csv(env)), "--out", str(env / "out.jsonl"))
    assert code == 0
    lines = stdout.splitlines()
    header = lines.index("lead\tcompany\ttier\tscore\troute\twhy")
    leads = lines[header + 1 : header + 3]
    # the person and the CRM's id, so a row finds its record
    assert sorted(line.split("\t")[0] for line in leads) == ["ana@globex.com (CRM-1)", "bo@initech.io (CRM-2)"]
    assert all(len(line.split("\t")) == 6 for line in leads)
    assert "Globex Intercontinental Holdings Group" in stdout  # not cut to a column width
    assert "…" not in stdout and "┃" not in stdout and "│" not in stdout  # no box drawing, no ellipsis in TSV
    assert "tier\tleads\tshare\tavg score" in stdout
    assert "(library " in stdout and "snapshot " in stdout  # which library made these scorecards


def test_a_batch_lists_sql_ready_first_and_says_when_it_lists_only_some(env: Path) -> None:
    out = env / "out.jsonl"
    code, stdout, _ = run("batch", str(leads_csv(env)), "--out", str(out), "--show", "1")
    assert code == 0
    assert f"# Qualified leads (the first 1 of 2, SQL-ready first; all are in {out})" in stdout
    written = [json.loads(line) for line in out.read_text().splitlines()]
    order = ["sql_ready", "needs_discovery", "nurture", "disqualified"]
    best = min(written, key=lambda w: (order.index(w["tier"]), -w["score"]))
    header = stdout.splitlines().index("lead\tcompany\ttier\tscore\troute\twhy")
    assert stdout.splitlines()[header + 1].split("\t")[2] == best["tier"]
    code, stdout, _ = run("batch", str(leads_csv(env)), "--out", str(out))
    assert "# Qualified leads\n" in stdout  # all listed: no note


def test_terminal_table_fits_the_width_and_cuts_with_an_ellipsis(env: Path) -> None:
    long_company = "Globex Intercontinental Holdings Group of Companies"
    code, _, _ = run("batch", str(leads_csv(env)), "--out", str(env / "out.jsonl"))
    assert code == 0
    written = [json.loads(line) for line in (env / "out.jsonl").read_text().splitlines()]
    drafts = [
        ScorecardDraft.model_validate({k: v for k, v in w.items() if k not in ("row", "external_id", "scorecard_id")})
        for w in written
    ]
    for width in (80, 120):
        buffer = io.StringIO()
        console = Console(file=buffer, force_terminal=True, width=width, color_system=None)
        print_table(console, leads_table([("ana.diaz.longname@globex.com", d, long_company) for d in drafts], width))
        shown = buffer.getvalue().splitlines()
        assert all(len(line) <= width for line in shown)
        body = [line for line in shown if "ana.diaz" in line]
        assert len(body) == len(drafts)  # one line per lead, no wrapping
        assert all("…" in line for line in body)  # the long address and company are cut visibly
    table = leads_table([("ana.diaz.longname@globex.com", drafts[0], long_company)], 80)
    assert long_company in tsv(table)  # the same table as TSV keeps every character


def test_rerun_summary_says_how_many_were_reused(env: Path) -> None:
    path = leads_csv(env)
    code, first, _ = run("batch", str(path), "--out", str(env / "out.jsonl"), "--json")
    assert code == 0 and json.loads(first)["reused"] == 0 and json.loads(first)["qualified"] == 2
    code, again, _ = run("batch", str(path), "--out", str(env / "out.jsonl"))
    assert code == 0 and "2 qualified (2 reused from an earlier run)" in again
    code, again_json, _ = run("batch", str(path), "--out", str(env / "out.jsonl"), "--json")
    report = json.loads(again_json)
    assert report["reused"] == 2 and {lead["lead"] for lead in report["leads"]} == {"ana@globex.com", "bo@initech.io"}


def test_blank_csv_rows_are_skipped_not_counted_bad(env: Path) -> None:
    path = leads_csv(env, ",,,,,,,", " , ,,,,,,", ",,,,,,,,,,")  # as wide as the header, spaces, and wider
    code, stdout, stderr = run("batch", str(path), "--out", str(env / "out.jsonl"), "--json")
    report = json.loads(stdout)
    assert code == 0 and report["bad_rows"] == 0 and report["qualified"] == 2 and stderr.strip() == ""
    assert [json.loads(line)["row"] for line in (env / "out.jsonl").read_text().splitlines()] == [2, 6]


@pytest.mark.parametrize("name", ["leads.jsonl", "leads.csv"])
def test_lead_on_a_file_of_leads_points_to_batch(env: Path, name: str) -> None:
    path = env / name
    path.write_text('{"person": {"email": "a@b.com"}}\n{"person": {"email": "c@d.com"}}\n')
    code, _, stderr = run("lead", str(path))
    assert code == 2 and f"qualify batch {path}" in stderr.replace("\n", "")


def test_lead_on_a_json_file_holding_several_leads_points_to_batch(env: Path) -> None:
    path = env / "leads.json"
    path.write_text('{"person": {"email": "a@b.com"}}\n{"person": {"email": "c@d.com"}}\n')
    code, _, stderr = run("lead", str(path))
    message = stderr.replace("\n", "")
    assert code == 2 and "more than one JSON value" in message and "qualify batch" in message


def _commands(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    ctx = typer.Context(typer.main.get_command(app))
    names = command.list_commands(ctx) if hasattr(command, "list_commands") else None
    if names is None:
        yield path, command
        return
    for name in names:
        yield from _commands(command.get_command(ctx, name), [*path, name])


def test_every_option_and_argument_has_help() -> None:
    missing = [
        f"{' '.join(path)} {param.name}"
        for path, command in _commands(typer.main.get_command(app), [])
        for param in command.params
        if not getattr(param, "help", None)
    ]
    assert missing == []


def test_boolean_flags_show_no_value_in_help() -> None:
    shown = {}
    for path, _ in _commands(typer.main.get_command(app), []):
        code, stdout, _ = run(*path, "--help")
        assert code == 0, path
        shown[" ".join(path)] = stdout
    assert not [p for p, text in shown.items() if "<bool>" in text]
    assert any(line.split()[:1] == ["--json"] for line in shown["lead"].splitlines())
    assert "--password / --no-password" in shown["user add"]
    serve = shown["serve"]
    assert "Address to listen on" in serve and "Port to listen on" in serve
    assert "Leads qualified at once" in shown["batch"]


def test_help_loads_no_heavy_module() -> None:
    """`qualify --help` starts fast because it imports neither the model, the index, the database nor LangChain."""
    heavy = ["chromadb", "onnxruntime", "langchain_openai", "openai", "sqlalchemy", "fastapi", "alembic", "numpy"]
    code = (
        "import sys; from api.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_why_column_gives_the_tier_rule_and_falls_back_to_the_top_factor() -> None:
    from agent.schemas import Factor, SqlVerdict
    from api.leads.render import why

    factor = Factor(kind="fit", label="Product fit: 480 employees", points=15.0)
    nurture = SqlVerdict(
        source="sql_definition",
        segment="mid_market",
        tier_reason="Nurture (timing): no go-live within 90 days",
        nurture_reasons=["timing"],
    )
    assert why(ScorecardDraft.model_construct(sql=nurture, reasons=[factor])) == nurture.tier_reason
    thresholds = SqlVerdict(source="score_thresholds", tier_reason="score 83 ≥ 70")
    assert why(ScorecardDraft.model_construct(sql=thresholds, reasons=[factor])) == factor.label
    assert why(ScorecardDraft.model_construct(sql=None, reasons=[])) == ""


def test_a_rerun_after_a_library_change_says_so_and_requalify_makes_new_revisions(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from api.settings import DEFAULT_LIBRARY

    library = env / "library"
    shutil.copytree(DEFAULT_LIBRARY, library)
    monkeypatch.setenv("QUALIFY_LIBRARY_DIR", str(library))
    get_settings.cache_clear()
    path, out = leads_csv(env), env / "out.jsonl"
    code, first, _ = run("batch", str(path), "--out", str(out), "--json")
    assert code == 0 and json.loads(first)["qualified"] == 2
    before = {json.loads(line)["provenance"]["library_snapshot"] for line in out.read_text().splitlines()}
    # RevOps edits a question: the scorecards of the first run were made with the old library
    questions = library / "questions.yaml"
    questions.write_text(questions.read_text().replace("text: ", "text: Today, ", 1))
    get_settings.cache_clear()
    code, again, stderr = run("batch", str(path), "--out", str(out), "--json")
    report = json.loads(again)
    assert code == 0 and report["reused"] == 2 and report["reused_from_older_library"] == 2
    assert "--requalify" in stderr
    code, redone, stderr = run("batch", str(path), "--out", str(out), "--json", "--requalify")
    report = json.loads(redone)
    assert code == 0 and report["requalified"] == 2 and report["reused"] == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert {line["revision"] for line in lines} == {2} and not {
        line["provenance"]["library_snapshot"] for line in lines
    } & before
    # and a further run with the same library reuses the new revisions
    code, last, _ = run("batch", str(path), "--out", str(out), "--json", "--requalify")
    report = json.loads(last)
    assert report["reused"] == 2 and report["requalified"] == 0 and report["reused_from_older_library"] == 0


def test_the_same_lead_again_says_it_was_already_qualified(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from api.settings import DEFAULT_LIBRARY

    library = env / "library"
    shutil.copytree(DEFAULT_LIBRARY, library)
    monkeypatch.setenv("QUALIFY_LIBRARY_DIR", str(library))
    get_settings.cache_clear()
    lead = env / "lead.json"
    lead.write_text(json.dumps({"external_id": "CRM-9", "person": {"email": "cy@acme.io"}, "notes": LONG_NOTE}))
    code, _, stderr = run("lead", str(lead), "--json")
    assert code == 0 and "already qualified" not in stderr
    code, again, stderr = run("lead", str(lead), "--json")
    assert code == 0 and "already qualified" in stderr and json.loads(again)["revision"] == 1
    questions = library / "questions.yaml"
    questions.write_text(questions.read_text().replace("text: ", "text: Today, ", 1))
    get_settings.cache_clear()
    code, _, stderr = run("lead", str(lead), "--json")
    assert code == 0 and "older library snapshot" in stderr and "--requalify" in stderr
    code, redone, stderr = run("lead", str(lead), "--json", "--requalify")
    assert code == 0 and "re-qualified" in stderr and json.loads(redone)["revision"] == 2


def test_library_new_writes_a_library_that_syncs_and_reads_every_question(env: Path) -> None:
    from library.loader import load_library

    folder = env / "libs" / "brightvale"
    args = ["library", "new", str(folder), "--name", "Brightvale", "--product", "Brightvale Rota"]
    args += ["--category", "staff scheduling software", "--regions", "US,CA,DACH", "--languages", "en,de"]
    code, stdout, _ = run(*args)
    assert code == 0 and "seller.yaml" in stdout and "questions.yaml" in stdout
    library = load_library(folder)
    assert library.seller.name == "Brightvale" and library.seller.languages == ["en", "de"]
    assert {q.category for q in library.questions} >= {"fit", "authority", "need", "timeline", "budget", "disqualifier"}
    assert all(q.reading is not None for q in library.questions)  # every question typed, none left to the text path
    assert any(q.id == "served_region" and {"DE", "AT", "CH"} <= set(q.reading.values) for q in library.questions)
    # the regions given are the unsupported-country hard rule too
    assert {"US", "CA", "DE", "AT", "CH"} <= set(library.disqualifiers.countries.supported)
    assert "FR" not in library.disqualifiers.countries.supported
    # "too small" is a hard rule once the written example is uncommented
    assert library.disqualifiers.min_employees is None
    rules = folder / "disqualifiers.yaml"
    rules.write_text(rules.read_text().replace("  # min_employees: 10", "  min_employees: 10"))
    assert load_library(folder).disqualifiers.min_employees == 10
    code, synced, _ = run("library", "sync", str(folder))
    assert code == 0 and "library brightvale: snapshot" in synced
    # never over an existing library, and the folder name must be a slug
    code, _, stderr = run(*args)
    assert code == 2 and "not empty" in stderr
    code, _, stderr = run("library", "new", str(env / "Not A Slug"), "--name", "X", "--product", "Y", "--category", "z")
    assert code == 2 and "slug" in stderr


def test_library_new_takes_the_sellers_size_band(env: Path) -> None:
    from library.loader import load_library

    folder = env / "libs" / "tallyroom"
    args = [
        "library",
        "new",
        str(folder),
        "--name",
        "Tallyroom",
        "--product",
        "Tallyroom",
        "--category",
        "hotel pricing",
    ]
    code, _, stderr = run(*args, "--min-employees", "10", "--max-employees", "500")
    assert code == 0, stderr
    library = load_library(folder)
    assert (library.seller.min_employees, library.seller.max_employees) == (10, 500)
    assert [(s.min_employees, s.max_employees) for s in library.segments] == [(10, 500)]
    size = next(q for q in library.questions if q.id == "company_size")
    assert "between 10 and 500 employees" in size.text
    assert size.reading is not None and (size.reading.low, size.reading.high) == (10, 500)
    code, _, stderr = run(
        "library",
        "new",
        str(env / "libs" / "empty"),
        "--name",
        "X",
        "--product",
        "Y",
        "--category",
        "z",
        "--min-employees",
        "500",
        "--max-employees",
        "10",
    )
    assert code == 2 and "size band" in stderr


def test_schema_prints_the_lead_json_schema(env: Path) -> None:
    code, stdout, _ = run("schema")
    schema = json.loads(stdout)
    assert code == 0 and {"person", "company", "form_answers", "notes", "events"} <= set(schema["properties"])
    company = schema["$defs"]["Company"]["properties"]
    employees = next(o for o in company["employees"]["anyOf"] if o.get("type") == "integer")
    assert employees["minimum"] == 0  # the limits a lead is checked against are in the schema
