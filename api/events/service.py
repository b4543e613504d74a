"""Webhook subscriptions (admin): create with a secret shown once, change, delete, list deliveries, replay."""

from __future__ import annotations

import ipaddress
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.errors import NotFound, Unprocessable
from api.events.models import DeliveryRow, EventRow, SubscriptionRow
from api.events.signing import new_secret

DELIVERY_STATES = ("pending", "delivered", "failed")


def check_url(url: str, allowed_hosts: list[str]) -> str:
    """An http(s) URL with a host and no credentials; with `allowed_hosts` set, its host must be one of them
    (an entry `.example.com` allows its subdomains). 422 naming `url` otherwise."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — raises ValueError on a bad port
    except ValueError as exc:
        raise Unprocessable(f"the URL is not valid: {exc}", field="url") from exc
    if parts.scheme not in ("http", "https"):
        raise Unprocessable("the URL must start with http:// or https://", field="url")
    host = (parts.hostname or "").lower()
    if not host:
        raise Unprocessable("the URL has no host", field="url")
    if parts.username or parts.password:
        raise Unprocessable("the URL must not carry a user name or password", field="url")
    if parts.fragment:
        raise Unprocessable("the URL must not have a #fragment", field="url")
    if allowed_hosts and not any(
        host == h.lower() or (h.startswith(".") and host.endswith(h.lower())) for h in allowed_hosts
    ):
        raise Unprocessable(f"host {host!r} is not in QUALIFY_WEBHOOK_ALLOWED_HOSTS", field="url")
    return url


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def view(sub: SubscriptionRow, counts: dict[str, int] | None = None) -> dict[str, Any]:
    return {
        "id": sub.id,
        "kind": sub.kind,
        "url": sub.url,
        "consumer": sub.consumer,
        "events": sub.events,
        "description": sub.description,
        "active": sub.active,
        "healthy": sub.healthy,
        "consecutive_failures": sub.consecutive_failures,
        "unhealthy_since": sub.unhealthy_since,
        "created_at": sub.created_at,
        "created_by": sub.created_by,
        **({"deliveries": counts} if counts is not None else {}),
    }


def create(
    s: Session,
    url: str,
    events: list[str],
    now: datetime,
    *,
    description: str | None,
    who: str | None,
    allowed_hosts: list[str],
) -> tuple[SubscriptionRow, str]:
    """A new webhook subscription and its signing secret (the only time the secret is returned)."""
    secret = new_secret()
    row = SubscriptionRow(
        id=uuid.uuid4().hex,
        kind="webhook",
        url=check_url(url, allowed_hosts),
        consumer=None,
        events=sorted(set(events)),
        secret=secret,
        description=description,
        active=True,
        healthy=True,
        consecutive_failures=0,
        created_at=now,
        created_by=who,
    )
    s.add(row)
    return row, secret


def get(s: Session, sub_id: str) -> SubscriptionRow:
    row = s.get(SubscriptionRow, sub_id)
    if row is None:
        raise NotFound("subscription", sub_id)
    return row


def counts(s: Session, sub_id: str) -> dict[str, int]:
    found = dict(
        s.execute(
            select(DeliveryRow.status, func.count())
            .where(DeliveryRow.subscription_id == sub_id)
            .group_by(DeliveryRow.status)
        ).all()
    )
    return {state: int(found.get(state, 0)) for state in DELIVERY_STATES}


def listing(s: Session) -> list[dict[str, Any]]:
    return [view(r, counts(s, r.id)) for r in s.scalars(select(SubscriptionRow).order_by(SubscriptionRow.created_at))]


def rotate(s: Session, sub_id: str) -> str:
    row = get(s, sub_id)
    if row.kind != "webhook":
        raise Unprocessable("internal consumers have no secret", field="id")
    row.secret = new_secret()
    return row.secret


def deliveries(s: Session, sub_id: str, status: str | None, lead_id: str | None, limit: int) -> list[dict[str, Any]]:
    get(s, sub_id)
    q = (
        select(DeliveryRow, EventRow)
        .join(EventRow, EventRow.id == DeliveryRow.event_id)
        .where(DeliveryRow.subscription_id == sub_id)
    )
    if status:
        q = q.where(DeliveryRow.status == status)
    if lead_id:
        q = q.where(DeliveryRow.lead_id == lead_id)
    rows = s.execute(q.order_by(DeliveryRow.event_seq.desc()).limit(limit)).all()
    return [
        {
            "id": d.id,
            "event_id": e.id,
            "event_type": e.type,
            "lead_id": e.lead_id,
            "sequence": e.sequence,
            "status": d.status,
            "attempts": d.attempts,
            "last_status": d.last_status,
            "last_error": d.last_error,
            "last_attempt_at": d.last_attempt_at,
            "next_attempt_at": d.next_attempt_at if d.status == "pending" else None,
            "delivered_at": d.delivered_at,
            "created_at": d.created_at,
        }
        for d, e in rows
    ]


def replay(
    s: Session,
    sub_id: str,
    now: datetime,
    *,
    delivery_ids: list[str] | None = None,
    status: str | None = None,
    since: datetime | None = None,
) -> int:
    """Queue deliveries again (the chosen ids, or all in `status` since a time); the receiver dedupes on the event id."""
    get(s, sub_id)
    q = select(DeliveryRow).where(DeliveryRow.subscription_id == sub_id, DeliveryRow.status != "pending")
    if delivery_ids:
        q = q.where(DeliveryRow.id.in_(delivery_ids))
    if status:
        q = q.where(DeliveryRow.status == status)
    if since:
        q = q.where(DeliveryRow.created_at >= since)
    rows = list(s.scalars(q))
    if delivery_ids and (missing := set(delivery_ids) - {r.id for r in rows}):
        pending = set(s.scalars(select(DeliveryRow.id).where(DeliveryRow.id.in_(missing))))
        if missing - pending:
            raise Unprocessable(
                f"no such delivery for this subscription: {sorted(missing - pending)[0]}", field="delivery_ids"
            )
    for d in rows:
        d.status, d.next_attempt_at, d.lease_until, d.attempts = "pending", now, None, 0
    return len(rows)
