"""Signatures on outgoing deliveries: HMAC-SHA256 over `<timestamp>.<body>` with the subscription's secret.

A receiver recomputes the HMAC over the exact bytes it received, compares in constant time, and refuses a timestamp
outside its replay window (docs/webhooks.md shows the receiver code). `verify` is that receiver, for tests and for
Python consumers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TIMESTAMP_HEADER = "Qualify-Timestamp"
SIGNATURE_HEADER = "Qualify-Signature"
EVENT_ID_HEADER = "Qualify-Event-Id"
EVENT_TYPE_HEADER = "Qualify-Event-Type"
SCHEME = "v1"
REPLAY_WINDOW_SECONDS = 300


class SignatureError(ValueError):
    """A delivery whose signature or timestamp does not hold."""


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header value: `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SCHEME}={mac}"


def verify(
    secret: str, body: bytes, timestamp: str, header: str, now: float, window: int = REPLAY_WINDOW_SECONDS
) -> None:
    """Raise SignatureError unless `header` signs `body` at `timestamp` and the timestamp is within `window` of now."""
    if not timestamp.isdigit():
        raise SignatureError("the timestamp header is not a number of seconds")
    if abs(now - int(timestamp)) > window:
        raise SignatureError(f"the timestamp is more than {window} s from now (a replay or a stale delivery)")
    expected = signature(secret, int(timestamp), body)
    # Several signatures may be sent (during a secret rotation), separated by spaces; any one may match.
    if not any(hmac.compare_digest(expected, given.strip()) for given in header.split(" ") if given):
        raise SignatureError("the signature does not match the body")
