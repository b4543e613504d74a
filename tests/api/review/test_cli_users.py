"""`qualify user add|list|revoke|key` and `qualify review export` as an admin runs them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.db import make_engine, session_factory
from api.settings import get_settings
from api.users.service import by_api_key


@pytest.fixture()
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("QUALIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout + result.stderr


def _key_works(tmp: Path, key: str) -> bool:
    sessions = session_factory(make_engine(f"sqlite:///{tmp / 'data' / 'qualify.db'}"))
    with sessions() as s:
        return by_api_key(s, key) is not None


def test_add_list_revoke_and_keys_are_shown_once(env: Path) -> None:
    code, out = run("user", "add", "Ana@Example.com", "--role", "sdr", "--team", "dach")
    assert code == 0 and "added ana@example.com (sdr)" in out
    key = re.search(r"API key \(shown once\): (\S+)", out).group(1)  # type: ignore[union-attr]
    assert re.search(r"password \(shown once\): \S{12,}", out)
    assert _key_works(env, key)
    code, out = run("user", "add", "ana@example.com", "--role", "ae")
    assert code == 2 and "already exists" in out
    code, out = run("user", "add", "crm@example.com", "--role", "service")
    assert code == 0 and "password" not in out  # services get keys, not passwords
    code, out = run("user", "list")
    assert code == 0 and "ana@example.com" in out and key[:10] in out and key not in out  # only the prefix is listed
    code, out = run("user", "key", "ana@example.com")
    second = re.search(r"API key \(shown once\): (\S+)", out).group(1)  # type: ignore[union-attr]
    code, _ = run("user", "revoke", "--key", second[:10])
    assert code == 0 and not _key_works(env, second) and _key_works(env, key)
    code, out = run("user", "revoke", "ana@example.com")
    assert code == 0 and "1 key(s) revoked" in out and not _key_works(env, key)
    assert run("user", "revoke", "nobody@example.com")[0] == 2


def test_review_export_writes_an_empty_file_when_nothing_was_reviewed(env: Path) -> None:
    out = env / "cases.jsonl"
    code, text = run("review", "export", "--out", str(out))
    assert code == 0 and "0 reviewed lead(s)" in text and out.read_text() == ""


def test_demo_users_are_created_once(env: Path) -> None:
    from api.users.cli import demo_users

    first = demo_users()
    again = demo_users()
    assert all(key for _, _, key in first) and all(key is None for _, _, key in again)
    assert {role for _, role, _ in first} == {"sdr", "ae", "admin"}


def test_review_stats_says_so_when_nothing_was_reviewed(env: Path) -> None:
    code, text = run("review", "stats")
    assert code == 0 and "no reviewed answers yet" in text
