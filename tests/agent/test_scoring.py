"""The scoring model on fixed clocks: decay, negative signals, caps, answers, tiers, fast-track."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from agent.schemas import Disqualification, EngagementEvent, Evidence, QuestionAnswer
from agent.scoring import ScoringInputs, intent, score
from library.schemas import EventRule, QualifyingQuestion, ScoringConfig, Thresholds

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
CONFIG = ScoringConfig(
    fit_weight=0.35,
    answers_weight=0.45,
    intent_weight=0.20,
    intent_cap=60,
    events=[
        EventRule(event="pricing_page_view", points=10, half_life_days=7, cap=30),
        EventRule(event="ebook_download", points=3, half_life_days=30),
        EventRule(event="careers_page_view", points=-15, half_life_days=30),
        EventRule(event="demo_request", points=25, half_life_days=14),
    ],
)
THRESHOLDS = Thresholds(sql_ready=65, needs_discovery=45)
Q_BUDGET = QualifyingQuestion(id="budget", text="Budget allocated?", category="budget", weight=5, fit_type="good")
Q_STUDENT = QualifyingQuestion(id="student", text="Is the lead a student?", category="fit", weight=5, fit_type="bad")
Q_COMPETITOR = QualifyingQuestion(
    id="locked_in",
    text="Locked into a competitor?",
    category="competition",
    weight=3,
    fit_type="bad",
    instant_disqualifier=True,
)


def ev(kind: str, days_ago: float) -> EngagementEvent:
    return EngagementEvent(type=kind, timestamp=NOW - timedelta(days=days_ago))


def ans(qid: str, answer: str, confidence: float = 1.0) -> QuestionAnswer:
    evidence = [] if answer == "unknown" else [Evidence(source="notes", ref="notes", quote="x")]
    return QuestionAnswer(question_id=qid, reasoning="r", answer=answer, confidence=confidence, evidence=evidence)


def inputs(**kw) -> ScoringInputs:  # type: ignore[no-untyped-def]
    base = dict(
        fit_score=50.0,
        fit_reasons=[],
        answers=[],
        questions=[Q_BUDGET, Q_STUDENT],
        events=[],
        thresholds=THRESHOLDS,
        as_of=NOW,
    )
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


@pytest.mark.parametrize(
    ("fit", "answers", "tier"),
    [
        (100, [("budget", "yes"), ("student", "no")], "sql_ready"),
        (60, [("budget", "unknown"), ("student", "unknown")], "needs_discovery"),
        (10, [("budget", "no")], "nurture"),
    ],
)
def test_tiers_follow_segment_thresholds(fit: float, answers: list[tuple[str, str]], tier: str) -> None:
    r = score(inputs(fit_score=fit, answers=[ans(q, a) for q, a in answers]), CONFIG)
    assert r.tier == tier, r


def test_high_score_with_mostly_unknowns_needs_discovery_not_sql() -> None:
    r = score(
        inputs(
            fit_score=100,
            events=[ev("pricing_page_view", 0)] * 3,
            answers=[ans("budget", "unknown"), ans("student", "unknown")],
        ),
        ScoringConfig(fit_weight=0.8, answers_weight=0.1, intent_weight=0.1, events=CONFIG.events),
    )
    assert r.score >= THRESHOLDS.sql_ready
    assert r.tier == "needs_discovery"


def test_instant_disqualifier_answer_disqualifies() -> None:
    r = score(
        inputs(
            fit_score=100, questions=[Q_BUDGET, Q_COMPETITOR], answers=[ans("budget", "yes"), ans("locked_in", "yes")]
        ),
        CONFIG,
    )
    assert (r.tier, r.route) == ("disqualified", "disqualified")
    assert "Locked into a competitor?" in r.factors[0].label


def test_unsure_disqualifying_answer_lowers_the_score_but_does_not_disqualify() -> None:
    unsure = score(
        inputs(
            fit_score=100,
            questions=[Q_BUDGET, Q_COMPETITOR],
            answers=[ans("budget", "yes"), ans("locked_in", "yes", confidence=0.6)],
        ),
        CONFIG,
    )
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


# --- groups, patterns, fast-track config, fitted model ----------------------------------------------------------------

from agent.fitted import default_probability, sigmoid  # noqa: E402
from agent.schemas import Lead  # noqa: E402
from library.schemas import EventGroup, FastTrack, FittedModel, ModelFeature, PatternRule  # noqa: E402

GROUPED = ScoringConfig(
    intent_cap=100,
    groups=[EventGroup(id="content", half_life_days=10, cap=8)],
    events=[
        EventRule(event="ebook_download", points=5, group="content"),
        EventRule(event="case_study_view", points=5, group="content", half_life_days=1000),
        EventRule(event="pricing_page_view", points=4, half_life_days=7),
    ],
    patterns=[
        PatternRule(
            id="pricing-burst",
            label="3+ pricing views in 7 days",
            events=["pricing_page_view"],
            min_count=3,
            within_days=7,
            points=20,
        ),
        PatternRule(
            id="returning",
            label="back on 3 days in a week",
            events=["pricing_page_view", "ebook_download"],
            min_count=3,
            within_days=7,
            distinct_days=True,
            points=10,
        ),
    ],
)


def test_group_half_life_applies_unless_the_rule_sets_its_own() -> None:
    ebook, _ = intent([ev("ebook_download", 10)], GROUPED, NOW)  # group half-life 10 days → 2.5 points
    assert ebook == pytest.approx(50 + 50 * 2.5 / 100)
    case, _ = intent([ev("case_study_view", 10)], GROUPED, NOW)  # own half-life 1000 days → ~5 points
    assert case == pytest.approx(50 + 50 * 5 * 0.5 ** (10 / 1000) / 100)


def test_group_cap_bounds_the_whole_group() -> None:
    both, _ = intent([ev("ebook_download", 0), ev("case_study_view", 0)], GROUPED, NOW)  # 10 points, group cap 8
    assert both == pytest.approx(50 + 50 * 8 / 100)


def test_pricing_burst_pattern_fires_on_three_views_within_seven_days_only() -> None:
    burst, factors = intent([ev("pricing_page_view", d) for d in (0, 2, 6)], GROUPED, NOW)
    spread, _ = intent([ev("pricing_page_view", d) for d in (0, 8, 20)], GROUPED, NOW)
    assert any(f.label == "pattern: 3+ pricing views in 7 days" for f in factors)
    assert burst - spread > 50 * 20 / 100 - 1e-9  # the pattern's 20 points, on top of less decay


def test_returning_pattern_counts_distinct_days_not_events() -> None:
    same_day = [ev("pricing_page_view", 1), ev("pricing_page_view", 1.01)]
    _, f1 = intent(same_day + [ev("ebook_download", 1.02)], GROUPED, NOW)
    assert not any("back on 3 days" in f.label for f in f1)
    _, f2 = intent([ev("pricing_page_view", 1), ev("ebook_download", 3), ev("ebook_download", 5)], GROUPED, NOW)
    assert any("back on 3 days" in f.label for f in f2)


def test_fast_track_rule_comes_from_the_config() -> None:
    config = ScoringConfig(
        events=CONFIG.events, fast_track=FastTrack(events=["free_trial_signup"], window_days=3, min_fit=40)
    )
    assert score(inputs(fit_score=45, events=[ev("free_trial_signup", 1)]), config).route == "sdr_fast_track"
    assert score(inputs(fit_score=45, events=[ev("free_trial_signup", 5)]), config).route != "sdr_fast_track"
    assert score(inputs(fit_score=45, events=[ev("demo_request", 1)]), config).route != "sdr_fast_track"


def test_default_probability_is_one_half_at_the_segment_sql_threshold() -> None:
    r = score(inputs(), CONFIG)
    assert r.probability == pytest.approx(default_probability(r.score, THRESHOLDS.sql_ready), abs=1e-6)
    assert default_probability(THRESHOLDS.sql_ready, THRESHOLDS.sql_ready) == 0.5
    dq = Disqualification(rule_id="x", reason="r", field="f", value="v")
    assert score(inputs(disqualifications=[dq]), CONFIG).probability == 0.0


MODEL = FittedModel(
    intercept=-1.0,
    features=[
        ModelFeature(name="Origin", source="form.origin", kind="categorical", levels=["ad", "referral"], baseline=0.2),
        ModelFeature(name="Minutes", source="form.minutes", kind="numeric", edges=[10.0]),
        ModelFeature(name="Visits", source="events.site_visit", kind="numeric"),
    ],
    coefficients={
        "Origin=referral": 1.5,
        "Origin=<other>": -0.5,
        "Minutes:value": 0.05,
        "Minutes:bin1": 0.4,
        "Visits:log1p": 0.3,
    },
    thresholds=Thresholds(sql_ready=50, needs_discovery=30),
    segment_thresholds={"enterprise": Thresholds(sql_ready=80, needs_discovery=60)},
)


def test_fitted_model_probability_is_the_logistic_of_the_named_features() -> None:
    lead = Lead(form_answers={"origin": "referral", "minutes": "20"}, events=[ev("site_visit", 1), ev("site_visit", 2)])
    r = score(inputs(lead=lead), ScoringConfig(model=MODEL))
    z = -1.0 + 1.5 + 0.05 * 20 + 0.4 + 0.3 * math.log1p(2)
    assert r.probability == pytest.approx(sigmoid(z), abs=1e-6)
    assert r.score == pytest.approx(round(100 * sigmoid(z), 1))
    assert r.tier == "sql_ready"
    labels = {f.label: f for f in r.factors}
    # Origin's contribution, on the log-odds scale: 1.5 against its baseline (average) contribution 0.2
    assert labels["Origin: referral"].points == pytest.approx(1.3, abs=1e-9)
    assert r.breakdown is not None and r.breakdown.scale == "log_odds"
    assert r.breakdown.base + sum(f.points for f in r.breakdown.contributions) == pytest.approx(z, abs=1e-9)
    assert labels["Origin: referral"].kind == "fit" and labels["Visits: 2"].kind == "intent"


def test_fitted_model_unseen_level_missing_value_and_segment_thresholds() -> None:
    lead = Lead(form_answers={"origin": "billboard"})
    r = score(inputs(lead=lead, segment_id="enterprise"), ScoringConfig(model=MODEL))
    assert r.probability == pytest.approx(sigmoid(-1.0 - 0.5), abs=1e-6)  # <other> level; minutes missing; 0 visits
    assert any(f.label == "Minutes: not given" for f in r.factors) is False  # a zero-weight column adds no factor
    assert r.tier == "nurture"
    strong = Lead(form_answers={"origin": "referral", "minutes": "5"})  # p = sigmoid(0.75) = 0.68
    assert score(inputs(lead=strong), ScoringConfig(model=MODEL)).tier == "sql_ready"
    assert score(inputs(lead=strong, segment_id="enterprise"), ScoringConfig(model=MODEL)).tier == "needs_discovery"


def test_without_the_lead_a_fitted_model_degrades_to_default_scoring_and_says_so() -> None:
    r = score(inputs(), ScoringConfig(model=MODEL))
    assert r.factors[0].label.startswith("Fitted model not applied")
    assert r.probability == pytest.approx(default_probability(r.score, MODEL.thresholds.sql_ready), abs=1e-6)
