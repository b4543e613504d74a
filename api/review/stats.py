"""Review statistics: per question, how often reviewers changed the AI's answer (AnswerReviewRow); and why leads were
rejected or pushed back, by lead source, matched segment, rep and (when scorecards record them) failed criterion."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.leads.models import LeadRow, ScorecardRow
from api.review.models import AnswerReviewRow, DecisionRow


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


REASON_ACTIONS = ("reject", "push_back")
DIMENSIONS = ("source", "segment", "rep", "criterion")


@dataclass(frozen=True)
class ReasonRow:
    """One reject or push-back with where it came from."""

    reason: str
    source: str
    segment: str | None
    rep: str
    criteria: tuple[str, ...] = ()  # failed SQL criteria of the scorecard, when it records them


def reason_stats(rows: Iterable[ReasonRow]) -> dict[str, Counter[tuple[str, str]]]:
    """Per dimension, (value, reason) -> count, e.g. stats["segment"][("smb", "no_budget")] == 4."""
    out: dict[str, Counter[tuple[str, str]]] = {d: Counter() for d in DIMENSIONS}
    for r in rows:
        out["source"][(r.source, r.reason)] += 1
        out["segment"][(r.segment or "(no segment)", r.reason)] += 1
        out["rep"][(r.rep, r.reason)] += 1
        for c in r.criteria:
            out["criterion"][(c, r.reason)] += 1
    return out


def failed_criteria(payload: dict) -> tuple[str, ...]:
    """Ids of the SQL-definition criteria a scorecard marks failed (`sql.criteria: [{id, status}]`), if any."""
    items = (payload.get("sql") or {}).get("criteria") or []
    return tuple(str(c.get("id")) for c in items if isinstance(c, dict) and c.get("status") in ("failed", "no"))


def _segment(payload: dict) -> str | None:
    for section in payload.get("sections") or []:
        match = section.get("match") if isinstance(section, dict) else None
        if section.get("section") == "segment" and match:
            return match.get("entity_id")
    return None


def stored_reason_stats(session: Session) -> dict[str, Counter[tuple[str, str]]]:
    """`reason_stats` over every reject and push-back in the database."""
    query = (
        select(DecisionRow.reason, LeadRow.source, DecisionRow.actor, ScorecardRow.payload)
        .join(LeadRow, LeadRow.id == DecisionRow.lead_id)
        .outerjoin(ScorecardRow, ScorecardRow.id == DecisionRow.scorecard_id)
        .where(DecisionRow.action.in_(REASON_ACTIONS), DecisionRow.reason.is_not(None))
    )
    return reason_stats(
        ReasonRow(reason, source, _segment(payload or {}), actor, failed_criteria(payload or {}))
        for reason, source, actor, payload in session.execute(query)
    )


@dataclass
class RepStats:
    """Per rep, over their confirms: how many checklist items they changed, verified or kept exactly as suggested."""

    rep: str
    confirms: int = 0
    items: int = 0
    changed: int = 0
    verified: int = 0  # kept as suggested, ticked "verified on the call"
    accepted: int = 0  # kept as suggested, not verified (only allowed for items that are not must-haves)

    @property
    def accept_rate(self) -> float:
        """Share of items left as the AI suggested (verified or not): near 100 % is the rubber-stamp signal."""
        return (self.verified + self.accepted) / self.items if self.items else 0.0


def rep_stats(confirms: Iterable[tuple[str, dict[str, str]]]) -> list[RepStats]:
    """Aggregate (rep, {question: changed|verified|accepted}) per confirm; highest accept-as-suggested rate first."""
    by_rep: dict[str, RepStats] = {}
    for rep, outcome in confirms:
        stats = by_rep.setdefault(rep, RepStats(rep))
        stats.confirms += 1
        for value in outcome.values():
            stats.items += 1
            setattr(stats, value, getattr(stats, value) + 1)
    return sorted(by_rep.values(), key=lambda s: (-s.accept_rate, s.rep))


def stored_rep_stats(session: Session) -> list[RepStats]:
    """From the confirms recorded since checklist outcomes were kept (older confirms carry none and are skipped)."""
    from api.review.models import DecisionRow

    rows = session.execute(select(DecisionRow.actor, DecisionRow.record).where(DecisionRow.action == "confirm"))
    return rep_stats(
        (actor, record["checklist_review"])
        for actor, record in rows
        if record and isinstance(record.get("checklist_review"), dict)
    )
