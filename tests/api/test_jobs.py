"""The jobs table as a queue: enqueue in the caller's transaction, leases, per-group order, backoff, dead and retry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from api.db import make_engine, session_factory, transaction, upgrade
from api.jobs import service as jobs
from api.jobs.models import JobRow
from tests.api.conftest import BACKENDS, make_settings

T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
CALLS: list[tuple[str, int]] = []
SCRIPT: dict[int, list[Exception | None]] = {}


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@jobs.handler("test.step")
def _step(rt: object, progress: jobs.Progress) -> None:
    n = progress.payload["n"]
    CALLS.append(("run", n))
    outcome = SCRIPT.get(n, []).pop(0) if SCRIPT.get(n) else None
    if outcome is not None:
        raise outcome


@pytest.fixture(params=BACKENDS)
def rt(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SimpleNamespace]:
    settings = make_settings(tmp_path, request.param)
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    CALLS.clear()
    SCRIPT.clear()
    yield SimpleNamespace(sessions=session_factory(engine), deps=SimpleNamespace(clock=Clock()), settings=settings)
    engine.dispose()


def _add(rt: SimpleNamespace, n: int, **kw: object) -> JobRow | None:
    with transaction(rt.sessions) as s:
        return jobs.enqueue(s, "test.step", {"n": n}, rt.deps.clock(), **kw)  # type: ignore[arg-type]


def _row(rt: SimpleNamespace, job_id: int) -> JobRow:
    with rt.sessions() as s:
        return s.get(JobRow, job_id)  # type: ignore[return-value]


def test_a_key_makes_one_job_and_a_rolled_back_transaction_makes_none(rt: SimpleNamespace) -> None:
    assert _add(rt, 1, key="event:1") is not None
    assert _add(rt, 1, key="event:1") is None
    with pytest.raises(RuntimeError), transaction(rt.sessions) as s:
        jobs.enqueue(s, "test.step", {"n": 2}, rt.deps.clock())
        raise RuntimeError("the decision failed")
    assert jobs.drain(rt) == 1 and CALLS == [("run", 1)]  # type: ignore[arg-type]


def test_a_transient_fault_backs_off_then_dies_and_can_be_retried(rt: SimpleNamespace) -> None:
    job = _add(rt, 1)
    assert job is not None
    SCRIPT[1] = [jobs.RetryLater("502")] * jobs.MAX_ATTEMPTS
    waits = []
    for _ in range(jobs.MAX_ATTEMPTS):
        assert jobs.drain(rt) == 0  # type: ignore[arg-type]
        row = _row(rt, job.id)
        if row.status == "dead":
            break
        waits.append((row.run_after - rt.deps.clock.now).total_seconds())
        assert jobs.drain(rt) == 0 and len(CALLS) == len(waits), "not due again before its backoff"  # type: ignore[arg-type]
        rt.deps.clock.now = row.run_after
    assert waits[:3] == [15, 30, 60] and max(waits) == jobs.BACKOFF_CAP
    assert _row(rt, job.id).status == "dead" and "gave up after" in (_row(rt, job.id).last_error or "")
    assert jobs.retry(rt.sessions, job.id, rt.deps.clock())
    assert jobs.drain(rt) == 1 and _row(rt, job.id).status == "done"  # type: ignore[arg-type]


def test_rate_limits_wait_the_named_time_and_are_not_attempts(rt: SimpleNamespace) -> None:
    job = _add(rt, 1)
    assert job is not None
    SCRIPT[1] = [jobs.RetryLater("429", 2.0, rate_limited=True)] * (jobs.MAX_ATTEMPTS + 5)
    for _ in range(jobs.MAX_ATTEMPTS + 5):
        jobs.drain(rt)  # type: ignore[arg-type]
        row = _row(rt, job.id)
        assert row.status == "queued" and row.attempts == 0
        assert row.run_after == rt.deps.clock.now + timedelta(seconds=2)
        rt.deps.clock.now = row.run_after
    assert jobs.drain(rt) == 1  # type: ignore[arg-type]


def test_jobs_of_one_group_run_in_order(rt: SimpleNamespace) -> None:
    first, second, other = (
        _add(rt, 1, group_key="lead:a"),
        _add(rt, 2, group_key="lead:a"),
        _add(rt, 3, group_key="lead:b"),
    )
    assert first and second and other
    SCRIPT[1] = [jobs.RetryLater("502")]
    jobs.drain(rt)  # type: ignore[arg-type]
    assert CALLS == [("run", 1), ("run", 3)], "the second of lead a waits behind the first"
    rt.deps.clock.now += timedelta(seconds=16)
    jobs.drain(rt)  # type: ignore[arg-type]
    assert CALLS[2:] == [("run", 1), ("run", 2)]


def test_a_held_lease_is_not_taken_and_an_expired_one_is(rt: SimpleNamespace) -> None:
    job = _add(rt, 1)
    assert job is not None
    held = jobs.claim(rt, rt.deps.clock())  # type: ignore[arg-type]
    assert held is not None and held.id == job.id
    assert jobs.claim(rt, rt.deps.clock()) is None  # type: ignore[arg-type]
    rt.deps.clock.now += jobs.LEASE + timedelta(seconds=1)  # the holder died
    again = jobs.claim(rt, rt.deps.clock())  # type: ignore[arg-type]
    assert again is not None and again.id == job.id and again.attempts == 2


def test_a_permanent_fault_is_dead_at_once_with_its_reason(rt: SimpleNamespace) -> None:
    job = _add(rt, 1)
    assert job is not None
    SCRIPT[1] = [jobs.JobFailed("record 42: property Status: bad value")]
    jobs.drain(rt)  # type: ignore[arg-type]
    row = _row(rt, job.id)
    assert row.status == "dead" and row.attempts == 1 and "property Status" in (row.last_error or "")
