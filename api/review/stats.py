"""Per question: how often reviewers changed the AI's answer, and to what (from AnswerReviewRow)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.review.models import AnswerReviewRow


@dataclass
class QuestionStats:
    question_id: str
    reviewed: int = 0  # answer reviews recorded for this question
    changed: int = 0  # of which the reviewer's answer differs from the AI's
    transitions: Counter[tuple[str, str]] = field(default_factory=Counter)  # (ai answer, human answer) → count

    @property
    def change_rate(self) -> float:
        return self.changed / self.reviewed if self.reviewed else 0.0


def review_stats(reviews: Iterable[tuple[str, str, str]]) -> list[QuestionStats]:
    """Aggregate (question_id, ai_answer, human_answer) triples, questions sorted by how often they were changed."""
    by_question: dict[str, QuestionStats] = {}
    for question_id, ai, human in reviews:
        stats = by_question.setdefault(question_id, QuestionStats(question_id))
        stats.reviewed += 1
        if ai != human:
            stats.changed += 1
            stats.transitions[(ai, human)] += 1
    return sorted(by_question.values(), key=lambda s: (-s.changed, s.question_id))


def stored_review_stats(session: Session) -> list[QuestionStats]:
    rows = session.execute(select(AnswerReviewRow.question_id, AnswerReviewRow.ai_answer, AnswerReviewRow.human_answer))
    return review_stats((q, a, h) for q, a, h in rows)
