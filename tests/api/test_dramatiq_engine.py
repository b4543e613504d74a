"""Scale-out on Dramatiq + Redis: intake sends each lead to the broker, Dramatiq workers qualify each exactly once,
and a duplicated message or a swept lead changes nothing. Runs when QUALIFY_TEST_REDIS_URL names a Redis database
(CI: redis://127.0.0.1:6379/12); skipped otherwise, like the PostgreSQL tests."""

from __future__ import annotations

import importlib
import os
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from api.leads.models import LeadRow, ScorecardRow
from api.main import create_app
from api.runtime import Runtime, build_runtime
from api.settings import get_settings
from tests.api.conftest import add_user, make_settings

REDIS = os.environ.get("QUALIFY_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS, reason="QUALIFY_TEST_REDIS_URL is not set")


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModuleType, Runtime]]:
    mp = pytest.MonkeyPatch()
    mp.setenv("QUALIFY_QUEUE_URL", REDIS or "")
    get_settings.cache_clear()
    module = importlib.import_module("api.leads.engine")
    rt = build_runtime(make_settings(tmp_path_factory.mktemp("dramatiq"), "sqlite", queue_url=REDIS))
    module.use_runtime(rt)
    module.broker.flush(module.QUEUE)
    module.broker.flush(module.SWEEP_QUEUE)
    yield module, rt
    module.broker.flush(module.QUEUE)
    module.broker.flush(module.SWEEP_QUEUE)
    rt.engine.dispose()
    mp.undo()
    get_settings.cache_clear()


def lead() -> dict[str, object]:
    tag = uuid.uuid4().hex[:8]
    return {
        "person": {"name": "Ada Stone", "email": f"ada@stone-{tag}.com", "title": "CFO"},
        "company": {"name": f"Stone {tag}", "employees": 400, "country": "US"},
        "notes": "Budget approved.",
    }


def test_dramatiq_workers_qualify_each_sent_lead_exactly_once(engine: tuple[ModuleType, Runtime]) -> None:
    import dramatiq

    module, rt = engine
    with TestClient(create_app(runtime=rt), headers={"X-API-Key": add_user(rt, "service")}) as c:
        ids = [c.post("/leads", json=lead()).json()["lead_id"] for _ in range(8)]
    with rt.sessions() as s:  # sent to the broker, not run in the API process
        assert set(s.scalars(select(LeadRow.status).where(LeadRow.id.in_(ids)))) == {"received"}
    for lead_id in ids[:3]:
        module.qualify_lead.send(lead_id)  # a redelivered or duplicated message
    worker = dramatiq.Worker(module.broker, worker_threads=3)
    worker.start()
    try:
        module.broker.join(module.QUEUE, timeout=120_000)
    finally:
        worker.stop()
    with rt.sessions() as s:
        cards = dict(
            s.execute(
                select(ScorecardRow.lead_id, func.count())
                .where(ScorecardRow.lead_id.in_(ids))
                .group_by(ScorecardRow.lead_id)
            ).all()
        )
        states = set(s.scalars(select(LeadRow.status).where(LeadRow.id.in_(ids))))
    assert cards == {i: 1 for i in ids} and states <= {"in_review", "disqualified"}


def test_the_sweep_sends_again_only_what_the_queue_lost_and_never_piles_up(engine: tuple[ModuleType, Runtime]) -> None:
    import dramatiq

    module, rt = engine
    with TestClient(create_app(runtime=rt), headers={"X-API-Key": add_user(rt, "service")}) as c:
        ids = [c.post("/leads", json=lead()).json()["lead_id"] for _ in range(5)]
    with rt.sessions.begin() as s:  # a backlog: they have waited longer than the grace, their messages still queued
        s.execute(
            update(LeadRow)
            .where(LeadRow.id.in_(ids))
            .values(updated_at=rt.deps.clock() - module.SWEEP_GRACE - timedelta(minutes=1))
        )
    assert module.queued(module.QUEUE) == 5
    module.sweep.fn()
    assert module.queued(module.QUEUE) == 5  # before: all five sent again, on every sweep, for as long as they waited
    module.broker.flush(module.QUEUE)  # the messages are lost (a Redis failover, a send that never happened)
    module.sweep.fn()
    assert module.queued(module.QUEUE) == 5  # sent again, once
    module.sweep.fn()
    assert module.queued(module.QUEUE) == 5

    assert module.sweep_due()
    module.sweep.send()
    assert not module.sweep_due()  # the periodic tick adds no second sweep while one waits
    worker = dramatiq.Worker(module.broker, worker_threads=2)
    worker.start()
    try:
        module.broker.join(module.QUEUE, timeout=120_000)
        module.broker.join(module.SWEEP_QUEUE, timeout=120_000)
    finally:
        worker.stop()
    assert module.sweep_due()
    with rt.sessions() as s:
        cards = dict(
            s.execute(
                select(ScorecardRow.lead_id, func.count())
                .where(ScorecardRow.lead_id.in_(ids))
                .group_by(ScorecardRow.lead_id)
            ).all()
        )
    assert cards == {i: 1 for i in ids}


def test_the_sweep_puts_back_the_messages_a_killed_worker_process_had_fetched(
    engine: tuple[ModuleType, Runtime],
) -> None:
    import dramatiq
    from dramatiq.brokers.redis import RedisBroker

    module, rt = engine
    with TestClient(create_app(runtime=rt), headers={"X-API-Key": add_user(rt, "service")}) as c:
        ids = [c.post("/leads", json=lead()).json()["lead_id"] for _ in range(3)]
    # A worker process fetches the three messages ahead of its threads and is SIGKILLed; a minute passes.
    dead = RedisBroker(url=REDIS, middleware=[])
    assert len(dead.do_fetch(module.QUEUE, 10)) == 3  # type: ignore[attr-defined]
    beats = f"{dead.namespace}:__heartbeats__"
    dead.client.zadd(beats, {dead.broker_id: int(time.time() * 1000) - 2 * dead.heartbeat_timeout})
    deliverable = f"{module.broker.namespace}:{module.QUEUE}"
    assert dead.client.llen(deliverable) == 0  # nothing left for the live workers to fetch

    module.sweep.fn()
    # Before: still 0 (the dead process's messages counted as queued, so the sweep sent nothing) until the broker's own
    # maintenance happened to run, on 0.1 % of its commands; in benchmarks/chaos.py 42 leads waited 11 minutes.
    assert dead.client.llen(deliverable) == 3
    worker = dramatiq.Worker(module.broker, worker_threads=2)
    worker.start()
    try:
        module.broker.join(module.QUEUE, timeout=120_000)
    finally:
        worker.stop()
    with rt.sessions() as s:
        cards = dict(
            s.execute(
                select(ScorecardRow.lead_id, func.count())
                .where(ScorecardRow.lead_id.in_(ids))
                .group_by(ScorecardRow.lead_id)
            ).all()
        )
    assert cards == {i: 1 for i in ids}
