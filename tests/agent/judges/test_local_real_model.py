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
    return LocalJudge(embeddings.get_embedder())


@pytest.mark.parametrize(("question", "notes", "expected"), [
    (BUDGET, "No budget until next fiscal year.", "no"),
    (BUDGET, "Might have some, need to check.", "unknown"),
    (BUDGET, "We set aside about forty grand for this.", "yes"),
    (APPROVED, "The CFO already signed off on the spend.", "yes"),
    (APPROVED, "Budget is not approved yet.", "no"),
    (STUDENT, "I'm a finance student working on my thesis.", "yes"),
    (STUDENT, "We are a 300-person logistics company in Ohio.", "no"),  # works at a company: not a student
    (APPROVED, "We use NetSuite and pay about 400 vendors.", "unknown"),
])
def test_real_model_cases(judge: LocalJudge, question, notes: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    [answer] = judge.answer(Lead(company={"name": "Acme"}, notes=notes), Enrichment(), [question], NOW)
    assert answer.answer == expected, answer.reasoning
