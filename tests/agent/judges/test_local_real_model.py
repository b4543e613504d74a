"""The embedded judge with the real MiniLM model and its default cut-offs (slow: loads the model)."""

from __future__ import annotations

import pytest

from agent.judges.local import LocalJudge
from agent.schemas import Enrichment, Lead
from tests.agent.judges.test_local import APPROVED, BUDGET, NOW, STUDENT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def judge() -> LocalJudge:
    embeddings = pytest.importorskip("library.embeddings")
    return LocalJudge(embeddings.get_embedder(), meaning=embeddings.get_multilingual())


@pytest.mark.parametrize(
    ("question", "notes", "expected"),
    [
        (BUDGET, "No budget until next fiscal year.", "no"),
        (BUDGET, "Might have some, need to check.", "unknown"),
        (BUDGET, "We set aside about forty grand for this.", "yes"),
        (APPROVED, "The CFO already signed off on the spend.", "yes"),
        (APPROVED, "Budget is not approved yet.", "no"),
        (STUDENT, "I'm a finance student working on my thesis.", "yes"),
        (STUDENT, "We are a 300-person logistics company in Ohio.", "no"),  # works at a company: not a student
        (APPROVED, "We use NetSuite and pay about 400 vendors.", "unknown"),
    ],
)
def test_real_model_cases(judge: LocalJudge, question, notes: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    [answer] = judge.answer(Lead(company={"name": "Acme"}, notes=notes), Enrichment(), [question], NOW)
    assert answer.answer == expected, answer.reasoning


@pytest.mark.parametrize(
    "notes",
    [
        "Finance manager; 2k invoices a month.",  # nearest to a student example only because every example is far away
        "Director of Finance; wants to go live in March.",
        "Just gathering info for now.",
    ],
)
def test_far_from_every_example_is_not_a_damaging_yes(judge: LocalJudge, notes: str) -> None:
    [answer] = judge.answer(Lead(company={"name": "Acme"}, notes=notes), Enrichment(), [STUDENT], NOW)
    assert answer.answer != "yes", answer.reasoning


def test_a_job_title_or_a_content_download_does_not_make_a_student(judge: LocalJudge) -> None:
    from datetime import timedelta

    from agent.schemas import EnrichedValue, EngagementEvent

    lead = Lead(
        person={"title": "Director of Accounts Payable"},
        events=[EngagementEvent(type="ebook_download", timestamp=NOW - timedelta(days=2), detail="AP automation 101")],
    )
    enrichment = Enrichment(
        fields={
            "person.title": EnrichedValue(
                value="Director of Accounts Payable", source="lead", fetched_at=NOW, confidence=1.0
            )
        }
    )
    [answer] = judge.answer(lead, enrichment, [STUDENT], NOW)
    assert answer.answer != "yes", answer.reasoning
    student = Enrichment(
        fields={
            "person.title": EnrichedValue(value="Accounting Student", source="lead", fetched_at=NOW, confidence=1.0)
        }
    )
    [named] = judge.answer(Lead(person={"name": "Kim", "title": "Accounting Student"}), student, [STUDENT], NOW)
    assert named.answer == "yes", named.reasoning  # a fact that names the subject still counts
