"""The scoring model: fit + behavioural intent + answers → 0-100 score, tier, route and signed reasons.

Every component is on a 0-100 scale with 50 as neutral; the overall score is their weighted mean (weights from the
library's `scoring.yaml`). Each factor's `points` is its signed contribution to the overall score, so an SDR can add them up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agent.schemas import Disqualification, EngagementEvent, Factor, QuestionAnswer, Route, Tier
from library.schemas import QualifyingQuestion, ScoringConfig, Thresholds

FAST_TRACK_EVENTS = ("demo_request", "contact_sales")
FAST_TRACK_WINDOW = timedelta(days=14)
FAST_TRACK_MIN_FIT = 60.0
MAX_UNKNOWN_SHARE_FOR_SQL = 0.5
# A judged answer disqualifies outright only when the judge is sure; a less certain one still counts against the score.
INSTANT_DQ_MIN_CONFIDENCE = 0.75


@dataclass(frozen=True)
class ScoringInputs:
    fit_score: float
    fit_reasons: list[str]
    answers: list[QuestionAnswer]
    questions: list[QualifyingQuestion]
    events: list[EngagementEvent]
    thresholds: Thresholds
    as_of: datetime
    disqualifications: list[Disqualification] = field(default_factory=list)


@dataclass(frozen=True)
class ScoreResult:
    score: float
    tier: Tier
    route: Route
    intent_score: float
    answers_score: float
    factors: list[Factor]
    probability: float | None = None


def intent(events: list[EngagementEvent], config: ScoringConfig, as_of: datetime) -> tuple[float, list[Factor]]:
    """Behavioural intent 0-100 (50 = no signal): decayed points per event type, capped per type and overall."""
    rules = {r.event: r for r in config.events}
    per_type: dict[str, float] = {}
    for e in events:
        rule = rules.get(e.type)
        if rule is None or e.timestamp > as_of:
            continue
        age_days = max((as_of - e.timestamp).total_seconds() / 86_400, 0.0)
        per_type[e.type] = per_type.get(e.type, 0.0) + rule.points * math.pow(0.5, age_days / rule.half_life_days)
    for kind, pts in per_type.items():
        cap = rules[kind].cap
        if cap is not None:
            per_type[kind] = max(-cap, min(cap, pts))
    raw = sum(per_type.values())
    bounded = max(-config.intent_cap, min(config.intent_cap, raw))
    component = 50 + 50 * bounded / config.intent_cap
    scale = (component - 50) / raw if raw else 0.0
    factors = [Factor(kind="intent", label=f"{kind.replace('_', ' ')} (decayed {pts:+.1f} pts)",
                      points=round(config.intent_weight * pts * scale, 2))
               for kind, pts in per_type.items() if abs(pts) >= 0.05]
    return component, factors


def answers_component(answers: list[QuestionAnswer], questions: list[QualifyingQuestion],
                      weight: float) -> tuple[float, list[Factor], float]:
    """Answers 0-100 (50 = nothing known), the per-question factors, and the weighted share of unknowns."""
    by_id = {q.id: q for q in questions}
    total = sum(q.weight for q in questions) or 1.0
    signed, unknown_weight, factors = 0.0, 0.0, []
    for a in answers:
        q = by_id.get(a.question_id)
        if q is None:
            continue
        if a.answer == "unknown":
            unknown_weight += q.weight
            continue
        good = (a.answer == "yes") == (q.fit_type == "good")
        contribution = q.weight * a.confidence * (1 if good else -1)
        signed += contribution
        factors.append(Factor(kind="answer", label=f"{q.text} → {a.answer}",
                              points=round(weight * 50 * contribution / total, 2)))
    return 50 + 50 * signed / total, factors, unknown_weight / total


def instant_disqualifiers(answers: list[QuestionAnswer], questions: list[QualifyingQuestion]) -> list[Factor]:
    """Confident answers to instant-disqualifier questions that point the bad way (e.g. a sure yes to a bad-fit question)."""
    by_id = {q.id: q for q in questions}
    hits = []
    for a in answers:
        q = by_id.get(a.question_id)
        if q is None or not q.instant_disqualifier or a.answer == "unknown" or a.confidence < INSTANT_DQ_MIN_CONFIDENCE:
            continue
        if (a.answer == "yes") != (q.fit_type == "good"):
            hits.append(Factor(kind="rule", label=f"Disqualifying answer: {q.text} → {a.answer}", points=0.0))
    return hits


def fast_track(events: list[EngagementEvent], fit_score: float, as_of: datetime) -> Factor | None:
    """A recent high-intent action from a strong fit goes straight to the SDR queue, whatever the score."""
    if fit_score < FAST_TRACK_MIN_FIT:
        return None
    for e in events:
        if e.type in FAST_TRACK_EVENTS and as_of - FAST_TRACK_WINDOW <= e.timestamp <= as_of:
            return Factor(kind="fast_track", label=f"Fast-track: {e.type.replace('_', ' ')} from a strong fit", points=0.0)
    return None


def score(inputs: ScoringInputs, config: ScoringConfig) -> ScoreResult:
    """Combine the components into the score, tier and route with their reasons."""
    if inputs.disqualifications:
        factors = [Factor(kind="rule", label=d.reason, points=0.0) for d in inputs.disqualifications]
        return ScoreResult(0.0, "disqualified", "disqualified", 50.0, 50.0, factors)
    intent_score, intent_factors = intent(inputs.events, config, inputs.as_of)
    answers_score, answer_factors, unknown_share = answers_component(inputs.answers, inputs.questions, config.answers_weight)
    fit_factor = Factor(kind="fit", label="Product fit: " + ("; ".join(inputs.fit_reasons[:3]) or "no firmographic signal"),
                        points=round(config.fit_weight * (inputs.fit_score - 50), 2))
    total = 50 + fit_factor.points + sum(f.points for f in answer_factors) + config.intent_weight * (intent_score - 50)
    total = round(max(0.0, min(100.0, total)), 1)
    factors = sorted([fit_factor, *intent_factors, *answer_factors], key=lambda f: -abs(f.points))

    blockers = instant_disqualifiers(inputs.answers, inputs.questions)
    if blockers:
        return ScoreResult(total, "disqualified", "disqualified", intent_score, answers_score, blockers + factors)
    tier: Tier
    if total >= inputs.thresholds.sql_ready and unknown_share <= MAX_UNKNOWN_SHARE_FOR_SQL:
        tier = "sql_ready"
    elif total >= inputs.thresholds.needs_discovery or total >= inputs.thresholds.sql_ready:
        tier = "needs_discovery"
    else:
        tier = "nurture"
    route: Route = {"sql_ready": "sdr_review", "needs_discovery": "sdr_discovery", "nurture": "nurture"}[tier]  # type: ignore[assignment]
    ft = fast_track(inputs.events, inputs.fit_score, inputs.as_of)
    if ft is not None:
        route = "sdr_fast_track"
        factors.insert(0, ft)
    return ScoreResult(total, tier, route, round(intent_score, 1), round(answers_score, 1), factors)
