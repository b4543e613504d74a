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
SWEEP_QUEUE = "qualify-sweep"  # its own queue, so a sweep is not stuck behind a backlog of leads (nor piled up in it)
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
_recovery: list[RedisBroker] = []
EVERY_COMMAND = 1_000_000  # RedisBroker's maintenance_chance is "how many commands out of a million" run maintenance


def _recovering() -> RedisBroker:
    """A client of the same Redis that runs Dramatiq's maintenance on every command it sends (see `queued`)."""
    with _lock:
        if not _recovery:
            _recovery.append(
                RedisBroker(
                    url=get_settings().queue_url,
                    maintenance_chance=EVERY_COMMAND,
                    heartbeat_timeout=broker.heartbeat_timeout,  # type: ignore[attr-defined]
                    middleware=[],
                )
            )
        return _recovery[0]


@dramatiq.actor(queue_name=QUEUE, max_retries=3, min_backoff=1_000, time_limit=15 * 60 * 1000)
def qualify_lead(lead_id: str) -> None:
    """Qualify one lead (a no-op when it is already done or another worker holds it)."""
    from api.leads.worker import qualify_and_assign_sync

    qualify_and_assign_sync(_rt(), lead_id)


def queued(queue: str) -> int:
    """Messages on `queue` not yet acknowledged (waiting or being worked on), after putting back on it those a dead
    worker process had fetched.

    A worker process fetches messages ahead of its threads; when it is killed they stay fetched (and counted here) until
    Dramatiq's maintenance puts them back, which the broker runs on a random 0.1 % of its commands once the process has
    missed its heartbeat for 60 s. On a queue that is quiet or nearly drained that took minutes: after three kills in
    benchmarks/chaos.py, 42 leads waited 11 minutes while the sweep, counting their messages as queued, sent nothing.
    Asking through a client that runs the maintenance on every command puts them back on the sweep's next tick.
    """
    recovering = _recovering()
    recovering.do_qsize(f"{queue}.DQ")  # the delayed (retry) messages a dead process held
    return int(recovering.do_qsize(queue))  # RedisBroker's dispatch (`join` uses it)


def sweep_due() -> bool:
    """Whether the periodic tick should send a sweep: not while one is still waiting or running."""
    return queued(SWEEP_QUEUE) == 0


@dramatiq.actor(queue_name=SWEEP_QUEUE, max_retries=0)
def sweep() -> None:
    """Send the leads waiting longer than the grace again when their messages may be lost; every 30 s per process
    also give left-over drafts an SDR and escalate overdue leads (as `qualify worker` does).

    A lead also waits long when the queue simply has a backlog: as long as the queue holds at least one message per
    waiting lead nothing is sent (a backlog of 10,000 leads would otherwise be sent again on every sweep, and the
    duplicates would crowd out the work). A message lost after its lead's commit, or dropped with a killed worker,
    makes the queue shorter than the waiting leads, at the latest once the backlog has drained.
    """
    from api.leads.worker import assign_left_over, claimable, drain_jobs, escalate_due, waiting

    rt = _rt()
    now = rt.deps.clock()
    if queued(QUEUE) < waiting(rt, now):
        for lead_id in claimable(rt, now, limit=1000, grace=SWEEP_GRACE):
            qualify_lead.send(lead_id)
    drain_jobs(rt)  # CRM write-backs and imports: the jobs table's own claim and lease decide who runs each
    if _checks.due(rt.deps.clock()):
        assign_left_over(rt)
        escalate_due(rt)
