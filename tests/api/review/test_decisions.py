"""Review decisions through the JSON API: the happy path, 409s, separation of duties, audit atomicity, export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.audit import service as audit_service
from api.audit.models import AppendOnlyError, AuditRow
from api.db import transaction
from api.review.export import reviewed_cases
from api.runtime import Runtime
from evals.datasets import load_lead_cases, write_jsonl
from tests.api.review.conftest import People, audit_count, card, confirm_body, new_lead, status


def test_confirm_then_accept_with_sql_record_and_audit(api: TestClient, runtime: Runtime, people: People) -> None:
    lead_id = new_lead(api, runtime, people, sdr="sdr", ae="ae")
    r = api.post(
        f"/leads/{lead_id}/review/confirm",
        json=confirm_body(api, people, lead_id),
        headers={**people.h("sdr"), "X-Request-ID": "req-confirm-1"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "sdr_confirmed" and r.headers["x-request-id"] == "req-confirm-1"
    review = api.get(f"/leads/{lead_id}/review", headers=people.h("ae")).json()
    record = review["decisions"][0]["record"]
    assert record["qualifying_rep"] == people.emails["sdr"] and record["opportunity_value"] == "48000"
    assert set(record) >= {"qualified_at", "checklist", "discovery_notes", "next_step", "next_step_date"}
    rev = card(api, people, lead_id)["revision"]
    r = api.post(f"/leads/{lead_id}/review/accept", json={"revision": rev}, headers=people.h("ae"))
    assert r.status_code == 200 and status(runtime, lead_id) == "ae_accepted"
    history = api.get(f"/leads/{lead_id}/audit", headers=people.h("sdr")).json()
    assert [(h["action"], h["old"]["status"], h["new"]["status"]) for h in history] == [
        ("confirm", "in_review", "sdr_confirmed"),
        ("accept", "sdr_confirmed", "ae_accepted"),
    ]
    assert history[0]["actor"] == people.emails["sdr"] and history[0]["role"] == "sdr"
    assert history[0]["request_id"] == "req-confirm-1" and history[1]["actor"] == people.emails["ae"]


def test_confirm_routes_the_sql_to_an_ae_when_none_is_assigned(
    api: TestClient, runtime: Runtime, people: People
) -> None:
    lead_id = new_lead(api, runtime, people)
    r = api.post(f"/leads/{lead_id}/review/confirm", json=confirm_body(api, people, lead_id), headers=people.h("sdr"))
    assert r.status_code == 200 and r.json()["ae_id"]
    assert api.get(f"/leads/{lead_id}/review", headers=people.h("sdr")).json()["ae"] is not None


def test_edit_records_ai_versus_human_answer(api: TestClient, runtime: Runtime, people: People) -> None:
    lead_id = new_lead(api, runtime, people)
    sc = card(api, people, lead_id)
    q = sc["answers"][0]
    body = {
        "revision": sc["revision"],
        "question_id": q["question_id"],
        "answer": "yes",
        "evidence": "Processing 4,000 invoices a month by hand",
        "note": "Confirmed on the phone",
    }
    r = api.post(f"/leads/{lead_id}/review/edit", json=body, headers=people.h("sdr"))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "in_review"  # an edit keeps the lead where it is
    edit = api.get(f"/leads/{lead_id}/review", headers=people.h("sdr")).json()["edits"][0]
    assert (
        edit["ai_answer"] == q["answer"] and edit["human_answer"] == "yes" and edit["reviewer"] == people.emails["sdr"]
    )
    last = api.get(f"/leads/{lead_id}/audit", headers=people.h("sdr")).json()[-1]
    assert last["action"] == "edit" and last["new"]["answer"] == "yes" and last["reason"] == "Confirmed on the phone"


def test_an_edit_quote_must_be_verbatim_from_the_lead(api: TestClient, runtime: Runtime, people: People) -> None:
    lead_id = new_lead(api, runtime, people)
    sc = card(api, people, lead_id)
    body = {
        "revision": sc["revision"],
        "question_id": sc["answers"][0]["question_id"],
        "answer": "yes",
        "evidence": "They have unlimited budget",
        "note": "trust me",
    }
    r = api.post(f"/leads/{lead_id}/review/edit", json=body, headers=people.h("sdr"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "evidence"
    assert audit_count(runtime, lead_id) == 0


def test_reject_push_back_and_reopen_cycle(api: TestClient, runtime: Runtime, people: People) -> None:
    lead_id = new_lead(api, runtime, people, ae="ae")
    rev = card(api, people, lead_id)["revision"]
    assert (
        api.post(
            f"/leads/{lead_id}/review/confirm", json=confirm_body(api, people, lead_id), headers=people.h("sdr")
        ).status_code
        == 200
    )
    r = api.post(
        f"/leads/{lead_id}/review/push-back",
        json={"revision": rev, "reason": "no_authority", "note": "Needs the CFO"},
        headers=people.h("ae"),
    )
    assert r.status_code == 200 and status(runtime, lead_id) == "pushed_back"
    queue = api.get("/review/queue", headers=people.h("sdr")).json()["items"]
    assert lead_id in [i["lead_id"] for i in queue]  # back in the SDR's queue
    r = api.post(
        f"/leads/{lead_id}/review/reject", json={"revision": rev, "reason": "bad_timing"}, headers=people.h("sdr")
    )
    assert r.status_code == 200 and status(runtime, lead_id) == "recycled"
    r = api.post(f"/leads/{lead_id}/review/reopen", json={"reason": "They called back"}, headers=people.h("sdr"))
    assert r.status_code == 200 and status(runtime, lead_id) == "in_review"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("accept", {"revision": 1}),
        ("push-back", {"revision": 1, "reason": "no_need"}),
        ("reopen", {"reason": "why not"}),
    ],
)
def test_a_transition_the_state_does_not_allow_is_409_with_the_state(
    api: TestClient, runtime: Runtime, people: People, path: str, body: dict
) -> None:
    lead_id = new_lead(api, runtime, people, ae="ae")
    r = api.post(f"/leads/{lead_id}/review/{path}", json=body, headers=people.h("admin"))
    assert r.status_code == 409 and r.json()["state"] == "in_review"
    assert status(runtime, lead_id) == "in_review" and audit_count(runtime, lead_id) == 0


def test_the_same_person_cannot_confirm_and_accept(api: TestClient, runtime: Runtime, people: People) -> None:
    lead_id = new_lead(api, runtime, people)
    assert (
        api.post(
            f"/leads/{lead_id}/review/confirm", json=confirm_body(api, people, lead_id), headers=people.h("admin")
        ).status_code
        == 200
    )
    rev = card(api, people, lead_id)["revision"]
    r = api.post(f"/leads/{lead_id}/review/accept", json={"revision": rev}, headers=people.h("admin"))
    assert r.status_code == 403 and "confirmed" in r.json()["detail"]
    assert status(runtime, lead_id) == "sdr_confirmed"


def test_a_confirm_with_a_disqualifying_or_incomplete_checklist_is_422(
    api: TestClient, runtime: Runtime, people: People
) -> None:
    lead_id = new_lead(api, runtime, people)
    body = confirm_body(api, people, lead_id)
    first = next(iter(body["record"]["checklist"]))
    bad = {**body, "record": {**body["record"], "checklist": {**body["record"]["checklist"], first: "disqualifying"}}}
    missing = {**body, "record": {**body["record"], "checklist": {first: "confirmed"}}}
    invented = {
        **body,
        "record": {**body["record"], "checklist": {**body["record"]["checklist"], "made_up": "unknown"}},
    }
    no_value = {**body, "record": {k: v for k, v in body["record"].items() if k != "opportunity_value"}}
    for b in (bad, missing, invented, no_value):
        r = api.post(f"/leads/{lead_id}/review/confirm", json=b, headers=people.h("sdr"))
        assert r.status_code == 422, b
    assert status(runtime, lead_id) == "in_review" and audit_count(runtime, lead_id) == 0


def test_if_the_audit_write_fails_the_change_fails(
    api: TestClient, runtime: Runtime, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead_id = new_lead(api, runtime, people)
    body = confirm_body(api, people, lead_id)

    def broken_audit(*_: object, **__: object) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit_service, "record", broken_audit)
    with pytest.raises(RuntimeError):
        api.post(f"/leads/{lead_id}/review/confirm", json=body, headers=people.h("sdr"))
    monkeypatch.undo()
    assert status(runtime, lead_id) == "in_review"
    assert api.get(f"/leads/{lead_id}/review", headers=people.h("sdr")).json()["decisions"] == []


def test_audit_rows_cannot_be_changed_or_deleted(api: TestClient, runtime: Runtime, people: People) -> None:
    lead_id = new_lead(api, runtime, people)
    api.post(f"/leads/{lead_id}/review/confirm", json=confirm_body(api, people, lead_id), headers=people.h("sdr"))
    for change in ("update", "delete"):
        with pytest.raises(AppendOnlyError), transaction(runtime.sessions) as s:
            row = s.scalar(select(AuditRow).where(AuditRow.lead_id == lead_id))
            if change == "update":
                row.reason = "rewritten"  # type: ignore[union-attr]
            else:
                s.delete(row)
            s.flush()
    assert audit_count(runtime, lead_id) == 1


def test_reviews_export_as_labeled_whole_lead_cases(
    api: TestClient, runtime: Runtime, people: People, tmp_path: Path
) -> None:
    sql = new_lead(api, runtime, people)
    sc = card(api, people, sql)
    api.post(
        f"/leads/{sql}/review/edit",
        headers=people.h("sdr"),
        json={
            "revision": sc["revision"],
            "question_id": sc["answers"][0]["question_id"],
            "answer": "no",
            "evidence": "Wants to go live next quarter",
            "note": "not this year",
        },
    )
    api.post(f"/leads/{sql}/review/confirm", json=confirm_body(api, people, sql), headers=people.h("sdr"))
    student = new_lead(api, runtime, people)
    api.post(
        f"/leads/{student}/review/reject",
        json={"revision": 1, "reason": "student_or_job_seeker"},
        headers=people.h("sdr"),
    )
    with runtime.sessions() as s:
        cases = {c.id: c for c in reviewed_cases(s)}
    out = tmp_path / "cases.jsonl"
    write_jsonl(out, list(cases.values()))
    loaded = {c.id: c for c in load_lead_cases(out)}  # the evals loader accepts the export as it is
    assert loaded[f"review-{sql}"].expected_outcome == "sql"
    assert loaded[f"review-{sql}"].answers[sc["answers"][0]["question_id"]].answer == "no"
    assert loaded[f"review-{sql}"].origin.decision == "edit"  # type: ignore[union-attr]
    assert loaded[f"review-{student}"].expected_outcome == "disqualify"
    assert json.loads(out.read_text().splitlines()[0])["origin"]["kind"] == "reviewer"


def test_a_library_requalification_never_overrides_a_decision_made_while_it_runs(
    api: TestClient, runtime: Runtime, people: People
) -> None:
    from agent.schemas import Lead
    from api.leads import service
    from api.leads.models import LeadRow

    lead_id = new_lead(api, runtime, people, sdr="sdr", ae="ae")
    with runtime.sessions() as s:
        lead = Lead.model_validate(s.get(LeadRow, lead_id).payload)  # type: ignore[union-attr]
    # the SDR confirms after the re-qualification started (here: before its revision is written)
    r = api.post(f"/leads/{lead_id}/review/confirm", json=confirm_body(api, people, lead_id), headers=people.h("sdr"))
    assert r.status_code == 200, r.text
    made = service.requalify(
        runtime.sessions,
        runtime.deps,
        lead_id,
        lead,
        keep_status=False,
        cause="library_changed",
        only_from=service.REQUALIFY_FROM,
    )
    assert made is None and status(runtime, lead_id) == "sdr_confirmed" and card(api, people, lead_id)["revision"] == 1
    # a lead still in review does get the new revision
    other = new_lead(api, runtime, people, sdr="sdr")
    with runtime.sessions() as s:
        lead = Lead.model_validate(s.get(LeadRow, other).payload)  # type: ignore[union-attr]
    made = service.requalify(
        runtime.sessions,
        runtime.deps,
        other,
        lead,
        keep_status=False,
        cause="library_changed",
        only_from=service.REQUALIFY_FROM,
    )
    assert made is not None and card(api, people, other)["revision"] == 2
