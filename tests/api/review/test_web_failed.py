"""Failed leads stay visible to admins in the UI with their error, and a retry there produces exactly one scorecard."""

from __future__ import annotations

import re

from fastapi import FastAPI
from sqlalchemy import func, select

from agent.schemas import Lead
from api.db import transaction
from api.leads import service
from api.leads.flows import LeadStatus
from api.leads.models import LeadRow, ScorecardRow
from api.runtime import Runtime
from tests.api.review.conftest import People, browser, lead_body


def failed_lead(runtime: Runtime) -> str:
    """A stored lead whose qualification ended on an endpoint fault (as qualify_stored records it)."""
    intake = service.intake(runtime.sessions, Lead.model_validate(lead_body()), runtime.deps.clock())
    with transaction(runtime.sessions) as s:
        row = s.get(LeadRow, intake.lead_id)
        row.status, row.attempts = LeadStatus.failed_retryable, 3  # type: ignore[union-attr]
        row.error_class, row.last_error = "RateLimited", "429 from the endpoint after 3 attempts"  # type: ignore[union-attr]
    return intake.lead_id


def scorecards(runtime: Runtime, lead_id: str) -> int:
    with runtime.sessions() as s:
        return s.scalar(select(func.count()).select_from(ScorecardRow).where(ScorecardRow.lead_id == lead_id))  # type: ignore[return-value]


def test_admin_sees_failed_lead_and_retries_it_once(app: FastAPI, runtime: Runtime, people: People) -> None:
    lead_id = failed_lead(runtime)
    admin = browser(app, people, "admin")
    html = admin.get("/ui/queue").text
    assert "Needs attention" in html and "RateLimited" in html and "429 from the endpoint" in html
    token = re.search(rf'action="/ui/leads/{lead_id}/retry"><input type="hidden" name="csrf" value="([^"]+)"', html)
    assert token
    r = admin.post(f"/ui/leads/{lead_id}/retry", data={"csrf": token.group(1)})
    assert r.status_code == 303 and r.headers["location"] == "/ui/queue?done=retry"
    with runtime.sessions() as s:
        assert s.get(LeadRow, lead_id).status in (LeadStatus.in_review, LeadStatus.disqualified)  # type: ignore[union-attr]
    assert scorecards(runtime, lead_id) == 1
    replay = admin.post(f"/ui/leads/{lead_id}/retry", data={"csrf": token.group(1)})
    assert replay.status_code in (403, 409) and scorecards(runtime, lead_id) == 1


def test_sdr_cannot_retry_and_does_not_see_the_list(app: FastAPI, runtime: Runtime, people: People) -> None:
    lead_id = failed_lead(runtime)
    sdr = browser(app, people, "sdr")
    assert "Needs attention" not in sdr.get("/ui/queue").text
    r = sdr.post(f"/ui/leads/{lead_id}/retry", data={"csrf": "x"})
    assert r.status_code == 403
    with runtime.sessions() as s:
        assert s.get(LeadRow, lead_id).status == LeadStatus.failed_retryable  # type: ignore[union-attr]
