"""The scorecard page in an SDR's words: sentences not field checks, '—' for unknown, grouped collapsible answers,
questions named by their text in the audit, formatted numbers, an activity timeline and the account's other leads."""

from __future__ import annotations

import html as htmllib
import re
import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient

from agent.checks import evaluate
from agent.schemas import Enrichment, Lead
from agent.wording import check_sentence
from api.runtime import Runtime
from tests.api.review.conftest import People, browser, card, new_lead


def test_check_reasoning_reads_as_a_sentence(runtime: Runtime) -> None:
    q = next(q for q in runtime.deps.library.questions if q.id == "business_email")
    got = evaluate(
        q,
        Lead.model_validate({"person": {"email": "dana@northwind.com"}}),
        Enrichment.model_validate(
            {
                "fields": {
                    "email.free_mail": {
                        "value": False,
                        "source": "email",
                        "fetched_at": "2026-11-20T09:00:00Z",
                        "confidence": 1,
                    }
                }
            }
        ),
        runtime.deps.clock(),
    )
    assert got.reasoning == "The e-mail address is on a company domain, not a free-mail provider."
    assert "the check is" not in got.reasoning and "free_mail" not in got.reasoning
    assert (
        check_sentence("company.employees", "gte", 200, 4200, True)
        == "The company has 4,200 employees — that is at least 200 as the question asks."
    )


def test_the_scorecard_page_speaks_plainly(app: FastAPI, api: TestClient, runtime: Runtime, people: People) -> None:
    tag = uuid.uuid4().hex[:6]
    company = {"name": f"Umbrella {tag}", "domain": f"umbrella-{tag}.com", "employees": 4200, "country": "US"}
    sibling = new_lead(
        api, runtime, people, person={"name": "Sam Sibling", "email": f"sam@umbrella-{tag}.com"}, company=company
    )
    lead_id = new_lead(
        api,
        runtime,
        people,
        company=company,
        person={"name": "Pat Lead", "email": f"pat@umbrella-{tag}.com", "title": "CFO"},
    )
    sc = card(api, people, lead_id)
    target = sc["answers"][0]
    edit = {"revision": sc["revision"], "question_id": target["question_id"], "answer": "unknown", "note": "Not asked"}
    assert api.post(f"/leads/{lead_id}/review/edit", json=edit, headers=people.h("sdr")).status_code == 200
    page = browser(app, people, "sdr").get(f"/ui/leads/{lead_id}").text
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", page))
    assert "the check is" not in text and "free_mail" not in text and "email.free" not in text
    assert "4,200 employees" in text
    unknown = [a for a in sc["answers"] if a["answer"] == "unknown"]
    assert unknown and " 0%" not in text  # an unknown answer has no confidence to show
    for a in unknown:
        block = page.split(f'id="q-{a["question_id"]}"')[1].split("</li>")[0]
        assert '<span class="conf" title="confidence">—</span>' in block
    groups = re.findall(r'<details class="group group-(\w+)"', page)
    assert "must_have" in groups and groups == sorted(groups, key=["disqualifier", "must_have", "other"].index)
    question = next(q.text for q in runtime.deps.library.questions if q.id == target["question_id"])
    audit = htmllib.unescape(page.split('id="audit"')[1])
    assert f"“{question}”" in audit and f" {target['question_id']}:" not in audit
    assert 'id="timeline"' in page and "changed “" in htmllib.unescape(
        page.split('id="timeline"')[1].split("</section>")[0]
    )
    account = page.split('id="account"')[1].split("</section>")[0]
    assert f"/ui/leads/{sibling}" in account and "Sam Sibling" in account and "in review" in account
    assert "+0.0" not in text


def test_judge_reasoning_is_shown_without_its_machinery() -> None:
    from api.web.render import plain_reasoning

    got = plain_reasoning(
        'Not settled: notes "Processing 4,000 invoices.": not close to any example '
        '(nearest: "We renewed InvoiceHive.").'
    )
    assert got == (
        "Not settled: in the notes: nothing close to what the question looks for "
        "(nearest example: “We renewed InvoiceHive.”)."
    )
    got = plain_reasoning(
        'form "We have $60k": closest to the yes example "$25k budgeted"; '
        'but notes "no budget": closest to the no example "No budget".'
    )
    assert got.startswith("In the form answer: it reads like the “yes” example “$25k budgeted”; but in the notes:")
    assert plain_reasoning("The e-mail address is on a company domain.") == "The e-mail address is on a company domain."
