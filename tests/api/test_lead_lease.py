"""QUALIFY_LEAD_LEASE_SECONDS: the lease every qualification claim takes, honoured by recovery, refused when bad.

A worker killed mid-run is played by a judge raising a BaseException (it escapes the run the way a SIGKILL leaves
it: the lead `qualifying`, its lease written, no scorecard).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from typer.testing import CliRunner

from agent.judges.base import JudgeRequest, JudgeResult
from agent.schemas import Lead
from api.cli import app
from api.leads import service
from api.leads.models import LeadRow, ScorecardRow
from api.leads.worker import claimable, drain
from api.runtime import Runtime, build_runtime
from api.settings import Settings, get_settings
from tests.api.conftest import BACKENDS, make_settings

LEAD = Lead.model_validate(
    {
        "person": {"name": "Ana Diaz", "email": "ana@globex.com", "title": "CFO"},
        "company": {"name": "Globex", "employees": 900, "country": "US"},
        "notes": "3,000 invoices a month by hand.",
    }
)


class Killed(BaseException):
    """Stands for the SIGKILL: nothing in the run may catch it."""


@dataclass
class DyingJudge:
    name: str = "dying"
    version: str = "test"

    async def judge(self, request: JudgeRequest) -> JudgeResult:
        raise Killed


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=BACKENDS)
def rt(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    runtime = build_runtime(make_settings(tmp_path, request.param, lead_lease_seconds=45))
    yield runtime
    runtime.engine.dispose()


def lead_state(rt: Runtime, lead_id: str) -> tuple[str, datetime | None, int, int]:
    with rt.sessions() as s:
        row = s.get(LeadRow, lead_id)
        assert row is not None
        cards = s.scalar(select(func.count()).select_from(ScorecardRow).where(ScorecardRow.lead_id == lead_id))
        return row.status, row.lease_until, row.attempts, int(cards or 0)


def test_a_worker_claims_with_the_configured_lease_and_recovery_waits_exactly_that_long(rt: Runtime) -> None:
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    clock = Clock(t0)
    working = rt.deps
    lead_id = service.intake(rt.sessions, LEAD, t0).lead_id
    rt.deps = replace(working, judge=DyingJudge(), clock=clock)
    with pytest.raises(Killed):
        drain(rt)  # the worker dies inside the run
    status, lease_until, attempts, cards = lead_state(rt, lead_id)
    assert (status, attempts, cards) == ("qualifying", 1, 0)
    assert lease_until is not None and lease_until.astimezone(UTC) == t0 + timedelta(seconds=45)

    clock.now = t0 + timedelta(seconds=44)  # the lease is live: the run may still be going on elsewhere
    assert lead_id not in claimable(rt, clock.now)
    rt.deps = replace(working, clock=clock)
    assert drain(rt) == 0
    assert lead_state(rt, lead_id)[0] == "qualifying"

    clock.now = t0 + timedelta(seconds=46)  # expired after 45 s, not after the 10-minute default
    assert lead_id in claimable(rt, clock.now)
    assert drain(rt) == 1
    status, lease_until, attempts, cards = lead_state(rt, lead_id)
    assert (status, lease_until, attempts, cards) == ("in_review", None, 2, 1)


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("QUALIFY_LEAD_LEASE_SECONDS", "5", "greater than or equal to 10"),
        ("QUALIFY_LEAD_LEASE_SECONDS", "0", "greater than or equal to 10"),
        ("QUALIFY_LEAD_LEASE_SECONDS", "-30", "greater than or equal to 10"),
        ("QUALIFY_LEAD_LEASE_SECONDS", "100000", "less than or equal to 86400"),
        ("QUALIFY_LEAD_LEASE_SECONDS", "ten minutes", "valid number"),
        # the worker's CPU priority is a Unix nice value, 0-19 (it only ever lowers its own priority)
        ("QUALIFY_WORKER_NICE", "-5", "greater than or equal to 0"),
        ("QUALIFY_WORKER_NICE", "20", "less than or equal to 19"),
        ("QUALIFY_WORKER_NICE", "high", "valid integer"),
    ],
)
def test_a_bad_worker_setting_stops_the_cli_naming_the_variable_and_the_value(
    variable: str, value: str, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUALIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["worker", "--once"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert variable in message and says in message and repr(value) in message
    assert "Traceback" not in result.output
    assert not (tmp_path / "data" / "qualify.db").exists()  # refused before anything was opened


def test_with_an_llm_judge_the_lease_must_outlast_one_leads_calls(tmp_path: Path) -> None:
    llm = dict(data_dir=tmp_path, judge="llm", OPENAI_BASE_URL="http://127.0.0.1:9/v1", llm_timeout=30)
    with pytest.raises(ValidationError) as caught:
        Settings(**llm, lead_lease_seconds=130)  # type: ignore[arg-type]  # 3 × 30 s + 2 × 20 s of waits = 130 s
    assert "QUALIFY_LEAD_LEASE_SECONDS=130" in str(caught.value) and "130 s" in str(caught.value)
    assert Settings(**llm, lead_lease_seconds=131).lead_lease == timedelta(seconds=131)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):  # more attempts: longer waits between them, so a longer lease is needed
        Settings(**llm, llm_max_attempts=6, lead_lease_seconds=250)  # type: ignore[arg-type]
    assert Settings(data_dir=tmp_path, lead_lease_seconds=10).lead_lease == timedelta(seconds=10)  # local judge
