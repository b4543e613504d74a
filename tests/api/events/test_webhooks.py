"""Outgoing webhooks end to end on a real app: subscriptions, signed deliveries, retries, order, health, replay."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.db import transaction
from api.events import outbox
from api.events.delivery import Deliverer, DeliveryPolicy
from api.events.models import DeliveryRow, EventRow, SubscriptionRow
from api.events.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, SignatureError, signature, verify
from api.runtime import Runtime
from tests.api.review.conftest import People, confirm_body, new_lead
from tests.fakes.webhook_receiver import WebhookReceiver


def subscribe(api: TestClient, people: People, url: str, events: list[str]) -> dict[str, object]:
    r = api.post("/webhooks", json={"url": url, "events": events}, headers=people.h("admin"))
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def events_of(receiver: WebhookReceiver, lead_id: str) -> list[dict[str, object]]:
    return [r.envelope for r in receiver.accepted if r.envelope["lead_id"] == lead_id]


def test_the_secret_is_shown_once_and_only_admins_manage_subscriptions(
    api: TestClient, people: People, receiver: WebhookReceiver
) -> None:
    made = subscribe(api, people, receiver.url, ["lead.sdr_confirmed"])
    assert str(made["secret"]).startswith("whsec_") and len(str(made["secret"])) > 30
    listed = api.get("/webhooks", headers=people.h("admin")).json()
    one = api.get(f"/webhooks/{made['id']}", headers=people.h("admin")).json()
    assert all("secret" not in s for s in listed) and "secret" not in one
    assert one["deliveries"] == {"pending": 0, "delivered": 0, "failed": 0}
    rotated = api.post(f"/webhooks/{made['id']}/rotate-secret", headers=people.h("admin")).json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != made["secret"]
    paused = api.patch(f"/webhooks/{made['id']}", json={"active": False}, headers=people.h("admin")).json()
    assert paused["active"] is False and "secret" not in paused
    assert (
        api.patch(f"/webhooks/{made['id']}", json={"url": "gopher://x"}, headers=people.h("admin")).json()["errors"][0][
            "field"
        ]
        == "url"
    )
    for who in ("sdr", "ae", "service"):
        assert (
            api.post(
                "/webhooks", json={"url": receiver.url, "events": ["lead.recycled"]}, headers=people.h(who)
            ).status_code
            == 403
        )
        assert api.get("/webhooks", headers=people.h(who)).status_code == 403
    assert api.delete(f"/webhooks/{made['id']}", headers=people.h("admin")).status_code == 204
    assert api.get(f"/webhooks/{made['id']}", headers=people.h("admin")).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://127.0.0.1/x", "events": ["lead.recycled"]}, "url"),
        ({"url": "javascript:alert(1)", "events": ["lead.recycled"]}, "url"),
        ({"url": "http://user:pw@127.0.0.1/x", "events": ["lead.recycled"]}, "url"),
        ({"url": "http:///nohost", "events": ["lead.recycled"]}, "url"),
        ({"url": "https://elsewhere.example/hook", "events": ["lead.recycled"]}, "url"),  # not an allowed host
        ({"url": "http://127.0.0.1:99999/x", "events": ["lead.recycled"]}, "url"),
        ({"url": "http://127.0.0.1/x", "events": ["lead.exploded"]}, "events.0"),
        ({"url": "http://127.0.0.1/x", "events": []}, "events"),
        ({"url": "http://127.0.0.1/x", "events": ["lead.recycled"], "extra": 1}, "extra"),
    ],
)
def test_a_bad_subscription_is_422_naming_the_field(
    api: TestClient, people: People, body: dict[str, object], field: str
) -> None:
    r = api.post("/webhooks", json=body, headers=people.h("admin"))
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in r.json()["errors"]], r.json()


def test_a_draft_and_a_confirmation_arrive_signed_in_order_with_the_sql_record(
    api: TestClient, runtime: Runtime, people: People, receiver: WebhookReceiver
) -> None:
    made = subscribe(api, people, receiver.url, ["scorecard.drafted", "lead.sdr_confirmed"])
    receiver.secret = str(made["secret"])
    lead_id = new_lead(api, runtime, people)
    receiver.wait_for(lambda got: any(r.envelope["lead_id"] == lead_id for r in got))
    r = api.post(f"/leads/{lead_id}/review/confirm", json=confirm_body(api, people, lead_id), headers=people.h("sdr"))
    assert r.status_code == 200, r.text
    receiver.wait_for(lambda got: len([x for x in got if x.envelope["lead_id"] == lead_id]) >= 2)
    drafted, confirmed = events_of(receiver, lead_id)
    assert (drafted["type"], confirmed["type"]) == ("scorecard.drafted", "lead.sdr_confirmed")
    assert (drafted["sequence"], confirmed["sequence"]) == (1, 2)
    assert drafted["data"]["tier"] in ("sql_ready", "needs_discovery", "nurture")  # type: ignore[index]
    record = confirmed["data"]["record"]  # type: ignore[index]
    assert record["next_step"] == "Demo with the CFO" and record["qualifying_rep"] == people.emails["sdr"]
    assert receiver.rejected_signatures == 0
    # The receiver's own check holds, and fails for a changed body, another secret or an old timestamp.
    got = next(x for x in receiver.accepted if x.envelope["id"] == confirmed["id"])
    ts, sig = got.headers[TIMESTAMP_HEADER], got.headers[SIGNATURE_HEADER]
    verify(receiver.secret, got.body, ts, sig, time.time())
    with pytest.raises(SignatureError):
        verify(receiver.secret, got.body.replace(b"Demo", b"Demo!"), ts, sig, time.time())
    with pytest.raises(SignatureError):
        verify("whsec_other", got.body, ts, sig, time.time())
    with pytest.raises(SignatureError, match="replay"):
        verify(receiver.secret, got.body, ts, sig, time.time() + 301)
    assert got.headers["Qualify-Event-Id"] == confirmed["id"]


def test_a_decision_that_fails_emits_nothing(api: TestClient, runtime: Runtime, people: People) -> None:
    lead_id = new_lead(api, runtime, people)
    with runtime.sessions() as s:
        before = s.scalar(select(func.count()).select_from(EventRow).where(EventRow.lead_id == lead_id))
    stale = confirm_body(api, people, lead_id)
    stale["revision"] = 99  # a stale revision: 409, rolled back
    assert api.post(f"/leads/{lead_id}/review/confirm", json=stale, headers=people.h("sdr")).status_code == 409
    with pytest.raises(RuntimeError):
        with transaction(runtime.sessions) as s:  # an event emitted in a transaction that rolls back is gone
            outbox.emit(s, "lead.escalated", lead_id, {"why": "test"}, datetime.now(UTC))
            raise RuntimeError("the state change failed")
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(EventRow).where(EventRow.lead_id == lead_id)) == before


def _subscribe(sessions: sessionmaker[Session], url: str) -> tuple[str, str]:
    sub_id, secret = uuid.uuid4().hex, "whsec_test"
    with transaction(sessions) as s:
        s.add(
            SubscriptionRow(
                id=sub_id,
                kind="webhook",
                url=url,
                events=["lead.escalated"],
                secret=secret,
                active=True,
                healthy=True,
                consecutive_failures=0,
                created_at=datetime.now(UTC),
            )
        )
    return sub_id, secret


def _emit(sessions: sessionmaker[Session], lead_id: str, n: int) -> list[str]:
    """n escalation events for one lead, each in its own transaction (as the state changes would be)."""
    ids = []
    for i in range(n):
        with transaction(sessions) as s:
            ids.append(outbox.emit(s, "lead.escalated", lead_id, {"n": i}, datetime.now(UTC)).id)
    return ids


def _drain(sessions: sessionmaker[Session]) -> None:
    d = Deliverer(sessions, lambda: datetime.now(UTC), FAST)
    try:
        d.drain(timeout=30)
    finally:
        d.close()


FAST = DeliveryPolicy(timeout=2.0, base_backoff=0.01, max_backoff=0.05, max_attempts=6, unhealthy_after=3)


def test_failures_are_retried_with_backoff_and_recorded_and_order_per_lead_holds(
    quiet: sessionmaker[Session], receiver: WebhookReceiver
) -> None:
    sub_id, secret = _subscribe(quiet, receiver.url)
    receiver.secret = secret
    receiver.fail = lambda env, n: 503 if env["data"]["n"] == 0 and n <= 2 else None  # the first event fails twice
    ids = _emit(quiet, "lead-order", 3)
    _drain(quiet)
    assert [r.envelope["id"] for r in receiver.accepted] == ids  # nothing overtook the failing first event
    assert [r.envelope["sequence"] for r in receiver.accepted] == sorted(
        r.envelope["sequence"] for r in receiver.accepted
    )
    with quiet() as s:
        rows = {r.event_id: r for r in s.scalars(select(DeliveryRow).where(DeliveryRow.subscription_id == sub_id))}
    first = rows[ids[0]]
    assert (first.status, first.attempts, first.last_status, first.last_error) == ("delivered", 3, 200, None)
    assert all(rows[i].attempts == 1 for i in ids[1:])


def test_a_receiver_that_keeps_failing_is_unhealthy_and_does_not_hold_up_another(quiet: sessionmaker[Session]) -> None:
    bad, good = WebhookReceiver(fail=lambda env, n: 500).start(), WebhookReceiver().start()
    try:
        bad_id, _ = _subscribe(quiet, bad.url)
        good_id, _ = _subscribe(quiet, good.url)
        ids = _emit(quiet, "lead-a", 2) + _emit(quiet, "lead-b", 2)
        _drain(quiet)
        assert sorted(r.envelope["id"] for r in good.accepted) == sorted(ids)
        with quiet() as s:
            sub = s.get(SubscriptionRow, bad_id)
            assert sub is not None and not sub.healthy and sub.consecutive_failures >= 3
            assert s.get(SubscriptionRow, good_id).healthy  # type: ignore[union-attr]
            failed = s.scalars(select(DeliveryRow).where(DeliveryRow.subscription_id == bad_id)).all()
        assert [f.status for f in failed] == ["failed"] * 4
        assert all(
            f.attempts == FAST.max_attempts and f.last_status == 500 and "HTTP 500" in (f.last_error or "")
            for f in failed
        )
        assert len(bad.requests) == 4 * FAST.max_attempts
    finally:
        bad.stop()
        good.stop()


def test_replay_from_the_admin_api_sends_the_same_event_again(
    api: TestClient, runtime: Runtime, people: People, receiver: WebhookReceiver
) -> None:
    made = subscribe(api, people, receiver.url, ["lead.recycled"])
    lead_id = new_lead(api, runtime, people)
    r = api.post(
        f"/leads/{lead_id}/review/reject", json={"revision": 1, "reason": "no_budget"}, headers=people.h("sdr")
    )
    assert r.status_code == 200, r.text
    first = receiver.wait_for(lambda got: len(got) == 1)[0]
    assert first.envelope["type"] == "lead.recycled" and first.envelope["data"]["reason"] == "no_budget"
    # The receiver has the request before the sender has recorded its 200: wait for the record, not a fixed time.
    deadline = time.monotonic() + 20
    listed = api.get(f"/webhooks/{made['id']}/deliveries", headers=people.h("admin")).json()
    while listed and listed[0]["status"] != "delivered" and time.monotonic() < deadline:
        time.sleep(0.05)
        listed = api.get(f"/webhooks/{made['id']}/deliveries", headers=people.h("admin")).json()
    assert [(x["status"], x["attempts"], x["last_status"]) for x in listed] == [("delivered", 1, 200)]
    r = api.post(f"/webhooks/{made['id']}/replay", json={"delivery_ids": [listed[0]["id"]]}, headers=people.h("admin"))
    assert r.json() == {"queued": 1}
    deadline = time.monotonic() + 20
    while len(receiver.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [x.envelope["id"] for x in receiver.requests] == [first.envelope["id"]] * 2 and receiver.duplicates == 1
    bad = api.post(f"/webhooks/{made['id']}/replay", json={"delivery_ids": ["nope"]}, headers=people.h("admin"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "delivery_ids"
    assert api.post(f"/webhooks/{made['id']}/replay", json={}, headers=people.h("admin")).status_code == 422
    api.delete(f"/webhooks/{made['id']}", headers=people.h("admin"))


def test_the_signature_covers_the_secret_the_timestamp_and_the_body() -> None:
    body = json.dumps({"a": 1}).encode()
    assert signature("s1", 10, body) != signature("s2", 10, body)
    assert signature("s1", 10, body) != signature("s1", 11, body)  # the timestamp is signed too
    verify("s1", body, "10", "v1=deadbeef " + signature("s1", 10, body), 10)  # one of several signatures may match


def test_an_internal_consumer_gets_the_same_envelopes_and_is_retried_when_it_raises(
    quiet: sessionmaker[Session],
) -> None:
    got: list[dict[str, object]] = []
    calls = {"n": 0}

    def crm(envelope: dict[str, object]) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("CRM unavailable")
        got.append(envelope)

    outbox.register_consumer("test-crm", crm)
    try:
        with transaction(quiet) as s:
            outbox.ensure_consumer(s, "test-crm", ["lead.escalated"], datetime.now(UTC))
        with transaction(quiet) as s:
            event = outbox.emit(s, "lead.escalated", "lead-internal", {"why": "SLA"}, datetime.now(UTC))
        _drain(quiet)
        assert [e["id"] for e in got] == [event.id] and got[0]["data"] == {"why": "SLA"} and calls["n"] == 2
        with quiet() as s:
            row = s.scalar(select(DeliveryRow).where(DeliveryRow.event_id == event.id))
            assert row is not None and row.status == "delivered" and row.attempts == 2
        with pytest.raises(ValueError, match="unknown event type"):
            with transaction(quiet) as s:
                outbox.ensure_consumer(s, "test-crm", ["lead.nope"], datetime.now(UTC))
    finally:
        outbox.CONSUMERS.pop("test-crm", None)
        with transaction(quiet) as s:
            for sub in s.scalars(select(SubscriptionRow).where(SubscriptionRow.consumer == "test-crm")):
                s.delete(sub)


def test_a_reviewer_edit_emits_the_new_revision(
    api: TestClient, runtime: Runtime, people: People, receiver: WebhookReceiver
) -> None:
    made = subscribe(api, people, receiver.url, ["scorecard.drafted"])
    lead_id = new_lead(api, runtime, people)
    receiver.wait_for(lambda got: any(r.envelope["lead_id"] == lead_id for r in got))
    sc = api.get(f"/leads/{lead_id}", headers=people.h("admin")).json()["scorecards"][-1]
    card = api.get(f"/scorecards/{sc['id']}", headers=people.h("admin")).json()
    r = api.post(
        f"/leads/{lead_id}/review/edit",
        headers=people.h("sdr"),
        json={
            "revision": card["revision"],
            "question_id": card["answers"][0]["question_id"],
            "answer": "unknown",
            "note": "Not discussed yet",
        },
    )
    assert r.status_code == 200, r.text
    got = receiver.wait_for(lambda acc: len([x for x in acc if x.envelope["lead_id"] == lead_id]) >= 2)
    first, edited = [x.envelope for x in got if x.envelope["lead_id"] == lead_id]
    assert (first["data"]["cause"], edited["data"]["cause"]) == ("qualification", "reviewer_edit")
    assert edited["data"]["revision"] == first["data"]["revision"] + 1 and edited["sequence"] == first["sequence"] + 1
    api.delete(f"/webhooks/{made['id']}", headers=people.h("admin"))
