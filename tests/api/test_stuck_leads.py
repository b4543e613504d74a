"""A lead left `qualifying` by a killed process recovers: its lease expires, then a re-run or `qualify retry` takes it.

The state a `kill -9` of `qualify batch` leaves behind is built directly: the lead claimed (status `qualifying`,
a lease) and no scorecard written.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from agent.schemas import Lead
from api.cli import app
from api.leads import service
from api.leads.io import read_leads
from api.leads.models import LeadRow, ScorecardRow
from api.leads.worker import claimable
from api.runtime import Runtime, build_runtime
from api.settings import get_settings
from tests.api.test_cli import GOOD, HEADER

LEAD = Lead.model_validate(
    {
        "external_id": "CRM-1",
        "source": "csv",
        "person": {"name": "Ana Diaz", "email": "ana@globex.com"},
        "company": {"name": "Globex", "employees": 900},
    }
)


@pytest.fixture()
def rt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    monkeypatch.setenv("QUALIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    runtime = build_runtime(get_settings())
    yield runtime
    runtime.engine.dispose()
    get_settings.cache_clear()


def killed_mid_run(rt: Runtime, lead: Lead, claimed_at: datetime) -> str:
    """What a kill -9 leaves: the lead claimed at `claimed_at`, never finished."""
    lead_id = service.intake(rt.sessions, lead, claimed_at).lead_id
    assert service._claim(rt.sessions, lead_id, claimed_at) is not None
    return lead_id


def state(rt: Runtime, lead_id: str) -> tuple[str, int]:
    with rt.sessions() as s:
        n = s.scalar(select(func.count()).select_from(ScorecardRow).where(ScorecardRow.lead_id == lead_id))
        return s.get(LeadRow, lead_id).status, n  # type: ignore[union-attr,return-value]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout + result.stderr


def test_a_batch_rerun_takes_over_a_lead_whose_run_died(rt: Runtime, tmp_path: Path) -> None:
    csv_file = tmp_path / "leads.csv"
    csv_file.write_text(f"{HEADER}\n{GOOD}\n")
    [row] = list(read_leads(csv_file))  # the very lead the killed batch had claimed
    assert row.lead is not None
    lead_id = killed_mid_run(rt, row.lead, datetime.now(UTC) - service.LEASE - timedelta(minutes=1))
    assert state(rt, lead_id) == ("qualifying", 0)
    code, out = run("batch", str(csv_file), "--out", str(tmp_path / "out.jsonl"))
    assert code == 0, out
    assert state(rt, lead_id) == ("in_review", 1)


def test_retry_waits_for_a_live_lease_then_takes_the_expired_one(rt: Runtime) -> None:
    lead_id = killed_mid_run(rt, LEAD, datetime.now(UTC))
    code, out = run("retry", lead_id)
    assert code == 1 and "not retried" in out  # a live lease belongs to a process that may still be running
    assert lead_id not in claimable(rt, datetime.now(UTC))  # and no worker (embedded or `qualify worker`) takes it
    assert state(rt, lead_id) == ("qualifying", 0)
    with rt.sessions.begin() as s:  # ten minutes later: the lease has run out
        s.execute(
            update(LeadRow).where(LeadRow.id == lead_id).values(lease_until=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert claimable(rt, datetime.now(UTC)) == [lead_id]  # now every worker may
    code, out = run("retry")  # no ids: every failed or stuck lead
    assert code == 0 and f"{lead_id}: qualified" in out, out
    assert state(rt, lead_id) == ("in_review", 1)
    code, _ = run("retry", lead_id)  # done now: nothing to retry, no second scorecard
    assert code == 1 and state(rt, lead_id) == ("in_review", 1)
