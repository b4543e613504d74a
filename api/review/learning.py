"""Reviewers teach the running judges: each answer a reviewer set becomes an example for that question.

The example's text is the span the reviewer quoted when they gave one, else the span the AI had quoted (the reviewer
judged what that text means); an edit with neither teaches nothing. Examples are loaded at start-up and added after each
edit. The embedded judge uses them to settle questions its engine leaves unknown (agent.judges.local); the LLM judge shows
the most similar ones in a delimited data section of its prompt, never as instructions and never as evidence. A
correction never rewrites a prompt file or the library.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.judges.base import ReviewedExample
from api.review.models import AnswerReviewRow

MAX_EXAMPLE_CHARS = 500  # a reviewed span longer than this is cut: an example is a sentence, not a document


@runtime_checkable
class Learner(Protocol):
    def learn(self, example: ReviewedExample) -> None: ...


def example_of(row: AnswerReviewRow) -> ReviewedExample | None:
    """The reviewed answer as an example for its question, or None when there is no text to learn from."""
    texts = [row.evidence] if row.evidence and row.evidence.strip() else [q for q in row.ai_evidence or [] if q.strip()]
    if not texts:
        return None
    return ReviewedExample(
        question_id=row.question_id,
        text=" ".join(texts)[:MAX_EXAMPLE_CHARS],
        answer=row.human_answer,  # type: ignore[arg-type]
    )


def reviewed_examples(s: Session) -> list[ReviewedExample]:
    """Every reviewed answer, oldest first; a later review of the same answer of the same lead replaces the earlier."""
    latest: dict[tuple[str, str], AnswerReviewRow] = {}
    for row in s.scalars(select(AnswerReviewRow).order_by(AnswerReviewRow.created_at)):
        latest[(row.lead_id, row.question_id)] = row
    return [e for e in (example_of(r) for r in latest.values()) if e is not None]


def teach(judges: Iterable[object], examples: Iterable[ReviewedExample]) -> int:
    """Give the examples to every judge that learns; returns how many examples were taught."""
    learners = [j for j in judges if isinstance(j, Learner)]
    n = 0
    for example in examples:
        n += 1
        for judge in learners:
            judge.learn(example)
    return n if learners else 0
