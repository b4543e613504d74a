"""A reviewer's edit makes a new scorecard revision, re-scored and re-tiered, diffed; decisions bind to the newest one."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.runtime import Runtime
from tests.api.review.conftest import People, browser, card, confirm_body, new_lead

QUOTES = {
    "manual_ap_process": "Processing 4,000 invoices a month by hand.",
    "go_live_90_days": "Wants to go live next quarter.",
    "budget_15k": "We have about $60k approved for this year.",
}


def edit(
    api: TestClient, people: People, lead_id: str, question_id: str, answer: str, quote: str | None = None
) -> dict[str, Any]:
    revision = card(api, people, lead_id)["revision"]
    body = {
        "revision": revision,
        "question_id": question_id,
        "answer": answer,
        "note": "Heard it on the call",
        "evidence": quote,
    }
    r = api.post(f"/leads/{lead_id}/review/edit", json=body, headers=people.h("sdr"))
    assert r.status_code == 200, r.text
    return r.json()["edit"]  # type: ignore[no-any-return]


def criteria(sc: dict[str, Any]) -> dict[str, str]:
    return {c["id"]: c["status"] for c in sc["sql"]["criteria"]}


def test_edits_make_new_revisions_that_are_re_tiered_and_diffed(
    api: TestClient, runtime: Runtime, people: People
) -> None:
    lead_id = new_lead(api, runtime, people)
    first = card(api, people, lead_id)
    assert first["sql"]["source"] == "sql_definition" and first["sql"]["segment"] == "mid_market"
    for question_id, quote in QUOTES.items():
        edit(api, people, lead_id, question_id, "yes", quote)
    ready = card(api, people, lead_id)
    assert ready["revision"] == first["revision"] + 3
    assert ready["tier"] == "sql_ready", ready["sql"]
    assert {"need", "timing", "budget_or_authority"} <= {k for k, v in criteria(ready).items() if v == "met"}
    answer = next(a for a in ready["answers"] if a["question_id"] == "go_live_90_days")
    assert answer["flags"] == ["reviewer_override"] and answer["evidence"][0]["source"] == "notes"

    done = edit(api, people, lead_id, "go_live_90_days", "no", QUOTES["go_live_90_days"])
    later = card(api, people, lead_id)
    assert done["revision"] == later["revision"] == ready["revision"] + 1
    assert later["tier"] == "nurture" and later["route"] == "nurture"
    assert later["sql"]["nurture_reasons"][0].startswith("timing:")
    diff = done["diff"]
    assert (diff["from_revision"], diff["to_revision"], diff["cause"]) == (
        ready["revision"],
        later["revision"],
        "reviewer_edit",
    )
    assert (diff["tier_before"], diff["tier_after"]) == ("sql_ready", "nurture")
    assert diff["answers"] == [
        {"question_id": "go_live_90_days", "before": "yes", "after": "no", "before_value": None, "after_value": None}
    ]
    assert {"id": "timing", "label": diff["criteria"][0]["label"], "before": "met", "after": "failed"} in diff[
        "criteria"
    ]
    # the second edit of one question still records the AI's own answer, not the first reviewer's
    edits = api.get(f"/leads/{lead_id}/review", headers=people.h("sdr")).json()["edits"]
    go_live = [e for e in edits if e["question_id"] == "go_live_90_days"]
    assert [e["human_answer"] for e in go_live] == ["yes", "no"]
    assert go_live[1]["ai_answer"] == go_live[0]["ai_answer"]
    assert go_live[1]["revision"] == later["revision"]


def test_an_edit_to_unknown_re_asks_the_must_have(api: TestClient, runtime: Runtime, people: People) -> None:
    lead_id = new_lead(api, runtime, people)
    for question_id, quote in QUOTES.items():
        edit(api, people, lead_id, question_id, "yes", quote)
    edit(api, people, lead_id, "manual_ap_process", "unknown")
    edit(api, people, lead_id, "invoice_volume_500", "unknown")  # the segment's other need question
    sc = card(api, people, lead_id)
    assert criteria(sc)["need"] == "missing"
    assert sc["tier"] == "needs_discovery"
    assert [d["question_id"] for d in sc["discovery_questions"]] == ["manual_ap_process", "invoice_volume_500"]


def test_confirm_and_accept_bind_to_the_newest_revision(api: TestClient, runtime: Runtime, people: People) -> None:
    lead_id = new_lead(api, runtime, people, ae="ae")
    stale = confirm_body(api, people, lead_id)
    edit(api, people, lead_id, "budget_15k", "yes", QUOTES["budget_15k"])
    r = api.post(f"/leads/{lead_id}/review/confirm", json=stale, headers=people.h("sdr"))
    assert r.status_code == 409 and r.json()["revision"] == stale["revision"] + 1
    fresh = confirm_body(api, people, lead_id)
    assert api.post(f"/leads/{lead_id}/review/confirm", json=fresh, headers=people.h("sdr")).status_code == 200
    old = api.post(f"/leads/{lead_id}/review/accept", json={"revision": stale["revision"]}, headers=people.h("ae"))
    assert old.status_code == 409
    ok = api.post(f"/leads/{lead_id}/review/accept", json={"revision": fresh["revision"]}, headers=people.h("ae"))
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"company": {"name": "Tiny Co", "domain": "tiny-co-example.com", "employees": 25, "country": "United States"}},
        {"notes": "Just browsing, no project planned until 2028.", "form_answers": {}},
        {"events": [{"type": "demo_request", "timestamp": "2026-11-19T10:00:00Z"}]},
    ],
)
def test_the_score_adds_up_on_real_scored_leads(
    api: TestClient, runtime: Runtime, people: People, extra: dict[str, Any]
) -> None:
    lead_id = new_lead(api, runtime, people, **extra)
    cards = [card(api, people, lead_id)]
    if not extra:  # and after an edit re-scored it
        edit(api, people, lead_id, "budget_15k", "yes", QUOTES["budget_15k"])
        cards.append(card(api, people, lead_id))
        assert cards[1]["score"] != cards[0]["score"]
    for sc in cards:
        b = sc["breakdown"]
        assert b["scale"] == "points"
        assert b["base"] + sum(f["points"] for f in b["contributions"]) == pytest.approx(b["total"], abs=1e-9)
        assert b["total"] == pytest.approx(sc["score"], abs=1e-9)
        # the reasons shown (the largest, plus one line for the rest) add up too
        assert b["base"] + sum(f["points"] for f in sc["reasons"]) == pytest.approx(sc["score"], abs=1e-6)


def test_the_scorecard_page_explains_the_tier_the_score_and_the_last_edit(
    app: FastAPI, api: TestClient, runtime: Runtime, people: People
) -> None:
    lead_id = new_lead(api, runtime, people)
    for question_id, quote in QUOTES.items():
        edit(api, people, lead_id, question_id, "yes", quote)
    edit(api, people, lead_id, "go_live_90_days", "no", QUOTES["go_live_90_days"])
    sc = card(api, people, lead_id)
    page = browser(app, people, "sdr").get(f"/ui/leads/{lead_id}").text
    section = page[page.index('id="decision"') : page.index('id="h-answers"')]
    assert "Why nurture" in section
    assert "Must-have failed: Buying now — a go-live within 90 days or a compelling event (timing)" in section
    assert "Nurture reason: timing: future pipeline — the timing is not now" in section
    assert "Must-have: An AP pain Ledgerly solves is evidenced" in section and "Met" in section and "Failed" in section
    assert "Future pipeline — keep in the quarterly nurture track." in section  # the failed must-have's nurture note
    # the breakdown adds up on screen: base, every contribution, total = the score
    b = sc["breakdown"]
    assert f"{b['base']:.2f}" in section and f"{b['total']:.2f}" in section
    assert all(f"{f['points']:+.2f}" in section for f in b["contributions"])
    assert "Changed since revision" in section and "(by a reviewer&#39;s edit)" in section
    assert "Tier sql ready → nurture" in section
    assert "Does the prospect want to go live within 90 days?: yes → no" in section
