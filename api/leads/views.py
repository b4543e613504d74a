"""HTTP routes for leads and scorecards."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Header, Request, Response
from sqlalchemy import select

from agent.schemas import Lead, ScorecardDraft
from api.auth.policy import api
from api.errors import NotFound
from api.leads import service
from api.leads.models import LeadRow, ScorecardRow
from api.leads.worker import qualify_and_assign_sync
from api.users.service import Role
from api.responses import LeadAccepted, LeadOut, ScorecardOut

router = APIRouter(tags=["leads"])
INTAKE = [Depends(api(Role.service, Role.admin))]
READ = [Depends(api())]


async def qualify_and_assign(rt, lead_id: str) -> None:
    """Qualify after the response, in a worker thread (never on the API's event loop), then hand the draft to an SDR.

    With QUALIFY_QUEUE_URL set the lead goes to the Dramatiq workers instead; with QUALIFY_EMBEDDED_WORKER=false and
    no queue URL it waits, `received`, for a `qualify worker` process.
    """
    if rt.settings.queue_url:
        from api.leads.engine import qualify_lead  # Dramatiq only when an engine URL is configured

        await asyncio.to_thread(qualify_lead.send, lead_id)
    elif rt.settings.embedded_worker:
        await asyncio.to_thread(qualify_and_assign_sync, rt, lead_id)


def _runtime(request: Request):
    return request.app.state.runtime


@router.post(
    "/leads",
    status_code=202,
    summary="Submit a lead for qualification",
    dependencies=INTAKE,
    response_model=LeadAccepted,
)
async def submit_lead(
    lead: Lead,
    request: Request,
    response: Response,
    background: BackgroundTasks,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> dict[str, Any]:
    """Accept a lead (202); qualification runs in the background. Replays with the same Idempotency-Key are safe.

    The same `source` and `external_id` with changed data updates the lead (`updated: true`); when a field it is
    qualified on changed, it is re-qualified as a new scorecard revision (`requalify: true`). 409 when the body's `id`
    names a lead with another source or external_id.
    """
    rt = _runtime(request)
    who = request.state.principal
    result = service.intake(rt.sessions, lead, rt.deps.clock(), idempotency_key, caller=who.user_id, who=who)
    if result.created or result.requalify:
        background.add_task(qualify_and_assign, rt, result.lead_id)
    elif not result.updated:
        response.headers["Idempotent-Replayed"] = "true"
    body: dict[str, Any] = {"lead_id": result.lead_id, "links": {"lead": f"/leads/{result.lead_id}"}}
    if result.updated:
        body.update(updated=True, requalify=result.requalify)
    return body


@router.get(
    "/leads/{lead_id}",
    summary="A lead, its status and its scorecard revisions",
    dependencies=READ,
    response_model=LeadOut,
)
def get_lead(lead_id: str, request: Request) -> dict[str, Any]:
    rt = _runtime(request)
    with rt.sessions() as s:
        row = s.get(LeadRow, lead_id)
        if row is None:
            raise NotFound("lead", lead_id)
        cards = s.scalars(
            select(ScorecardRow).where(ScorecardRow.lead_id == lead_id).order_by(ScorecardRow.revision)
        ).all()
        return {
            "id": row.id,
            "external_id": row.external_id,
            "source": row.source,
            "status": row.status,
            "version": row.version,
            "received_at": row.received_at,
            "updated_at": row.updated_at,
            "attempts": row.attempts,
            "error_class": row.error_class,
            "last_error": row.last_error,
            "lead": row.payload,
            "scorecards": [
                {
                    "id": c.id,
                    "revision": c.revision,
                    "tier": c.tier,
                    "route": c.route,
                    "score": c.score,
                    "created_at": c.created_at,
                }
                for c in cards
            ],
        }


@router.post(
    "/leads/{lead_id}/retry",
    status_code=202,
    summary="Re-run a failed or budget-stopped lead",
    dependencies=INTAKE,
    response_model=LeadAccepted,
)
async def retry_lead(lead_id: str, request: Request, background: BackgroundTasks) -> dict[str, Any]:
    rt = _runtime(request)
    service.reset_for_retry(rt.sessions, lead_id, rt.deps.clock())
    background.add_task(qualify_and_assign, rt, lead_id)
    return {"lead_id": lead_id, "links": {"lead": f"/leads/{lead_id}"}}


@router.get(
    "/scorecards/{scorecard_id}", summary="One scorecard revision", dependencies=READ, response_model=ScorecardOut
)
def get_scorecard(scorecard_id: str, request: Request) -> dict[str, Any]:
    rt = _runtime(request)
    with rt.sessions() as s:
        row = s.get(ScorecardRow, scorecard_id)
        if row is None:
            raise NotFound("scorecard", scorecard_id)
        draft = ScorecardDraft.model_validate(row.payload)
        return {"id": row.id, **draft.model_dump(mode="json")}
