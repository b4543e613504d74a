"""The only module that builds database engines. SQLite by default, PostgreSQL by DATABASE_URL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, DateTime, Engine, create_engine, event, inspect, text
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

if TYPE_CHECKING:
    from alembic.config import Config


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every backend (SQLite stores naive values; we store and return UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout so the API and CLI can share it."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:  # a DB-API connection: sqlite3's, untyped by SQLAlchemy
            cur = conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASE_REVISION = "0001"  # the schema of the last release without migrations (create_all only)


class SchemaBehind(Exception):
    """The database is at an older schema revision than the code (one line, with the command that fixes it)."""


def _alembic(connection: Connection | None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    # The shipped migrations always have a head; Alembic types it as optional.
    return ScriptDirectory.from_config(_alembic(None)).get_current_head()  # type: ignore[return-value]


def _stamped(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; BASE_REVISION for a pre-migration database; None when it is empty."""
    with engine.connect() as conn:
        rev = _stamped(conn)
        if rev is None and inspect(conn).has_table("leads"):
            return BASE_REVISION
        return rev


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to the code's revision (`qualify db upgrade`); returns (from, to)."""
    from alembic import command

    before = current_revision(engine)
    with engine.begin() as conn:
        cfg = _alembic(conn)
        if before == BASE_REVISION and _stamped(conn) is None:
            command.stamp(cfg, BASE_REVISION)  # created by create_all: its tables are the base revision
        command.upgrade(cfg, "head")
    return before, head_revision()


_REVISION_LINE = re.compile(r"""^(down_)?revision\s*(?::[^=]*)?=\s*['"]?([\w-]+)""", re.M)


@lru_cache(maxsize=1)
def _head_from_files() -> str | None:
    """The one head of the migration chain read straight from the files (None when it is not a single chain), so a
    start-up on an up-to-date database needs no Alembic import (about half a second of `qualify lead`)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for down, value in _REVISION_LINE.findall(path.read_text(encoding="utf-8")):
            (parents if down else revisions).add(value)
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None


def at_head(engine: Engine) -> bool:
    """Whether the database is stamped with the code's head revision (checked without loading Alembic)."""
    head = _head_from_files()
    if head is None:
        return False
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head]


def check_schema(engine: Engine) -> None:
    """Refuse to run on a database behind the code."""
    have, want = current_revision(engine), head_revision()
    if have != want:
        raise SchemaBehind(
            f"the database schema is at revision {have or 'none (empty)'} but this Qualify needs {want}; "
            "run `qualify db upgrade` (back up the database first)"
        )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
