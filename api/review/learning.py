"""Reviewers teach the running judges: each answer a reviewer set becomes an example for that question.

The example's text is the span the reviewer quoted when they gave one, else the span the AI had quoted (the reviewer
judged what that text means); an edit with neither teaches nothing. Examples are loaded at start-up and added after each
edit; a judge holds one example per reviewed answer (lead and question), from its newest review. The embedded judge uses them to settle questions its engine leaves unknown (agent.judges.local); the LLM judge shows
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

    def forget(self, question_id: str, lead_id: str) -> None: ...


def example_of(row: AnswerReviewRow) -> ReviewedExample | None:
    """The reviewed answer as an example for its question, or None when there is no text to learn from."""
    texts = [row.evidence] if row.evidence and row.evidence.strip() else [q for q in row.ai_evidence or [] if q.strip()]
    if not texts:
        return None
    return ReviewedExample(
        question_id=row.question_id,
        text=" ".join(texts)[:MAX_EXAMPLE_CHARS],
        answer=row.human_answer,  # type: ignore[arg-type]
        lead_id=row.lead_id,
    )


def reviewed_examples(s: Session) -> list[ReviewedExample]:
    """Every reviewed answer, oldest first; a later review of the same answer of the same lead replaces the earlier."""
    latest: dict[tuple[str, str], AnswerReviewRow] = {}
    for row in s.scalars(select(AnswerReviewRow).order_by(AnswerReviewRow.created_at, AnswerReviewRow.revision)):
        latest[(row.lead_id, row.question_id)] = row
    return [e for e in (example_of(r) for r in latest.values()) if e is not None]


def relearn(judges: Iterable[object], row: AnswerReviewRow) -> None:
    """After a review of one lead's answer: its example replaces the one an earlier review of it taught, or, when the
    newest review has nothing to learn from, the earlier one is dropped (start-up loading keeps the newest only too)."""
    example = example_of(row)
    for judge in judges:
        if not isinstance(judge, Learner):
            continue
        if example is None:
            judge.forget(row.question_id, row.lead_id)
        else:
            judge.learn(example)


def teach(judges: Iterable[object], examples: Iterable[ReviewedExample]) -> int:
    """Give the examples to every judge that learns; returns how many examples were taught."""
    learners = [j for j in judges if isinstance(j, Learner)]
    n = 0
    for example in examples:
        n += 1
        for judge in learners:
            judge.learn(example)
    return n if learners else 0
