"""Tables of the event outbox: events (written in the state change's transaction), subscriptions, deliveries.

A delivery row is the durable job of sending one event to one subscription: it is claimed under a lease, like a
lead (api/leads/service.py), so a process that dies mid-send leaves it to be sent again once the lease runs out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UTCDateTime


class EventRow(Base):
    """One thing that happened to a lead. `seq` orders all events; `sequence` numbers a lead's own events 1, 2, 3 …"""

    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(50), index=True)
    lead_id: Mapped[str] = mapped_column(String(64), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("lead_id", "sequence", name="uq_events_lead_sequence"),)


class SubscriptionRow(Base):
    """A webhook URL (kind `webhook`) or an in-process consumer (kind `internal`) and the event types it wants."""

    __tablename__ = "event_subscriptions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str | None] = mapped_column(String(2000))
    consumer: Mapped[str | None] = mapped_column(String(100), unique=True)
    events: Mapped[list[str]] = mapped_column(JSON)
    secret: Mapped[str | None] = mapped_column(String(200))  # signs deliveries; returned once, at creation
    description: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    healthy: Mapped[bool] = mapped_column(Boolean, default=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    unhealthy_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(String(255))


class DeliveryRow(Base):
    """Sending one event to one subscription: attempts, the last outcome, and when to try next."""

    __tablename__ = "event_deliveries"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    event_seq: Mapped[int] = mapped_column(Integer)
    lead_id: Mapped[str] = mapped_column(String(64))
    subscription_id: Mapped[str] = mapped_column(ForeignKey("event_subscriptions.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("event_id", "subscription_id", name="uq_event_deliveries_event_subscription"),
        Index("ix_event_deliveries_due", "status", "next_attempt_at"),
        Index("ix_event_deliveries_order", "subscription_id", "lead_id", "event_seq"),
    )
