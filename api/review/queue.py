"""The review queue: the caller's waiting leads ordered by tier, score and time waiting, against speed-to-lead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, select
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
    card, newer = aliased(ScorecardRow), aliased(ScorecardRow)
    # the latest revision: no newer one exists (uses the (lead_id, revision) unique index; no scan of all scorecards)
    is_latest = ~select(newer.id).where(newer.lead_id == card.lead_id, newer.revision > card.revision).exists()
    tier_rank = case(TIER_ORDER, value=card.tier, else_=9)
    statuses = [LeadStatus.sdr_confirmed] if who.role == Role.ae else list(REVIEWABLE)
    if who.role == Role.admin:
        statuses = [*REVIEWABLE, LeadStatus.sdr_confirmed]
    q = (select(LeadRow.id, LeadRow.status, LeadRow.received_at, card.tier, card.score, card.revision)
         .join(AssignmentRow, AssignmentRow.lead_id == LeadRow.id)
         .join(card, card.lead_id == LeadRow.id)
         .where(LeadRow.status.in_(statuses), is_latest))
    if who.role == Role.sdr:
        q = q.where(AssignmentRow.sdr_id == who.user_id)
    elif who.role == Role.ae:
        q = q.where(AssignmentRow.ae_id == who.user_id)
    top = s.execute(q.order_by(tier_rank, card.score.desc(), LeadRow.received_at).limit(limit)).all()
    # names are read for the shown rows only (parsing every lead document first made large queues slow)
    person, company = LeadRow.payload["person"], LeadRow.payload["company"]
    labels = {r[0]: r[1:] for r in s.execute(
        select(LeadRow.id, person["name"].as_string(), person["email"].as_string(), company["name"].as_string(),
               company["domain"].as_string()).where(LeadRow.id.in_([t[0] for t in top])))}
    rows = [(t[0], t[1], *labels[t[0]], t[2], t[3], t[4], t[5]) for t in top]
    items = []
    for lead_id, status, name, email, company_name, domain, received, tier, score, revision in rows:
        waited = max(0.0, (now - received).total_seconds() / 60)
        target = targets.get(tier)
        items.append(QueueItem(lead_id, status, tier, round(score, 1), revision, name or email or "(no name)",
                               company_name or domain or "", received, round(waited, 1),
                               target, target is not None and waited > target))
    return items
