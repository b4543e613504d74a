"""Tables for leads and their scorecard revisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UTCDateTime


class LeadRow(Base):
    __tablename__ = "leads"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(30), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    payload_hash: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    company_domain: Mapped[str | None] = mapped_column(String(255), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error_class: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    # Optimistic concurrency: every ORM UPDATE says WHERE version = <the version read>, so of two concurrent
    # changes made from the same read exactly one matches; the other raises StaleDataError (a 409 at the API).
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    # While `qualifying`: until when the claiming process owns the run. A killed process's lease runs out and
    # the lead may be claimed again (retry), so nothing stays `qualifying` forever.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_leads_source_external_id"),)
    __mapper_args__ = {"version_id_col": version}


class ScorecardRow(Base):
    __tablename__ = "scorecards"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    tier: Mapped[str] = mapped_column(String(30))
    route: Mapped[str] = mapped_column(String(30))
    score: Mapped[float] = mapped_column(Float)
    segment: Mapped[str | None] = mapped_column(String(100), doc="The library segment matched (queue filter)")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("lead_id", "revision", name="uq_scorecards_lead_revision"),
        Index("ix_scorecards_tier_score", "tier", "score"),
    )


def segment_of(payload: dict[str, Any]) -> str | None:
    """The segment a scorecard payload matched, or None."""
    return next(
        (
            sec["match"]["entity_id"]
            for sec in payload.get("sections", [])
            if sec.get("section") == "segment" and sec.get("match")
        ),
        None,
    )
