"""HubSpot v3 signature vectors, computed here with the documented algorithm (and HubSpot's own client's helper)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from hubspot.utils.signature import Signature

from api.crm.hubspot import SignatureError, normalise_uri, sign_v3, verify_v3

SECRET = "my-client-secret"
NOW = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)
STAMP = str(int(NOW.timestamp() * 1000))
URI = "https://qualify.example.com/crm/hubspot/webhook"
BODY = b'[{"eventId":1,"portalId":2,"objectId":3,"subscriptionType":"contact.creation"}]'


def documented(method: str, uri: str, body: str, timestamp: str, secret: str = SECRET) -> str:
    """HubSpot's steps: UTF-8 of method + URI + body + timestamp, HMAC-SHA256 with the app secret, base64."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{method}{uri}{body}{timestamp}".encode("utf-8"), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def test_signature_matches_the_documented_algorithm_and_hubspots_client() -> None:
    ours = sign_v3(SECRET, "POST", URI, BODY, STAMP)
    assert ours == documented("POST", URI, BODY.decode(), STAMP)
    assert ours == Signature.get_signature(
        SECRET, BODY.decode(), "v3", http_uri=URI, http_method="POST", timestamp=STAMP
    )
    body = '{"properties":{"firstname":{"value":"Yllä"}}}'  # non-ASCII: bytes hashed as sent, UTF-8
    assert sign_v3(SECRET, "POST", URI, body.encode(), STAMP) == documented("POST", URI, body, STAMP)


def test_listed_url_encoded_characters_are_decoded_before_signing() -> None:
    encoded = "https://qualify.example.com/crm/hubspot/webhook?next=%2Fui%3Fa%3D1%2Cb%40c%21%24%27%28%29%2A%3B"
    plain = "https://qualify.example.com/crm/hubspot/webhook?next=/ui?a%3D1,b@c!$'()*;"  # = is not on the list
    assert normalise_uri(encoded) == plain
    assert sign_v3(SECRET, "POST", encoded, BODY, STAMP) == documented("POST", plain, BODY.decode(), STAMP)
    assert normalise_uri("https://x.example/a%20b%26c") == "https://x.example/a%20b%26c", "others stay encoded"


def test_a_valid_fresh_signature_passes() -> None:
    verify_v3(
        SECRET, "POST", URI, BODY, documented("POST", URI, BODY.decode(), STAMP), STAMP, NOW + timedelta(minutes=4)
    )


@pytest.mark.parametrize(
    ("signature", "timestamp", "now", "status", "words"),
    [
        (None, STAMP, NOW, 401, "required"),
        ("x", None, NOW, 401, "required"),
        ("c2lnbmF0dXJl", STAMP, NOW, 401, "does not match"),
        (documented("POST", URI, BODY.decode(), STAMP, secret="other"), STAMP, NOW, 401, "does not match"),
        (documented("GET", URI, BODY.decode(), STAMP), STAMP, NOW, 401, "does not match"),
        (
            documented("POST", URI, BODY.decode(), STAMP),
            STAMP,
            NOW + timedelta(minutes=5, seconds=1),
            400,
            "older than",
        ),
        (documented("POST", URI, BODY.decode(), STAMP), STAMP, NOW - timedelta(minutes=2), 400, "future"),
        (documented("POST", URI, BODY.decode(), "soon"), "soon", NOW, 400, "milliseconds"),
    ],
)
def test_bad_stale_and_missing_signatures_are_refused(
    signature: str | None, timestamp: str | None, now: datetime, status: int, words: str
) -> None:
    with pytest.raises(SignatureError) as caught:
        verify_v3(SECRET, "POST", URI, BODY, signature, timestamp, now)
    assert caught.value.status == status and words in caught.value.detail


def test_a_signature_over_another_body_or_timestamp_is_refused() -> None:
    good = documented("POST", URI, BODY.decode(), STAMP)
    with pytest.raises(SignatureError):
        verify_v3(SECRET, "POST", URI, BODY + b" ", good, STAMP, NOW)
    with pytest.raises(SignatureError):
        verify_v3(SECRET, "POST", URI, BODY, good, str(int(STAMP) + 1), NOW)
