"""CRM write-back and import as jobs on the durable queue (api/jobs/service.py).

`enqueue_crm_sync(session, lead, event_type)` is called by the review transition in its own transaction, so a
write-back exists exactly when the decision committed. It is the one seam between review and the CRMs: when the
outgoing-event outbox lands, it can call this from its dispatcher instead, with no change here.

A write-back reads the lead's SQL record as it stands when the job runs (api/crm/record.py) and writes what the
mapping file says for `event_type`. Jobs of one lead to one CRM run in order (group_key).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from api.crm.mapping import ConnectorNotConfigured, MappingError, MappingFile, MappingFileError, load_mapping, to_lead
from api.crm.record import EVENT_OF, snapshot
from api.jobs.service import JobFailed, Progress, enqueue, handler
from api.leads.models import LeadRow
from api.settings import Settings

if TYPE_CHECKING:
    from api.runtime import Runtime

log = logging.getLogger("qualify.crm")
DATA = Path(__file__).resolve().parent / "data"
SYNCED_EVENTS = frozenset(EVENT_OF.values())  # every review transition that changes the status, reopen aside
WRITE_BACK = {"hubspot": "crm.hubspot.write_back", "salesforce": "crm.salesforce.write_back"}
HUBSPOT_IMPORT = "crm.hubspot.import"


@lru_cache(maxsize=8)
def _load(path: Path, mtime: float) -> MappingFile:
    spec = load_mapping(path)
    wb = spec.writeback
    named = [*wb.get("note_on", [])] + [
        e for key in ("lifecyclestage", "hs_lead_status", "status") for e in (wb.get(key) or {})
    ]
    if unknown := sorted(set(named) - SYNCED_EVENTS):
        raise MappingFileError(
            f"{path}: writeback names events Qualify never sends: {', '.join(unknown)} "
            f"(it sends {', '.join(sorted(SYNCED_EVENTS))})"
        )
    return spec


def mapping(settings: Settings, crm: str) -> MappingFile:
    """The configured mapping file of `crm` (hubspot | salesforce), or the shipped one."""
    path = getattr(settings, f"{crm}_mapping_file") or DATA / f"{crm}_mapping.yaml"
    return _load(Path(path), Path(path).stat().st_mtime if Path(path).exists() else 0.0)


def enqueue_crm_sync(session: Session, lead: LeadRow, event_type: str) -> list[int]:
    """Queue the CRM write-back of one transition, in the caller's transaction; returns the job ids.

    Only leads that came from a CRM are written back to it (their external id is the CRM record id).
    """
    kind = WRITE_BACK.get(lead.source)
    if kind is None or event_type not in SYNCED_EVENTS or not lead.external_id:
        return []
    job = enqueue(
        session,
        kind,
        {"lead_id": lead.id, "event_type": event_type},
        lead.updated_at,
        group_key=f"{lead.source}:{lead.id}",
    )
    session.flush()
    return [job.id] if job is not None else []


def _snapshot(rt: Runtime, lead_id: str):
    with rt.sessions() as s:
        snap = snapshot(s, lead_id, rt.settings.public_url)
    if snap is None:
        raise JobFailed(f"lead {lead_id} no longer exists")
    return snap


@handler(WRITE_BACK["hubspot"])
def hubspot_write_back(rt: Runtime, progress: Progress) -> None:
    from api.crm import hubspot

    try:
        hs = hubspot.client(rt.settings)
    except ConnectorNotConfigured as exc:
        raise JobFailed(str(exc)) from exc
    snap = _snapshot(rt, progress.payload["lead_id"])
    hubspot.write_back(
        hs, snap, progress.payload["event_type"], mapping(rt.settings, "hubspot"), progress, rt.deps.clock()
    )


@handler(WRITE_BACK["salesforce"])
def salesforce_write_back(rt: Runtime, progress: Progress) -> None:
    from api.crm import salesforce

    snap = _snapshot(rt, progress.payload["lead_id"])
    salesforce.write_back(rt.settings, snap, progress.payload["event_type"], mapping(rt.settings, "salesforce"))


def enqueue_hubspot_import(s: Session, event: dict[str, Any], now: Any) -> bool:
    """Queue the import of the contact a Webhooks API event names; False for an event id already queued."""
    key = f"hubspot:event:{event['portalId']}:{event['eventId']}"
    return (
        enqueue(
            s,
            HUBSPOT_IMPORT,
            {"contact_id": str(event["objectId"]), "portal_id": event["portalId"], "event_id": event["eventId"]},
            now,
            key=key,
        )
        is not None
    )


@handler(HUBSPOT_IMPORT)
def hubspot_import(rt: Runtime, progress: Progress) -> None:
    """Read the contact (and its company), map it to a lead and hand it to intake like any API lead."""
    from api.crm import hubspot
    from api.errors import Conflict
    from api.leads import service
    from api.leads.worker import qualify_and_assign_sync

    try:
        hs = hubspot.client(rt.settings)
    except ConnectorNotConfigured as exc:
        raise JobFailed(str(exc)) from exc
    spec = mapping(rt.settings, "hubspot")
    contact_id = progress.payload["contact_id"]
    props, company = hubspot.fetch_contact(hs, contact_id, spec)
    try:
        lead = to_lead(spec, contact_id, props, "hubspot", company)
    except MappingError as exc:
        raise JobFailed(f"HubSpot contact could not be mapped: {exc}") from exc
    try:
        result = service.intake(rt.sessions, lead, rt.deps.clock())
    except Conflict as exc:  # the same id under another source: refused by intake, named in the job
        progress.save(lead_id=exc.extra.get("lead_id"), outcome="exists")
        return
    # A changed contact updates its lead (history in the audit) and is re-qualified when what it is qualified on changed.
    outcome = "created" if result.created else "updated" if result.updated else "duplicate"
    progress.save(lead_id=result.lead_id, outcome=outcome)
    if (result.created or result.requalify) and rt.settings.embedded_worker and not rt.settings.queue_url:
        qualify_and_assign_sync(rt, result.lead_id)
