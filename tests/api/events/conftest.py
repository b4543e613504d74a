"""A runtime whose event worker retries quickly, people of every role, and a loopback webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from api.db import make_engine, session_factory, upgrade
from api.runtime import Runtime, build_runtime
from tests.api.conftest import BACKENDS, _postgres_schema_url, make_settings
from tests.api.review.conftest import api, app, people  # noqa: F401  (fixtures shared with the review tests)
from tests.fakes.webhook_receiver import WebhookReceiver


@pytest.fixture(scope="module", params=BACKENDS)
def runtime(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    rt = build_runtime(
        make_settings(
            tmp_path_factory.mktemp("events"),
            request.param,
            webhook_backoff_seconds=0.05,
            worker_poll_seconds=0.2,
            webhook_timeout=2.0,
            webhook_allowed_hosts=["127.0.0.1", "localhost"],
        )
    )
    yield rt
    rt.engine.dispose()


@pytest.fixture
def quiet(runtime: Runtime, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A database of its own on the same backend, where no app's event worker runs: only the test delivers."""
    sqlite = runtime.settings.resolved_database_url.startswith("sqlite")
    engine = make_engine(f"sqlite:///{tmp_path / 'quiet.db'}" if sqlite else _postgres_schema_url()[0])
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver().start()
    yield r
    r.stop()
