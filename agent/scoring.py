"""The scoring model: fit + behavioural intent + answers → P(SQL), 0-100 score, tier, route and signed reasons.

Intent: points per event type, decayed with a half-life (the rule's or its group's), capped per type, per group and
overall; pattern rules add points when a behaviour repeats. When the library's scoring.yaml holds a fitted `model`
(written by `qualify calibrate`), the probability is that logistic model's and the score is 100 x probability; the
breakdown is then on the log-odds scale (the average lead's log-odds + each feature's contribution = z, P = sigmoid(z)).
Without one, every component is on a 0-100 scale with 50 as neutral; the score is 50 plus each factor's signed points
(weights from the library's `scoring.yaml`), so an SDR can add them up. The tier comes from the segment's SQL definition
(agent/sql.py); the score ranks leads within a tier, and decides the tier only for a segment without a definition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agent.features import FeatureContext
from agent.fitted import default_probability, explain, sigmoid
from agent.schemas import (
    Disqualification,
    EngagementEvent,
    Enrichment,
    Factor,
    Lead,
    QuestionAnswer,
    Route,
    ScoreBreakdown,
    SqlVerdict,
    Tier,
)
from agent.sql import Facts, decide, direct
from library.schemas import FastTrack, FittedModel, QualifyingQuestion, ScoringConfig, SqlDefinition, Thresholds

MAX_UNKNOWN_SHARE_FOR_SQL = 0.5


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
    lead: Lead | None = None  # a fitted model reads its features from the lead
    segment_id: str | None = None
    sql: SqlDefinition | None = None  # the segment's SQL definition: it decides the tier when present
    enrichment: Enrichment | None = None  # fact criteria read company.* and person.* from it


@dataclass(frozen=True)
class ScoreResult:
    score: float
    tier: Tier
    route: Route
    intent_score: float
    answers_score: float
    factors: list[Factor]
    probability: float | None = None
    breakdown: ScoreBreakdown | None = None
    sql: SqlVerdict | None = None
    discovery: list[str] | None = None  # question ids to ask (from the SQL definition); None: the unknowns by weight


def _decayed(events: list[EngagementEvent], config: ScoringConfig, as_of: datetime) -> dict[str, float]:
    """Points per event type after decay (the rule's half-life, else its group's) and the per-type cap."""
    rules = {r.event: r for r in config.events}
    groups = {g.id: g for g in config.groups}
    per_type: dict[str, float] = {}
    for e in events:
        rule = rules.get(e.type)
        if rule is None or e.timestamp > as_of:
            continue
        half_life = rule.half_life_days
        if rule.group is not None and "half_life_days" not in rule.model_fields_set:
            half_life = groups[rule.group].half_life_days
        age_days = max((as_of - e.timestamp).total_seconds() / 86_400, 0.0)
        per_type[e.type] = per_type.get(e.type, 0.0) + rule.points * math.pow(0.5, age_days / half_life)
    for kind, pts in per_type.items():
        cap = rules[kind].cap
        if cap is not None:
            per_type[kind] = max(-cap, min(cap, pts))
    return per_type


def _group_capped(per_type: dict[str, float], config: ScoringConfig) -> dict[str, float]:
    """Scale a group's types down together when their sum exceeds the group's cap."""
    rules = {r.event: r for r in config.events}
    out = dict(per_type)
    for g in config.groups:
        members = [k for k in per_type if rules[k].group == g.id]
        total = sum(per_type[k] for k in members)
        if g.cap is not None and abs(total) > g.cap:
            for k in members:
                out[k] = per_type[k] * g.cap / abs(total)
    return out


def patterns(events: list[EngagementEvent], config: ScoringConfig, as_of: datetime) -> dict[str, float]:
    """Points of each pattern rule that fires, keyed by its label (e.g. three pricing views within seven days)."""
    fired: dict[str, float] = {}
    for rule in config.patterns:
        since = as_of - timedelta(days=rule.within_days)
        hits = [e.timestamp for e in events if e.type in rule.events and since <= e.timestamp <= as_of]
        count = len({t.date() for t in hits}) if rule.distinct_days else len(hits)
        if count >= rule.min_count:
            fired[rule.label] = rule.points
    return fired


def intent(events: list[EngagementEvent], config: ScoringConfig, as_of: datetime) -> tuple[float, list[Factor]]:
    """Behavioural intent 0-100 (50 = no signal): decayed, capped points per event type and group, plus patterns."""
    per_type = _group_capped(_decayed(events, config, as_of), config)
    items = [(f"{k.replace('_', ' ')} (decayed {v:+.1f} pts)", v) for k, v in per_type.items()]
    items += [(f"pattern: {label}", v) for label, v in patterns(events, config, as_of).items()]
    raw = sum(v for _, v in items)
    bounded = max(-config.intent_cap, min(config.intent_cap, raw))
    component = 50 + 50 * bounded / config.intent_cap
    scale = (component - 50) / raw if raw else 0.0
    factors = [
        Factor(kind="intent", label=label, points=round(config.intent_weight * v * scale, 2)) for label, v in items
    ]
    return component, factors


def answers_component(
    answers: list[QuestionAnswer], questions: list[QualifyingQuestion], weight: float
) -> tuple[float, list[Factor], float]:
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
        factors.append(
            Factor(kind="answer", label=f"{q.text} → {a.answer}", points=round(weight * 50 * contribution / total, 2))
        )
    return 50 + 50 * signed / total, factors, unknown_weight / total


def instant_disqualifiers(answers: list[QuestionAnswer], questions: list[QualifyingQuestion]) -> list[Factor]:
    """Confident answers to instant-disqualifier questions that point the bad way (e.g. a sure yes to a bad-fit question)."""
    by_id = {q.id: q for q in questions}
    hits = []
    for a in answers:
        q = by_id.get(a.question_id)
        if q is None or not q.instant_disqualifier or not direct(a):
            continue
        if (a.answer == "yes") != (q.fit_type == "good"):
            hits.append(Factor(kind="rule", label=f"Disqualifying answer: {q.text} → {a.answer}", points=0.0))
    return hits


def fast_track(
    events: list[EngagementEvent], fit_score: float, as_of: datetime, rule: FastTrack | None = None
) -> Factor | None:
    """A recent high-intent action from a strong fit goes straight to the SDR queue, whatever the score."""
    rule = rule or FastTrack()
    if fit_score < rule.min_fit:
        return None
    window = timedelta(days=rule.window_days)
    for e in events:
        if e.type in rule.events and as_of - window <= e.timestamp <= as_of:
            return Factor(
                kind="fast_track", label=f"Fast-track: {e.type.replace('_', ' ')} from a strong fit", points=0.0
            )
    return None


def _thresholds(inputs: ScoringInputs, model: FittedModel | None) -> Thresholds:
    if model is None:
        return inputs.thresholds
    return model.segment_thresholds.get(inputs.segment_id or "", model.thresholds)


def _feature_kind(source: str) -> str:
    if source.startswith("answer."):
        return "answer"
    return "intent" if source.startswith(("events.", "last_event.")) or source == "score.intent" else "fit"


def fitted_breakdown(model: FittedModel, ctx: FeatureContext) -> tuple[float, ScoreBreakdown]:
    """P(SQL) and its log-odds breakdown: the average lead's log-odds plus each feature's signed contribution.

    A feature's contribution is its log-odds against its average on the fitting data (`baseline`), so base + the sum
    of the contributions is exactly the model's log-odds z, and P = sigmoid(z).
    """
    e = explain(model, ctx)
    cal = model.calibration
    scale = cal.a if cal is not None and cal.method == "sigmoid" else 1.0  # sigmoid calibration scales the log-odds
    base = e.base + sum(scale * f.baseline for f, _, _ in e.parts)
    factors = [
        Factor(kind=_feature_kind(f.source), label=f"{f.name}: {value}", points=c - scale * f.baseline)  # type: ignore[arg-type]
        for f, c, value in e.parts
        if abs(c - scale * f.baseline) > 1e-12
    ]
    if abs(e.adjustment) > 1e-12:  # isotonic calibration: the step from the model's log-odds to the calibrated one
        factors.append(Factor(kind="rule", label="calibration to observed SQL rates", points=e.adjustment))
    label = f"average lead of the fitting data: log-odds {base:+.2f} (P {sigmoid(base):.1%})"
    prov = model.provenance
    if prov is not None and prov.rows:
        label += f"; base rate {prov.positives / prov.rows:.1%} ({prov.positives:,} SQL of {prov.rows:,} leads)"
    factors.sort(key=lambda f: -abs(f.points))
    return e.probability, ScoreBreakdown(
        scale="log_odds",
        base=base,
        base_label=label,
        contributions=factors,
        total=base + sum(f.points for f in factors),
    )


def _points_breakdown(contribs: list[Factor]) -> ScoreBreakdown:
    """Neutral 50 plus every signed contribution, bounded to 0-100 by a factor of its own so the sum still holds."""
    contribs = [f for f in contribs if f.points != 0]
    raw = 50 + sum(f.points for f in contribs)
    if raw > 100 or raw < 0:
        contribs.append(
            Factor(kind="rule", label="Score bounded to 0–100", points=round(min(100.0, max(0.0, raw)) - raw, 2))
        )
    contribs.sort(key=lambda f: -abs(f.points))
    return ScoreBreakdown(
        scale="points",
        base=50.0,
        base_label="a neutral lead: 50 points",
        contributions=contribs,
        total=round(50 + sum(f.points for f in contribs), 2),
    )


def threshold_tier(total: float, thresholds: Thresholds, unknown_share: float = 0.0) -> Tier:
    """The fallback for a segment with no SQL definition: the score's cut-offs decide."""
    if total >= thresholds.sql_ready and unknown_share <= MAX_UNKNOWN_SHARE_FOR_SQL:
        return "sql_ready"
    if total >= thresholds.needs_discovery or total >= thresholds.sql_ready:
        return "needs_discovery"
    return "nurture"


