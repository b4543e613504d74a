"""A real runtime (sample library, embedded judge, real index) on a temporary data folder, per database backend."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from api.db import transaction
from api.main import create_app
from api.runtime import Runtime, build_runtime
from api.settings import Settings

POSTGRES = os.environ.get("QUALIFY_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES else [])


def _postgres_schema_url() -> tuple[str, str]:
    """A fresh schema per test module so runs never see each other's rows."""
    schema = f"t_{uuid.uuid4().hex[:10]}"
    engine = create_engine(POSTGRES)  # type: ignore[arg-type]
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in POSTGRES else "?"  # type: ignore[operator]
    return f"{POSTGRES}{sep}options=-csearch_path%3D{schema}", schema


def make_settings(tmp: Path, backend: str, **overrides: object) -> Settings:
    url = None
    if backend == "postgresql":
        url, _ = _postgres_schema_url()
        overrides.setdefault("auto_migrate", True)  # each test schema starts empty
    return Settings(data_dir=tmp, DATABASE_URL=url, **overrides)  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=BACKENDS)
def runtime(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    rt = build_runtime(make_settings(tmp_path_factory.mktemp("qualify"), request.param))
    yield rt
    rt.engine.dispose()


def add_user(
    runtime: Runtime, role: str, email: str | None = None, *, team: str | None = None, password: str | None = None
) -> str:
    """Create a user with one API key and return the key (every API route needs one)."""
    from api.users.service import Role, add_user as add, issue_key

    with transaction(runtime.sessions) as s:
        user = add(
            s,
            email or f"{role}-{uuid.uuid4().hex[:8]}@test.example",
            Role(role),
            runtime.deps.clock(),
            team=team,
            password=password,
        )
        return issue_key(s, user, runtime.deps.clock())


@pytest.fixture(scope="module")
def client(runtime: Runtime) -> Iterator[TestClient]:
    """An API client authenticated as an admin (intake, reads, transcripts and retries)."""
    with TestClient(create_app(runtime=runtime), headers={"X-API-Key": add_user(runtime, "admin")}) as c:
        yield c
