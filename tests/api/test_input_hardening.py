"""Holes a probe found at intake: dates that cannot be stored, unsafe lead ids, and idempotency keys across callers."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from api.runtime import Runtime
from tests.api.conftest import add_user

PROBLEM = "application/problem+json"


def lead(**extra: object) -> dict[str, object]:
    tag = uuid.uuid4().hex[:8]
    body: dict[str, object] = {
        "person": {"name": "Ada Stone", "email": f"ada@stone-{tag}.com"},
        "company": {"name": "Stone Ltd", "employees": 120},
    }
    body.update(extra)
    return body


def fields(r: object) -> list[str]:
    return [e["field"] for e in r.json()["errors"]]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00Z", "2999-01-01T00:00:00Z"]
)
def test_received_at_out_of_range_is_a_422_naming_the_field(client: TestClient, when: str) -> None:
    r = client.post("/leads", json=lead(received_at=when))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert fields(r) == ["received_at"]


def test_event_timestamps_are_range_checked_too(client: TestClient) -> None:
    r = client.post(
        "/leads", json=lead(events=[{"type": "pricing_page_view", "timestamp": "9999-12-31T23:59:59-12:00"}])
    )
    assert r.status_code == 422 and fields(r) == ["events.0.timestamp"]


def test_an_ordinary_date_still_goes_through(client: TestClient) -> None:
    r = client.post("/leads", json=lead(received_at="2026-11-10T09:00:00+14:00"))
    assert r.status_code == 202, r.text


@pytest.mark.parametrize("bad", ["a/b", "../x", "lead id", "x?y", "é", "-starts-with-dash", ""])
def test_client_chosen_lead_ids_need_a_safe_alphabet(client: TestClient, bad: str) -> None:
    r = client.post("/leads", json=lead(id=bad))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM) and fields(r) == ["id"]


def test_a_safe_client_id_can_be_read_back(client: TestClient) -> None:
    lead_id = f"crm.lead_{uuid.uuid4().hex[:6]}-1"
    assert client.post("/leads", json=lead(id=lead_id)).status_code == 202
    assert client.get(f"/leads/{lead_id}").json()["id"] == lead_id


def test_idempotency_keys_are_scoped_per_caller(client: TestClient, runtime: Runtime) -> None:
    key = f"order-{uuid.uuid4().hex[:6]}"
    one, two = add_user(runtime, "service"), add_user(runtime, "service")
    first = client.post("/leads", json=lead(), headers={"X-API-Key": one, "Idempotency-Key": key})
    other = client.post("/leads", json=lead(), headers={"X-API-Key": two, "Idempotency-Key": key})
    assert first.status_code == 202 and other.status_code == 202, other.text
    assert first.json()["lead_id"] != other.json()["lead_id"]
    assert "Idempotent-Replayed" not in other.headers
    # the same caller replaying still gets its own lead back, and a different body under its key is still refused
    body = lead()
    again = client.post("/leads", json=body, headers={"X-API-Key": two, "Idempotency-Key": key + "b"})
    replay = client.post("/leads", json=body, headers={"X-API-Key": two, "Idempotency-Key": key + "b"})
    assert replay.json()["lead_id"] == again.json()["lead_id"] and replay.headers["Idempotent-Replayed"] == "true"
    assert client.post("/leads", json=lead(), headers={"X-API-Key": two, "Idempotency-Key": key}).status_code == 422
