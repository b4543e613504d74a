"""The HTTP API as a CRM integration uses it: submit, replay, read; and every kind of bad input."""

from __future__ import annotations

import json
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.leads.models import LeadRow, ScorecardRow
from api.runtime import Runtime

PROBLEM = "application/problem+json"


def lead(**extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "external_id": f"CRM-{uuid.uuid4().hex[:8]}",
        "person": {"name": "Dana Reyes", "email": "dana@northwindtraders.com", "title": "VP Finance"},
        "company": {"name": "Northwind Traders", "employees": 850, "country": "United States", "industry": "Retail"},
        "form_answers": {"What is your budget for AP automation?": "We have about $60k approved for this year."},
        "notes": "Processing 4,000 invoices a month by hand. Wants to go live next quarter.",
        "events": [{"type": "pricing_page_view", "timestamp": "2026-11-19T10:00:00Z"}],
        "received_at": "2026-11-20T09:00:00Z",
    }
    body.update(extra)
    return body


def count(runtime: Runtime, model: type) -> int:
    with runtime.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))  # type: ignore[return-value]


def test_submit_then_read_lead_and_scorecard(client: TestClient) -> None:
    r = client.post("/leads", json=lead())
    assert r.status_code == 202
    lead_id = r.json()["lead_id"]
    got = client.get(f"/leads/{lead_id}").json()  # TestClient runs the background task before returning
    assert got["status"] == "in_review" and len(got["scorecards"]) == 1
    card = client.get(f"/scorecards/{got['scorecards'][0]['id']}").json()
    assert card["lead_id"] == lead_id and card["revision"] == 1
    assert card["tier"] in ("sql_ready", "needs_discovery", "nurture")
    assert card["provenance"]["judge"] == "local" and card["provenance"]["library"] == "ledgerly"
    assert {a["answer"] for a in card["answers"]} <= {"yes", "no", "unknown"}


