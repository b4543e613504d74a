"""Scale-out on Dramatiq with Redis (QUALIFY_QUEUE_URL=redis://host:port/db): intake sends one message per lead and
`qualify worker --engine dramatiq --processes N` runs Dramatiq worker processes that qualify them.

The leads table stays the source of truth: a message only says "look at this lead"; the claim and lease in
api/leads/service.py decide who runs it, so a message delivered twice (Redis redelivers after a worker dies) or a lead
also swept by another worker is still qualified once. A message lost between the intake commit and the send is picked
up by the sweep actor, which the worker command schedules every `QUALIFY_WORKER_POLL_SECONDS` on the same broker.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from api.review.escalate import Periodic
from api.runtime import Runtime, build_runtime
from api.settings import get_settings

QUEUE = "qualify"
SWEEP_GRACE = timedelta(seconds=30)  # a lead sent at intake gets this long before the sweep sends it again
_runtime: list[Runtime] = []
_checks = Periodic(timedelta(seconds=30))
_lock = threading.Lock()


def use_runtime(rt: Runtime) -> None:
    """The runtime the actors use in this process (tests; otherwise built from the environment on first use)."""
    _runtime[:] = [rt]


def _rt() -> Runtime:
    with _lock:
        if not _runtime:
            _runtime.append(build_runtime(get_settings()))
        return _runtime[0]


def _broker() -> dramatiq.Broker:
    url = get_settings().queue_url
    if not url:
        raise RuntimeError("QUALIFY_QUEUE_URL is not set; the Dramatiq engine needs a redis:// URL")
    broker = RedisBroker(url=url)
    dramatiq.set_broker(broker)
    return broker


broker = _broker()


@dramatiq.actor(queue_name=QUEUE, max_retries=3, min_backoff=1_000, time_limit=15 * 60 * 1000)
def qualify_lead(lead_id: str) -> None:
    """Qualify one lead (a no-op when it is already done or another worker holds it)."""
    from api.leads.worker import qualify_and_assign_sync

    qualify_and_assign_sync(_rt(), lead_id)


@dramatiq.actor(queue_name=QUEUE, max_retries=0)
def sweep() -> None:
    """Send a message for every lead waiting longer than the grace (lost sends, expired leases); every 30 s per
    process also give left-over drafts an SDR and escalate overdue leads (as `qualify worker` does)."""
    from api.leads.worker import assign_left_over, claimable, drain_jobs, escalate_due

    rt = _rt()
    for lead_id in claimable(rt, rt.deps.clock(), limit=1000, grace=SWEEP_GRACE):
        qualify_lead.send(lead_id)
    drain_jobs(rt)  # CRM write-backs and imports: the jobs table's own claim and lease decide who runs each
    if _checks.due(rt.deps.clock()):
        assign_left_over(rt)
        escalate_due(rt)
