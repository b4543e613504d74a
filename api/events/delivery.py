"""Delivering events: claim a due delivery under a lease, send it (signed POST or internal handler), record the outcome.

Order per lead: a delivery is due only when no earlier event of the same lead is still pending for the same
subscription, so a receiver sees a lead's events in the order they happened (a delivery that gave up stops blocking;
replaying it sends it again, out of order, with its original sequence number). Subscriptions never wait on each other:
each has its own backoff, sends run on a thread pool with a cap per subscription, and a receiver that keeps failing
is marked unhealthy and retried on its backoff while the others carry on.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from agent import __version__
from api.db import transaction
from api.events import outbox
from api.events.models import DeliveryRow, EventRow, SubscriptionRow
from api.events.signing import EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature

log = logging.getLogger("qualify.events")


@dataclass(frozen=True)
class DeliveryPolicy:
    timeout: float = 10.0  # seconds per request
    max_attempts: int = 12  # then the delivery is `failed` (replay it from the admin API)
    base_backoff: float = 2.0  # seconds before the 2nd attempt; doubles each time, ±20 % jitter
    max_backoff: float = 3600.0
    unhealthy_after: int = 5  # consecutive failures that mark a subscription unhealthy
    threads: int = 8
    per_subscription: int = 2  # sends in flight per subscription

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.timeout * 3 + 5)

    def backoff(self, attempts: int) -> float:
        delay = min(self.max_backoff, self.base_backoff * 2 ** max(0, attempts - 1))
        return delay * random.uniform(0.8, 1.2)


def due(s: Session, now: datetime, limit: int = 100) -> list[DeliveryRow]:
    """Pending deliveries whose time has come, not leased, and first in line for their lead and subscription."""
    earlier = aliased(DeliveryRow)
    blocked = exists().where(
        and_(
            earlier.subscription_id == DeliveryRow.subscription_id,
            earlier.lead_id == DeliveryRow.lead_id,
            earlier.event_seq < DeliveryRow.event_seq,
            earlier.status == "pending",
        )
    )
    free = DeliveryRow.lease_until.is_(None) | (DeliveryRow.lease_until <= now)
    return list(
        s.scalars(
            select(DeliveryRow)
            .where(DeliveryRow.status == "pending", DeliveryRow.next_attempt_at <= now, free, ~blocked)
            .order_by(DeliveryRow.event_seq)
            .limit(limit)
        )
    )


def claim(factory: sessionmaker[Session], delivery_id: str, now: datetime, lease: timedelta) -> bool:
    """Take a delivery for one attempt; exactly one of several workers gets it (the UPDATE is conditional)."""
    with transaction(factory) as s:
        free = DeliveryRow.lease_until.is_(None) | (DeliveryRow.lease_until <= now)
        done = s.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id, DeliveryRow.status == "pending", free)
            .values(lease_until=now + lease, attempts=DeliveryRow.attempts + 1, last_attempt_at=now)
        )
        return done.rowcount == 1  # type: ignore[attr-defined]


def body_of(row: EventRow) -> bytes:
    return json.dumps(outbox.envelope(row), separators=(",", ":"), sort_keys=True).encode()


def send(client: httpx.Client, sub: SubscriptionRow, event: EventRow, attempt: int) -> tuple[int | None, str | None]:
    """One attempt; returns (HTTP status or None, error text or None). 2xx is success; redirects are not followed."""
    if sub.kind == "internal":
        handler = outbox.CONSUMERS.get(sub.consumer or "")
        if handler is None:
            return None, f"no consumer {sub.consumer!r} is registered in this process"
        try:
            handler(outbox.envelope(event))
        except Exception as exc:  # the consumer's failure is recorded and retried, never lost
            return None, f"{type(exc).__name__}: {exc}"[:2000]
        return 200, None
    body, ts = body_of(event), int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"Qualify-Webhooks/{__version__}",
        TIMESTAMP_HEADER: str(ts),
        SIGNATURE_HEADER: signature(sub.secret or "", ts, body),
        EVENT_ID_HEADER: event.id,
        EVENT_TYPE_HEADER: event.type,
        "Qualify-Delivery-Attempt": str(attempt),
    }
    try:
        r = client.post(sub.url or "", content=body, headers=headers)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:2000]
    if 200 <= r.status_code < 300:
        return r.status_code, None
    return r.status_code, f"HTTP {r.status_code}: {r.text[:500]}"


def record(
    factory: sessionmaker[Session],
    delivery_id: str,
    status: int | None,
    error: str | None,
    now: datetime,
    policy: DeliveryPolicy,
) -> None:
    """Write an attempt's outcome and the subscription's health (one transaction)."""
    with transaction(factory) as s:
        d = s.get(DeliveryRow, delivery_id)
        if d is None:
            return  # the subscription was deleted meanwhile
        sub = s.get(SubscriptionRow, d.subscription_id)
        d.last_status, d.last_error, d.lease_until = status, error, None
        if error is None:
            d.status, d.delivered_at = "delivered", now
            if sub is not None:
                sub.consecutive_failures, sub.healthy, sub.unhealthy_since = 0, True, None
            return
        if d.attempts >= policy.max_attempts:
            d.status = "failed"
        else:
            d.next_attempt_at = now + timedelta(seconds=policy.backoff(d.attempts))
        if sub is not None:
            sub.consecutive_failures += 1
            if sub.healthy and sub.consecutive_failures >= policy.unhealthy_after:
                sub.healthy, sub.unhealthy_since = False, now
                log.warning("subscription %s marked unhealthy after %d failures", sub.id, sub.consecutive_failures)


class Deliverer:
    """Sends due deliveries on a thread pool; `run` loops until stopped, `drain` sends what is due now and returns."""

    def __init__(self, factory: sessionmaker[Session], clock, policy: DeliveryPolicy | None = None):
        self.factory, self.clock, self.policy = factory, clock, policy or DeliveryPolicy()
        self.pool = ThreadPoolExecutor(self.policy.threads, thread_name_prefix="qualify-webhook")
        self.client = httpx.Client(timeout=self.policy.timeout, follow_redirects=False, trust_env=False)
        self.inflight: dict[str, str] = {}  # delivery id → subscription id
        self.lock = threading.Lock()
        self.idle = threading.Event()  # set when a send finishes, to look for the next one at once

    def _one(self, d_id: str, sub: SubscriptionRow, event: EventRow, attempt: int) -> None:
        try:
            status, error = send(self.client, sub, event, attempt)
            record(self.factory, d_id, status, error, self.clock(), self.policy)
        except Exception:  # a lost database connection: the lease runs out and the delivery is tried again
            log.exception("delivery %s could not be recorded", d_id)
        finally:
            with self.lock:
                self.inflight.pop(d_id, None)
            self.idle.set()

    def pass_once(self) -> int:
        """Start every delivery that is due and fits the caps; returns how many were started."""
        now, started = self.clock(), 0
        with self.factory() as s:
            rows = due(s, now, limit=self.policy.threads * 8)
            subs = (
                {
                    x.id: x
                    for x in s.scalars(
                        select(SubscriptionRow).where(SubscriptionRow.id.in_({r.subscription_id for r in rows}))
                    )
                }
                if rows
                else {}
            )
            events = (
                {e.id: e for e in s.scalars(select(EventRow).where(EventRow.id.in_({r.event_id for r in rows})))}
                if rows
                else {}
            )
        for d in rows:
            sub = subs.get(d.subscription_id)
            if sub is None or not sub.active or (sub.kind == "internal" and sub.consumer not in outbox.CONSUMERS):
                continue  # paused, or an internal consumer this process does not run
            with self.lock:
                if d.id in self.inflight or len(self.inflight) >= self.policy.threads:
                    continue
                if Counter(self.inflight.values())[sub.id] >= self.policy.per_subscription:
                    continue
                if not claim(self.factory, d.id, now, self.policy.lease):
                    continue
                self.inflight[d.id] = sub.id
            self.pool.submit(self._one, d.id, sub, events[d.event_id], d.attempts + 1)
            started += 1
        return started

    def drain(self, timeout: float = 60.0) -> None:
        """Send until nothing is in flight and no retry falls due within `timeout` (tests, `qualify worker --once`)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            started = self.pass_once()
            with self.lock:
                busy = bool(self.inflight)
            if not started and not busy and not self._retry_due_before(end - time.monotonic()):
                return
            self.idle.wait(0.05)
            self.idle.clear()

    def _retry_due_before(self, seconds: float) -> bool:
        with self.factory() as s:
            soonest = s.scalar(
                select(func.min(DeliveryRow.next_attempt_at))
                .join(SubscriptionRow, SubscriptionRow.id == DeliveryRow.subscription_id)
                .where(
                    DeliveryRow.status == "pending",
                    SubscriptionRow.active.is_(True),
                    (SubscriptionRow.kind == "webhook") | SubscriptionRow.consumer.in_(list(outbox.CONSUMERS)),
                )
            )
        return soonest is not None and soonest <= self.clock() + timedelta(seconds=max(0.0, seconds))

    def run(self, stop: threading.Event, poll: float, wake: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.pass_once()
            except Exception:
                log.exception("delivery pass failed")
            # new events (wake), a finished send (idle) or the poll interval
            for _ in range(int(max(1, poll / 0.05))):
                if stop.is_set() or wake.is_set() or self.idle.is_set():
                    break
                time.sleep(0.05)
            wake.clear()
            self.idle.clear()

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.client.close()


class DeliveryWorker:
    """The thread that delivers events in the API process or `qualify worker` (woken by commits in this process)."""

    def __init__(
        self, factory: sessionmaker[Session], clock, policy: DeliveryPolicy | None = None, poll_seconds: float = 1.0
    ):
        self.deliverer = Deliverer(factory, clock, policy)
        self.stop, self.wake = threading.Event(), threading.Event()
        self.thread = threading.Thread(
            target=self.deliverer.run, args=(self.stop, poll_seconds, self.wake), name="qualify-events", daemon=True
        )

    def start(self) -> None:
        outbox.add_waker(self.wake)
        self.thread.start()

    def close(self, timeout: float = 30.0) -> None:
        outbox.remove_waker(self.wake)
        self.stop.set()
        self.thread.join(timeout)
        self.deliverer.close()
