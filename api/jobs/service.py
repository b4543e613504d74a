"""A durable job queue in the jobs table: enqueue inside the transaction that needs the work, run it after.

- `enqueue(session, …)` adds a row in the caller's transaction: the work exists exactly when the change that asked
  for it committed (nothing lost, nothing sent for a rolled-back change).
- `drain(rt)` claims due jobs one at a time with a lease (a conditional UPDATE, so two workers never hold one job;
  a killed worker's lease runs out and the job is claimed again) and runs the handler registered for its kind.
- A handler raises `RetryLater(after)` for a transient fault (a 429 with Retry-After, a 5xx, a lost connection): the
  job is due again after that long (at least the exponential backoff unless the server named the wait). A rate
  limit does not count as an attempt, so a throttled write is never given up. `JobFailed` (or MAX_ATTEMPTS transient
  failures) marks it `dead` with the reason; `retry(…)` (CLI `qualify crm retry`) queues a dead job again.
- Jobs with the same `group_key` run one at a time in id order (the write-backs of one lead to one CRM).
- Delivery is at least once: a handler that finished its remote call but died before the job was marked done runs
  again, so handlers record their progress (`Progress.save`) and make every step idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, sessionmaker
from sqlalchemy.orm.attributes import flag_modified

from api.db import transaction
from api.jobs.models import JobRow

if TYPE_CHECKING:
    from api.runtime import Runtime

log = logging.getLogger("qualify.jobs")
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 15  # transient failures (not rate limits) before a job is dead: about 8 hours of backoff
BACKOFF_BASE, BACKOFF_CAP = 15.0, 3600.0


class RetryLater(Exception):
    """A transient fault: run the job again after `after` seconds (None: the exponential backoff)."""

    def __init__(self, reason: str, after: float | None = None, *, rate_limited: bool = False):
        super().__init__(reason)
        self.after, self.rate_limited = after, rate_limited


class JobFailed(Exception):
    """A permanent fault (bad data, a record that does not exist): retrying cannot help; the job is dead."""


@dataclass
class Progress:
    """What a running job has done so far, saved to its row so a retry skips the finished steps."""

    job_id: int
    payload: dict[str, Any]
    _save: Callable[[int, dict[str, Any]], None]

    def save(self, **done: Any) -> None:
        self.payload.update(done)
        self._save(self.job_id, self.payload)


Handler = Callable[["Runtime", Progress], None]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of `kind`."""

    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def enqueue(
    s: Session,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    *,
    key: str | None = None,
    group_key: str | None = None,
) -> JobRow | None:
    """Add a job in the caller's transaction; None when a job with this key already exists."""
    if key is not None and s.scalar(select(JobRow.id).where(JobRow.key == key)) is not None:
        return None
    row = JobRow(
        kind=kind,
        key=key,
        group_key=group_key,
        payload=payload,
        status="queued",
        attempts=0,
        run_after=now,
        created_at=now,
        updated_at=now,
    )
    if key is None:
        s.add(row)
        return row
    try:
        with s.begin_nested():  # a concurrent enqueue of the same key loses here, without spoiling the caller
            s.add(row)
    except IntegrityError:
        return None
    return row


def _due(now: datetime):
    earlier = aliased(JobRow)
    blocked = exists().where(
        and_(earlier.group_key == JobRow.group_key, earlier.id < JobRow.id, earlier.status.in_(("queued", "running")))
    )
    ready = or_(
        and_(JobRow.status == "queued", JobRow.run_after <= now),
        and_(JobRow.status == "running", or_(JobRow.lease_until.is_(None), JobRow.lease_until <= now)),
    )
    return and_(ready, or_(JobRow.group_key.is_(None), ~blocked))


