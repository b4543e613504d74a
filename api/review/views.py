"""JSON endpoints for review, with the same rules as the UI (both call api/review/service.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from api.audit import service as audit
from api.auth.policy import api
from api.errors import NotFound
from api.leads.flows import ReviewAction
from api.leads.models import LeadRow
from api.responses import AuditEntry, DecisionResult, QueueOut, ReviewState
from api.review import service
from api.review.assign import sweep, territories_for
from api.review.flows import Accept, Confirm, Edit, PushBack, Reject, Reopen
from api.review.queue import QueueQuery, queue_page
from api.users.service import Principal, Role

router = APIRouter(tags=["review"])
PEOPLE = (Role.sdr, Role.ae, Role.admin)
SDR = Depends(api(Role.sdr, Role.admin))
AE = Depends(api(Role.ae, Role.admin))


def actor(request: Request) -> service.Actor:
    return service.Actor(request.state.principal, getattr(request.state, "request_id", None))


def run(request: Request, lead_id: str, action: ReviewAction, body: service.Body) -> dict[str, Any]:
    """Apply a decision with the configured territory rules (shared by the API and the UI)."""
    rt = request.app.state.runtime
    return service.decide(rt, lead_id, action, body, actor(request), territories_for(rt.settings.territory_rules_file))


@router.get(
    "/review/queue",
    summary="The caller's review queue (SDR: to review; AE: SQLs to accept; admin: all)",
    response_model=QueueOut,
)
def get_queue(
    request: Request,
    who: Annotated[Principal, Depends(api(*PEOPLE))],
    limit: int | None = None,
    tier: str = "",
    status: str = "",
    owner: str = "",
    segment: str = "",
    source: str = "",
    overdue: bool = False,
    q: str = "",
    sort: str = "priority",
    page: int = 1,
    per_page: int = 50,
) -> dict[str, Any]:
    """Filters combine (AND); `q` searches name, company and e-mail; `owner=me` is the caller; `sort`: priority,
    score, waiting or newest; `limit` is the older name of `per_page`."""
    rt = request.app.state.runtime
    now = rt.deps.clock()
    sweep(rt.sessions, territories_for(rt.settings.territory_rules_file), now)
    params = {
        "tier": tier,
        "status": status,
        "owner": owner,
        "segment": segment,
        "source": source,
        "overdue": "1" if overdue else "",
        "q": q,
        "sort": sort,
        "page": str(page),
        "per_page": str(limit if limit is not None else per_page),
    }
    query = QueueQuery.parse(params)
    with rt.sessions() as s:
        found = queue_page(s, who, now, rt.settings.speed_to_lead_minutes, query)
    return {
        "items": [i.as_json() for i in found.items],
        "total": found.total,
        "page": query.page,
        "per_page": query.per_page,
    }


@router.post(
    "/leads/{lead_id}/review/confirm",
    dependencies=[SDR],
    summary="SDR confirms the lead as an SQL",
    response_model=DecisionResult,
)
def confirm(lead_id: str, body: Confirm, request: Request) -> dict[str, Any]:
    return run(request, lead_id, ReviewAction.confirm, body)


@router.post(
    "/leads/{lead_id}/review/edit",
    dependencies=[SDR],
    summary="SDR overrides one AI answer, with a note",
    response_model=DecisionResult,
)
def edit(lead_id: str, body: Edit, request: Request) -> dict[str, Any]:
    return run(request, lead_id, ReviewAction.edit, body)


@router.post(
    "/leads/{lead_id}/review/reject",
    dependencies=[SDR],
    summary="SDR rejects (recycles) the lead with a reason",
    response_model=DecisionResult,
)
def reject(lead_id: str, body: Reject, request: Request) -> dict[str, Any]:
    return run(request, lead_id, ReviewAction.reject, body)


@router.post(
    "/leads/{lead_id}/review/reopen",
    dependencies=[SDR],
    summary="SDR reopens a disqualified or recycled lead",
    response_model=DecisionResult,
)
def reopen(lead_id: str, body: Reopen, request: Request) -> dict[str, Any]:
    return run(request, lead_id, ReviewAction.reopen, body)


@router.post(
    "/leads/{lead_id}/review/accept",
    dependencies=[AE],
    summary="AE accepts the SQL into pipeline",
    response_model=DecisionResult,
)
def accept(lead_id: str, body: Accept, request: Request) -> dict[str, Any]:
    return run(request, lead_id, ReviewAction.accept, body)


@router.post(
    "/leads/{lead_id}/review/push-back",
    dependencies=[AE],
    summary="AE pushes the SQL back with a reason",
    response_model=DecisionResult,
)
def push_back(lead_id: str, body: PushBack, request: Request) -> dict[str, Any]:
    return run(request, lead_id, ReviewAction.push_back, body)


@router.get(
    "/leads/{lead_id}/review",
    dependencies=[Depends(api(*PEOPLE))],
    summary="Assignment, decisions and answer edits of a lead",
    response_model=ReviewState,
)
def get_review(lead_id: str, request: Request) -> dict[str, Any]:
    rt = request.app.state.runtime
    with rt.sessions() as s:
        if s.get(LeadRow, lead_id) is None:
            raise NotFound("lead", lead_id)
        return service.review_state(s, lead_id)


@router.get(
    "/leads/{lead_id}/audit",
    dependencies=[Depends(api(*PEOPLE))],
    summary="A lead's audit history",
    response_model=list[AuditEntry],
)
def get_audit(lead_id: str, request: Request) -> list[dict[str, Any]]:
    rt = request.app.state.runtime
    with rt.sessions() as s:
        if s.get(LeadRow, lead_id) is None:
            raise NotFound("lead", lead_id)
        return audit.for_lead(s, lead_id)
