"""Who works a lead: account ownership (same company domain, same owner), then territory rules, then round-robin."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.db import transaction
from api.leads.flows import LeadStatus
from api.leads.models import LeadRow, ScorecardRow
from api.review.models import AssignmentRow
from api.users.models import UserRow
from api.users.service import Role

# A shared mailbox domain says nothing about the account: never group leads by it.
FREE_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "icloud.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "web.de",
        "mail.com",
        "qq.com",
    }
)
ASSIGNABLE = (LeadStatus.in_review, LeadStatus.disqualified, LeadStatus.pushed_back)


class TerritoryRule(BaseModel):
    """Leads from these countries (ISO codes) and/or segments go to this team; empty lists match anything."""

    model_config = ConfigDict(extra="forbid")
    team: str = Field(min_length=1, max_length=100)
    countries: list[str] = Field(default_factory=list)
    segments: list[str] = Field(default_factory=list)
    role: Literal["sdr", "ae"] | None = Field(default=None, description="Applies to both roles when unset")

    def matches(self, role: Role, country: str | None, segment: str | None) -> bool:
        if self.role and self.role != role:
            return False
        if self.countries and (country or "").upper() not in {c.upper() for c in self.countries}:
            return False
        return not self.segments or segment in self.segments


class Territories(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rules: list[TerritoryRule] = Field(default_factory=list)


def load_territories(path: Path | None) -> Territories:
    """Territory rules from YAML (`rules: [{team, countries, segments, role}]`); none when no file is configured."""
    if path is None:
        return Territories()
    try:
        return Territories.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ValueError(f"territory rules {path}: {exc}") from exc


def lead_facts(lead: LeadRow, card: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """The country code and library segment of a lead, from its scorecard's enrichment and sections."""
    country, segment = None, None
    if card:
        field = card.get("enrichment", {}).get("fields", {}).get("company.country")
        country = field.get("value") if isinstance(field, dict) else None
        segment = next(
            (
                s["match"]["entity_id"]
                for s in card.get("sections", [])
                if s.get("section") == "segment" and s.get("match")
            ),
            None,
        )
    return country or (lead.payload.get("company") or {}).get("country"), segment


def _owner(s: Session, role: Role, domain: str | None) -> str | None:
    if not domain or domain in FREE_MAIL:
        return None
    column = AssignmentRow.sdr_id if role == Role.sdr else AssignmentRow.ae_id
    return s.scalar(
        select(column)
        .join(LeadRow, LeadRow.id == AssignmentRow.lead_id)
        .join(UserRow, UserRow.id == column)
        .where(LeadRow.company_domain == domain, column.is_not(None), UserRow.active.is_(True))
        .limit(1)
    )


def _next_in_turn(s: Session, role: Role, now: datetime, team: str | None = None) -> str | None:
    query = select(UserRow).where(UserRow.role == role, UserRow.active.is_(True))
    if team is not None:
        query = query.where(UserRow.team == team)
    user = s.scalar(query.order_by(UserRow.assign_turn, UserRow.email).limit(1))
    if user is None:
        return None
    # a counter, not a timestamp: many leads assigned in one sweep share the same `now`
    user.assign_turn = (s.scalar(select(func.max(UserRow.assign_turn)).where(UserRow.role == role)) or 0) + 1
    return user.id


def pick(
    s: Session, role: Role, lead: LeadRow, card: dict[str, Any] | None, rules: Territories, now: datetime
) -> tuple[str, str] | None:
    """(user id, the rule that chose them) for `role`, or None when nobody with that role is active."""
    if owner := _owner(s, role, lead.company_domain):
        return owner, "account_owner"
    country, segment = lead_facts(lead, card)
    for rule in rules.rules:
        if rule.matches(role, country, segment) and (user := _next_in_turn(s, role, now, rule.team)):
            return user, f"territory:{rule.team}"[:40]
    user = _next_in_turn(s, role, now)
    return (user, "round_robin") if user else None


def assign_ae(s: Session, lead: LeadRow, card: dict[str, Any] | None, rules: Territories, now: datetime) -> str | None:
    """Route a confirmed SQL to an AE (kept when one is already assigned); in the caller's transaction."""
    row = s.get(AssignmentRow, lead.id)
    if row is None:
        row = AssignmentRow(lead_id=lead.id)
        s.add(row)
    if row.ae_id is None and (found := pick(s, Role.ae, lead, card, rules, now)):
        row.ae_id, row.ae_rule, row.ae_assigned_at = found[0], found[1], now
    elif row.ae_id is not None:
        row.ae_assigned_at = now  # confirmed again (after a push back): the AE's clock starts again
    s.flush()
    return row.ae_id


_last_sweep: dict[int, float] = {}


def sweep(factory: sessionmaker[Session], rules: Territories, now: datetime, every_s: float = 5.0) -> None:
    """Assign leads drafted outside the API (CLI batch, imports); at most every few seconds per database."""
    import time

    key = id(factory)
    if time.monotonic() - _last_sweep.get(key, -every_s) >= every_s:
        _last_sweep[key] = time.monotonic()
        assign_pending(factory, rules, now)


def assign_pending(
    factory: sessionmaker[Session],
    rules: Territories,
    now: datetime,
    limit: int = 500,
    lead_ids: Sequence[str] | None = None,
) -> int:
    """Give every drafted lead without an SDR one (only those of `lead_ids` when given); returns how many were
    assigned.

    A worker passes the lead it just drafted: scanning every unassigned draft after each lead costs one query over up
    to `limit` rows per lead (while no SDR is active they pile up), so the full pass runs periodically instead.
    """
    done = 0
    with transaction(factory) as s:
        owned = select(AssignmentRow.lead_id).where(
            AssignmentRow.lead_id == LeadRow.id, AssignmentRow.sdr_id.is_not(None)
        )
        query = select(LeadRow).where(LeadRow.status.in_(ASSIGNABLE), ~owned.exists())
        if lead_ids is not None:
            query = query.where(LeadRow.id.in_(list(lead_ids)))
        leads = s.scalars(query.order_by(LeadRow.received_at).limit(limit)).all()
        for lead in leads:
            card = s.scalar(
                select(ScorecardRow.payload)
                .where(ScorecardRow.lead_id == lead.id)
                .order_by(ScorecardRow.revision.desc())
                .limit(1)
            )
            found = pick(s, Role.sdr, lead, card, rules, now)
            if found is None:
                break
            row = s.get(AssignmentRow, lead.id) or AssignmentRow(lead_id=lead.id)
            row.sdr_id, row.sdr_rule, row.sdr_assigned_at = found[0], found[1], now
            s.add(row)
            s.flush()  # the next lead of the same account sees this owner
            done += 1
    return done


_cache: dict[tuple[str, float], Territories] = {}


def territories_for(path: Path | None) -> Territories:
    """The configured territory rules, re-read when the file changes."""
    if path is None:
        return Territories()
    key = (str(path), path.stat().st_mtime)
    if key not in _cache:
        _cache.clear()
        _cache[key] = load_territories(path)
    return _cache[key]
