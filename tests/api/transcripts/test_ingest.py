"""Transcript ingestion through the API and the CLI: every format, replays, and bad input that changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.leads.models import ScorecardRow
from api.runtime import Runtime
from api.transcripts.models import TranscriptRow

CALLS = Path(__file__).resolve().parents[3] / "evals" / "data" / "ledgerly" / "transcripts"
PROBLEM = "application/problem+json"
LEAD = {
    "person": {"name": "Dana Ortiz", "email": "dana.ortiz@harborlinefreight.com", "title": "Controller"},
    "company": {"name": "Harborline Freight", "employees": 320, "country": "US"},
    "notes": "Inbound from the pricing page.",
    "received_at": "2026-11-10T09:00:00Z",
}


def new_lead(client: TestClient) -> str:
    lead_id = client.post("/leads", json=LEAD).json()["lead_id"]
    assert client.get(f"/leads/{lead_id}").json()["status"] == "in_review"
    return lead_id


def roles_of(name: str) -> str:
    labels = yaml.safe_load((CALLS / (name.rsplit(".", 1)[0] + ".labels.yaml")).read_text())
    return json.dumps(labels["roles"])


def revisions(runtime: Runtime, lead_id: str) -> int:
    with runtime.sessions() as s:
        return s.scalar(select(func.count()).select_from(ScorecardRow).where(ScorecardRow.lead_id == lead_id))  # type: ignore[return-value]


@pytest.mark.parametrize(
    "name",
    [
        "01_harborline_discovery.vtt",
        "02_brightpath_vague.srt",
        "03_kessler_enterprise.json",
        "12_northwind_followup.txt",
    ],
)
def test_each_format_uploads_into_a_new_revision_with_a_diff(client: TestClient, runtime: Runtime, name: str) -> None:
    lead_id = new_lead(client)
    data = (CALLS / name).read_bytes()
    r = client.post(f"/leads/{lead_id}/transcripts", files={"file": (name, data)}, data={"roles": roles_of(name)})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["revision"] == 2 and revisions(runtime, lead_id) == 2
    card = client.get(f"/scorecards/{body['scorecard_id']}").json()
    assert card["revision"] == 2
    transcript_answers = [a for a in card["answers"] if any(e["source"] == "transcript" for e in a["evidence"])]
    assert transcript_answers, "the call should have answered something"
    for a in transcript_answers:  # every call quote carries who said it and is verified against the call
        for e in (e for e in a["evidence"] if e["source"] == "transcript"):
            assert e["speaker"] and e["ref"].startswith("u")
    assert all(
        c["needs_review"] == (c["kind"] != "unchanged" and c["kind"] != "kept_previous")
        for c in body["diff"]["changes"]
    )
    listed = client.get(f"/leads/{lead_id}/transcripts").json()
    assert [t["id"] for t in listed] == [body["transcript_id"]]


def test_json_body_and_replay_is_idempotent(client: TestClient, runtime: Runtime) -> None:
    lead_id = new_lead(client)
    content = (CALLS / "01_harborline_discovery.vtt").read_text()
    first = client.post(
        f"/leads/{lead_id}/transcripts",
        json={"content": content, "format": "vtt", "roles": {"seller_names": ["Sam Patel"]}},
    )
    again = client.post(
        f"/leads/{lead_id}/transcripts",
        json={"content": content, "format": "vtt", "roles": {"seller_names": ["Sam Patel"]}},
    )
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["transcript_id"] == first.json()["transcript_id"]
    assert revisions(runtime, lead_id) == 2
    detail = client.get(f"/transcripts/{first.json()['transcript_id']}").json()
    assert detail["transcript"]["call_date"] == "2026-11-12"
    roles = {u["speaker"]: u["role"] for u in detail["transcript"]["utterances"]}
    assert roles["Sam Patel"] == "seller" and roles["Dana Ortiz"] == "prospect"


def test_when_no_speaker_is_known_to_be_a_rep_nothing_counts_as_evidence(client: TestClient) -> None:
    lead_id = new_lead(client)
    r = client.post(
        f"/leads/{lead_id}/transcripts", files={"file": ("call.srt", (CALLS / "02_brightpath_vague.srt").read_bytes())}
    )
    assert r.status_code == 201
    card = client.get(f"/scorecards/{r.json()['scorecard_id']}").json()
    assert not any(e["source"] == "transcript" for a in card["answers"] for e in a["evidence"])
    assert r.json()["diff"]["changes"] and not any(c["needs_review"] for c in r.json()["diff"]["changes"])


BROKEN_VTT = "WEBVTT\n\n1\n00:00:09.000 --> 00:00:02.000\n<v Sam>Hello\n"
BAD = [
    ("empty.vtt", b"", 422),
    ("binary.vtt", bytes(range(256)) * 4, 422),
    ("latin1.txt", "Dana: We budgeted 40k for the caf\xe9 chain".encode("latin-1"), 422),
    ("broken.vtt", BROKEN_VTT.encode(), 422),
    ("nospeaker.json", json.dumps([{"start": 0, "end": 2, "text": "hello"}]).encode(), 422),
    ("huge.txt", b"Dana: " + b"x" * 50_000_000, 413),
]


@pytest.mark.parametrize(("name", "data", "status"), BAD, ids=[b[0] for b in BAD])
def test_bad_files_are_4xx_and_change_nothing(
    client: TestClient, runtime: Runtime, name: str, data: bytes, status: int
) -> None:
    lead_id = new_lead(client)
    r = client.post(f"/leads/{lead_id}/transcripts", files={"file": (name, data)})
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM) and r.json()["detail"]
    assert revisions(runtime, lead_id) == 1
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(TranscriptRow).where(TranscriptRow.lead_id == lead_id)) == 0
    assert client.get(f"/leads/{lead_id}").json()["status"] == "in_review"


def test_unknown_lead_is_404(client: TestClient) -> None:
    r = client.post("/leads/nope/transcripts", files={"file": ("a.txt", b"Dana: hello")})
    assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM)


def test_json_body_with_unknown_field_names_it(client: TestClient) -> None:
    lead_id = new_lead(client)
    r = client.post(f"/leads/{lead_id}/transcripts", json={"content": "Dana: hi", "speakers": []})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "speakers"
