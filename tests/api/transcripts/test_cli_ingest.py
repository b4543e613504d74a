"""`qualify transcript ingest` as a rep runs it after a call."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.settings import get_settings

CALLS = Path(__file__).resolve().parents[3] / "evals" / "data" / "ledgerly" / "transcripts"


@pytest.fixture()
def lead_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("QUALIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    lead = tmp_path / "lead.json"
    lead.write_text(
        json.dumps(
            {
                "person": {"name": "Dana Ortiz", "email": "dana.ortiz@harborlinefreight.com"},
                "company": {"name": "Harborline Freight", "employees": 320, "country": "US"},
            }
        )
    )
    result = CliRunner().invoke(app, ["lead", str(lead), "--json"])
    assert result.exit_code == 0, result.stderr
    yield json.loads(result.stdout)["lead_id"]
    get_settings.cache_clear()


def test_ingest_prints_the_changes_and_is_idempotent(lead_id: str) -> None:
    call = CALLS / "01_harborline_discovery.vtt"
    first = CliRunner().invoke(app, ["transcript", "ingest", str(call), "--lead", lead_id, "--rep", "Sam Patel"])
    assert first.exit_code == 0, first.stderr
    assert "scorecard revision 2" in first.stdout and "Changes for review" in first.stdout
    again = CliRunner().invoke(app, ["transcript", "ingest", str(call), "--lead", lead_id, "--rep", "Sam Patel"])
    assert again.exit_code == 0 and "was already ingested" in again.stdout and "revision 2" in again.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lead", "nope"], "lead 'nope' does not exist"),
        (["--call-date", "12/11/2026"], "is not YYYY-MM-DD"),
    ],
)
def test_bad_arguments_exit_2_naming_the_problem(lead_id: str, args: list[str], message: str) -> None:
    call = CALLS / "01_harborline_discovery.vtt"
    full = ["transcript", "ingest", str(call), *(args if "--lead" in args else ["--lead", lead_id, *args])]
    result = CliRunner().invoke(app, full)
    assert result.exit_code == 2 and message in result.stderr


def test_empty_file_exits_2(lead_id: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.vtt"
    empty.write_bytes(b"")
    result = CliRunner().invoke(app, ["transcript", "ingest", str(empty), "--lead", lead_id])
    assert result.exit_code == 2 and "empty.vtt" in result.stderr
