"""Login hardening: throttling per account and per address, no timing tell for unknown e-mails, argon2 with rehash."""

from __future__ import annotations

import hashlib
import re
import secrets
import time
import uuid
from collections.abc import Iterator

import pytest

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.db import transaction
from api.main import create_app
from api.runtime import Runtime
from api.users.models import UserRow
from tests.api.conftest import add_user

PASSWORD = "correct horse battery"


def attempt(app: FastAPI, email: str, password: str, address: str = "testclient") -> object:
    c = TestClient(app, follow_redirects=False, client=(address, 50000))
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/ui/login").text).group(1)  # type: ignore[union-attr]
    return c.post("/ui/login", data={"csrf": token, "email": email, "password": password})


@pytest.fixture
def fresh_app(runtime: Runtime) -> Iterator[FastAPI]:
    """An app of its own per test, so its throttle counters start empty."""
    app = create_app(runtime=runtime)
    with TestClient(app):
        yield app


def test_wrong_passwords_lock_the_account_even_for_the_right_one(runtime: Runtime, fresh_app: FastAPI) -> None:
    app, email = fresh_app, f"sdr-{uuid.uuid4().hex[:6]}@test.example"
    add_user(runtime, "sdr", email, password=PASSWORD)
    for i in range(10):  # the default: 10 failures per account per 15 minutes, from changing addresses
        assert attempt(app, email, "wrong password!", address=f"10.0.0.{i}").status_code == 401  # type: ignore[attr-defined]
    locked = attempt(app, email, PASSWORD, address="10.0.1.1")
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0  # type: ignore[attr-defined]
    other = f"sdr-{uuid.uuid4().hex[:6]}@test.example"
    add_user(runtime, "sdr", other, password=PASSWORD)
    assert attempt(app, other, PASSWORD, address="10.0.1.1").status_code == 303  # type: ignore[attr-defined]


def test_one_address_guessing_many_accounts_is_throttled(runtime: Runtime, fresh_app: FastAPI) -> None:
    app = fresh_app
    email = f"sdr-{uuid.uuid4().hex[:6]}@test.example"
    add_user(runtime, "sdr", email, password=PASSWORD)
    for _ in range(50):  # 50 failures per address per 15 minutes, each on an account of its own
        assert (
            attempt(app, f"x{uuid.uuid4().hex[:6]}@test.example", "wrong password!", address="192.0.2.7").status_code
            == 401
        )  # type: ignore[attr-defined]
    assert attempt(app, email, PASSWORD, address="192.0.2.7").status_code == 429  # type: ignore[attr-defined]
    assert attempt(app, email, PASSWORD, address="192.0.2.8").status_code == 303  # type: ignore[attr-defined]


def _login_seconds(app: FastAPI, email: str, i: int) -> float:
    c = TestClient(app, follow_redirects=False, client=(f"198.51.100.{i}", 1))
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/ui/login").text).group(1)  # type: ignore[union-attr]
    start = time.perf_counter()
    c.post("/ui/login", data={"csrf": token, "email": email, "password": "wrong password!"})
    return time.perf_counter() - start


def test_an_unknown_email_costs_as_much_as_a_known_one(runtime: Runtime, fresh_app: FastAPI) -> None:
    app = fresh_app
    email = f"sdr-{uuid.uuid4().hex[:6]}@test.example"
    add_user(runtime, "sdr", email, password=PASSWORD)
    nobody = f"nobody-{uuid.uuid4().hex[:6]}@test.example"
    known, unknown = [], []
    for i in range(6):  # interleaved, and the fastest of each: a busy machine slows single runs, never speeds them up
        known.append(_login_seconds(app, email, 2 * i))
        unknown.append(_login_seconds(app, nobody, 2 * i + 1))
    # a password hash check dominates both; without one the unknown e-mail answered ~20x faster
    assert min(unknown) > 0.5 * min(known), (known, unknown)


def test_passwords_are_argon2_and_old_scrypt_hashes_are_replaced_at_login(runtime: Runtime, fresh_app: FastAPI) -> None:
    app, email = fresh_app, f"sdr-{uuid.uuid4().hex[:6]}@test.example"
    add_user(runtime, "sdr", email, password=PASSWORD)
    with transaction(runtime.sessions) as s:
        user = s.query(UserRow).filter_by(email=email).one()
        assert user.password_hash.startswith("$argon2id$")  # type: ignore[union-attr]
        salt = secrets.token_bytes(16)  # what the previous release stored
        digest = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
        user.password_hash = f"scrypt${2**14}$8$1${salt.hex()}${digest.hex()}"
    assert attempt(app, email, "wrong password!").status_code == 401  # type: ignore[attr-defined]
    with runtime.sessions() as s:
        assert s.query(UserRow).filter_by(email=email).one().password_hash.startswith("scrypt$")  # type: ignore[union-attr]
    assert attempt(app, email, PASSWORD).status_code == 303  # type: ignore[attr-defined]
    with runtime.sessions() as s:
        assert s.query(UserRow).filter_by(email=email).one().password_hash.startswith("$argon2id$")  # type: ignore[union-attr]
    assert attempt(app, email, PASSWORD).status_code == 303  # type: ignore[attr-defined]
