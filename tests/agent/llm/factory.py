"""Small hand-written library, leads and judge requests for the LLM judge's tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from agent.budget import SpendTracker
from agent.judges.base import JudgeRequest, Matches
from agent.judges.llm import LLMJudge, Mode
from agent.llm import LLMConfig, StructuredLLM
from agent.schemas import EngagementEvent, Enrichment, EnrichedValue, EntityMatch, Lead
from library.schemas import Persona, QualifyingQuestion, Seller, StructuredCheck, Threshold

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SELLER = Seller(name="Ledgerly", product="accounts-payable automation",
                description="Ledgerly automates invoice capture, approval and payment for finance teams.")
PERSONAS = [Persona(id="cfo", name="Finance leader", role="decision_maker", fit="good",
                    description="Owns the finance budget.", titles=["CFO", "VP Finance"])]
QUESTIONS = [
    QualifyingQuestion(id="budget", text="Is there a budget of at least $15,000 a year?", category="budget", weight=8,
                       fit_type="good", threshold=Threshold(kind="money", operator="gte", value=15000),
                       yes_examples=["$25k budgeted"], no_examples=["No budget until next year"],
                       keywords=["budget", "spend"]),
    QualifyingQuestion(id="timeline", text="Do they plan to buy within 90 days?", category="timeline", weight=6,
                       fit_type="good", keywords=["quarter", "month", "soon"]),
    QualifyingQuestion(id="size_200", text="Does the company have at least 200 employees?", category="fit", weight=4,
                       fit_type="good", check=StructuredCheck(field="company.employees", operator="gte", value=200)),
]


def lead(**overrides: Any) -> Lead:
    base: dict[str, Any] = dict(
        id="lead-1", person={"name": "Dana Smith", "email": "dana@acmecorp.com", "title": "VP Finance"},
        company={"name": "Acme Corp", "domain": "acmecorp.com", "employees": 350, "industry": "Manufacturing",
                 "country": "US"},
        form_answers={"What is your budget?": "We have $40k budgeted for AP automation this year."},
        notes="Call went well. They want to go live next quarter.",
        events=[EngagementEvent(type="pricing_page_view", timestamp=NOW, detail="Viewed the enterprise plan")],
    )
    base.update(overrides)
    return Lead(**base)


def enrichment() -> Enrichment:
    return Enrichment(fields={"company.employees": EnrichedValue(value=350, source="local", fetched_at=NOW,
                                                                 confidence=0.9)})


def request(the_lead: Lead | None = None, questions: list[QualifyingQuestion] | None = None) -> JudgeRequest:
    match = EntityMatch(kind="segment", entity_id="smb", name="SMB", similarity=0.8, method="rule")
    return JudgeRequest(lead=the_lead or lead(), enrichment=enrichment(), questions=questions or QUESTIONS,
                        matches=Matches(segment=match, persona=None), seller=SELLER, now=NOW)


def config(base_url: str, **overrides: Any) -> LLMConfig:
    values: dict[str, Any] = dict(model="gpt-4o-mini", base_url=base_url, api_key="sk-test", timeout=2.0,
                                  timeout_per_1k_tokens=0.0, max_attempts=3, backoff_seconds=0.01, max_retry_after=1.0)
    values.update(overrides)
    return LLMConfig(**values)


def judge(base_url: str, *, mode: Mode = "llm", per_question: bool = False, spend: SpendTracker | None = None,
          **overrides: Any) -> LLMJudge:
    return LLMJudge(StructuredLLM(config(base_url, **overrides), spend), mode=mode, per_question=per_question,
                    personas=PERSONAS)


def verdict(*answers: dict[str, Any]) -> dict[str, Any]:
    return {"answers": list(answers)}


def ans(question_id: str, answer: str = "unknown", *, quotes: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
        confidence: float = 0.8, **extra: Any) -> dict[str, Any]:
    """One answer item as the model would send it; quotes are (source, ref, quote)."""
    return {"question_id": question_id, "reasoning": f"Reasoning for {question_id}.", "answer": answer,
            "confidence": confidence if answer != "unknown" else 0.0,
            "evidence": [{"source": s, "ref": r, "quote": q} for s, r, q in quotes], **extra}


BUDGET_YES = ans("budget", "yes", quotes=[("form", "What is your budget?", "$40k budgeted for AP automation")])
TIMELINE_YES = ans("timeline", "yes", quotes=[("notes", "notes", "They want to go live next quarter.")])
SIZE_YES = ans("size_200", "yes", quotes=[("enrichment", "lead.company.employees", "350")])
ALL_GOOD = verdict(BUDGET_YES, TIMELINE_YES, SIZE_YES)
