"""The LLM judge wired from settings, end to end through the API against the fake OpenAI-compatible server:
endpoint faults end in explicit lead states, retry yields exactly one scorecard, and the spend cap stops new calls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.leads.models import ScorecardRow
from api.main import create_app
from api.runtime import Runtime, build_runtime
from api.settings import Settings
from tests.api.conftest import add_user
from tests.fakes.openai_server import FakeOpenAIServer, all_unknown, error

pytestmark = pytest.mark.usefixtures("server_profile")  # against every fake server profile

LEAD = {
    "person": {"name": "Ana Diaz", "email": "ana@globex.com", "title": "CFO"},
    "company": {"name": "Globex", "employees": 900, "country": "US"},
    "notes": "Budget of $80k approved; wants to go live next quarter.",
}


@pytest.fixture()
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(responder=all_unknown) as fake:
        yield fake


def make(tmp: Path, server: FakeOpenAIServer, **overrides: object) -> tuple[Runtime, TestClient, dict[str, str]]:
    settings = Settings(
        data_dir=tmp,
        judge="llm",
        OPENAI_BASE_URL=server.base_url,
        OPENAI_API_KEY="sk-test",
        model="gpt-4o-mini",
        llm_max_attempts=2,
        llm_timeout=5,
        **overrides,
    )  # type: ignore[arg-type]
    rt = build_runtime(settings)
    client = TestClient(create_app(runtime=rt))
    client.__enter__()
    return rt, client, {"X-API-Key": add_user(rt, "admin")}


def cards(rt: Runtime, lead_id: str) -> int:
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(ScorecardRow).where(ScorecardRow.lead_id == lead_id))  # type: ignore[return-value]


def test_llm_judge_scorecard_is_stamped_with_model_and_prompt_hashes(tmp_path: Path, server: FakeOpenAIServer) -> None:
    rt, client, key = make(tmp_path, server)
    lead_id = client.post("/leads", json=LEAD, headers=key).json()["lead_id"]
    got = client.get(f"/leads/{lead_id}", headers=key).json()
    assert got["status"] == "in_review"
    card = client.get(f"/scorecards/{got['scorecards'][0]['id']}", headers=key).json()
    assert card["provenance"]["judge"] == "llm" and card["provenance"]["model"] == "gpt-4o-mini"
    assert card["provenance"]["prompt_hashes"] and card["usage"]["llm_calls"] >= 1
    sent = server.requests[-1]
    assert sent.body["model"] == "gpt-4o-mini" and sent.body.get("max_completion_tokens") == 2048
    client.__exit__(None, None, None)


def test_repeated_5xx_ends_failed_retryable_and_retry_makes_one_scorecard(
    tmp_path: Path, server: FakeOpenAIServer
) -> None:
    rt, client, key = make(tmp_path, server)
    server.push(error(500), error(500))  # the whole retry budget (2 attempts) fails
    lead_id = client.post("/leads", json=LEAD, headers=key).json()["lead_id"]
    got = client.get(f"/leads/{lead_id}", headers=key).json()
    assert (got["status"], got["attempts"]) == ("failed_retryable", 1) and got["error_class"]
    assert len(server.requests) == 2 and cards(rt, lead_id) == 0

    assert client.post(f"/leads/{lead_id}/retry", headers=key).status_code == 202  # the endpoint is healthy again
    assert client.get(f"/leads/{lead_id}", headers=key).json()["status"] == "in_review"
    assert cards(rt, lead_id) == 1
    again = client.post(f"/leads/{lead_id}/retry", headers=key)
    assert again.status_code == 409 and again.json()["state"] == "in_review" and cards(rt, lead_id) == 1
    client.__exit__(None, None, None)


def test_401_ends_failed_permanent_without_burning_the_budget(tmp_path: Path, server: FakeOpenAIServer) -> None:
    rt, client, key = make(tmp_path, server)
    server.push(error(401, "invalid api key"))
    lead_id = client.post("/leads", json=LEAD, headers=key).json()["lead_id"]
    got = client.get(f"/leads/{lead_id}", headers=key).json()
    assert got["status"] == "failed_permanent" and len(server.requests) == 1
    client.__exit__(None, None, None)


def test_spend_cap_stops_calls_and_leaves_the_lead_waiting(tmp_path: Path, server: FakeOpenAIServer) -> None:
    rt, client, key = make(tmp_path, server, budget_per_day_usd=0.000001)
    lead_id = client.post("/leads", json=LEAD, headers=key).json()["lead_id"]
    got = client.get(f"/leads/{lead_id}", headers=key).json()
    assert got["status"] == "budget_exceeded" and got["lead"]["person"]["email"] == "ana@globex.com"
    assert server.requests == [] and cards(rt, lead_id) == 0
    client.__exit__(None, None, None)


def test_llm_judge_without_an_endpoint_fails_fast_naming_the_variable() -> None:
    with pytest.raises(ValueError, match="OPENAI_BASE_URL"):
        Settings(judge="llm", OPENAI_BASE_URL=None, OPENAI_API_KEY=None)  # type: ignore[arg-type]


def test_transcript_ingestion_uses_the_llm_extractor(tmp_path: Path, server: FakeOpenAIServer) -> None:
    rt, client, key = make(tmp_path, server)
    lead_id = client.post("/leads", json=LEAD, headers=key).json()["lead_id"]
    before = len(server.requests)
    call = "[00:05] Sam (Ledgerly): Budget?\n[00:12] Ana (Globex): We have eighty thousand approved.\n"
    r = client.post(
        f"/leads/{lead_id}/transcripts",
        headers=key,
        files={"file": ("call.txt", call.encode())},
        data={"roles": '{"seller_names": ["Sam"]}', "call_date": "2026-11-20"},
    )
    assert r.status_code == 201 and r.json()["revision"] == 2 and cards(rt, lead_id) == 2
    assert r.json()["diff"]["source"]["extractor"] == "llm-transcript"
    sent = server.requests[before:]
    assert sent and "eighty thousand approved" in sent[0].message_text("user")
    client.__exit__(None, None, None)
