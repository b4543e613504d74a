"""Schema migrations: a database of the previous release upgrades in place, keeps its rows, and matches the models;
a database behind the code is refused at start-up (PostgreSQL) with one line naming the fix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

import api.models  # noqa: F401
from api.db import (
    BASE_REVISION,
    Base,
    SchemaBehind,
    _alembic,
    _head_from_files,
    at_head,
    current_revision,
    head_revision,
    make_engine,
    upgrade,
)
from api.runtime import open_database
from api.settings import Settings
from tests.api.conftest import BACKENDS, _postgres_schema_url


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'old.db'}" if request.param == "sqlite" else _postgres_schema_url()[0]
    e = make_engine(url)
    yield e
    e.dispose()


def _previous_release(engine: Engine, stamped: bool) -> None:
    """The base revision's tables with one lead in them; unstamped = made by the old create_all."""
    with engine.begin() as conn:
        command.upgrade(_alembic(conn), BASE_REVISION)
        if not stamped:
            conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(
            text(
                "INSERT INTO leads (id, source, status, payload, payload_hash, received_at, updated_at, attempts) "
                "VALUES ('old-1', 'api', 'in_review', '{\"id\": \"old-1\"}', 'h', '2026-01-01 00:00:00', "
                "'2026-01-01 00:00:00', 1)"
            )
        )


@pytest.mark.parametrize("stamped", [True, False])
def test_a_previous_release_database_upgrades_and_keeps_its_rows(engine: Engine, stamped: bool) -> None:
    _previous_release(engine, stamped)
    assert current_revision(engine) == BASE_REVISION
    before, after = upgrade(engine)
    assert (before, after) == (BASE_REVISION, head_revision()) and current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM leads WHERE id = 'old-1'")).scalar() == "in_review"
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []  # schema == models
    assert upgrade(engine) == (head_revision(), head_revision())  # idempotent


def test_an_empty_database_is_built_by_the_migrations(engine: Engine) -> None:
    assert current_revision(engine) is None
    upgrade(engine)
    with engine.connect() as conn:
        assert {"leads", "scorecards", "users", "audit_log"} <= set(inspect(conn).get_table_names())
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_start_up_refuses_a_database_behind_the_code(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    e = make_engine(url)
    with e.begin() as conn:
        command.upgrade(_alembic(conn), BASE_REVISION)
    e.dispose()
    settings = Settings(data_dir=tmp_path, DATABASE_URL=url, auto_migrate=False)
    if head_revision() == BASE_REVISION:
        pytest.fail("no revision after the base yet: this test needs one to be meaningful")
    with pytest.raises(SchemaBehind, match=r"revision 0001 .* run `qualify db upgrade`") as info:
        open_database(settings)
    assert "\n" not in str(info.value)
    engine, _ = open_database(Settings(data_dir=tmp_path, DATABASE_URL=url))  # SQLite upgrades itself by default
    assert current_revision(engine) == head_revision()


def test_the_start_up_check_reads_the_same_head_as_alembic(engine: Engine) -> None:
    """`at_head` (no Alembic import) agrees with Alembic: false on an empty or older database, true after upgrading."""
    assert _head_from_files() == head_revision()
    assert not at_head(engine)
    with engine.begin() as conn:
        command.upgrade(_alembic(conn), BASE_REVISION)
    assert head_revision() == BASE_REVISION or not at_head(engine)
    upgrade(engine)
    assert at_head(engine)
