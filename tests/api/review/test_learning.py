"""Reviewers teach the running judge: an edit is learned at once, and every stored edit again at start-up."""

from __future__ import annotations

from fastapi.testclient import TestClient

from agent.judges.base import ReviewedExample
from agent.judges.local import LocalJudge
from api.review.learning import example_of, reviewed_examples
from api.review.models import AnswerReviewRow
from api.runtime import Runtime, build_runtime
from tests.api.review.conftest import People, card, new_lead


def _edit(api: TestClient, people: People, lead_id: str, question_id: str, answer: str, evidence: str | None) -> None:
    sc = card(api, people, lead_id)
    r = api.post(
        f"/leads/{lead_id}/review/edit",
        headers=people.h("sdr"),
        json={
            "revision": sc["revision"],
            "question_id": question_id,
            "answer": answer,
            "evidence": evidence,
            "note": "Heard it on the call",
        },
    )
    assert r.status_code == 200, r.text


def test_an_edit_teaches_the_running_judge_and_a_restart_keeps_it(
    api: TestClient, runtime: Runtime, people: People
) -> None:
    judge = runtime.deps.judge
    assert isinstance(judge, LocalJudge)
    lead_id = new_lead(api, runtime, people)
    question = card(api, people, lead_id)["answers"][0]["question_id"]
    before = len(judge.reviewed(question))
    _edit(api, people, lead_id, question, "no", "Processing 4,000 invoices a month by hand")
    learned = judge.reviewed(question)
    assert len(learned) == before + 1
    assert learned[-1] == ReviewedExample(question, "Processing 4,000 invoices a month by hand", "no")
    restarted = build_runtime(runtime.settings)  # a new process on the same database
    try:
        assert ReviewedExample(question, "Processing 4,000 invoices a month by hand", "no") in (
            restarted.deps.judge.reviewed(question)
        )  # type: ignore[attr-defined]
    finally:
        restarted.engine.dispose()


def test_an_edit_with_no_quote_teaches_from_the_ais_quote_and_a_later_edit_replaces_it(
    api: TestClient, runtime: Runtime, people: People
) -> None:
    lead_id = new_lead(api, runtime, people)
    answers = card(api, people, lead_id)["answers"]
    quoted = next(a for a in answers if a["evidence"])
    _edit(api, people, lead_id, quoted["question_id"], "unknown", None)
    _edit(api, people, lead_id, quoted["question_id"], "yes", quoted["evidence"][0]["quote"])
    with runtime.sessions() as s:
        mine = [
            e
            for e in reviewed_examples(s)
            if e.question_id == quoted["question_id"] and e.text == quoted["evidence"][0]["quote"]
        ]
    assert [e.answer for e in mine][-1:] == ["yes"]


def test_a_second_edit_of_the_same_answer_replaces_its_example_at_once_and_after_a_restart(
    api: TestClient, runtime: Runtime, people: People
) -> None:
    judge = runtime.deps.judge
    assert isinstance(judge, LocalJudge)
    lead_id = new_lead(api, runtime, people)
    question = card(api, people, lead_id)["answers"][0]["question_id"]
    before = judge.reviewed(question)
    _edit(api, people, lead_id, question, "no", "Processing 4,000 invoices a month by hand")
    _edit(api, people, lead_id, question, "yes", "Wants to go live next quarter")
    newest = ReviewedExample(question, "Wants to go live next quarter", "yes")
    for examples in (judge.reviewed(question), judge._examples.reviewed(question)):  # both embedded paths
        assert examples == [*before, newest]  # one example for this lead's answer: the newest review
        assert examples[-1].lead_id == lead_id
    restarted = build_runtime(runtime.settings)
    try:
        assert restarted.deps.judge.reviewed(question) == judge.reviewed(question)  # type: ignore[attr-defined]
    finally:
        restarted.engine.dispose()


def test_a_re_edit_with_nothing_to_learn_from_drops_the_earlier_example(
    api: TestClient, runtime: Runtime, people: People
) -> None:
    judge = runtime.deps.judge
    assert isinstance(judge, LocalJudge)
    lead_id = new_lead(api, runtime, people)
    unquoted = next(a for a in card(api, people, lead_id)["answers"] if not a["evidence"])
    question = unquoted["question_id"]
    before = judge.reviewed(question)
    _edit(api, people, lead_id, question, "no", "Processing 4,000 invoices a month by hand")
    assert len(judge.reviewed(question)) == len(before) + 1
    _edit(api, people, lead_id, question, "unknown", None)  # no quote of the reviewer's, none of the AI's
    assert judge.reviewed(question) == before
    restarted = build_runtime(runtime.settings)
    try:
        assert restarted.deps.judge.reviewed(question) == before  # type: ignore[attr-defined]
    finally:
        restarted.engine.dispose()


def test_the_next_lead_saying_the_same_thing_gets_the_reviewers_answer(
    api: TestClient, runtime: Runtime, people: People
) -> None:
    notes = "Our controller signs every purchase over $5,000 herself."
    first = new_lead(api, runtime, people, notes=notes)
    ai = {a["question_id"]: a for a in card(api, people, first)["answers"]}
    # An answer the AI decided from these very words (whatever the question): the reviewer turns it around.
    question, was = next(
        (q, a["answer"])
        for q, a in ai.items()
        if a["answer"] != "unknown" and any(e["quote"] in notes for e in a["evidence"])
    )
    turned = "yes" if was == "no" else "no"
    _edit(api, people, first, question, turned, notes)
    later = {a["question_id"]: a for a in card(api, people, new_lead(api, runtime, people, notes=notes))["answers"]}
    assert later[question]["answer"] == turned and "learned" in later[question]["flags"]
    assert later[question]["evidence"][0]["quote"] == notes


def test_an_edit_with_nothing_quoted_teaches_nothing() -> None:
    row = AnswerReviewRow(question_id="q1", ai_evidence=[], evidence=None, human_answer="unknown")
    assert example_of(row) is None
    row = AnswerReviewRow(question_id="q1", ai_evidence=["  "], evidence="", human_answer="no")
    assert example_of(row) is None
    row = AnswerReviewRow(question_id="q1", ai_evidence=["We use Bill.com"], evidence=None, human_answer="no")
    assert example_of(row) == ReviewedExample("q1", "We use Bill.com", "no")
