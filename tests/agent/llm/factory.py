"""Small hand-written library, leads and judge requests for the LLM judge's tests."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from agent.budget import SpendTracker
from agent.judges.base import JudgeRequest, Matches
from agent.judges.llm import LLMJudge, Mode
from agent.llm import LLMConfig, Method, StructuredLLM
from agent.schemas import EngagementEvent, Enrichment, EnrichedValue, EntityMatch, Lead
from tests.fakes.openai_server import DEFAULT_PROFILE, PROFILES, FakeOpenAIServer
from library.schemas import Persona, QualifyingQuestion, Seller, StructuredCheck, Threshold

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SELLER = Seller(
    name="Ledgerly",
    product="accounts-payable automation",
    description="Ledgerly automates invoice capture, approval and payment for finance teams.",
)
PERSONAS = [
    Persona(
        id="cfo",
        name="Finance leader",
        role="decision_maker",
        fit="good",
        description="Owns the finance budget.",
        titles=["CFO", "VP Finance"],
    )
]
QUESTIONS = [
    QualifyingQuestion(
        id="budget",
        text="Is there a budget of at least $15,000 a year?",
        category="budget",
        weight=8,
        fit_type="good",
        threshold=Threshold(kind="money", operator="gte", value=15000),
        yes_examples=["$25k budgeted"],
        no_examples=["No budget until next year"],
        keywords=["budget", "spend"],
    ),
    QualifyingQuestion(
        id="timeline",
        text="Do they plan to buy within 90 days?",
        category="timeline",
        weight=6,
        fit_type="good",
        keywords=["quarter", "month", "soon"],
    ),
    QualifyingQuestion(
        id="size_200",
        text="Does the company have at least 200 employees?",
        category="fit",
        weight=4,
        fit_type="good",
        check=StructuredCheck(field="company.employees", operator="gte", value=200),
    ),
]


def lead(**overrides: Any) -> Lead:
    base: dict[str, Any] = dict(
        id="lead-1",
        person={"name": "Dana Smith", "email": "dana@acmecorp.com", "title": "VP Finance"},
        company={
            "name": "Acme Corp",
            "domain": "acmecorp.com",
            "employees": 350,
            "industry": "Manufacturing",
            "country": "US",
        },
        form_answers={"What is your budget?": "We have $40k budgeted for AP automation this year."},
        notes="Call went well. They want to go live next quarter.",
        events=[EngagementEvent(type="pricing_page_view", timestamp=NOW, detail="Viewed the enterprise plan")],
    )
    base.update(overrides)
    return Lead(**base)


def enrichment() -> Enrichment:
    return Enrichment(
        fields={"company.employees": EnrichedValue(value=350, source="local", fetched_at=NOW, confidence=0.9)}
    )


def request(the_lead: Lead | None = None, questions: list[QualifyingQuestion] | None = None) -> JudgeRequest:
    match = EntityMatch(kind="segment", entity_id="smb", name="SMB", similarity=0.8, method="rule")
    return JudgeRequest(
        lead=the_lead or lead(),
        enrichment=enrichment(),
        questions=questions or QUESTIONS,
        matches=Matches(segment=match, persona=None),
        seller=SELLER,
        now=NOW,
    )


@lru_cache(maxsize=None)
def probed_method(profile: str) -> Method:
    """The method `StructuredLLM.probe` chooses on a fake server of this profile (what start-up would use)."""
    from api.llm_wiring import choose_method, probe_sync

    with FakeOpenAIServer(profile=profile) as server:
        return choose_method(probe_sync(StructuredLLM(LLMConfig(model="m", base_url=server.base_url, timeout=2.0))))


def honouring(method: str) -> str:
    """The current fake profile when it honours this method, else `openai` (which honours every method)."""
    profile = PROFILES[DEFAULT_PROFILE[0]]
    honoured = {
        "json_schema": profile.json_schema,
        "json_mode": True,
        "tool_required": profile.tool_choice_required,
        "function_calling": profile.tool_choice_object,
    }[method]
    return profile.name if honoured else "openai"


def config(base_url: str, **overrides: Any) -> LLMConfig:
    values: dict[str, Any] = dict(
        structured_output_method=probed_method(DEFAULT_PROFILE[0]),
        model="gpt-4o-mini",
        base_url=base_url,
        api_key="sk-test",
        timeout=2.0,
        timeout_per_1k_tokens=0.0,
        max_attempts=3,
        backoff_seconds=0.01,
        max_retry_after=1.0,
    )
    values.update(overrides)
    return LLMConfig(**values)


def judge(
    base_url: str,
    *,
    mode: Mode = "llm",
    per_question: bool = False,
    spend: SpendTracker | None = None,
    **overrides: Any,
) -> LLMJudge:
    return LLMJudge(
        StructuredLLM(config(base_url, **overrides), spend), mode=mode, per_question=per_question, personas=PERSONAS
    )


def verdict(*answers: dict[str, Any]) -> dict[str, Any]:
    return {"answers": list(answers)}


def ans(
    question_id: str,
    answer: str = "unknown",
    *,
    quotes: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
    confidence: float = 0.8,
    **extra: Any,
) -> dict[str, Any]:
    """One answer item as the model would send it; quotes are (source, ref, quote)."""
    return {
        "question_id": question_id,
        "reasoning": f"Reasoning for {question_id}.",
        "answer": answer,
        "confidence": confidence if answer != "unknown" else 0.0,
        "evidence": [{"source": s, "ref": r, "quote": q} for s, r, q in quotes],
        **extra,
    }


BUDGET_YES = ans("budget", "yes", quotes=[("form", "What is your budget?", "$40k budgeted for AP automation")])
TIMELINE_YES = ans("timeline", "yes", quotes=[("notes", "notes", "They want to go live next quarter.")])
SIZE_YES = ans("size_200", "yes", quotes=[("enrichment", "lead.company.employees", "350")])
ALL_GOOD = verdict(BUDGET_YES, TIMELINE_YES, SIZE_YES)
