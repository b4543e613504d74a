"""The embedded extractor's rules: prospect-only evidence, retractions, hedges, thresholds, verified quotes, long calls."""

from __future__ import annotations

import time
from datetime import date

from agent.transcripts import EmbeddedExtractor, RoleHints, read_transcript
from library.schemas import (
    Competitor,
    Disqualifiers,
    Library,
    Persona,
    QualifyingQuestion,
    Segment,
    Seller,
    Thresholds,
    Threshold,
    UseCase,
)
from tests.fakes.embedder import HashingEmbedder

HINTS = RoleHints(seller_names=["Sam Patel"])
CALL = date(2026, 11, 12)


def _library() -> Library:
    q = QualifyingQuestion
    return Library(
        name="calls",
        seller=Seller(name="Ledgerly", product="AP", description="AP automation"),
        segments=[
            Segment(id="smb", name="SMB", description="Small", thresholds=Thresholds(sql_ready=60, needs_discovery=40))
        ],
        personas=[Persona(id="cfo", name="CFO", role="decision_maker", fit="good", description="x", titles=["CFO"])],
        use_cases=[
            UseCase(
                id="capture", name="Capture", description="OCR", pains=["We key every invoice into the ERP by hand."]
            )
        ],
        competitors=[Competitor(id="payflowly", name="PayFlowly", aliases=["PayFlow"])],
        disqualifiers=Disqualifiers(),
        questions=[
            q(
                id="budget_15k",
                text="Budget of at least $15k?",
                category="budget",
                weight=8,
                fit_type="good",
                threshold=Threshold(kind="money", operator="gte", value=15000),
            ),
            q(id="budget_approved", text="Is the budget approved?", category="budget", weight=6, fit_type="good"),
            q(
                id="go_live_90_days",
                text="Live within 90 days?",
                category="timeline",
                weight=7,
                fit_type="good",
                threshold=Threshold(kind="date", operator="lte", value=90),
            ),
            q(
                id="volume",
                text="At least 500 invoices a month?",
                category="need",
                weight=6,
                fit_type="good",
                threshold=Threshold(kind="number", operator="gte", value=500),
            ),
            q(
                id="manual",
                text="Is AP manual?",
                category="need",
                weight=7,
                fit_type="good",
                yes_examples=["We key every invoice into NetSuite by hand.", "Approvals happen over email."],
                no_examples=["We're already fully automated with OCR and workflow."],
                keywords=["manual", "by hand", "email", "automated", "key"],
            ),
        ],
    )


def _extract(text: str, embedder: HashingEmbedder | None = None, **kwargs: object) -> dict:
    if not text.startswith("[00:10] Sam Patel"):
        text = "[00:01] Sam Patel: Thanks for your time.\n" + text  # a known rep makes the other speaker the prospect
    t = read_transcript(text, call_date=CALL, roles=HINTS)
    return {a.question_id: a for a in EmbeddedExtractor(_library(), embedder).extract(t, **kwargs)}


def test_budget_from_words_with_verified_transcript_evidence() -> None:
    a = _extract("[00:10] Sam Patel: What budget do you have?\n[00:14] Dana: We set aside about forty grand for it.\n")
    answer = a["budget_15k"]
    assert (answer.answer, answer.value) == ("yes", "40,000")
    e = answer.evidence[0]
    assert (e.source, e.ref, e.quote, e.timestamp, e.speaker) == (
        "transcript",
        "u2",
        "We set aside about forty grand for it.",
        14.0,
        "Dana",
    )
    assert a["call.budget"].value == "40000 USD"


def test_a_rep_statement_is_not_evidence() -> None:
    a = _extract(
        "[00:10] Sam Patel: So you have about forty grand approved for this budget, and you need it live within 30 days.\n"
        "[00:14] Dana: Let me tell you about our team first.\n"
    )
    assert a["budget_15k"].answer == "unknown" and a["budget_approved"].answer == "unknown"
    assert a["go_live_90_days"].answer == "unknown" and a["call.budget"].answer == "unknown"


def test_a_yes_to_the_reps_question_is_the_prospects_evidence() -> None:
    a = _extract("[00:10] Sam Patel: So you have budget approved already?\n[00:14] Dana: Yes, we do.\n")
    assert a["budget_approved"].answer == "yes"
    assert [e.quote for e in a["budget_approved"].evidence] == ["Yes, we do."]
    b = _extract("[00:10] Sam Patel: So you have budget approved already?\n[00:14] Dana: Not yet.\n")
    assert b["budget_approved"].answer == "no"


