"""CRM webhooks in: HubSpot (signed, v3) and Salesforce Outbound Messages. Public routes: the CRM proves itself
by its signature (HubSpot) or its organization id (Salesforce), never by an API key.

Refused, and nothing created: a body over QUALIFY_CRM_MAX_BODY_BYTES (413), a missing or wrong signature (401), a
stale timestamp or a replayed signature (400), an unknown organization (403), a payload that is not what the CRM
sends (400), a record whose properties do not map (422, naming the record id and property). Every refusal is
problem+json.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from api.auth.policy import SIGNED, api
from api.crm import hubspot, salesforce
from api.crm.mapping import MappingError, to_lead
from api.crm.models import CrmReceiptRow
from api.crm.sync import HUBSPOT_IMPORT, enqueue_hubspot_import, mapping
from api.db import transaction
from api.errors import ApiError, Conflict
from api.jobs import service as jobs
from api.leads import service as leads
from api.leads.views import qualify_and_assign
from api.responses import CrmJobOut, CrmJobQueued, CrmWebhookResult
from api.users.service import Role

log = logging.getLogger("qualify.crm")
router = APIRouter(tags=["crm"], dependencies=[Depends(SIGNED)])
CONTACT_EVENTS = frozenset({"contact.creation", "contact.propertyChange", "object.creation", "object.propertyChange"})
MAX_EVENTS = 100  # HubSpot sends at most 100 events per request


class BadRequest(ApiError):
    def __init__(self, detail: str, **extra: Any):
        super().__init__(400, "Bad request", detail, **extra)


async def _body(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 as soon as it passes the limit (before it is parsed)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "Payload too large", f"the body is larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "Payload too large", f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _seen(rt: Any, keys: list[str]) -> set[str]:
    window = rt.deps.clock() - timedelta(seconds=rt.settings.crm_replay_window_seconds)
    with rt.sessions() as s:
        rows = s.query(CrmReceiptRow.key).filter(CrmReceiptRow.key.in_(keys), CrmReceiptRow.received_at > window).all()
    return {r[0] for r in rows}


def _remember(rt: Any, keys: list[str]) -> None:
    """Record receipts (and forget those older than the window); a concurrent twin is a replay too."""
    now = rt.deps.clock()
    try:
        with transaction(rt.sessions) as s:
            s.execute(
                delete(CrmReceiptRow).where(
                    CrmReceiptRow.received_at <= now - timedelta(seconds=rt.settings.crm_replay_window_seconds)
                )
            )
            for key in keys:
                s.merge(CrmReceiptRow(key=key, received_at=now))
    except IntegrityError as exc:
        raise BadRequest("this request was already received (replay)") from exc


def _mapping_problem(exc: MappingError) -> ApiError:
    errors = [{"record_id": p.record_id, "property": p.property, "message": p.message} for p in exc.problems]
    return ApiError(422, "CRM record does not map", str(exc), errors=errors)


@router.post(
    "/crm/hubspot/webhook",
    summary="HubSpot webhooks (Webhooks API events or a workflow's contact)",
    response_model=CrmWebhookResult,
    response_model_exclude_none=True,
)
async def hubspot_webhook(request: Request, background: BackgroundTasks) -> dict[str, Any]:
    """Verify the v3 signature, then import the contacts the events name (queued) or the contact a workflow sent."""
    rt = request.app.state.runtime
    settings = rt.settings
    signature = request.headers.get("x-hubspot-signature-v3")
    if not signature or not request.headers.get("x-hubspot-request-timestamp"):
        raise ApiError(401, "Unauthorized", "X-HubSpot-Signature-v3 and X-HubSpot-Request-Timestamp are required")
    body = await _body(request, settings.crm_max_body_bytes)
    if settings.hubspot_client_secret is None:
        raise ApiError(503, "HubSpot not configured", "QUALIFY_HUBSPOT_CLIENT_SECRET is not set")
    uri = settings.hubspot_webhook_url or str(request.url)
    try:
        hubspot.verify_v3(
            settings.hubspot_client_secret.get_secret_value(),
            request.method,
            uri,
            body,
            signature,
            request.headers.get("x-hubspot-request-timestamp"),
            rt.deps.clock(),
            timedelta(seconds=settings.crm_replay_window_seconds),
        )
    except hubspot.SignatureError as exc:
        raise ApiError(exc.status, "Unauthorized" if exc.status == 401 else "Bad request", exc.detail) from exc
    sig_key = "hubspot:sig:" + hashlib.sha256((signature or "").encode()).hexdigest()
    if _seen(rt, [sig_key]):
        raise BadRequest("this signature was already received inside the replay window (replay)")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("the body is not JSON") from exc
    if isinstance(payload, list):
        result = _events(rt, payload, sig_key)
        if result["queued"]:
            background.add_task(_import_now, rt)
        return result
    if isinstance(payload, dict):
        return _workflow_contact(rt, payload, sig_key, background)
    raise BadRequest("expected a list of events or a contact object")


def _events(rt: Any, events: list[Any], sig_key: str) -> dict[str, Any]:
    if len(events) > MAX_EVENTS:
        raise BadRequest(f"more than {MAX_EVENTS} events in one request")
    wanted = []
    for i, event in enumerate(events):
        if not isinstance(event, dict):
            raise BadRequest(f"event {i} is not an object", errors=[{"field": f"[{i}]", "message": "not an object"}])
        for name in ("eventId", "portalId", "objectId", "subscriptionType"):
            if name not in event or isinstance(event[name], (dict, list)) or event[name] in (None, ""):
                raise BadRequest(f"event {i} has no {name}", errors=[{"field": f"[{i}].{name}", "message": "missing"}])
        if event["subscriptionType"] in CONTACT_EVENTS and event.get("objectTypeId", "0-1") == "0-1":
            wanted.append(event)
    event_keys = [f"hubspot:event:{e['portalId']}:{e['eventId']}" for e in wanted]
    seen = _seen(rt, event_keys) if event_keys else set()
    if wanted and len(seen) == len(set(event_keys)):
        raise BadRequest("every event in this request was already received inside the replay window (replay)")
    queued = 0
    with transaction(rt.sessions) as s:
        for event, key in zip(wanted, event_keys, strict=True):
            if key not in seen:
                queued += enqueue_hubspot_import(s, event, rt.deps.clock())
    _remember(rt, [sig_key, *[k for k in event_keys if k not in seen]])
    return {"received": len(events), "queued": queued, "ignored": len(events) - len(wanted)}


def _import_now(rt: Any) -> None:
    jobs.drain(rt, limit=MAX_EVENTS, kinds=frozenset({HUBSPOT_IMPORT}))


def _workflow_contact(rt: Any, payload: dict[str, Any], sig_key: str, background: BackgroundTasks) -> dict[str, Any]:
    """A workflow's "Send a webhook" with the contact's properties (a form submission, for example)."""
    record_id = payload.get("objectId", payload.get("vid"))
    props = payload.get("properties")
    if record_id in (None, "") or isinstance(record_id, (dict, list)) or not isinstance(props, dict):
        raise BadRequest(
            "a contact needs objectId and a properties object",
            errors=[
                {
                    "field": "objectId" if record_id in (None, "") else "properties",
                    "message": "missing or not the expected type",
                }
            ],
        )
    flat = {k: (v.get("value") if isinstance(v, dict) else v) for k, v in props.items()}
    try:
        lead = to_lead(mapping(rt.settings, "hubspot"), str(record_id), flat, "hubspot")
    except MappingError as exc:
        raise _mapping_problem(exc) from exc
    result = leads.intake(rt.sessions, lead, rt.deps.clock())
    _remember(rt, [sig_key])
    if result.created or result.requalify:  # a changed contact is re-qualified as a new revision
        background.add_task(qualify_and_assign, rt, result.lead_id)
    return {"lead_id": result.lead_id, "created": result.created}


@router.post(
    "/crm/salesforce/outbound-message",
    summary="Salesforce Outbound Messages (SOAP); answered with an Ack",
    response_class=Response,
    responses={200: {"description": "The SOAP Ack", "content": {"text/xml": {}}}},
)
async def salesforce_outbound(request: Request, background: BackgroundTasks) -> Response:
    """Check the organization, map each Lead notification, hand new leads to intake, and acknowledge."""
    rt = request.app.state.runtime
    body = await _body(request, rt.settings.crm_max_body_bytes)
    try:
        message = salesforce.parse_outbound(body)
    except salesforce.OutboundMessageError as exc:
        raise BadRequest(str(exc)) from exc
    if not salesforce.org_allowed(rt.settings, message.organization_id):
        raise ApiError(
            403,
            "Forbidden",
            f"organization {message.organization_id[:18]} is not in QUALIFY_SALESFORCE_ORG_IDS",
            field="OrganizationId",
        )
    keys = {n.id: f"salesforce:notification:{message.organization_id[:15]}:{n.id}" for n in message.notifications}
    seen = _seen(rt, list(keys.values()))
    spec = mapping(rt.settings, "salesforce")
    fresh = [n for n in message.notifications if keys[n.id] not in seen]  # a resend is acknowledged, not re-read
    problems, to_take = [], []
    for n in fresh:
        if n.sobject_type not in ("Lead", ""):
            problems.append(
                {
                    "record_id": n.record_id,
                    "property": "sObject",
                    "message": f"only Lead notifications are read, not {n.sobject_type}",
                }
            )
            continue
        try:
            to_take.append(to_lead(spec, n.record_id, n.fields, "salesforce"))
        except MappingError as exc:
            problems.extend(
                {"record_id": p.record_id, "property": p.property, "message": p.message} for p in exc.problems
            )
    if problems:
        raise ApiError(
            422,
            "CRM record does not map",
            "; ".join(f"record {p['record_id']}: property {p['property']}: {p['message']}" for p in problems),
            errors=problems,
        )
    for lead in to_take:
        try:
            result = leads.intake(rt.sessions, lead, rt.deps.clock())
        except Conflict:  # the id is taken by another source: Salesforce must not resend it, so acknowledged and logged
            log.info("salesforce lead %s refused by intake (id taken under another source)", lead.external_id)
            continue
        if result.created or result.requalify:  # a changed Lead is re-qualified as a new revision
            background.add_task(qualify_and_assign, rt, result.lead_id)
    if fresh:
        _remember(rt, [keys[n.id] for n in fresh])
    return Response(salesforce.ACK, media_type="text/xml")


admin = APIRouter(tags=["crm"], dependencies=[Depends(api(Role.admin))])


def _job_view(j: Any) -> dict[str, Any]:
    return {
        "id": j.id,
        "kind": j.kind,
        "status": j.status,
        "attempts": j.attempts,
        "run_after": j.run_after,
        "last_error": j.last_error,
        "lead_id": j.payload.get("lead_id"),
        "event_type": j.payload.get("event_type"),
        "created_at": j.created_at,
        "updated_at": j.updated_at,
    }


@admin.get("/crm/jobs", summary="CRM write-back and import jobs, most recent first", response_model=list[CrmJobOut])
def list_jobs(
    request: Request,
    status: Literal["queued", "running", "done", "dead"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    rt = request.app.state.runtime
    with rt.sessions() as s:
        return [_job_view(j) for j in jobs.jobs(s, status, limit)]


@admin.post(
    "/crm/jobs/{job_id}/retry", summary="Queue a dead or waiting CRM job to run now", response_model=CrmJobQueued
)
def retry_job(job_id: int, request: Request, background: BackgroundTasks) -> dict[str, Any]:
    rt = request.app.state.runtime
    if not jobs.retry(rt.sessions, job_id, rt.deps.clock()):
        raise ApiError(409, "Conflict", f"job {job_id} does not exist, is running or is done")
    from api.leads.worker import drain_jobs

    background.add_task(drain_jobs, rt)
    return {"id": job_id, "status": "queued"}