def score(inputs: ScoringInputs, config: ScoringConfig) -> ScoreResult:
    """P(SQL), the score that ranks within a tier, and the tier: from the segment's SQL definition when it has one.

    With a fitted model the probability comes from it (score = 100 x probability, breakdown on the log-odds scale);
    otherwise the score is 50 plus the signed points of fit, intent, answers and met nice-to-haves. Without a SQL
    definition the segment's score thresholds decide the tier (the documented fallback).
    """
    if inputs.disqualifications:
        factors = [Factor(kind="rule", label=d.reason, points=0.0) for d in inputs.disqualifications]
        verdict = SqlVerdict(
            source="hard_rule",
            segment=inputs.segment_id,
            tier_reason="Hard rule: " + "; ".join(d.reason for d in inputs.disqualifications),
        )
        breakdown = ScoreBreakdown(scale="points", base=0.0, base_label="disqualified by a hard rule: 0", total=0.0)
        return ScoreResult(
            0.0, "disqualified", "disqualified", 50.0, 50.0, factors, probability=0.0, breakdown=breakdown, sql=verdict
        )
    intent_score, intent_factors = intent(inputs.events, config, inputs.as_of)
    answers_score, answer_factors, unknown_share = answers_component(
        inputs.answers, inputs.questions, config.answers_weight
    )
    decision = None
    if inputs.sql is not None:
        facts = Facts(inputs.fit_score, intent_score, inputs.as_of, inputs.lead, inputs.enrichment)
        decision = decide(inputs.sql, inputs.answers, inputs.questions, facts, inputs.segment_id)
    thresholds = _thresholds(inputs, config.model)
    notes: list[Factor] = []
    if config.model is not None and inputs.lead is not None:
        ctx = FeatureContext(inputs.lead, inputs.answers, inputs.fit_score, intent_score)
        probability, breakdown = fitted_breakdown(config.model, ctx)
        total = round(100 * probability, 1)
        unknown_share = 0.0  # the fitted model already weighs unknown answers
    else:
        fit_factor = Factor(
            kind="fit",
            label="Product fit: " + ("; ".join(inputs.fit_reasons[:3]) or "no firmographic signal"),
            points=round(config.fit_weight * (inputs.fit_score - 50), 2),
        )
        nice = [
            Factor(kind="criterion", label=label, points=pts)
            for label, pts in (decision.nice_points if decision else [])
        ]
        breakdown = _points_breakdown([fit_factor, *intent_factors, *answer_factors, *nice])
        total = breakdown.total
        probability = default_probability(total, thresholds.sql_ready)
        if config.model is not None:  # e.g. a rescore that was not given the lead
            notes.append(
                Factor(kind="rule", points=0.0, label="Fitted model not applied (no lead data): default scoring used")
            )
    probability = round(probability, 6)
    factors = notes + breakdown.contributions

    blockers = instant_disqualifiers(inputs.answers, inputs.questions)
    if blockers:
        verdict = SqlVerdict(
            source="sql_definition" if decision else "score_thresholds",
            segment=inputs.segment_id,
            tier_reason="Disqualified: " + "; ".join(f.label for f in blockers),
            criteria=decision.verdict.criteria if decision else [],
        )
        return ScoreResult(
            total,
            "disqualified",
            "disqualified",
            round(intent_score, 1),
            round(answers_score, 1),
            blockers + factors,
            probability,
            breakdown,
            verdict,
        )
    if decision is not None:
        if decision.route == "sdr_fast_track":
            factors.insert(0, Factor(kind="fast_track", label=decision.verdict.tier_reason, points=0.0))
        return ScoreResult(
            total,
            decision.tier,
            decision.route,
            round(intent_score, 1),
            round(answers_score, 1),
            factors,
            probability,
            breakdown,
            decision.verdict,
            decision.discovery,
        )
    tier = threshold_tier(total, thresholds, unknown_share)
    route: Route = {"sql_ready": "sdr_review", "needs_discovery": "sdr_discovery", "nurture": "nurture"}[tier]  # type: ignore[assignment]
    ft = fast_track(inputs.events, inputs.fit_score, inputs.as_of, config.fast_track)
    if ft is not None:
        route = "sdr_fast_track"
        factors.insert(0, ft)
    why = {
        "sql_ready": f"score {total:g} ≥ SQL-ready {thresholds.sql_ready:g}",
        "needs_discovery": f"score {total:g} ≥ discovery {thresholds.needs_discovery:g} (or too many unknowns)",
        "nurture": f"score {total:g} < discovery {thresholds.needs_discovery:g}",
    }[tier]
    verdict = SqlVerdict(
        source="score_thresholds", segment=inputs.segment_id, tier_reason=f"No SQL definition for this segment; {why}"
    )
    return ScoreResult(
        total, tier, route, round(intent_score, 1), round(answers_score, 1), factors, probability, breakdown, verdict
    )
