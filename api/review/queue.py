"""The review queue: the caller's waiting leads ordered by tier, score and time waiting, against speed-to-lead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from api.leads.flows import REVIEWABLE, LeadStatus
from api.leads.models import LeadRow, ScorecardRow
from api.review.models import AssignmentRow
from api.users.service import Principal, Role

TIER_ORDER = {"sql_ready": 0, "needs_discovery": 1, "nurture": 2, "disqualified": 3}


@dataclass(frozen=True)
class QueueItem:
    lead_id: str
    status: str
    tier: str
    score: float
    revision: int
    name: str
    company: str
    received_at: datetime
    waiting_minutes: float
    target_minutes: float | None
    breached: bool

    def as_json(self) -> dict[str, Any]:
        return {**self.__dict__, "received_at": self.received_at.isoformat()}


def queue(s: Session, who: Principal, now: datetime, targets: dict[str, float], limit: int = 200) -> list[QueueItem]:
    """SDRs see their leads awaiting review; AEs the SQLs routed to them; admins everything waiting."""
    latest = (select(ScorecardRow.lead_id, func.max(ScorecardRow.revision).label("rev"))
              .group_by(ScorecardRow.lead_id).subquery())
    card = aliased(ScorecardRow)
    tier_rank = case(TIER_ORDER, value=card.tier, else_=9)
    statuses = [LeadStatus.sdr_confirmed] if who.role == Role.ae else list(REVIEWABLE)
    if who.role == Role.admin:
        statuses = [*REVIEWABLE, LeadStatus.sdr_confirmed]
    q = (select(LeadRow.id, LeadRow.status, LeadRow.payload, LeadRow.received_at, card.tier, card.score, card.revision)
         .join(AssignmentRow, AssignmentRow.lead_id == LeadRow.id)
         .join(latest, latest.c.lead_id == LeadRow.id)
         .join(card, (card.lead_id == LeadRow.id) & (card.revision == latest.c.rev))
         .where(LeadRow.status.in_(statuses)))
    if who.role == Role.sdr:
        q = q.where(AssignmentRow.sdr_id == who.user_id)
    elif who.role == Role.ae:
        q = q.where(AssignmentRow.ae_id == who.user_id)
    rows = s.execute(q.order_by(tier_rank, card.score.desc(), LeadRow.received_at).limit(limit)).all()
    items = []
    for lead_id, status, payload, received, tier, score, revision in rows:
        waited = max(0.0, (now - received).total_seconds() / 60)
        target = targets.get(tier)
        person, company = payload.get("person") or {}, payload.get("company") or {}
        items.append(QueueItem(lead_id, status, tier, round(score, 1), revision,
                               person.get("name") or person.get("email") or "(no name)",
                               company.get("name") or company.get("domain") or "", received, round(waited, 1),
                               target, target is not None and waited > target))
    return items
