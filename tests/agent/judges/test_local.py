"""The embedded judge on hand-written tiny leads, with the deterministic hashing embedder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.evidence import EvidenceChecker, lead_sources
from agent.judges.base import Judge, JudgeRequest, Matches
from agent.judges.local import LocalJudge, ReviewedExample
from agent.judges.votes import Tuning, Unit
from agent.schemas import EngagementEvent, Enrichment, Evidence, Lead, QuestionAnswer
from library.schemas import QualifyingQuestion, Seller, StructuredCheck, Threshold
from tests.fakes.embedder import HashingEmbedder

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
# Hashed word overlap gives lower cosines than MiniLM, so the fake embedder gets its own cut-offs.
FAKE_TUNING = Tuning(relevance_cut=0.3, flip_sim=0.4)


def make_judge(cls: type[LocalJudge] = LocalJudge) -> LocalJudge:
    return cls(HashingEmbedder(), tuning=FAKE_TUNING)

BUDGET = QualifyingQuestion(
    id="budget_15k", text="Is there a budget of at least $15,000 a year for AP automation?", category="budget",
    weight=8, fit_type="good", threshold=Threshold(kind="money", operator="gte", value=15_000),
    yes_examples=["$25k budgeted for this year", "We set aside about forty grand for AP tooling."],
    no_examples=["No budget until next fiscal year.", "There is no budget for new software this year."],
    keywords=["budget", "spend", "afford", "allocated"])
APPROVED = QualifyingQuestion(
    id="budget_approved", text="Is the budget for AP automation approved rather than still an estimate?",
    category="budget", weight=6, fit_type="good",
    yes_examples=["Budget is approved and in this year's plan.", "CFO signed off on the spend last week."],
    no_examples=["No budget until next fiscal year.", "We haven't asked for budget yet."],
    keywords=["budget", "approved", "signed off"])
VOLUME = QualifyingQuestion(
    id="invoice_volume_500", text="Does the company process at least 500 invoices a month?", category="need", weight=6,
    fit_type="good", threshold=Threshold(kind="number", operator="gte", value=500),
    yes_examples=["Around 2,000 invoices a month."], no_examples=["Maybe 150 invoices a month."],
    keywords=["invoices", "bills", "monthly"])
GO_LIVE = QualifyingQuestion(
    id="go_live_90_days", text="Does the prospect want to go live within 90 days?", category="timeline", weight=7,
    fit_type="good", threshold=Threshold(kind="date", operator="lte", value=90),
    yes_examples=["We want to go live before January 31."], no_examples=["Sometime next year, no rush."],
    keywords=["go live", "live", "timeline", "deadline"])
STUDENT = QualifyingQuestion(
    id="is_student", text="Is the lead a student or researching AP automation for coursework?", category="fit",
    weight=8, fit_type="bad", instant_disqualifier=True,
    yes_examples=["I'm an accounting student writing my thesis on AP automation.",
                  "Doing research for a university assignment."],
    no_examples=["I run AP at a 400-person manufacturer.", "Our intern pulled together a vendor list for me."],
    keywords=["student", "university", "thesis", "coursework"])
PRICING = QualifyingQuestion(
    id="pricing_intent", text="Has the lead viewed the pricing page at least 3 times in the last 7 days?",
    category="timeline", weight=4, fit_type="good",
    check=StructuredCheck(field="events.pricing_page_view", operator="gte", value=3, within_days=7))
ALL = [BUDGET, APPROVED, VOLUME, GO_LIVE, STUDENT, PRICING]


def ask(question: QualifyingQuestion, notes: str | None = None, *, judge: LocalJudge | None = None,
        **lead: object) -> QuestionAnswer:
    judge = judge or make_judge()
    the_lead = Lead(company={"name": "Acme"}, notes=notes, **lead)  # type: ignore[arg-type]
    [answer] = judge.answer(the_lead, Enrichment(), [question], NOW)
    return answer


def test_is_a_judge_named_local() -> None:
    judge = make_judge()
    assert isinstance(judge, Judge) and judge.name == "local" and judge.version


def test_yes_from_example_phrasing() -> None:
    answer = ask(APPROVED, "Good call today. The CFO signed off on the budget last week.")
    assert answer.answer == "yes" and answer.confidence > 0.4
    assert answer.evidence[0].quote == "The CFO signed off on the budget last week."


def test_no_evidence_is_unknown_not_no() -> None:
    answer = ask(APPROVED, "We are a logistics company in Ohio with 300 people.")
    assert (answer.answer, answer.confidence, answer.evidence) == ("unknown", 0.0, [])


def test_negation_means_no() -> None:
    answer = ask(BUDGET, "No budget until next fiscal year.")
    assert answer.answer == "no"
    answer = ask(APPROVED, "Honestly the budget is not approved.")
    assert answer.answer == "no"


def test_hedging_means_unknown() -> None:
    answer = ask(BUDGET, "We might have some budget, need to check.")
    assert answer.answer == "unknown" and "hedged" in answer.flags
    assert answer.evidence and answer.evidence[0].quote == "We might have some budget, need to check."


@pytest.mark.parametrize(("notes", "expected", "value"), [
    ("We have about forty grand in the budget.", "yes", "40000"),
    ("Budget is EUR 30.000 per year.", "yes", "30000 EUR"),
    ("Our budget is $25,000.", "yes", "25000 USD"),
    ("We can spend around $8k on this budget.", "no", "8000 USD"),
    ("Budget of twelve thousand dollars.", "no", "12000 USD"),
    ("Budget somewhere between 10k and 30k.", "unknown", "10000-30000"),
])
def test_money_against_the_threshold(notes: str, expected: str, value: str) -> None:
    answer = ask(BUDGET, notes)
    assert (answer.answer, answer.value) == (expected, value)


@pytest.mark.parametrize(("notes", "expected"), [
    ("We process ~800 invoices a month.", "yes"),
    ("About 12k invoices a year across entities.", "yes"),
    ("Roughly two hundred invoices a month.", "no"),
])
def test_counts_against_the_threshold(notes: str, expected: str) -> None:
    assert ask(VOLUME, notes).answer == expected


@pytest.mark.parametrize(("notes", "expected", "value"), [
    ("We want to go live within 30 days.", "yes", "2026-12-22"),
    ("Go live by end of January.", "yes", "2027-01-31"),
    ("Go live not before Q3 2027.", "no", ">=2027-07-01"),
    ("Go live in Q2 next year, timeline is firm.", "no", "2027-06-30"),
])
def test_dates_relative_to_now(notes: str, expected: str, value: str) -> None:
    answer = ask(GO_LIVE, notes)
    assert (answer.answer, answer.value) == (expected, value)


def test_dates_are_read_from_when_the_lead_wrote() -> None:
    # Said a month ago, "within 30 days" ends about now; against a 90-day window from now it is still a yes,
    # but "in 100 days" said 60 days ago is 40 days from now.
    answer = ask(GO_LIVE, "Go live in 100 days.", received_at=NOW - timedelta(days=60))
    assert answer.answer == "yes"


def test_events_in_a_time_window_use_the_check() -> None:
    recent = [EngagementEvent(type="pricing_page_view", timestamp=NOW - timedelta(days=d)) for d in (1, 2, 3)]
    old = [EngagementEvent(type="pricing_page_view", timestamp=NOW - timedelta(days=d)) for d in (20, 30, 40)]
    assert ask(PRICING, events=recent).answer == "yes"
    assert ask(PRICING, events=recent[:1] + old).answer == "no"
    assert ask(PRICING, events=old).answer == "unknown"


def test_bad_fit_question_is_answered_literally() -> None:
    assert ask(STUDENT, "I'm a student at Ohio State writing my thesis.").answer == "yes"
    assert ask(STUDENT, "I run AP at a 900-person manufacturer.").answer == "no"


def test_a_bare_yes_to_a_matching_form_question() -> None:
    answer = ask(APPROVED, form_answers={"Is your budget for AP automation approved?": "Yes"})
    assert answer.answer == "yes"
    assert answer.evidence == [Evidence(source="form", ref="Is your budget for AP automation approved?", quote="Yes")]


def test_conflicting_units_give_unknown() -> None:
    answer = ask(APPROVED, "CFO signed off on the budget. We haven't asked for budget yet.")
    assert answer.answer == "unknown" and "conflicting_evidence" in answer.flags
    assert len(answer.evidence) == 2


def test_reviewed_examples_are_learned() -> None:
    judge = make_judge()
    text = "Finance gave us the green light for the purchase."
    assert ask(APPROVED, text, judge=judge).answer != "yes"
    judge.learn(ReviewedExample(question_id="budget_approved", text="Finance gave the green light for purchase.",
                                answer="yes"))
    answer = ask(APPROVED, text, judge=judge)
    assert answer.answer == "yes" and "learned" in answer.flags


def test_hidden_characters_are_flagged() -> None:
    answer = ask(STUDENT, "I'm a student at Ohio State writing my the\u200bsis.")
    assert answer.answer == "yes" and "hidden_content" in answer.flags


class _FabricatingJudge(LocalJudge):
    """Quotes words the lead never wrote: the judge's own verification must catch it."""

    def _answer_text(self, q: QualifyingQuestion, lead_units: list[Unit], ref: datetime,
                     offset: float) -> QuestionAnswer:
        return QuestionAnswer(question_id=q.id, reasoning="made up", answer="yes", confidence=0.9,
                              evidence=[Evidence(source="notes", ref="notes", quote="We have $1M approved.")])


