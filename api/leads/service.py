"""Lead intake (validate, dedupe, idempotency, persist raw) and qualification runs that write scorecard revisions."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from agent.deps import Deps
from agent.errors import BudgetExceededError, PermanentJudgeError, QualifyError, RetryableJudgeError
from agent.pipeline import qualify_lead
from agent.schemas import Lead, ScorecardDraft
from api.audit import service as audit
from api.db import transaction
from api.errors import Conflict, NotFound, Unprocessable
from api.events import outbox
from api.leads.flows import RETRYABLE, LeadStatus, can_machine_move
from api.leads.models import LeadRow, ScorecardRow, segment_of
from api.users.service import Principal

log = logging.getLogger("qualify.leads")
LEASE = timedelta(minutes=10)  # the default of QUALIFY_LEAD_LEASE_SECONDS (api/settings.py validates it outlasts a run)


@dataclass(frozen=True)
class Intake:
    lead_id: str
    created: bool
    updated: bool = False  # a CRM update of an existing lead (same source and external_id, changed data)
    requalify: bool = False  # the update changed what the lead is qualified on: a new revision is due


# Fields a CRM may change without the qualification changing (everything else makes a new revision).
NOT_QUALIFYING = frozenset({"received_at", "person.phone"})
# Before a person's decision the lead goes back to the qualifier; after it (SQL, accepted, recycled) the data is
# kept up to date and audited but the decision stands.
REQUALIFY_FROM = frozenset(
    {
        LeadStatus.received,
        LeadStatus.in_review,
        LeadStatus.disqualified,
        LeadStatus.pushed_back,
        LeadStatus.failed_retryable,
        LeadStatus.failed_permanent,
        LeadStatus.budget_exceeded,
    }
)


def payload_hash(lead: Lead) -> str:
    """Hash of the lead as submitted: equal content, equal hash (key order and white space ignored)."""
    body = lead.model_dump(mode="json", exclude={"id", "received_at"} if lead.received_at is None else {"id"})
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _domain(lead: Lead) -> str | None:
    if lead.company.domain:
        return (
            lead.company.domain.lower()
            .removeprefix("https://")
            .removeprefix("http://")
            .removeprefix("www.")
            .split("/")[0]
        )
    if lead.person.email:
        return lead.person.email.rsplit("@", 1)[-1].lower()
    return None


def scoped_key(key: str | None, caller: str | None) -> str | None:
    """An Idempotency-Key as stored: hashed with the caller's id, so one caller's key never answers for another."""
    if key is None:
        return None
    return hashlib.sha256(f"{caller or ''}\x00{key}".encode()).hexdigest()


def intake(
    factory: sessionmaker[Session],
    lead: Lead,
    now: datetime,
    idempotency_key: str | None = None,
    caller: str | None = None,
    who: Principal | None = None,
) -> Intake:
    """Persist a new lead, return the one this exact submission already created, or apply a CRM update.

    Idempotency keys are scoped per caller (user id). Same key from the same caller with a different body → 422.
    Same source + external id with a different body → the lead is updated (history in the audit) and, when a
    qualifying field changed, re-qualified as a new revision. An `id` naming another lead, or a lead whose source
    or external_id would change → 409 naming it.
    """
    digest = payload_hash(lead)
    idempotency_key = scoped_key(idempotency_key, caller)
    for _ in range(2):  # a concurrent insert of the same key loses the race once, then finds the winner
        try:
            with transaction(factory) as s:
                found = _existing(s, lead, digest, idempotency_key)
                if isinstance(found, LeadRow):
                    return _update(s, found, lead, digest, now, who)
                if found:
                    return Intake(found, created=False)
                lead_id = lead.id or uuid.uuid4().hex
                if (other := s.get(LeadRow, lead_id)) is not None:
                    raise Conflict(
                        f"lead id {lead_id!r} already exists with source {other.source!r} and external_id "
                        f"{other.external_id!r}; a lead's source and external_id cannot change",
                        lead_id=lead_id,
                        field="source" if other.source != lead.source else "external_id",
                    )
                stored = lead.model_copy(update={"id": lead_id, "received_at": lead.received_at or now})
                s.add(
                    LeadRow(
                        id=lead_id,
                        external_id=lead.external_id,
                        source=lead.source,
                        status=LeadStatus.received,
                        payload=stored.model_dump(mode="json"),
                        payload_hash=digest,
                        idempotency_key=idempotency_key,
                        company_domain=_domain(lead),
                        received_at=stored.received_at,
                        updated_at=now,
                        attempts=0,
                    )
                )
                return Intake(lead_id, created=True)
        except IntegrityError:
            continue
    raise Conflict("the lead was submitted concurrently; retry the request")


def _existing(s: Session, lead: Lead, digest: str, key: str | None) -> str | LeadRow | None:
    if key:
        row = s.scalar(select(LeadRow).where(LeadRow.idempotency_key == key))
        if row is not None:
            if row.payload_hash != digest:
                raise Unprocessable(
                    "Idempotency-Key was already used with a different request body", field="Idempotency-Key"
                )
            return row.id
    if lead.external_id:
        row = s.scalar(select(LeadRow).where(LeadRow.source == lead.source, LeadRow.external_id == lead.external_id))
        if row is not None:
            if lead.id and lead.id != row.id:
                raise Conflict(
                    f"external_id {lead.external_id!r} from {lead.source} is lead {row.id!r}, not "
                    f"{lead.id!r}; a lead's id cannot change",
                    lead_id=row.id,
                    field="id",
                )
            return row if row.payload_hash != digest else row.id
    return None


def _flat(doc: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in doc.items():
        if isinstance(v, dict) and k in ("person", "company"):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _update(s: Session, row: LeadRow, lead: Lead, digest: str, now: datetime, who: Principal | None) -> Intake:
    """A CRM update: new data in place (version bumped), old values in the audit, a new revision when it matters."""
    if row.status == LeadStatus.qualifying and not lease_expired(row, now):
        raise Conflict(
            "the lead is being qualified right now; send the update again in a minute", state=row.status, lead_id=row.id
        )
    old_doc = _flat({k: v for k, v in row.payload.items() if k != "id"})
    stored = lead.model_copy(update={"id": row.id, "received_at": lead.received_at or row.received_at})
    new_doc = _flat({k: v for k, v in stored.model_dump(mode="json").items() if k != "id"})
    changed = sorted(k for k in old_doc.keys() | new_doc.keys() if old_doc.get(k) != new_doc.get(k))
    requalify = bool(set(changed) - NOT_QUALIFYING) and row.status in REQUALIFY_FROM
    old_status = row.status
    row.payload, row.payload_hash, row.company_domain, row.updated_at = (
        stored.model_dump(mode="json"),
        digest,
        _domain(lead),
        now,
    )
    if requalify:
        row.status, row.lease_until, row.error_class, row.last_error = LeadStatus.received, None, None, None
    s.flush()
    audit.record(
        s,
        who,
        "crm_update",
        "lead",
        row.id,
        at=now,
        lead_id=row.id,
        old={"status": old_status, **{k: old_doc.get(k) for k in changed}},
        new={"status": row.status, "requalify": requalify, **{k: new_doc.get(k) for k in changed}},
        reason=f"CRM update of {', '.join(changed)}" if changed else "CRM update",
    )
    return Intake(row.id, created=False, updated=True, requalify=requalify)


def lease_expired(row: LeadRow, now: datetime) -> bool:
    """A `qualifying` lead whose claiming process stopped (killed, crashed) before finishing."""
    return row.status == LeadStatus.qualifying and (row.lease_until is None or row.lease_until <= now)


def _claim(
    factory: sessionmaker[Session], lead_id: str, now: datetime, lease: timedelta = LEASE
) -> tuple[Lead, int] | None:
    """Move a lead to `qualifying` with a lease (the claim); None when it is not in a state that may be qualified.

    A lead still `qualifying` under an expired lease is claimed again: its previous run died. Two workers reaching
    for one lead: the row lock (PostgreSQL) or the versioned UPDATE (SQLite) lets exactly one have it.
    """
    try:
        return _claim_once(factory, lead_id, now, lease)
    except StaleDataError:
        return None


def _claim_once(
    factory: sessionmaker[Session], lead_id: str, now: datetime, lease: timedelta
) -> tuple[Lead, int] | None:
    with transaction(factory) as s:
        row = s.get(LeadRow, lead_id, with_for_update=True)
        if row is None:
            raise NotFound("lead", lead_id)
        if not (can_machine_move(row.status, LeadStatus.qualifying) or lease_expired(row, now)):
            return None
        row.status, row.updated_at, row.attempts = LeadStatus.qualifying, now, row.attempts + 1
        row.lease_until = now + lease
        revision = (s.scalar(select(func.max(ScorecardRow.revision)).where(ScorecardRow.lead_id == lead_id)) or 0) + 1
        return Lead.model_validate(row.payload), revision


def _fail(factory: sessionmaker[Session], lead_id: str, status: LeadStatus, exc: Exception, now: datetime) -> None:
    with transaction(factory) as s:
        row = s.get(LeadRow, lead_id, with_for_update=True)
        assert row is not None
        row.status, row.updated_at, row.lease_until = status, now, None
        row.error_class = getattr(exc, "error_class", None) or type(exc).__name__
        row.last_error = str(exc)[:2000]


def save_draft(
    factory: sessionmaker[Session],
    draft: ScorecardDraft,
    now: datetime,
    cause: str = "qualification",
    keep_status: bool = False,
    only_from: frozenset[LeadStatus] | None = None,
) -> str | None:
    """Write a scorecard revision, move the lead on and emit its events, in one transaction; None if that revision
    already exists, or if `only_from` is given and the lead (read under its row lock) has left those statuses since
    the run started (a person's decision made meanwhile stands)."""
    try:
        with transaction(factory) as s:
            row = s.get(LeadRow, draft.lead_id, with_for_update=True)
            assert row is not None
            if only_from is not None and row.status not in only_from:
                return None
            scorecard_id = uuid.uuid4().hex
            s.add(
                ScorecardRow(
                    id=scorecard_id,
                    lead_id=draft.lead_id,
                    revision=draft.revision,
                    tier=draft.tier,
                    route=draft.route,
                    score=draft.score,
                    payload=(doc := draft.model_dump(mode="json")),
                    segment=segment_of(doc),
                    created_at=draft.created_at,
                )
            )
            if not keep_status:  # an accepted opportunity stays accepted when a later revision is drafted
                row.status = LeadStatus.disqualified if draft.tier == "disqualified" else LeadStatus.in_review
            row.updated_at, row.error_class, row.last_error, row.lease_until = now, None, None, None
            card = draft.model_dump(mode="json")
            outbox.emit(
                s, "scorecard.drafted", draft.lead_id, outbox.scorecard_data(scorecard_id, card, row.status, cause), now
            )
            if row.status == LeadStatus.disqualified:
                outbox.emit(
                    s,
                    "lead.disqualified",
                    draft.lead_id,
                    outbox.scorecard_data(scorecard_id, card, row.status, cause),
                    now,
                )
            return scorecard_id
    except IntegrityError:
        return None


async def qualify_stored(
    factory: sessionmaker[Session], deps: Deps, lead_id: str, lease: timedelta = LEASE
) -> str | None:
    """Qualify a stored lead once under a claim of `lease` (QUALIFY_LEAD_LEASE_SECONDS); returns the new scorecard
    id, or None when nothing was (or needed to be) done.

    Endpoint faults end in an explicit, retryable state; the lead is never lost or left half-written.
    """
    claimed = _claim(factory, lead_id, deps.clock(), lease)
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


def qualify_now(factory: sessionmaker[Session], deps: Deps, lead_id: str, lease: timedelta = LEASE) -> str | None:
    """Qualify a stored lead on this thread (a form submission waits for its scorecard); see `qualify_stored`."""
    return asyncio.run(qualify_stored(factory, deps, lead_id, lease))


def requalify(
    factory: sessionmaker[Session],
    deps: Deps,
    lead_id: str,
    lead: Lead,
    *,
    keep_status: bool,
    cause: str,
    only_from: frozenset[LeadStatus] | None = None,
) -> str | None:
    """A new scorecard revision for a lead already drafted (new answers arrived); None when it could not be made.

    The lead goes (back) to review like after a call, unless `keep_status` (an accepted opportunity). A failed
    run leaves the lead as it was: its earlier revision stands and the new answers are stored on it. `only_from`:
    the revision is saved only if the lead is still in one of these statuses when it is written (see `save_draft`).
    """
    with factory() as s:
        revision = (s.scalar(select(func.max(ScorecardRow.revision)).where(ScorecardRow.lead_id == lead_id)) or 0) + 1
    try:
        draft = asyncio.run(qualify_lead(lead, deps, lead_id=lead_id, revision=revision))
    except Exception:
        log.exception("re-qualification of lead %s failed; its earlier revision stands", lead_id)
        return None
    return save_draft(factory, draft, deps.clock(), cause=cause, keep_status=keep_status, only_from=only_from)


def reset_for_retry(factory: sessionmaker[Session], lead_id: str, now: datetime) -> None:
    """Check a retry is allowed: failed, budget-stopped, or stuck under an expired lease (409 otherwise)."""
    with factory() as s:
        row = s.get(LeadRow, lead_id)
        if row is None:
            raise NotFound("lead", lead_id)
        if row.status not in RETRYABLE and not lease_expired(row, now):
            detail = f"lead is {row.status}; only failed, budget-stopped or stuck (expired lease) leads can be retried"
            raise Conflict(
                detail, state=row.status, lease_until=row.lease_until.isoformat() if row.lease_until else None
            )


def _retryable(now: datetime) -> ColumnElement[bool]:
    expired = (LeadRow.status == LeadStatus.qualifying) & (LeadRow.lease_until.is_(None) | (LeadRow.lease_until <= now))
    return LeadRow.status.in_(list(RETRYABLE)) | expired


def failed_leads(s: Session, now: datetime, limit: int = 100) -> list[LeadRow]:
    """Leads qualification could not finish (endpoint faults, spend cap, a dead run's lease), most recent first."""
    return list(s.scalars(select(LeadRow).where(_retryable(now)).order_by(LeadRow.updated_at.desc()).limit(limit)))


def account_leads(s: Session, row: LeadRow, limit: int = 20) -> list[dict[str, Any]]:
    """The account's other leads (same company domain; never grouped by a free-mail domain), newest first."""
    from api.review.assign import FREE_MAIL
    from api.review.models import AssignmentRow
    from api.users.models import UserRow

    if not row.company_domain or row.company_domain in FREE_MAIL:
        return []
    found = s.execute(
        select(LeadRow, UserRow.email)
        .outerjoin(AssignmentRow, AssignmentRow.lead_id == LeadRow.id)
        .outerjoin(UserRow, UserRow.id == AssignmentRow.sdr_id)
        .where(LeadRow.company_domain == row.company_domain, LeadRow.id != row.id)
        .order_by(LeadRow.received_at.desc())
        .limit(limit)
    ).all()
    tiers = dict(
        s.execute(
            select(ScorecardRow.lead_id, ScorecardRow.tier)
            .where(ScorecardRow.lead_id.in_([r.id for r, _ in found]))
            .order_by(ScorecardRow.revision)
        ).all()
    )  # the last revision's tier wins
    return [
        {
            "id": r.id,
            "name": (r.payload.get("person") or {}).get("name")
            or (r.payload.get("person") or {}).get("email")
            or r.external_id
            or r.id,
            "title": (r.payload.get("person") or {}).get("title"),
            "status": r.status,
            "tier": tiers.get(r.id),
            "owner": owner,
            "received_at": r.received_at,
        }
        for r, owner in found
    ]
