"""The scoring model on fixed clocks: decay, negative signals, caps, answers, tiers, fast-track."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.schemas import Disqualification, EngagementEvent, Evidence, QuestionAnswer
from agent.scoring import ScoringInputs, intent, score
from library.schemas import EventRule, QualifyingQuestion, ScoringConfig, Thresholds

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
CONFIG = ScoringConfig(
    fit_weight=0.35, answers_weight=0.45, intent_weight=0.20, intent_cap=60,
    events=[EventRule(event="pricing_page_view", points=10, half_life_days=7, cap=30),
            EventRule(event="ebook_download", points=3, half_life_days=30),
            EventRule(event="careers_page_view", points=-15, half_life_days=30),
            EventRule(event="demo_request", points=25, half_life_days=14)],
)
THRESHOLDS = Thresholds(sql_ready=65, needs_discovery=45)
Q_BUDGET = QualifyingQuestion(id="budget", text="Budget allocated?", category="budget", weight=5, fit_type="good")
Q_STUDENT = QualifyingQuestion(id="student", text="Is the lead a student?", category="fit", weight=5, fit_type="bad")
Q_COMPETITOR = QualifyingQuestion(id="locked_in", text="Locked into a competitor?", category="competition", weight=3,
                                  fit_type="bad", instant_disqualifier=True)


def ev(kind: str, days_ago: float) -> EngagementEvent:
    return EngagementEvent(type=kind, timestamp=NOW - timedelta(days=days_ago))


def ans(qid: str, answer: str, confidence: float = 1.0) -> QuestionAnswer:
    evidence = [] if answer == "unknown" else [Evidence(source="notes", ref="notes", quote="x")]
    return QuestionAnswer(question_id=qid, reasoning="r", answer=answer, confidence=confidence, evidence=evidence)


def inputs(**kw) -> ScoringInputs:  # type: ignore[no-untyped-def]
    base = dict(fit_score=50.0, fit_reasons=[], answers=[], questions=[Q_BUDGET, Q_STUDENT], events=[],
                thresholds=THRESHOLDS, as_of=NOW)
    base.update(kw)
    return ScoringInputs(**base)


def test_recent_pricing_visit_counts_more_than_an_old_one() -> None:
    recent, _ = intent([ev("pricing_page_view", 1)], CONFIG, NOW)
    old, _ = intent([ev("pricing_page_view", 180)], CONFIG, NOW)
    assert recent > old > 50
    # one half-life later a visit is worth half: 10 * 0.5 = 5 points of 60 → 50 + 50 * 5/60
    week, _ = intent([ev("pricing_page_view", 7)], CONFIG, NOW)
    assert week == pytest.approx(50 + 50 * 5 / 60, abs=1e-6)


def test_negative_signals_lower_intent_and_future_events_are_ignored() -> None:
    neg, factors = intent([ev("careers_page_view", 0)], CONFIG, NOW)
    assert neg < 50 and factors[0].points < 0
    future, _ = intent([ev("pricing_page_view", -3)], CONFIG, NOW)
    assert future == 50


def test_per_event_cap_stops_one_noisy_behaviour_from_dominating() -> None:
    many, _ = intent([ev("pricing_page_view", 0)] * 50, CONFIG, NOW)
    capped_points = 30  # the pricing cap
    assert many == pytest.approx(50 + 50 * capped_points / 60)


def test_bad_fit_yes_lowers_and_good_fit_yes_raises_the_score() -> None:
    neutral = score(inputs(), CONFIG).score
    good = score(inputs(answers=[ans("budget", "yes")]), CONFIG).score
    bad = score(inputs(answers=[ans("student", "yes")]), CONFIG).score
    assert bad < neutral < good
    # factors add up: 50 + fit + answers + intent
    r = score(inputs(fit_score=80, answers=[ans("budget", "yes"), ans("student", "no")]), CONFIG)
    assert r.score == pytest.approx(50 + sum(f.points for f in r.factors), abs=0.2)


def test_unknown_answers_are_neutral() -> None:
    assert score(inputs(answers=[ans("budget", "unknown")]), CONFIG).score == score(inputs(), CONFIG).score


@pytest.mark.parametrize(("fit", "answers", "tier"), [
    (100, [("budget", "yes"), ("student", "no")], "sql_ready"),
    (60, [("budget", "unknown"), ("student", "unknown")], "needs_discovery"),
    (10, [("budget", "no")], "nurture"),
])
def test_tiers_follow_segment_thresholds(fit: float, answers: list[tuple[str, str]], tier: str) -> None:
    r = score(inputs(fit_score=fit, answers=[ans(q, a) for q, a in answers]), CONFIG)
    assert r.tier == tier, r


def test_high_score_with_mostly_unknowns_needs_discovery_not_sql() -> None:
    r = score(inputs(fit_score=100, events=[ev("pricing_page_view", 0)] * 3,
                     answers=[ans("budget", "unknown"), ans("student", "unknown")]),
              ScoringConfig(fit_weight=0.8, answers_weight=0.1, intent_weight=0.1, events=CONFIG.events))
    assert r.score >= THRESHOLDS.sql_ready
    assert r.tier == "needs_discovery"


def test_instant_disqualifier_answer_disqualifies() -> None:
    r = score(inputs(fit_score=100, questions=[Q_BUDGET, Q_COMPETITOR],
                     answers=[ans("budget", "yes"), ans("locked_in", "yes")]), CONFIG)
    assert (r.tier, r.route) == ("disqualified", "disqualified")
    assert "Locked into a competitor?" in r.factors[0].label


def test_unsure_disqualifying_answer_lowers_the_score_but_does_not_disqualify() -> None:
    unsure = score(inputs(fit_score=100, questions=[Q_BUDGET, Q_COMPETITOR],
                          answers=[ans("budget", "yes"), ans("locked_in", "yes", confidence=0.6)]), CONFIG)
    clean = score(inputs(fit_score=100, questions=[Q_BUDGET, Q_COMPETITOR], answers=[ans("budget", "yes")]), CONFIG)
    assert unsure.tier != "disqualified" and unsure.score < clean.score


def test_hard_rule_disqualification_short_circuits() -> None:
    dq = Disqualification(rule_id="competitor", reason="Works at a competitor", field="company.domain", value="x.com")
    r = score(inputs(fit_score=100, disqualifications=[dq]), CONFIG)
    assert (r.tier, r.score) == ("disqualified", 0.0)


def test_demo_request_from_strong_fit_is_fast_tracked_whatever_the_score() -> None:
    r = score(inputs(fit_score=70, answers=[ans("budget", "no")], events=[ev("demo_request", 2)]), CONFIG)
    assert r.route == "sdr_fast_track" and r.factors[0].kind == "fast_track"
    weak = score(inputs(fit_score=30, events=[ev("demo_request", 2)]), CONFIG)
    assert weak.route != "sdr_fast_track"
    stale = score(inputs(fit_score=70, events=[ev("demo_request", 40)]), CONFIG)
    assert stale.route != "sdr_fast_track"
