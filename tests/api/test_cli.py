"""The CLI as a RevOps engineer runs it: batches with bad rows, broken files, one lead, idempotent re-runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from api.cli import app
from api.db import make_engine
from api.leads.models import LeadRow, ScorecardRow
from api.settings import get_settings

HEADER = "external_id,person.name,person.email,person.title,company.name,company.employees,company.country,notes,events,form.What is your budget?"
GOOD = 'CRM-1,Ana Diaz,ana@globex.com,CFO,Globex,900,US,Wants to go live in Q1.,"[{""type"": ""pricing_page_view"", ""timestamp"": ""2026-11-19T10:00:00Z""}]",$80k approved'
BAD_EMAIL = "CRM-2,Bo Li,not-an-email,Controller,Initech,120,US,,,"
BAD_EMPLOYEES = "CRM-3,Cy Ng,cy@hooli.com,AP Manager,Hooli,lots,US,,,"
BAD_EVENTS = "CRM-4,Di Ho,di@umbrella.com,CFO,Umbrella,300,US,,[not json,"
GOOD2 = "CRM-5,Ed Wu,ed@acmecorp.com,Student,Acme Corp,40,US,Looking for an internship,,"


@pytest.fixture()
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("QUALIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def rows(tmp: Path, model: type, **where: str) -> int:
    engine = make_engine(f"sqlite:///{tmp / 'data' / 'qualify.db'}")
    with engine.connect() as conn:
        stmt = select(func.count()).select_from(model)
        return conn.execute(stmt).scalar_one()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_batch_reports_bad_rows_by_row_and_field_and_goes_on(env: Path) -> None:
    csv_file = env / "leads.csv"
    csv_file.write_text("\n".join([HEADER, GOOD, BAD_EMAIL, BAD_EMPLOYEES, BAD_EVENTS, GOOD2]) + "\n")
    out = env / "scorecards.jsonl"
    code, stdout, stderr = run("batch", str(csv_file), "--out", str(out))
    assert code == 2
    assert "row 3, field person.email" in stderr
    assert "row 4, field company.employees" in stderr
    assert "row 5, field events" in stderr
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert [w["row"] for w in written] == [2, 6]
    assert [w["external_id"] for w in written] == ["CRM-1", "CRM-5"]  # joins back to the CRM rows
    assert written[1]["tier"] == "disqualified"  # the student
    assert "Batch summary" in stdout
    assert rows(env, LeadRow) == 2 and rows(env, ScorecardRow) == 2

    # Re-running the same file neither duplicates leads nor scorecards.
    code, _, _ = run("batch", str(csv_file), "--out", str(out))
    assert code == 2 and rows(env, LeadRow) == 2 and rows(env, ScorecardRow) == 2


def test_batch_makes_the_folder_of_its_out_file(env: Path) -> None:
    csv_file = env / "leads.csv"
    csv_file.write_text("\n".join([HEADER, GOOD]) + "\n")
    out = env / "out" / "today" / "scorecards.jsonl"  # neither folder exists yet
    code, _, stderr = run("batch", str(csv_file), "--out", str(out))
    assert code == 0, stderr
    assert [json.loads(line)["external_id"] for line in out.read_text().splitlines()] == ["CRM-1"]


def test_non_utf8_csv_is_exit_2_naming_the_file_and_line(env: Path) -> None:
    csv_file = env / "latin1.csv"
    csv_file.write_bytes((HEADER + "\n" + "CRM-9,Jos\xe9,jose@x.com,CFO,X,10,US,,,\n").encode("latin-1"))
    code, _, stderr = run("batch", str(csv_file))
    assert code == 2 and "latin1.csv" in stderr and "not UTF-8 (line 2" in stderr


def test_unknown_csv_column_is_exit_2_naming_it(env: Path) -> None:
    csv_file = env / "typo.csv"
    csv_file.write_text("external_id,person.emial\nCRM-1,a@b.com\n")
    code, _, stderr = run("batch", str(csv_file))
    assert code == 2 and "person.emial" in stderr


def test_single_lead_json_prints_scorecard_and_json_mode(env: Path) -> None:
    lead = {
        "person": {"email": "maria@contoso.com", "title": "Controller"},
        "company": {"name": "Contoso", "employees": 150, "country": "US"},
        "notes": "No budget until next fiscal year.",
    }
    path = env / "lead.json"
    path.write_text(json.dumps(lead))
    code, stdout, _ = run("lead", str(path))
    assert code == 0 and "score" in stdout and "Answers" in stdout
    code, shown, _ = run("lead", str(path), "--json")
    card = json.loads(shown)
    assert code == 0 and card["revision"] == 1 and card["provenance"]["judge"] == "local"
    # why the lead is in its tier, and which library read it, without --json
    assert card["sql"]["tier_reason"] in " ".join(stdout.split())
    assert f"snapshot {card['provenance']['library_snapshot']}" in stdout and "library Ledgerly" in stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"person": {"email": "a@b.com"}, "compnay": {}}', "field compnay"),
        ('{"person": {"email": "a@b.com"', "malformed JSON at line 1"),
        ("{}", "a lead needs at least"),
    ],
)
def test_bad_lead_json_is_exit_2_naming_the_field(env: Path, content: str, message: str) -> None:
    path = env / "bad.json"
    path.write_text(content)
    code, _, stderr = run("lead", str(path))
    assert code == 2 and message in stderr.replace("\n", " ")


def test_lead_table_speaks_as_the_review_page_while_json_keeps_the_engines_words(env: Path) -> None:
    sample = Path(__file__).resolve().parents[2] / "samples" / "ledgerly" / "lead.json"
    code, stdout, _ = run("lead", str(sample))  # not a terminal: TSV blocks
    assert code == 0
    block = stdout.split("# Answers\n")[1].split("\n\n")[0].splitlines()
    assert block[0].split("\t") == ["question", "answer", "conf.", "why", "evidence"]
    rows = [line.split("\t") for line in block[1:]]
    assert rows and all(len(r) == 5 for r in rows)
    table = "\n".join(block)
    assert "email.free_mail" not in table and "enrichment:" not in table and "“False”" not in table
    assert "“no, a free-mail address”" in table and "the company's headcount “4,200”" in table
    assert "closest to the" not in table and 'notes "' not in table  # the judge's machinery, reworded
    unknown = [r for r in rows if r[1] == "unknown"]
    assert unknown and all(r[2] == "—" for r in unknown)  # no confidence shown for an unknown answer
    assert all(r[2].endswith("%") for r in rows if r[1] != "unknown")

    code, stdout, _ = run("lead", str(sample), "--json")
    card = json.loads(stdout)
    evidence = [e for a in card["answers"] for e in a["evidence"]]
    assert {"source": "enrichment", "ref": "email.free_mail", "quote": "False"}.items() <= next(
        e for e in evidence if e["ref"] == "email.free_mail"
    ).items()
    assert any("closest to the" in a["reasoning"] for a in card["answers"])
