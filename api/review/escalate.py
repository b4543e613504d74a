"""Overdue leads escalate: past its speed-to-lead target, a lead waiting `level` minutes on its owner's clock is
reported to the managers once per level (default 5 and 15 minutes) — an escalation row and an audit entry, shown in
the queue. The embedded worker runs the check periodically; `qualify worker` processes run it too.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, sessionmaker

from api.audit import service as audit
from api.events import outbox
from api.db import transaction
from api.leads.flows import REVIEWABLE, LeadStatus
from api.leads.models import LeadRow, ScorecardRow
from api.review.models import AssignmentRow, EscalationRow
from api.review.queue import clock_start

log = logging.getLogger("qualify.escalation")


def _waiting(s: Session) -> list[tuple[str, str, str, str | None, datetime]]:
    card, newer = aliased(ScorecardRow), aliased(ScorecardRow)
    is_latest = ~select(newer.id).where(newer.lead_id == card.lead_id, newer.revision > card.revision).exists()
    rows = s.execute(
        select(
            LeadRow.id,
            LeadRow.status,
            card.tier,
            AssignmentRow.sdr_id,
            AssignmentRow.ae_id,
            clock_start().label("started"),
            LeadRow.received_at,
        )
        .join(AssignmentRow, AssignmentRow.lead_id == LeadRow.id)
        .join(card, card.lead_id == LeadRow.id)
        .where(LeadRow.status.in_([*REVIEWABLE, LeadStatus.sdr_confirmed]), is_latest)
    ).all()
    out = []
    for lead_id, status, tier, sdr, ae, started, received in rows:
        started = started if isinstance(started, datetime) else received
        stage_owner = ae if status == LeadStatus.sdr_confirmed else sdr
        out.append((lead_id, "ae" if status == LeadStatus.sdr_confirmed else "sdr", tier, stage_owner, started))
    return out


def escalate_overdue(
    factory: sessionmaker[Session], now: datetime, targets: dict[str, float], levels: list[float], role: str = "admin"
) -> int:
    """Record every escalation now due (each lead, stage, level and clock once); returns how many were new.

    One transaction per pass; if another process recorded some of them first, the pass is retried lead by lead.
    """
    if not levels:
        return 0
    with factory() as s:
        waiting = _waiting(s)
        done = (
            {
                (e.lead_id, e.stage, e.level_minutes, _aware(e.clock_started_at, now))
                for e in s.scalars(select(EscalationRow).where(EscalationRow.lead_id.in_([w[0] for w in waiting])))
            }
            if waiting
            else set()
        )
    due: list[tuple[str, str, str | None, datetime, float, float, list[float]]] = []
    for lead_id, stage, tier, owner, started in waiting:
        started = _aware(started, now)
        target = targets.get(tier)
        waited = (now - started).total_seconds() / 60
        if target is None or waited <= target:
            continue
        new = [lv for lv in sorted(levels) if waited >= lv and (lead_id, stage, float(lv), started) not in done]
        if new:
            due.append((lead_id, stage, owner, started, waited, target, new))
    try:
        with transaction(factory) as s:
            for item in due:
                _record(s, item, now, role)
        made = sum(len(item[-1]) for item in due)
    except IntegrityError:  # a concurrent check got there first: keep what is still new
        made = 0
        for item in due:
            try:
                with transaction(factory) as s:
                    _record(s, item, now, role)
                made += len(item[-1])
            except IntegrityError:
                continue
    for lead_id, stage, _, _, waited, target, new in due:
        log.warning(
            "lead %s overdue %.0f min at the %s stage (target %g min): %ss notified (%s min)",
            lead_id,
            waited,
            stage,
            target,
            role,
            ", ".join(f"{lv:g}" for lv in new),
        )
    return made


def _aware(value: datetime, now: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=now.tzinfo)  # SQLite returns naive UTC


def _record(
    s: Session, item: tuple[str, str, str | None, datetime, float, float, list[float]], now: datetime, role: str
) -> None:
    lead_id, stage, owner, started, waited, target, new = item
    who = "the SDR" if stage == "sdr" else "the AE"
    for level in new:
        s.add(
            EscalationRow(
                id=uuid.uuid4().hex,
                lead_id=lead_id,
                stage=stage,
                owner_id=owner,
                level_minutes=level,
                clock_started_at=started,
                notified_role=role,
                created_at=now,
            )
        )
        s.flush()
        audit.record(
            s,
            None,
            "escalate",
            "lead",
            lead_id,
            at=now,
            lead_id=lead_id,
            new={
                "stage": stage,
                "level_minutes": level,
                "waited_minutes": round(waited, 1),
                "target_minutes": target,
                "notified_role": role,
            },
            reason=f"Overdue: waiting {waited:.0f} min for {who} against a {target:g} min target; {role}s notified",
        )
        s.get(LeadRow, lead_id, with_for_update=True)  # numbered after any decision on this lead (api/events/outbox)
        outbox.emit(
            s,
            "lead.escalated",
            lead_id,
            {
                "stage": stage,
                "owner_id": owner,
                "level_minutes": level,
                "waited_minutes": round(waited, 1),
                "target_minutes": target,
                "notified_role": role,
            },
            now,
        )


def recent_escalations(s: Session, now: datetime, hours: float = 24, limit: int = 50) -> list[dict[str, object]]:
    """The managers' notices of the last `hours`, newest first, with who the lead is waiting on."""
    from api.users.models import UserRow

    rows = s.execute(
        select(EscalationRow, LeadRow.payload, UserRow.email)
        .join(LeadRow, LeadRow.id == EscalationRow.lead_id)
        .outerjoin(UserRow, UserRow.id == EscalationRow.owner_id)
        .where(
            EscalationRow.created_at >= now - timedelta(hours=hours),
            LeadRow.status.in_([*REVIEWABLE, LeadStatus.sdr_confirmed]),
        )
        .order_by(EscalationRow.created_at.desc())
        .limit(limit)
    ).all()
    return [
        {
            "lead_id": e.lead_id,
            "name": (p.get("person") or {}).get("name") or (p.get("person") or {}).get("email") or e.lead_id,
            "stage": e.stage,
            "level": e.level_minutes,
            "owner": owner,
            "at": e.created_at,
        }
        for e, p, owner in rows
    ]


class Periodic:
    """Runs a check at most every `every` (the worker loop calls `maybe` on each pass)."""

    def __init__(self, every: timedelta):
        self.every = every
        self.last: datetime | None = None

    def due(self, now: datetime) -> bool:
        if self.last is None or now - self.last >= self.every:
            self.last = now
            return True
        return False
