"""Qualification workers: the leads table is the job queue (intake writes the lead as `received` in its own
transaction; a claim is the lease in api/leads/service.py), so any number of workers, threads or processes, can drain it.

Every run happens off the API's event loop: in a worker thread with its own loop (`qualify serve`'s embedded worker
and the API's hand-off after intake) or in `qualify worker` processes. A scorecard is unique per lead and revision,
and a lead is claimed by one worker at a time, so a lead is never qualified twice at once.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select

from api.leads import service
from api.leads.flows import LeadStatus
from api.leads.models import LeadRow
from api.review.escalate import Periodic, escalate_overdue
from api.runtime import Runtime

log = logging.getLogger("qualify.worker")


def lower_priority(nice: int) -> int:
    """Lower this process's CPU priority by `nice` steps (children, e.g. Dramatiq's worker processes, inherit it), so
    an API on the same machine answers first; returns the niceness now in effect. Never raises priority."""
    import os

    if not hasattr(os, "nice"):  # not a Unix
        return 0
    return os.nice(max(0, nice - os.nice(0)))


def drain_jobs(rt: Runtime) -> int:
    """Run the due jobs of the jobs table (CRM write-backs, CRM imports); returns how many finished."""
    import api.crm.sync  # noqa: F401  (registers the CRM job handlers)
    from api.jobs.service import drain as drain_due

    return drain_due(rt)


def _waiting(now: datetime, grace: timedelta = timedelta(0)) -> ColumnElement[bool]:
    return ((LeadRow.status == LeadStatus.received) & (LeadRow.updated_at <= now - grace)) | (
        (LeadRow.status == LeadStatus.qualifying) & (LeadRow.lease_until.is_(None) | (LeadRow.lease_until <= now))
    )


def claimable(rt: Runtime, now: datetime, limit: int = 50, grace: timedelta = timedelta(0)) -> list[str]:
    """Leads waiting to be qualified: `received` (for at least `grace`), or `qualifying` under an expired lease."""
    with rt.sessions() as s:
        return list(
            s.scalars(select(LeadRow.id).where(_waiting(now, grace)).order_by(LeadRow.received_at).limit(limit))
        )


def waiting(rt: Runtime, now: datetime) -> int:
    """How many leads wait to be qualified (see `claimable`)."""
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(LeadRow).where(_waiting(now))) or 0)


def qualify_and_assign_sync(rt: Runtime, lead_id: str) -> str | None:
    """Qualify one lead on this thread's own event loop, then hand its draft to an SDR."""
    from api.review.assign import assign_pending, territories_for

    made = asyncio.run(service.qualify_stored(rt.sessions, rt.deps, lead_id, rt.settings.lead_lease))
    if made is not None:  # None: another worker has the lead (it assigns it) or the run failed (nothing to assign)
        rules = territories_for(rt.settings.territory_rules_file)
        assign_pending(rt.sessions, rules, rt.deps.clock(), lead_ids=[lead_id])
    return made


def assign_left_over(rt: Runtime) -> int:
    """The periodic pass: drafts nobody could take when they were made (no SDR active then) get an SDR now."""
    from api.review.assign import assign_pending, territories_for

    return assign_pending(rt.sessions, territories_for(rt.settings.territory_rules_file), rt.deps.clock())


def escalate_due(rt: Runtime) -> int:
    """The periodic overdue check (api/review/escalate.py) with the configured targets and levels."""
    st = rt.settings
    return escalate_overdue(
        rt.sessions, rt.deps.clock(), st.speed_to_lead_minutes, st.escalate_after_minutes, st.escalate_to_role
    )


def drain(rt: Runtime, stop: threading.Event | None = None, grace: timedelta = timedelta(0)) -> int:
    """Qualify every claimable lead once; returns how many scorecards this worker wrote."""
    done = 0
    while not (stop and stop.is_set()):
        batch = claimable(rt, rt.deps.clock(), grace=grace)
        if not batch:
            break
        # Every worker reads the same oldest leads: in one order they would reach for the same lead one after another
        # (one claim won, the others lost, for every lead); shuffled, they mostly take different ones.
        random.shuffle(batch)
        progressed = False
        for lead_id in batch:
            if stop and stop.is_set():
                break
            made = qualify_and_assign_sync(rt, lead_id)  # None: another worker holds it, or it failed explicitly
            done += made is not None
            progressed = progressed or made is not None
        if not progressed:
            break  # everything left is held by other workers or failed; look again after the poll interval
    return done


def run(
    rt: Runtime,
    stop: threading.Event,
    poll_seconds: float = 1.0,
    wake: threading.Event | None = None,
    grace: timedelta = timedelta(0),
) -> None:
    """Drain, then sleep until `wake` (new work) or the poll interval; returns once `stop` is set (graceful)."""
    wake = wake or threading.Event()
    checks = Periodic(timedelta(seconds=30))
    while not stop.is_set():
        try:
            drain(rt, stop, grace)
            if checks.due(rt.deps.clock()):
                assign_left_over(rt)
                escalate_due(rt)
        except Exception:  # the worker must survive a bug or a lost connection; the lead stays claimable
            log.exception("worker pass failed")
        try:
            drain_jobs(rt)  # CRM write-backs and imports (api/jobs): due jobs, one at a time under a lease
        except Exception:
            log.exception("job pass failed")
        wake.wait(poll_seconds)
        wake.clear()


class EmbeddedWorker:
    """The worker the API runs in a thread of its own (one command, SQLite, no broker).

    Intake hands each new lead straight to a worker thread; this sweeper takes whatever that missed (a crash, a
    restart, an expired lease) once it has waited `grace`, so the two do not reach for the same fresh lead.
    """

    def __init__(self, rt: Runtime, poll_seconds: float = 1.0, grace: timedelta = timedelta(seconds=10)):
        self.rt, self.poll = rt, poll_seconds
        self.stop, self.wake = threading.Event(), threading.Event()
        self.thread = threading.Thread(
            target=run, args=(rt, self.stop, poll_seconds, self.wake, grace), name="qualify-worker", daemon=True
        )

    def start(self) -> None:
        self.thread.start()

    def notify(self) -> None:
        self.wake.set()

    def close(self, timeout: float = 30.0) -> None:
        """Finish the lead in hand, then stop (an unfinished claim's lease expires and it is retried)."""
        self.stop.set()
        self.wake.set()
        self.thread.join(timeout)
