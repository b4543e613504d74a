"""Transcript uploads: the review assignment policy, an audit row, and bad uploads that are 4xx and change nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.runtime import Runtime
from tests.api.review.conftest import People, audit_count, confirm_body, new_lead, status

CALLS = Path(__file__).resolve().parents[3] / "evals" / "data" / "ledgerly" / "transcripts"
CALL = (CALLS / "01_harborline_discovery.vtt").read_bytes()
PROBLEM = "application/problem+json"


def upload(
    api: TestClient, people: People, who: str, lead_id: str, name: str = "call.vtt", data: bytes = CALL, **form: str
) -> object:
    return api.post(f"/leads/{lead_id}/transcripts", files={"file": (name, data)}, data=form, headers=people.h(who))


def revisions(api: TestClient, people: People, lead_id: str) -> int:
    return len(api.get(f"/leads/{lead_id}", headers=people.h("admin")).json()["scorecards"])


def test_an_sdr_not_assigned_cannot_add_a_call_to_another_reps_confirmed_lead(
    api: TestClient, runtime: Runtime, people: People
) -> None:
    lead_id = new_lead(api, runtime, people, sdr="sdr", ae="ae")
    assert (
        api.post(
            f"/leads/{lead_id}/review/confirm", json=confirm_body(api, people, lead_id), headers=people.h("sdr")
        ).status_code
        == 200
    )
    before = audit_count(runtime, lead_id)
    for outsider in ("sdr2", "ae2"):
        r = upload(api, people, outsider, lead_id)
        assert r.status_code == 403 and r.headers["content-type"].startswith(PROBLEM)  # type: ignore[attr-defined]
    assert status(runtime, lead_id) == "sdr_confirmed" and revisions(api, people, lead_id) == 1
    assert audit_count(runtime, lead_id) == before


@pytest.mark.parametrize("who", ["sdr", "ae", "admin", "service"])
def test_the_assigned_people_admins_and_recorders_may_and_the_upload_is_audited(
    api: TestClient, runtime: Runtime, people: People, who: str
) -> None:
    lead_id = new_lead(api, runtime, people, sdr="sdr", ae="ae")
    r = upload(api, people, who, lead_id)
    assert r.status_code == 201, r.text  # type: ignore[attr-defined]
    trail = api.get(f"/leads/{lead_id}/audit", headers=people.h("admin")).json()
    row = [a for a in trail if a["action"] == "transcript"]
    assert len(row) == 1 and row[0]["actor"] == people.emails[who]
    assert row[0]["object_id"] == r.json()["transcript_id"] and row[0]["new"]["revision"] == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "data", "form", "field"),
    [
        ("call.vtt", CALL, {"format": "exe"}, "format"),
        ("call.json", b"[" * 50_000 + b"]" * 50_000, {}, "transcript"),
        ("call.bin", b"[" * 50_000 + b"]" * 50_000, {}, "transcript"),
        ("call.json", json.dumps([{"speaker": "Dana", "text": "Hi", "start": float("nan")}]).encode(), {}, "start"),
        ("call.json", b'[{"speaker": "Dana", "text": "Hi", "start": 1, "end": Infinity}]', {"format": "json"}, "end"),
    ],
)
def test_bad_uploads_are_4xx_naming_the_field_and_change_nothing(
    api: TestClient, runtime: Runtime, people: People, name: str, data: bytes, form: dict[str, str], field: str
) -> None:
    lead_id = new_lead(api, runtime, people, sdr="sdr")
    before = audit_count(runtime, lead_id)
    r = upload(api, people, "sdr", lead_id, name, data, **form)
    assert r.status_code == 422, r.text  # type: ignore[attr-defined]
    assert r.headers["content-type"].startswith(PROBLEM)  # type: ignore[attr-defined]
    assert [e["field"] for e in r.json()["errors"]] == [field]  # type: ignore[attr-defined]
    assert revisions(api, people, lead_id) == 1 and audit_count(runtime, lead_id) == before


def test_deep_json_sent_as_a_json_body_is_refused_too(api: TestClient, runtime: Runtime, people: People) -> None:
    lead_id = new_lead(api, runtime, people, sdr="sdr")
    r = api.post(
        f"/leads/{lead_id}/transcripts", headers=people.h("sdr"), json={"content": "[" * 50_000 + "]" * 50_000}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "transcript"