def claim(rt: Runtime, now: datetime, kinds: frozenset[str] | None = None) -> JobRow | None:
    """Take the oldest due job under a lease, or None when nothing is due."""
    with rt.sessions() as s:
        query = select(JobRow.id).where(_due(now)).order_by(JobRow.id).limit(20)
        if kinds is not None:
            query = query.where(JobRow.kind.in_(sorted(kinds)))
        candidates = list(s.scalars(query))
    for job_id in candidates:
        with transaction(rt.sessions) as s:
            taken = s.execute(
                update(JobRow)
                .where(JobRow.id == job_id, _due(now))
                .values(status="running", lease_until=now + LEASE, attempts=JobRow.attempts + 1, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                return s.get(JobRow, job_id)
    return None


def _save_payload(rt: Runtime, job_id: int, payload: dict[str, Any]) -> None:
    with transaction(rt.sessions) as s:
        row = s.get(JobRow, job_id)
        assert row is not None
        row.payload = dict(payload)
        flag_modified(row, "payload")


def backoff(attempts: int) -> float:
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


def _finish(
    rt: Runtime,
    job_id: int,
    status: str,
    now: datetime,
    *,
    error: str | None = None,
    run_after: datetime | None = None,
    uncount: bool = False,
) -> None:
    with transaction(rt.sessions) as s:
        row = s.get(JobRow, job_id)
        assert row is not None
        row.status, row.lease_until, row.updated_at, row.last_error = status, None, now, error
        if run_after is not None:
            row.run_after = run_after
        if uncount:
            row.attempts = max(row.attempts - 1, 0)


def run_one(rt: Runtime, job: JobRow) -> str:
    """Run a claimed job; returns the status it was left in (done, queued for a retry, dead)."""
    now = rt.deps.clock
    fn = HANDLERS.get(job.kind)
    if fn is None:
        _finish(rt, job.id, "dead", now(), error=f"no handler for job kind {job.kind!r}")
        return "dead"
    try:
        fn(rt, Progress(job.id, dict(job.payload), lambda i, p: _save_payload(rt, i, p)))
    except RetryLater as exc:
        if not exc.rate_limited and job.attempts >= MAX_ATTEMPTS:
            _finish(rt, job.id, "dead", now(), error=f"gave up after {job.attempts} attempts: {exc}"[:2000])
            return "dead"
        wait = exc.after if exc.after is not None else backoff(job.attempts)
        if not exc.rate_limited:
            wait = max(wait, backoff(job.attempts))
        _finish(
            rt,
            job.id,
            "queued",
            now(),
            error=str(exc)[:2000],
            run_after=now() + timedelta(seconds=wait),
            uncount=exc.rate_limited,
        )
        log.info("job %s (%s) retries in %.0fs: %s", job.id, job.kind, wait, exc)
        return "queued"
    except JobFailed as exc:
        _finish(rt, job.id, "dead", now(), error=str(exc)[:2000])
        log.warning("job %s (%s) failed: %s", job.id, job.kind, exc)
        return "dead"
    except Exception as exc:  # a bug must not stop the worker; the job is retried with backoff, the trace logged
        log.exception("job %s (%s) crashed", job.id, job.kind)
        status = "dead" if job.attempts >= MAX_ATTEMPTS else "queued"
        _finish(
            rt,
            job.id,
            status,
            now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
            run_after=now() + timedelta(seconds=backoff(job.attempts)),
        )
        return status
    _finish(rt, job.id, "done", now())
    return "done"


def drain(rt: Runtime, limit: int = 1000, kinds: frozenset[str] | None = None) -> int:
    """Run due jobs until none is left (or `limit`); returns how many ran to done."""
    done = 0
    for _ in range(limit):
        job = claim(rt, rt.deps.clock(), kinds)
        if job is None:
            break
        done += run_one(rt, job) == "done"
    return done


def retry(factory: sessionmaker[Session], job_id: int, now: datetime) -> bool:
    """Queue a dead (or waiting) job to run now; False when it does not exist, is running or is done."""
    with transaction(factory) as s:
        row = s.get(JobRow, job_id)
        if row is None or row.status in ("done", "running"):
            return False
        row.status, row.run_after, row.attempts, row.updated_at = "queued", now, 0, now
        return True


def jobs(s: Session, status: str | None = None, limit: int = 100) -> list[JobRow]:
    """Jobs, most recent first (optionally of one status)."""
    query = select(JobRow).order_by(JobRow.id.desc()).limit(limit)
    if status:
        query = query.where(JobRow.status == status)
    return list(s.scalars(query))
