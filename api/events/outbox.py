"""The outbox: `emit(session, type, lead_id, data)` writes an event and its deliveries in the caller's transaction.

Call it inside the transaction that makes the change, after the lead's row has been written (so the lead row is
locked and a lead's events are numbered in commit order). If the change rolls back, so does the event; if it
commits, every subscription that wants the event type has a pending delivery: nothing is lost, and delivery is
at-least-once, with the event id for the receiver to drop duplicates.

The envelope every consumer receives (webhooks as the JSON body; internal consumers as a dict):

    {"id": "<event id, unique: dedupe on it>", "type": "lead.sdr_confirmed",
     "occurred_at": "2026-12-06T20:00:00Z", "lead_id": "<lead id>",
     "sequence": <1, 2, 3 … per lead, in the order the changes were made>, "data": {…}}

Internal consumers (e.g. a CRM write-back) get the same durable, ordered, retried delivery without HTTP: register a
handler with `register_consumer(name, handler)` in the process that delivers, and create the subscription once with
`ensure_consumer(session, name, events, now)`. A handler that raises is retried with the same backoff.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.events.models import DeliveryRow, EventRow, SubscriptionRow

EventType = Literal[
    "scorecard.drafted",
    "lead.disqualified",
    "lead.sdr_confirmed",
    "lead.ae_accepted",
    "lead.recycled",
    "lead.pushed_back",
    "lead.escalated",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)

Handler = Callable[[dict[str, Any]], None]
CONSUMERS: dict[str, Handler] = {}
_wakers: list[threading.Event] = []  # delivery workers in this process, woken when an event commits


def register_consumer(name: str, handler: Handler) -> None:
    """Deliver this process's pending events of subscription `name` to `handler(envelope)`."""
    CONSUMERS[name] = handler


def ensure_consumer(s: Session, name: str, events: Iterable[str], now: datetime) -> SubscriptionRow:
    """The internal subscription called `name`, created or updated to want `events`."""
    wanted = _checked(events)
    row = s.scalar(select(SubscriptionRow).where(SubscriptionRow.consumer == name))
    if row is None:
        row = SubscriptionRow(
            id=uuid.uuid4().hex,
            kind="internal",
            consumer=name,
            url=None,
            secret=None,
            events=wanted,
            active=True,
            healthy=True,
            consecutive_failures=0,
            created_at=now,
        )
        s.add(row)
    else:
        row.events = wanted
    return row


def _checked(events: Iterable[str]) -> list[str]:
    wanted = sorted(set(events))
    if unknown := [e for e in wanted if e not in EVENT_TYPES]:
        raise ValueError(f"unknown event type(s) {unknown}; known: {', '.join(EVENT_TYPES)}")
    return wanted


def add_waker(wake: threading.Event) -> None:
    _wakers.append(wake)


def remove_waker(wake: threading.Event) -> None:
    if wake in _wakers:
        _wakers.remove(wake)


def wake_all() -> None:
    """Tell this process's delivery workers to look for due deliveries now."""
    for w in list(_wakers):
        w.set()


def _wake_after_commit(s: Session) -> None:
    if not s.info.get("events_wake"):
        s.info["events_wake"] = True

        def _on_commit(session: Session) -> None:
            session.info.pop("events_wake", None)
            wake_all()

        sa_event.listen(s, "after_commit", _on_commit, once=True)


def emit(s: Session, type: str, lead_id: str, data: dict[str, Any], now: datetime | None = None) -> EventRow:
    """Record one event and a pending delivery for each active subscription that wants it (same transaction).

    `now` is the state change's own clock reading (pass it, so the event and the change agree); default: UTC now.
    """
    now = now or datetime.now(UTC)
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    s.flush()  # the caller's lead UPDATE goes first: it holds the lead row while the event is numbered
    sequence = (s.scalar(select(func.max(EventRow.sequence)).where(EventRow.lead_id == lead_id)) or 0) + 1
    row = EventRow(id=uuid.uuid4().hex, type=type, lead_id=lead_id, sequence=sequence, occurred_at=now, data=data)
    s.add(row)
    s.flush()  # assigns seq
    subs = s.scalars(select(SubscriptionRow).where(SubscriptionRow.active.is_(True))).all()
    for sub in subs:
        if type in sub.events:
            s.add(
                DeliveryRow(
                    id=uuid.uuid4().hex,
                    event_id=row.id,
                    event_seq=row.seq,
                    lead_id=lead_id,
                    subscription_id=sub.id,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    _wake_after_commit(s)
    return row


def envelope(row: EventRow) -> dict[str, Any]:
    """The documented event envelope (see the module docstring)."""
    return {
        "id": row.id,
        "type": row.type,
        "occurred_at": row.occurred_at.isoformat().replace("+00:00", "Z"),
        "lead_id": row.lead_id,
        "sequence": row.sequence,
        "data": row.data,
    }


def scorecard_data(scorecard_id: str, card: dict[str, Any], status: str, cause: str) -> dict[str, Any]:
    """The `data` of scorecard.drafted / lead.disqualified: what a CRM or a router needs without another call."""
    return {
        "scorecard_id": scorecard_id,
        "revision": card["revision"],
        "tier": card["tier"],
        "route": card["route"],
        "score": card["score"],
        "probability": card.get("probability"),
        "status": status,
        "cause": cause,
        "unknowns": card.get("unknowns", []),
        "disqualifications": [
            {"rule_id": d["rule_id"], "reason": d["reason"]} for d in card.get("disqualifications", [])
        ],
        "library_snapshot": (card.get("provenance") or {}).get("library_snapshot"),
    }
