"""The pipeline end to end with typed fakes: hard rules before the judge, evidence re-verified, drafts complete."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from agent.deps import Deps
from agent.errors import EnrichmentError, RetryableJudgeError
from agent.judges.base import Matches
from agent.pipeline import qualify_lead
from agent.schemas import EnrichedValue, EntityMatch, Evidence, Lead, QuestionAnswer
from tests.fakes.judge import ScriptedJudge
from tests.fakes.library import small_library
from tests.fakes.retriever import FixedRetriever

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
LIB = small_library()
ENTERPRISE = Matches(
    segment=EntityMatch(kind="segment", entity_id="enterprise", name="Enterprise", similarity=1.0, method="rule"),
    persona=None,
)


@dataclass
class StaticEnricher:
    values: dict[str, object]
    name: str = "static"
    fail: bool = False
    calls: list[str] = field(default_factory=list)

    async def enrich(self, lead: Lead, known: Mapping[str, EnrichedValue], now: datetime) -> dict[str, EnrichedValue]:
        self.calls.append(lead.person.email or "")
        if self.fail:
            raise EnrichmentError("provider down")
        return {
            k: EnrichedValue(value=v, source=self.name, fetched_at=now, confidence=0.9)  # type: ignore[arg-type]
            for k, v in self.values.items()
        }


def deps(judge: ScriptedJudge, *enrichers: StaticEnricher) -> Deps:
    return Deps(
        library=LIB,
        snapshot_id="snap1",
        retriever=FixedRetriever(ENTERPRISE),
        judge=judge,
        enrichers=list(enrichers),
        clock=lambda: NOW,
    )


LEAD = Lead(
    person={"email": "dana@bigco.com", "title": "CFO"},
    company={"name": "BigCo"},
    notes="We have $50k approved for AP automation. Want to go live in January.",
    received_at=NOW,
)
BIG = StaticEnricher({"company.employees": 800, "company.country": "US", "company.domain": "bigco.com"})


def yes(qid: str, quote: str) -> QuestionAnswer:
    return QuestionAnswer(
        question_id=qid,
        reasoning="stated",
        answer="yes",
        confidence=0.9,
        evidence=[Evidence(source="notes", ref="notes", quote=quote)],
    )


async def test_draft_has_one_answer_per_applicable_question_and_provenance() -> None:
    judge = ScriptedJudge({"budget": yes("budget", "We have $50k approved")})
    draft = await qualify_lead(LEAD, deps(judge, BIG), lead_id="L1")
    assert [a.question_id for a in draft.answers] == ["budget", "timeline", "size"]
    assert draft.answer("budget").answer == "yes"
    assert draft.answer("timeline").answer == "unknown"  # the judge said nothing: unknown, not no
    assert "timeline" in draft.unknowns and "budget" not in draft.unknowns
    assert draft.discovery_questions[0].question_id == "timeline"
    p = draft.provenance
    assert (p.library_snapshot, p.judge, p.model, p.prompt_hashes) == (
        "snap1",
        "scripted",
        "scripted-model",
        {"qualify": "abc123"},
    )
    assert draft.lead_id == "L1" and draft.revision == 1 and draft.tier != "disqualified"


async def test_judge_sees_only_questions_of_the_matched_segment() -> None:
    judge = ScriptedJudge()
    smb = Matches(
        segment=EntityMatch(kind="segment", entity_id="smb", name="SMB", similarity=1.0, method="rule"), persona=None
    )
    d = Deps(library=LIB, snapshot_id="s", retriever=FixedRetriever(smb), judge=judge, enrichers=[], clock=lambda: NOW)
    await qualify_lead(LEAD, d)
    assert [q.id for q in judge.requests[0].questions] == ["budget", "timeline"]


async def test_fabricated_quote_from_any_judge_is_downgraded() -> None:
    judge = ScriptedJudge({"budget": yes("budget", "They signed a $2M contract")})
    draft = await qualify_lead(LEAD, deps(judge, BIG))
    answer = draft.answer("budget")
    assert answer.answer == "unknown" and "evidence_unverified" in answer.flags


async def test_hard_rule_disqualifies_without_calling_the_judge() -> None:
    judge = ScriptedJudge({"budget": yes("budget", "We have $50k approved")})
    lead = LEAD.model_copy(update={"person": LEAD.person.model_copy(update={"email": "ap@customer.com"})})
    customer = StaticEnricher({"company.domain": "customer.com", "email.domain": "customer.com"})
    draft = await qualify_lead(lead, deps(judge, customer))
    assert (draft.tier, draft.route) == ("disqualified", "disqualified")
    assert draft.disqualifications and draft.answers == []
    assert judge.requests == []


async def test_failing_enrichment_provider_is_recorded_not_fatal() -> None:
    broken = StaticEnricher({}, name="broken", fail=True)
    draft = await qualify_lead(LEAD, deps(ScriptedJudge(), broken, BIG))
    assert [f.provider for f in draft.enrichment.failed_providers] == ["broken"]
    assert draft.enrichment.fields["company.employees"].source == "static"


async def test_enrichment_feeds_fit_and_score() -> None:
    draft = await qualify_lead(LEAD, deps(ScriptedJudge(), BIG))
    assert draft.enrichment.get("company.employees") == 800
    assert 0 <= draft.score <= 100 and draft.fit_score > 0


async def test_judge_errors_propagate_for_the_caller_to_record() -> None:
    judge = ScriptedJudge(fail_with=[RetryableJudgeError("endpoint down", attempts=3)])
    with pytest.raises(RetryableJudgeError):
        await qualify_lead(LEAD, deps(judge, BIG))
