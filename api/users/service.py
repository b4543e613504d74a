"""Users and credentials: argon2 password hashes (pwdlib), API keys stored as sha256, sessions and single-use form tokens.

Hashes written before argon2 (scrypt$N$r$p$salt$digest) still verify and are replaced by argon2 at the next login.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from pwdlib import PasswordHash
from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from api.errors import ApiError, Conflict, NotFound, Unprocessable
from api.users.models import ApiKeyRow, FormTokenRow, SessionRow, UserRow
from api.users.roles import Role


_HASHER = PasswordHash.recommended()  # argon2id with argon2-cffi's RFC 9106 low-memory defaults (m=64 MiB, t=3, p=4)
_DUMMY: list[str] = []  # a real hash to verify against when the e-mail is unknown, so both cost the same time
KEY_PREFIX = "qk_"


def sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    """A salted argon2id hash in one self-describing string."""
    return _HASHER.hash(password)


def _legacy_scrypt(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(
            password.encode(),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=32,
            maxmem=256 * 1024 * 1024,
        )
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)


def verify_and_update(password: str, stored: str | None) -> tuple[bool, str | None]:
    """Check a password; also returns a fresh argon2 hash when the stored one is old (scrypt or weaker argon2)."""
    if not stored:
        verify_dummy(password)  # a user without a password costs the same as a wrong one
        return False, None
    if stored.startswith("scrypt$"):
        ok = _legacy_scrypt(password, stored)
        return ok, (hash_password(password) if ok else None)
    try:
        return _HASHER.verify_and_update(password, stored)
    except Exception:  # an unreadable stored hash (pwdlib raises its own UnknownHashError) is a failed login
        return False, None


def verify_password(password: str, stored: str | None) -> bool:
    """Constant-time check of a password against a stored hash."""
    return verify_and_update(password, stored)[0]


def verify_dummy(password: str) -> None:
    """Spend the time a real verification costs, for logins naming no user."""
    if not _DUMMY:
        _DUMMY.append(_HASHER.hash(secrets.token_urlsafe(16)))
    _HASHER.verify(password, _DUMMY[0])


@dataclass(frozen=True)
class Principal:
    """An authenticated caller."""

    user_id: str
    email: str
    name: str
    role: Role
    session: str | None = None  # sha256 of the browser session, when logged in through the UI


def _principal(user: UserRow, session: str | None = None) -> Principal:
    return Principal(user.id, user.email, user.name, Role(user.role), session)


def add_user(
    s: Session,
    email: str,
    role: Role,
    now: datetime,
    *,
    name: str | None = None,
    team: str | None = None,
    password: str | None = None,
) -> UserRow:
    """Create a user (409 when the e-mail is taken)."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 255:
        raise Unprocessable("a user needs an e-mail address", field="email")
    if password is not None and len(password) < 10:
        raise Unprocessable("passwords need at least 10 characters", field="password")
    if s.scalar(select(UserRow).where(UserRow.email == email)) is not None:
        raise Conflict(f"user {email} already exists")
    user = UserRow(
        id=uuid.uuid4().hex,
        email=email,
        name=name or email.split("@")[0],
        role=role,
        team=team,
        password_hash=hash_password(password) if password else None,
        active=True,
        created_at=now,
    )
    s.add(user)
    s.flush()
    return user


def set_password(s: Session, user: UserRow, password: str) -> None:
    if len(password) < 10:
        raise Unprocessable("passwords need at least 10 characters", field="password")
    user.password_hash = hash_password(password)


def find_user(s: Session, email: str) -> UserRow:
    user = s.scalar(select(UserRow).where(UserRow.email == email.strip().lower()))
    if user is None:
        raise NotFound("user", email)
    return user


def issue_key(s: Session, user: UserRow, now: datetime) -> str:
    """A new API key for `user`; the token is returned once and only its hash is kept."""
    token = KEY_PREFIX + secrets.token_urlsafe(32)
    s.add(ApiKeyRow(id=uuid.uuid4().hex, user_id=user.id, prefix=token[:10], sha256=sha256(token), created_at=now))
    return token


def revoke_user(s: Session, user: UserRow, now: datetime) -> int:
    """Deactivate a user: every key revoked, every session ended; returns the number of keys revoked."""
    user.active = False
    n = cast(
        CursorResult[Any],
        s.execute(
            update(ApiKeyRow).where(ApiKeyRow.user_id == user.id, ApiKeyRow.revoked_at.is_(None)).values(revoked_at=now)
        ),
    ).rowcount  # an UPDATE returns a CursorResult
    s.execute(
        update(SessionRow).where(SessionRow.user_id == user.id, SessionRow.ended_at.is_(None)).values(ended_at=now)
    )
    return int(n or 0)


