"""Tables for review: who a lead is assigned to, the decisions taken and the per-question answer edits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UTCDateTime


class AssignmentRow(Base):
    __tablename__ = "assignments"

    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True)
    sdr_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), index=True)
    sdr_rule: Mapped[str | None] = mapped_column(String(40), doc="account_owner | territory:<team> | round_robin")
    sdr_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ae_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), index=True)
    ae_rule: Mapped[str | None] = mapped_column(String(40))
    ae_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DecisionRow(Base):
    __tablename__ = "review_decisions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    scorecard_id: Mapped[str | None] = mapped_column(ForeignKey("scorecards.id"))
    revision: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    record: Mapped[dict[str, Any] | None] = mapped_column(JSON, doc="The SQL record of a confirm")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AnswerReviewRow(Base):
    """A reviewer's override of one AI answer: labeled data for evals."""

    __tablename__ = "answer_reviews"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    scorecard_id: Mapped[str] = mapped_column(ForeignKey("scorecards.id"))
    revision: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(String(100))
    ai_answer: Mapped[str] = mapped_column(String(10))
    ai_confidence: Mapped[float] = mapped_column(Float)
    ai_evidence: Mapped[list[str]] = mapped_column(JSON)
    human_answer: Mapped[str] = mapped_column(String(10))
    evidence: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text)
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    reviewer: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EscalationRow(Base):
    """An overdue notice: the lead waited `level_minutes` on the stage's clock and the managers were told (once)."""

    __tablename__ = "escalations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(10), doc="sdr (review) | ae (accept the SQL)")
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    level_minutes: Mapped[float] = mapped_column(Float)
    clock_started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    notified_role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("lead_id", "stage", "level_minutes", "clock_started_at", name="uq_escalations_once"),
    )
