"""Scorecard revisions from a reviewer's edit, and the diff between two revisions (answers, criteria, tier, score).

Pure data steps: the caller re-scores the new revision (`agent.scorecard.rescore`) and stores it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from agent.evidence import lead_sources
from agent.schemas import Answer, Evidence, Lead, QuestionAnswer, ScorecardDraft
from agent.text import normalise

Cause = Literal["reviewer_edit", "transcript"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AnswerDiff(_Model):
    question_id: str
    before: Answer | None
    after: Answer
    before_value: str | None = None
    after_value: str | None = None


class CriterionDiff(_Model):
    id: str
    label: str
    before: str | None  # met | missing | failed; None when the earlier revision did not evaluate it
    after: str


class RevisionDiff(_Model):
    """What changed from one revision to the next, and what it did to the tier and the score."""

    lead_id: str
    from_revision: int
    to_revision: int
    cause: Cause
    tier_before: str
    tier_after: str
    route_before: str
    route_after: str
    score_before: float
    score_after: float
    answers: list[AnswerDiff]
    criteria: list[CriterionDiff]


def reviewer_answer(
    lead: Lead, question_id: str, answer: Answer, note: str, quote: str | None, reviewer: str
) -> QuestionAnswer:
    """A reviewer's answer as the scorecard holds it: sure, flagged as a person's, its quote placed in its source."""
    evidence = []
    if quote:
        wanted = normalise(quote)
        src = next((s for s in lead_sources(lead) if wanted in normalise(s.text)), None)
        if src is not None:
            evidence.append(Evidence(source=src.source, ref=src.ref, quote=quote))
    return QuestionAnswer(
        question_id=question_id,
        reasoning=f"Set by {reviewer}: {note}",
        answer=answer,
        confidence=1.0,
        evidence=evidence,
        flags=["reviewer_override"],
    )


def with_answer(draft: ScorecardDraft, answer: QuestionAnswer, now: datetime) -> ScorecardDraft:
    """The next revision: the same draft with one answer replaced (to be re-scored by the caller)."""
    answers = [answer if a.question_id == answer.question_id else a for a in draft.answers]
    new = draft.model_copy(update={"revision": draft.revision + 1, "created_at": now, "answers": answers})
    return ScorecardDraft.model_validate(new.model_dump())


def diff_revisions(before: ScorecardDraft, after: ScorecardDraft, cause: Cause) -> RevisionDiff:
    """Per question and per criterion, what differs between two revisions of one lead."""
    old = {a.question_id: a for a in before.answers}
    answers = []
    for a in after.answers:
        b = old.get(a.question_id)
        if b is None or b.answer != a.answer or (b.value or None) != (a.value or None):
            answers.append(
                AnswerDiff(
                    question_id=a.question_id,
                    before=b.answer if b else None,
                    after=a.answer,
                    before_value=b.value if b else None,
                    after_value=a.value,
                )
            )
    was = {c.id: c.status for c in (before.sql.criteria if before.sql else [])}
    criteria = [
        CriterionDiff(id=c.id, label=c.label, before=was.get(c.id), after=c.status)
        for c in (after.sql.criteria if after.sql else [])
        if was.get(c.id) != c.status
    ]
    return RevisionDiff(
        lead_id=after.lead_id,
        from_revision=before.revision,
        to_revision=after.revision,
        cause=cause,
        tier_before=before.tier,
        tier_after=after.tier,
        route_before=before.route,
        route_after=after.route,
        score_before=before.score,
        score_after=after.score,
        answers=answers,
        criteria=criteria,
    )
