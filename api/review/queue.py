"""The review queue: the caller's waiting leads, filtered, searched, sorted and paged, against speed-to-lead.

The clock that counts is the owner's: an SDR's starts when the draft is assigned to them, an AE's when the SQL is
confirmed (routed to them) — never the lead's arrival, which may be days before anyone could act on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import and_, case, false, func, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased

from api.db import UTCDateTime
from api.leads.flows import REVIEWABLE, LeadStatus
from api.leads.models import LeadRow, ScorecardRow
from api.review.models import AssignmentRow, EscalationRow
from api.users.models import UserRow
from api.users.service import Principal, Role

TIER_ORDER = {"sql_ready": 0, "needs_discovery": 1, "nurture": 2, "disqualified": 3}
Sort = Literal["priority", "score", "waiting", "newest"]
SORTS: tuple[Sort, ...] = ("priority", "score", "waiting", "newest")
MAX_PER_PAGE = 1000


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
    email: str | None = None
    owner: str | None = None
    segment: str | None = None
    source: str | None = None
    clock_started_at: datetime | None = None
    escalations: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            "received_at": self.received_at.isoformat(),
            "clock_started_at": self.clock_started_at.isoformat() if self.clock_started_at else None,
        }


@dataclass(frozen=True)
class QueueQuery:
    """What the caller asked to see; every field optional (empty strings mean no filter)."""

    tier: str = ""
    status: str = ""
    owner: str = ""  # an e-mail, or "me"
    segment: str = ""
    source: str = ""
    overdue: bool = False
    search: str = ""  # name, company or e-mail, case-insensitive substring
    sort: Sort = "priority"
    page: int = 1
    per_page: int = 50

    @classmethod
    def parse(cls, params: dict[str, str], default_per_page: int = 50) -> QueueQuery:
        """From query-string parameters; unknown values fall back to the default rather than failing a page view."""

        def num(name: str, default: int, high: int) -> int:
            try:
                return max(1, min(high, int(params.get(name, default))))
            except ValueError:
                return default

        sort = params.get("sort", "priority")
        return cls(
            tier=params.get("tier", "").strip(),
            status=params.get("status", "").strip(),
            owner=params.get("owner", "").strip(),
            segment=params.get("segment", "").strip(),
            source=params.get("source", "").strip(),
            overdue=params.get("overdue", "") in ("1", "true", "on", "yes"),
            search=params.get("q", params.get("search", "")).strip()[:200],
            sort=sort if sort in SORTS else "priority",
            page=num("page", 1, 100_000),
            per_page=num("per_page", default_per_page, MAX_PER_PAGE),
        )

    def as_params(self, **change: Any) -> dict[str, str]:
        """The query string of this query with some values changed (pagination and sort links)."""
        values = {**self.__dict__, **change}
        out = {k: str(v) for k, v in values.items() if v not in ("", False, None) and k not in ("search", "overdue")}
        if values["search"]:
            out["q"] = values["search"]
        if values["overdue"]:
            out["overdue"] = "1"
        return out


@dataclass
class QueuePage:
    items: list[QueueItem]
    total: int
    query: QueueQuery
    facets: dict[str, list[str]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


def _visible(who: Principal) -> list[str]:
    if who.role == Role.ae:
        return [LeadStatus.sdr_confirmed]
    if who.role == Role.admin:
        return [*REVIEWABLE, LeadStatus.sdr_confirmed]
    return list(REVIEWABLE)


def clock_start() -> Any:
    """SQL: when the owner's clock started (AE: SQL routed; SDR: draft assigned; the lead's arrival when unknown)."""
    return type_coerce(
        case(
            (
                LeadRow.status == LeadStatus.sdr_confirmed,
                func.coalesce(AssignmentRow.ae_assigned_at, LeadRow.updated_at),
            ),
            else_=func.coalesce(AssignmentRow.sdr_assigned_at, LeadRow.received_at),
        ),
        UTCDateTime(),
    )


def overdue_clause(card: Any, now: datetime, targets: dict[str, float]) -> Any:
    """SQL: the lead's owner clock has run past its tier's speed-to-lead target."""
    started = clock_start()
    parts = [and_(card.tier == tier, started < now - timedelta(minutes=minutes)) for tier, minutes in targets.items()]
    return or_(*parts) if parts else false()


def queue_page(s: Session, who: Principal, now: datetime, targets: dict[str, float], query: QueueQuery) -> QueuePage:
    """SDRs see their leads awaiting review; AEs the SQLs routed to them; admins everything waiting."""
    card, newer = aliased(ScorecardRow), aliased(ScorecardRow)
    owner_user = aliased(UserRow)
    # the latest revision: no newer one exists (uses the (lead_id, revision) unique index; no scan of all scorecards)
    is_latest = ~select(newer.id).where(newer.lead_id == card.lead_id, newer.revision > card.revision).exists()
    owner_id = case((LeadRow.status == LeadStatus.sdr_confirmed, AssignmentRow.ae_id), else_=AssignmentRow.sdr_id)
    person, company = LeadRow.payload["person"], LeadRow.payload["company"]
    name, email = person["name"].as_string(), person["email"].as_string()
    company_name, domain = company["name"].as_string(), company["domain"].as_string()
    started = clock_start()
    base = (
        select(LeadRow.id)
        .join(AssignmentRow, AssignmentRow.lead_id == LeadRow.id)
        .join(card, card.lead_id == LeadRow.id)
        .outerjoin(owner_user, owner_user.id == owner_id)
        .where(LeadRow.status.in_(_visible(who)), is_latest)
    )
    if who.role == Role.sdr:
        base = base.where(AssignmentRow.sdr_id == who.user_id)
    elif who.role == Role.ae:
        base = base.where(AssignmentRow.ae_id == who.user_id)
    facet_base = base
    if query.tier:
        base = base.where(card.tier == query.tier)
    if query.status:
        base = base.where(LeadRow.status == query.status)
    if query.owner:
        base = (
            base.where(owner_user.id == who.user_id)
            if query.owner == "me"
            else base.where(func.lower(owner_user.email) == query.owner.lower())
        )
    if query.segment:
        base = base.where(card.segment == query.segment)
    if query.source:
        base = base.where(LeadRow.source == query.source)
    if query.overdue:
        base = base.where(overdue_clause(card, now, targets))
    if query.search:
        needle = f"%{query.search.lower()}%"
        base = base.where(
            or_(*(func.lower(func.coalesce(c, "")).like(needle) for c in (name, email, company_name, domain)))
        )
    total = s.scalar(select(func.count()).select_from(base.subquery())) or 0
    order = {
        "priority": (case(TIER_ORDER, value=card.tier, else_=9), card.score.desc(), started),
        "score": (card.score.desc(), started),
        "waiting": (started,),
        "newest": (LeadRow.received_at.desc(),),
    }[query.sort]
    rows = s.execute(
        base.with_only_columns(
            LeadRow.id,
            LeadRow.status,
            LeadRow.received_at,
            LeadRow.source,
            card.tier,
            card.score,
            card.revision,
            card.segment,
            owner_user.email,
            started.label("started"),
            name,
            email,
            company_name,
            domain,
        )
        .order_by(*order, LeadRow.id)
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    ).all()
    counts = dict(
        s.execute(
            select(EscalationRow.lead_id, func.count())
            .where(EscalationRow.lead_id.in_([r[0] for r in rows]))
            .group_by(EscalationRow.lead_id)
        ).all()
    )
    items = []
    for (
        lead_id,
        status,
        received,
        source,
        tier,
        score,
        revision,
        segment,
        owner,
        start,
        person_name,
        person_email,
        company_label,
        company_domain,
    ) in rows:
        start = start if isinstance(start, datetime) else received
        start = start if start.tzinfo else start.replace(tzinfo=now.tzinfo)  # SQLite CASE loses the column type
        waited = max(0.0, (now - start).total_seconds() / 60)
        target = targets.get(tier)
        items.append(
            QueueItem(
                lead_id,
                status,
                tier,
                score,  # unrounded: rounded once, where it is shown (86.53 is 87 in the CLI and here; 86.5 was 86)
                revision,
                person_name or person_email or "(no name)",
                company_label or company_domain or "",
                received,
                round(waited, 1),
                target,
                target is not None and waited > target,
                person_email,
                owner,
                segment,
                source,
                start,
                counts.get(lead_id, 0),
            )
        )
    combos = s.execute(
        facet_base.with_only_columns(
            card.tier, LeadRow.status, card.segment, LeadRow.source, owner_user.email
        ).distinct()
    ).all()  # one pass, few combinations
    facets = {
        name: sorted({str(c[i]) for c in combos if c[i]})
        for i, name in enumerate(("tier", "status", "segment", "source", "owner"))
    }
    return QueuePage(items, total, query, facets)


def queue(s: Session, who: Principal, now: datetime, targets: dict[str, float], limit: int = 200) -> list[QueueItem]:
    """The first `limit` leads of the caller's queue in priority order."""
    return queue_page(s, who, now, targets, QueueQuery(per_page=min(max(limit, 1), 1000))).items