def test_a_fabricated_quote_never_survives() -> None:
    answer = ask(BUDGET, "We have no idea about budget.", judge=make_judge(_FabricatingJudge))
    assert answer.answer == "unknown" and answer.evidence == [] and "evidence_unverified" in answer.flags


LEADS = [
    Lead(notes="No budget until next fiscal year. We process ~800 invoices a month.", company={"name": "A"}),
    Lead(notes="I'm a student. CFO signed off on the budget; $40k. Go live within 30 days.", company={"name": "B"}),
    Lead(form_answers={"Budget?": "about forty grand", "Timeline": "Q1"}, company={"name": "C"},
         events=[EngagementEvent(type="pricing_page_view", timestamp=NOW - timedelta(days=d)) for d in (1, 2, 3)]),
]


@pytest.mark.parametrize("lead", LEADS)
def test_every_decided_answer_carries_verified_evidence(lead: Lead) -> None:
    answers = make_judge().answer(lead, Enrichment(), ALL, NOW)
    checker = EvidenceChecker(lead_sources(lead, Enrichment()))
    assert [a.question_id for a in answers] == [q.id for q in ALL]
    assert any(a.answer != "unknown" for a in answers)
    for a in answers:
        assert all(checker.is_verbatim(e) for e in a.evidence)
        assert a.answer == "unknown" or (a.evidence and 0 < a.confidence <= 1)


async def test_judge_embeds_each_lead_in_one_batch() -> None:
    embedder = HashingEmbedder()
    judge = LocalJudge(embedder, tuning=FAKE_TUNING)
    request = JudgeRequest(LEADS[0], Enrichment(), ALL, Matches(None, None), Seller(name="L", product="P",
                                                                                    description="D"), NOW)
    await judge.judge(request)  # warms the question vectors
    before = len(embedder.calls)
    result = await judge.judge(request)
    assert len(embedder.calls) - before == 1
    assert len(result.answers) == len(ALL)
