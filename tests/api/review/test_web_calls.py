"""The scorecard page shows what a call changed (before → after, who said it, when), escaped like all lead text."""

from __future__ import annotations

import json

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.runtime import Runtime
from tests.api.review.conftest import People, browser, new_lead

CALL = """[00:05] Sam (Ledgerly): Thanks for joining. Do you have budget set aside for this?
[00:12] Dana (Northwind): Yes, we have eighty thousand dollars approved <script>alert('x')</script> for AP this year.
"""


def test_call_changes_are_listed_on_the_lead_page_and_escaped(
    app: FastAPI, api: TestClient, runtime: Runtime, people: People
) -> None:
    lead_id = new_lead(api, runtime, people, notes="Inbound form, nothing about budget yet.", form_answers={})
    r = api.post(
        f"/leads/{lead_id}/transcripts",
        headers=people.h("sdr"),
        files={"file": ("call.txt", CALL.encode())},
        data={"roles": json.dumps({"seller_names": ["Sam"]}), "call_date": "2026-11-20"},
    )
    assert r.status_code == 201, r.text
    changed = [c for c in r.json()["diff"]["changes"] if c["needs_review"]]
    assert changed, "the call stated a budget"

    html = browser(app, people, "sdr").get(f"/ui/leads/{lead_id}").text
    assert "From the call on 2026-11-20" in html and "revision 2" in html
    assert "eighty thousand dollars approved" in html and "0:12" in html and ">Dana" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_each_answer_shows_its_reading_and_where_a_call_quote_was_said(
    app: FastAPI, api: TestClient, runtime: Runtime, people: People
) -> None:
    lead_id = new_lead(api, runtime, people, notes="Inbound form, nothing about budget yet.", form_answers={})
    r = api.post(
        f"/leads/{lead_id}/transcripts",
        headers=people.h("sdr"),
        files={"file": ("call.txt", CALL.encode())},
        data={"roles": json.dumps({"seller_names": ["Sam"]}), "call_date": "2026-11-20"},
    )
    assert r.status_code == 201, r.text
    html = browser(app, people, "sdr").get(f"/ui/leads/{lead_id}").text
    assert html.count('class="answer"') == html.count('class="reading">Read as: ') > 0  # every answer says how
    budget = next(q for q in runtime.deps.library.questions if q.reading is not None and q.reading.kind == "budget")
    assert f"Read as: {budget.reading.words}" in html
    assert "call · Dana (Northwind) at 0:12" in html or "call · Dana at 0:12" in html
    assert "not found in source" not in html  # a call quote is checked against the call, not the lead's notes
