"""Lead intake (validate, dedupe, idempotency, persist raw) and qualification runs that write scorecard revisions."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from agent.deps import Deps
from agent.errors import BudgetExceededError, PermanentJudgeError, QualifyError, RetryableJudgeError
from agent.pipeline import qualify_lead
from agent.schemas import Lead, ScorecardDraft
from api.db import transaction
from api.errors import Conflict, NotFound, Unprocessable
from api.leads.flows import RETRYABLE, LeadStatus, can_machine_move
from api.leads.models import LeadRow, ScorecardRow

log = logging.getLogger("qualify.leads")
LEASE = timedelta(minutes=10)  # longer than any one lead's qualification (LLM timeouts × attempts included)


@dataclass(frozen=True)
class Intake:
    lead_id: str
    created: bool


def payload_hash(lead: Lead) -> str:
    """Hash of the lead as submitted: equal content, equal hash (key order and white space ignored)."""
    body = lead.model_dump(mode="json", exclude={"id", "received_at"} if lead.received_at is None else {"id"})
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _domain(lead: Lead) -> str | None:
    if lead.company.domain:
        return lead.company.domain.lower().removeprefix("https://").removeprefix("http://").removeprefix("www.").split("/")[0]
    if lead.person.email:
        return lead.person.email.rsplit("@", 1)[-1].lower()
    return None


def scoped_key(key: str | None, caller: str | None) -> str | None:
    """An Idempotency-Key as stored: hashed with the caller's id, so one caller's key never answers for another."""
    if key is None:
        return None
    return hashlib.sha256(f"{caller or ''}\x00{key}".encode()).hexdigest()


def intake(factory: sessionmaker[Session], lead: Lead, now: datetime, idempotency_key: str | None = None,
           caller: str | None = None) -> Intake:
    """Persist a new lead, or return the one this exact submission already created.

    Idempotency keys are scoped per caller (user id). Same key from the same caller with a different body → 422.
    Same source + external id with a different body → 409.
    """
    digest = payload_hash(lead)
    idempotency_key = scoped_key(idempotency_key, caller)
    for _ in range(2):  # a concurrent insert of the same key loses the race once, then finds the winner
        try:
            with transaction(factory) as s:
                found = _existing(s, lead, digest, idempotency_key)
                if found:
                    return Intake(found, created=False)
                lead_id = lead.id or uuid.uuid4().hex
                if s.get(LeadRow, lead_id) is not None:
                    raise Conflict(f"lead id {lead_id!r} already exists", lead_id=lead_id)
                stored = lead.model_copy(update={"id": lead_id, "received_at": lead.received_at or now})
                s.add(LeadRow(
                    id=lead_id, external_id=lead.external_id, source=lead.source, status=LeadStatus.received,
                    payload=stored.model_dump(mode="json"), payload_hash=digest, idempotency_key=idempotency_key,
                    company_domain=_domain(lead), received_at=stored.received_at, updated_at=now, attempts=0,
                ))
                return Intake(lead_id, created=True)
        except IntegrityError:
            continue
    raise Conflict("the lead was submitted concurrently; retry the request")


def _existing(s: Session, lead: Lead, digest: str, key: str | None) -> str | None:
    if key:
        row = s.scalar(select(LeadRow).where(LeadRow.idempotency_key == key))
        if row is not None:
            if row.payload_hash != digest:
                raise Unprocessable("Idempotency-Key was already used with a different request body",
                                    field="Idempotency-Key")
            return row.id
    if lead.external_id:
        row = s.scalar(select(LeadRow).where(LeadRow.source == lead.source, LeadRow.external_id == lead.external_id))
        if row is not None:
            if row.payload_hash != digest:
                raise Conflict(f"a lead with external_id {lead.external_id!r} from {lead.source} already exists "
                               "with different data", lead_id=row.id)
            return row.id
    return None


def lease_expired(row: LeadRow, now: datetime) -> bool:
    """A `qualifying` lead whose claiming process stopped (killed, crashed) before finishing."""
    return row.status == LeadStatus.qualifying and (row.lease_until is None or row.lease_until <= now)


def _claim(factory: sessionmaker[Session], lead_id: str, now: datetime) -> tuple[Lead, int] | None:
    """Move a lead to `qualifying` with a lease (the claim); None when it is not in a state that may be qualified.

    A lead still `qualifying` under an expired lease is claimed again: its previous run died. Two workers reaching
    for one lead: the row lock (PostgreSQL) or the versioned UPDATE (SQLite) lets exactly one have it.
    """
    try:
        return _claim_once(factory, lead_id, now)
    except StaleDataError:
        return None


def _claim_once(factory: sessionmaker[Session], lead_id: str, now: datetime) -> tuple[Lead, int] | None:
    with transaction(factory) as s:
        row = s.get(LeadRow, lead_id, with_for_update=True)
        if row is None:
            raise NotFound("lead", lead_id)
        if not (can_machine_move(row.status, LeadStatus.qualifying) or lease_expired(row, now)):
            return None
        row.status, row.updated_at, row.attempts = LeadStatus.qualifying, now, row.attempts + 1
        row.lease_until = now + LEASE
        revision = (s.scalar(select(func.max(ScorecardRow.revision)).where(ScorecardRow.lead_id == lead_id)) or 0) + 1
        return Lead.model_validate(row.payload), revision


def _fail(factory: sessionmaker[Session], lead_id: str, status: LeadStatus, exc: Exception, now: datetime) -> None:
    with transaction(factory) as s:
        row = s.get(LeadRow, lead_id, with_for_update=True)
        assert row is not None
        row.status, row.updated_at, row.lease_until = status, now, None
        row.error_class = getattr(exc, "error_class", None) or type(exc).__name__
        row.last_error = str(exc)[:2000]


def save_draft(factory: sessionmaker[Session], draft: ScorecardDraft, now: datetime) -> str | None:
    """Write a scorecard revision and move the lead on, in one transaction; None if that revision already exists."""
    try:
        with transaction(factory) as s:
            row = s.get(LeadRow, draft.lead_id, with_for_update=True)
            assert row is not None
            scorecard_id = uuid.uuid4().hex
            s.add(ScorecardRow(id=scorecard_id, lead_id=draft.lead_id, revision=draft.revision, tier=draft.tier,
                               route=draft.route, score=draft.score, payload=draft.model_dump(mode="json"),
                               created_at=draft.created_at))
            row.status = LeadStatus.disqualified if draft.tier == "disqualified" else LeadStatus.in_review
            row.updated_at, row.error_class, row.last_error, row.lease_until = now, None, None, None
            return scorecard_id
    except IntegrityError:
        return None


async def qualify_stored(factory: sessionmaker[Session], deps: Deps, lead_id: str) -> str | None:
    """Qualify a stored lead once; returns the new scorecard id, or None when nothing was (or needed to be) done.

    Endpoint faults end in an explicit, retryable state; the lead is never lost or left half-written.
    """
    claimed = _claim(factory, lead_id, deps.clock())
    if claimed is None:
        return None
    lead, revision = claimed
    try:
        draft = await qualify_lead(lead, deps, lead_id=lead_id, revision=revision)
    except BudgetExceededError as exc:
        _fail(factory, lead_id, LeadStatus.budget_exceeded, exc, deps.clock())
        return None
    except RetryableJudgeError as exc:
        _fail(factory, lead_id, LeadStatus.failed_retryable, exc, deps.clock())
        return None
    except (PermanentJudgeError, QualifyError) as exc:
        _fail(factory, lead_id, LeadStatus.failed_permanent, exc, deps.clock())
        return None
    except Exception as exc:  # the worker must survive a bug; the lead stays visible and retryable, the trace is logged
        log.exception("qualification of lead %s crashed", lead_id)
        _fail(factory, lead_id, LeadStatus.failed_permanent, exc, deps.clock())
        return None
    return save_draft(factory, draft, deps.clock())


def reset_for_retry(factory: sessionmaker[Session], lead_id: str, now: datetime) -> None:
    """Check a retry is allowed: failed, budget-stopped, or stuck under an expired lease (409 otherwise)."""
    with factory() as s:
        row = s.get(LeadRow, lead_id)
        if row is None:
            raise NotFound("lead", lead_id)
        if row.status not in RETRYABLE and not lease_expired(row, now):
            detail = f"lead is {row.status}; only failed, budget-stopped or stuck (expired lease) leads can be retried"
            raise Conflict(detail, state=row.status, lease_until=row.lease_until.isoformat() if row.lease_until else None)


def _retryable(now: datetime) -> ColumnElement[bool]:
    expired = (LeadRow.status == LeadStatus.qualifying) & (LeadRow.lease_until.is_(None) | (LeadRow.lease_until <= now))
    return LeadRow.status.in_(list(RETRYABLE)) | expired


def failed_leads(s: Session, now: datetime, limit: int = 100) -> list[LeadRow]:
    """Leads qualification could not finish (endpoint faults, spend cap, a dead run's lease), most recent first."""
    return list(s.scalars(select(LeadRow).where(_retryable(now)).order_by(LeadRow.updated_at.desc()).limit(limit)))