def test_idempotent_replay_returns_same_response_and_one_lead(client: TestClient, runtime: Runtime) -> None:
    body, key = lead(), f"key-{uuid.uuid4().hex}"
    before = count(runtime, LeadRow)
    first = client.post("/leads", json=body, headers={"Idempotency-Key": key})
    again = client.post("/leads", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json() and again.headers["Idempotent-Replayed"] == "true"
    assert count(runtime, LeadRow) == before + 1
    with runtime.sessions() as s:
        n = s.scalar(
            select(func.count()).select_from(ScorecardRow).where(ScorecardRow.lead_id == first.json()["lead_id"])
        )
    assert n == 1


def test_same_key_different_body_is_422(client: TestClient, runtime: Runtime) -> None:
    key = f"key-{uuid.uuid4().hex}"
    assert client.post("/leads", json=lead(), headers={"Idempotency-Key": key}).status_code == 202
    before = count(runtime, LeadRow)
    r = client.post("/leads", json=lead(notes="different"), headers={"Idempotency-Key": key})
    assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["errors"][0]["field"] == "Idempotency-Key"
    assert count(runtime, LeadRow) == before


def test_a_crm_update_of_a_qualifying_field_updates_the_lead_and_requalifies_it(client: TestClient) -> None:
    body = lead()
    first = client.post("/leads", json=body).json()["lead_id"]
    r = client.post("/leads", json={**body, "notes": "Now 9,000 invoices a month; CFO approved $80k."})
    assert r.status_code == 202 and r.json() == {
        "lead_id": first,
        "links": {"lead": f"/leads/{first}"},
        "updated": True,
        "requalify": True,
    }
    got = client.get(f"/leads/{first}").json()
    assert got["lead"]["notes"].startswith("Now 9,000") and [c["revision"] for c in got["scorecards"]] == [1, 2]
    assert got["status"] == "in_review"
    history = client.get(f"/leads/{first}/audit").json()
    update = next(h for h in history if h["action"] == "crm_update")
    assert update["old"]["notes"] == body["notes"] and update["new"]["notes"].startswith("Now 9,000")
    assert update["new"]["requalify"] is True and "notes" in update["reason"]


def test_a_crm_update_of_the_phone_only_keeps_the_scorecard(client: TestClient) -> None:
    body = lead()
    first = client.post("/leads", json=body).json()["lead_id"]
    r = client.post("/leads", json={**body, "person": {**body["person"], "phone": "+1 555 0100"}})  # type: ignore[dict-item]
    assert r.status_code == 202 and r.json()["updated"] is True and r.json()["requalify"] is False
    got = client.get(f"/leads/{first}").json()
    assert got["lead"]["person"]["phone"] == "+1 555 0100" and len(got["scorecards"]) == 1
    assert got["version"] >= 2  # a review decision made on the old data is refused as stale


def test_a_crm_update_cannot_change_a_leads_id_or_source(client: TestClient) -> None:
    body = lead()
    first = client.post("/leads", json=body).json()["lead_id"]
    other_id = client.post("/leads", json={**lead(), "id": f"other-{uuid.uuid4().hex[:6]}"}).json()["lead_id"]
    r = client.post("/leads", json={**body, "id": other_id, "notes": "moved"})
    assert r.status_code == 409 and r.json()["field"] == "id" and r.json()["lead_id"] == first
    moved = client.post("/leads", json={**body, "id": first, "source": "csv"})
    assert moved.status_code == 409 and moved.json()["field"] == "source" and "source" in moved.json()["detail"]
    assert client.get(f"/leads/{first}").json()["source"] == "api"


def test_bad_input_is_problem_json_naming_the_field(client: TestClient, runtime: Runtime) -> None:
    before = count(runtime, LeadRow)
    cases = [
        (lead(unknown_field=1), "unknown_field"),
        (lead(company={"name": "X", "employees": "many"}), "company.employees"),
        (lead(person={"email": "not-an-email"}), "person.email"),
        (lead(events=[{"type": "pricing_page_view", "timestamp": "yesterday"}]), "events.0.timestamp"),
        ({}, "body"),
    ]
    for body, field in cases:
        r = client.post("/leads", json=body)
        assert r.status_code == 422, body
        assert r.headers["content-type"].startswith(PROBLEM)
        fields = [e["field"] for e in r.json()["errors"]]
        assert any(f == field or f.startswith(field) for f in fields), (field, fields)
    malformed = client.post("/leads", content=b'{"person": {', headers={"content-type": "application/json"})
    assert malformed.status_code == 422 and malformed.headers["content-type"].startswith(PROBLEM)
    assert count(runtime, LeadRow) == before


def test_huge_notes_field_is_413_and_nothing_is_stored(client: TestClient, runtime: Runtime) -> None:
    before = count(runtime, LeadRow)
    r = client.post(
        "/leads", content=json.dumps(lead(notes="x" * 5_000_000)), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413 and r.headers["content-type"].startswith(PROBLEM)
    assert count(runtime, LeadRow) == before


def test_notes_over_the_field_limit_but_under_the_body_limit_is_422(client: TestClient) -> None:
    r = client.post("/leads", json=lead(notes="y" * 60_000))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "notes"


def test_unknown_ids_are_404_problem_json(client: TestClient) -> None:
    for path in ("/leads/nope", "/scorecards/nope"):
        r = client.get(path)
        assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM)
    assert client.post("/leads/nope/retry").status_code == 404


def test_retry_of_a_lead_that_did_not_fail_is_409_with_state(client: TestClient) -> None:
    lead_id = client.post("/leads", json=lead()).json()["lead_id"]
    r = client.post(f"/leads/{lead_id}/retry")
    assert r.status_code == 409 and r.json()["state"] == "in_review"


def test_library_health_and_docs(client: TestClient, runtime: Runtime) -> None:
    lib = client.get("/library").json()
    assert lib["snapshot_id"] == runtime.deps.snapshot_id and len(lib["questions"]) >= 12
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["library_snapshot"] == runtime.deps.snapshot_id
    assert client.get("/docs").status_code == 200
    assert "/leads" in client.get("/openapi.json").json()["paths"]


def test_library_shows_each_segments_sql_definition_as_written_and_in_words(client: TestClient) -> None:
    lib = client.get("/library").json()
    smb = next(s for s in lib["segments"] if s["id"] == "smb")
    need = next(c for c in smb["sql"]["must_have"] if c["id"] == "need")
    assert need["when"] == {
        "any": ["manual_ap_process", "invoice_volume_100", "outgrowing_tools"]
    }  # as in segments.yaml
    assert need["nurture_reason"] == "need"
    words = {c["id"]: c for c in lib["sql_definitions"]["smb"]}
    assert words["need"]["kind"] == "must_have"
    assert words["need"]["when"].startswith("manual_ap_process OR invoice_volume_100 OR outgrowing_tools")
    assert words["demo_from_icp"]["when"] == "demo_requested AND fit_score ≥ 60"
    locked = next(c for c in smb["sql"]["must_have"] if c["id"] == "not_locked_in")
    assert locked["when"]["any"][0] == {"question": "competitor_lock_in", "is": "no"}  # aliases, not field names
