"""The judge protocol: one request per lead, one answer per applicable question."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from agent.schemas import Answer, Enrichment, EntityMatch, Lead, QuestionAnswer, Usage
from library.schemas import Competitor, QualifyingQuestion, Seller


@dataclass(frozen=True)
class Matches:
    """The library entities that best describe a lead, from retrieval."""

    segment: EntityMatch | None
    persona: EntityMatch | None
    use_cases: list[EntityMatch] = field(default_factory=list)


@dataclass(frozen=True)
class JudgeRequest:
    lead: Lead
    enrichment: Enrichment
    questions: list[QualifyingQuestion]
    matches: Matches
    seller: Seller
    now: datetime
    competitors: list[Competitor] = field(default_factory=list)


@dataclass(frozen=True)
class JudgeResult:
    answers: list[QuestionAnswer]
    model: str | None = None
    prompt_hashes: dict[str, str] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    llm_method: str | None = None  # the structured-output method an LLM judge used (agent/llm.py METHODS)


@runtime_checkable
class Judge(Protocol):
    name: str
    version: str

    async def judge(self, request: JudgeRequest) -> JudgeResult:
        """Answer every question in the request (unknown when the data does not say)."""
        ...


@dataclass(frozen=True)
class ReviewedExample:
    """A reviewer's answer to a question for one unit of text: an extra example for that question."""

    question_id: str
    text: str
    answer: Answer
    # What was reviewed (a lead id): a later review of the same lead's answer replaces this one. Not part of equality,
    # so an example reads the same whichever lead it came from.
    lead_id: str | None = field(default=None, compare=False)


def keep_newest(pool: list[ReviewedExample], example: ReviewedExample) -> None:
    """Add a reviewed example to its question's pool, oldest first; a re-review of the same lead's answer replaces the
    earlier one (and moves to the end, as the newest)."""
    if example.lead_id is not None:
        pool[:] = [e for e in pool if e.lead_id != example.lead_id]
    pool.append(example)