def test_a_joke_or_retraction_does_not_count() -> None:
    joke = _extract("[00:10] Sam Patel: Budget?\n[00:14] Dana: Put down a million dollars - kidding.\n")
    assert joke["budget_15k"].answer == "unknown" and joke["call.budget"].answer == "unknown"
    corrected = _extract("[00:14] Dana: Our budget is a million dollars. Just kidding, it's about five grand a year.\n")
    assert (corrected["budget_15k"].answer, corrected["budget_15k"].value) == ("no", "5,000")
    assert corrected["call.budget"].value == "5000 USD"
    scratched = _extract("[00:14] Dana: We have budget of 40k a year.\n[00:20] Dana: Scratch that, I have to check.\n")
    assert scratched["budget_15k"].answer == "unknown"


def test_none_this_fiscal_year_is_no_and_hedges_stay_unknown() -> None:
    a = _extract("[00:14] Dana: Budget? There's none this fiscal year.\n")
    assert a["budget_15k"].answer == "no" and a["budget_approved"].answer == "no" and a["call.budget"].answer == "no"
    h = _extract("[00:14] Dana: Maybe thirty grand a year for the budget, I'd have to check.\n")
    assert h["budget_15k"].answer == "unknown" and "hedged" in h["budget_15k"].flags


def test_timeline_against_the_call_date() -> None:
    soon = _extract("[00:14] Dana: We need it live within 30 days.\n")
    assert (soon["go_live_90_days"].answer, soon["go_live_90_days"].value) == ("yes", "2026-12-12")
    late = _extract("[00:14] Dana: We want it live by the end of next quarter.\n")
    # "by the end of next quarter" may or may not be inside 90 days: never a yes; the call field keeps the date.
    assert late["go_live_90_days"].answer != "yes" and late["call.timeline"].value == "2027-03-31"


def test_counts_use_the_reps_question_for_the_unit() -> None:
    a = _extract("[00:10] Sam Patel: How many invoices a month?\n[00:14] Dana: About eight hundred a month.\n")
    assert (a["volume"].answer, a["volume"].value) == ("yes", "800")


def test_examples_with_and_without_an_embedder() -> None:
    text = "[00:14] Dana: Honestly we key every invoice into NetSuite by hand.\n"
    assert _extract(text)["manual"].answer == "yes"
    embedder = HashingEmbedder()
    assert _extract(text, embedder)["manual"].answer == "yes"
    assert embedder.calls  # the embedder was used


def test_competitors_decision_maker_disqualifier_fields() -> None:
    a = _extract(
        "[00:10] Sam Patel: Anyone else?\n[00:14] Dana: We had a call with PayFlow last week.\n"
        "[00:20] Dana: Our CFO signs anything over ten thousand.\n"
    )
    assert (a["call.competitors"].answer, a["call.competitors"].value) == ("yes", "payflowly")
    assert (a["call.decision_maker"].answer, a["call.decision_maker"].value) == ("no", "CFO")
    s = _extract(
        "[00:10] Sam Patel: Tell me about your company.\n[00:14] Dana: I'm an accounting student, writing my "
        "thesis. Our budget at the student club is forty grand.\n"
    )
    assert s["call.disqualifier"].value == "student"
    assert s["budget_15k"].answer == "unknown"  # a student's statements are no evidence of a buyer's budget


def test_every_decided_answer_quotes_a_prospect_utterance_verbatim() -> None:
    t = read_transcript(
        "[00:10] Sam Patel: Budget?\n[00:14] Dana: We set aside about forty grand. We key every invoice by hand.\n",
        call_date=CALL,
        roles=HINTS,
    )
    by_id = {u.id: u for u in t.utterances}
    for answer in EmbeddedExtractor(_library()).extract(t):
        for e in answer.evidence:
            assert by_id[e.ref].role == "prospect" and e.quote in by_id[e.ref].text


def test_a_long_call_is_read_to_the_end_by_relevance() -> None:
    filler = "".join(
        f"[{i // 60:02d}:{i % 60:02d}] {'Sam Patel' if i % 2 else 'Dana'}: We talked about the weather "
        f"and the football results for a while number {i}.\n"
        for i in range(1, 1200)
    )
    text = filler + "[59:59] Dana: We set aside about forty grand for this.\n"
    embedder = HashingEmbedder()
    started = time.perf_counter()
    a = _extract(text, embedder)
    assert a["call.budget"].value == "40000 USD"  # the last minute of the call still counts
    assert "text_truncated" in a["call.budget"].flags  # read by relevance, and it says so
    assert max(embedder.calls) <= 256  # never one giant model input
    assert time.perf_counter() - started < 30  # a sanity bound, not a benchmark


def test_when_roles_are_unknown_nothing_counts_as_the_prospects_word() -> None:
    t = read_transcript(
        "[00:14] Speaker 1: We set aside about forty grand.\n[00:20] Speaker 2: Great.\n", call_date=CALL
    )
    answers = EmbeddedExtractor(_library()).extract(t)
    assert all(a.answer == "unknown" for a in answers)