def revoke_key(s: Session, prefix: str, now: datetime) -> None:
    """Revoke one key by its shown prefix."""
    key = s.scalar(select(ApiKeyRow).where(ApiKeyRow.prefix == prefix))
    if key is None:
        raise NotFound("api key", prefix)
    key.revoked_at = key.revoked_at or now


def by_api_key(s: Session, token: str) -> Principal | None:
    """The active user owning an unrevoked key, or None."""
    row = s.execute(
        select(UserRow, ApiKeyRow)
        .join(ApiKeyRow, ApiKeyRow.user_id == UserRow.id)
        .where(ApiKeyRow.sha256 == sha256(token), ApiKeyRow.revoked_at.is_(None), UserRow.active.is_(True))
    ).first()
    return _principal(row[0]) if row else None


def login(s: Session, email: str, password: str, now: datetime, hours: float) -> tuple[str, Principal] | None:
    """Check a password and open a session; returns the cookie token (kept only as a hash) or None."""
    user = s.scalar(select(UserRow).where(UserRow.email == email.strip().lower(), UserRow.active.is_(True)))
    if user is None:
        verify_dummy(password)  # unknown and known e-mails take the same time, so accounts cannot be enumerated
        return None
    ok, fresher = verify_and_update(password, user.password_hash)
    if not ok:
        return None
    if fresher:
        user.password_hash = fresher  # transparent upgrade of an old hash, in the login's transaction
    token = secrets.token_urlsafe(32)
    # housekeeping on login keeps the token tables small: spent or stale form tokens go
    s.execute(
        delete(FormTokenRow).where(
            (FormTokenRow.used_at.is_not(None)) | (FormTokenRow.created_at < now - timedelta(hours=hours))
        )
    )
    s.add(SessionRow(sha256=sha256(token), user_id=user.id, created_at=now, expires_at=now + timedelta(hours=hours)))
    return token, _principal(user, sha256(token))


def by_session(s: Session, token: str, now: datetime) -> Principal | None:
    """The user of a live (unexpired, not logged-out) session, or None."""
    row = s.execute(
        select(UserRow, SessionRow)
        .join(SessionRow, SessionRow.user_id == UserRow.id)
        .where(
            SessionRow.sha256 == sha256(token),
            SessionRow.ended_at.is_(None),
            SessionRow.expires_at > now,
            UserRow.active.is_(True),
        )
    ).first()
    return _principal(row[0], row[1].sha256) if row else None


def end_session(s: Session, session: str, now: datetime) -> None:
    s.execute(update(SessionRow).where(SessionRow.sha256 == session).values(ended_at=now))


def form_token(s: Session, session: str, form: str, now: datetime) -> str:
    """A CSRF token for one form of one session; it works once."""
    token = secrets.token_urlsafe(24)
    s.add(FormTokenRow(sha256=sha256(token), session_sha256=session, form=form, created_at=now))
    return token


def use_form_token(s: Session, session: str, form: str, token: str, now: datetime) -> None:
    """Spend a CSRF token in the caller's transaction; 403 when missing, foreign, for another form or already used."""
    spent = s.execute(
        update(FormTokenRow)
        .where(
            FormTokenRow.sha256 == sha256(token or ""),
            FormTokenRow.session_sha256 == session,
            FormTokenRow.form == form,
            FormTokenRow.used_at.is_(None),
        )
        .values(used_at=now)
    )
    n = cast(CursorResult[Any], spent).rowcount  # an UPDATE returns a CursorResult
    if n != 1:
        raise ApiError(403, "Forbidden", "the form has expired or was already sent; reload the page and try again")


def list_users(s: Session) -> list[dict[str, object]]:
    users = s.scalars(select(UserRow).order_by(UserRow.role, UserRow.email)).all()
    keys = s.scalars(select(ApiKeyRow).where(ApiKeyRow.revoked_at.is_(None))).all()
    active: dict[str, list[str]] = {}
    for k in keys:
        active.setdefault(k.user_id, []).append(k.prefix)
    return [
        {
            "id": u.id,
            "email": u.email,
            "name": u.name,
            "role": u.role,
            "team": u.team,
            "active": u.active,
            "keys": active.get(u.id, []),
            "has_password": bool(u.password_hash),
        }
        for u in users
    ]
