"""The SQL decision: each tier, their order of precedence, fast-track, nurture reasons and the threshold fallback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.schemas import Company, EngagementEvent, Evidence, Lead, QuestionAnswer
from agent.scoring import ScoringInputs, score
from agent.judges.calibration import ConfidenceMap
from agent.sql import DIRECT_MIN_CONFIDENCE, Facts, decide
from library.schemas import QualifyingQuestion, ScoringConfig, SqlDefinition, Thresholds

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
Q = [
    QualifyingQuestion(id=i, text=t, category=c, weight=5, fit_type=f, instant_disqualifier=dq)  # type: ignore[arg-type]
    for i, t, c, f, dq in [
        ("need", "Manual AP today?", "need", "good", False),
        ("volume", "500+ invoices a month?", "need", "good", False),
        ("timing", "Live within 90 days?", "timeline", "good", False),
        ("budget", "Budget of $15k?", "budget", "good", False),
        ("buyer", "Economic buyer involved?", "authority", "good", False),
        ("demo", "Demo requested?", "intent", "good", False),
        ("pitch", "Pitching us services?", "fit", "bad", False),
        ("student", "Is the lead a student?", "fit", "bad", True),
    ]
]
DEFINITION = SqlDefinition.model_validate(
    {
        "disqualify": [{"id": "pitch", "label": "Selling to us", "when": "pitch"}],
        "must_have": [
            {"id": "need", "label": "Need evidenced", "when": {"any": ["need", "volume"]}, "nurture_reason": "need"},
            {
                "id": "timing",
                "label": "Buying within 90 days",
                "when": "timing",
                "nurture_reason": "timing",
                "nurture_note": "Future pipeline",
            },
            {
                "id": "money",
                "label": "Budget or buyer",
                "when": {"any": ["budget", "buyer"]},
                "nurture_reason": "budget",
            },
        ],
        "fast_track": [
            {
                "id": "demo_icp",
                "label": "Demo from an ICP fit",
                "when": {"all": ["demo", {"fact": "fit_score", "gte": 60}]},
            }
        ],
        "nice_to_have": [
            {"id": "big", "label": "Large company", "when": {"fact": "company.employees", "gte": 500}, "points": 7}
        ],
    }
)


def ans(qid: str, answer: str, confidence: float = 0.9, flags: list[str] | None = None) -> QuestionAnswer:
    evidence = [] if answer == "unknown" else [Evidence(source="notes", ref="notes", quote="quoted")]
    return QuestionAnswer(
        question_id=qid,
        reasoning="r",
        answer=answer,
        confidence=confidence,  # type: ignore[arg-type]
        evidence=evidence,
        flags=flags or [],
    )  # type: ignore[arg-type]


def answers(**given: str) -> list[QuestionAnswer]:
    return [ans(q.id, given.get(q.id, "unknown")) for q in Q]


ALL_YES = dict(need="yes", timing="yes", budget="yes")


def tier(fit: float = 50, lead: Lead | None = None, **given: str) -> tuple[str, str, list[str], list[str]]:
    d = decide(DEFINITION, answers(**given), Q, Facts(fit, 50, NOW, lead))
    return d.tier, d.route, d.verdict.nurture_reasons, d.discovery


def test_every_must_have_met_is_sql_ready() -> None:
    t, route, reasons, discovery = tier(**ALL_YES)
    assert (t, route, reasons, discovery) == ("sql_ready", "sdr_review", [], [])


def test_an_or_must_have_is_met_by_either_branch() -> None:
    assert tier(need="no", volume="yes", timing="yes", buyer="yes")[0] == "sql_ready"


def test_some_unknown_none_failed_needs_discovery_and_asks_exactly_the_unknown_must_haves() -> None:
    t, route, _, discovery = tier(need="yes")
    assert (t, route) == ("needs_discovery", "sdr_discovery")
    assert discovery == ["timing", "budget", "buyer"]  # not `demo` or `pitch`: they are not must-haves


def test_a_failed_must_have_is_nurture_with_its_reason_even_when_others_are_unknown() -> None:
    t, route, reasons, _ = tier(need="yes", timing="no")
    assert (t, route) == ("nurture", "nurture")
    assert reasons == ["timing: future pipeline — the timing is not now"]


def test_several_failed_must_haves_list_reasons_in_definition_order() -> None:
    _, _, reasons, _ = tier(need="no", volume="no", timing="no", budget="no", buyer="no")
    assert [r.split(":")[0] for r in reasons] == ["need", "timing", "budget"]


def test_an_or_fails_only_when_every_branch_fails() -> None:
    assert tier(need="no", volume="unknown", timing="yes", budget="yes")[0] == "needs_discovery"
    assert tier(need="no", volume="no", timing="yes", budget="yes")[0] == "nurture"


def test_fast_track_needs_both_the_demo_and_the_fit_and_beats_missing_must_haves() -> None:
    t, route, _, discovery = tier(fit=70, demo="yes")
    assert (t, route) == ("sql_ready", "sdr_fast_track")
    assert discovery == ["need", "volume", "timing", "budget", "buyer"]  # still to be asked by the SDR
    assert tier(fit=55, demo="yes")[0] == "needs_discovery"


def test_fast_track_comes_before_nurture_in_the_order() -> None:
    assert tier(fit=70, demo="yes", timing="no")[:2] == ("sql_ready", "sdr_fast_track")


def test_disqualifier_comes_first_and_needs_a_direct_quote() -> None:
    assert tier(fit=90, demo="yes", pitch="yes", **ALL_YES)[0] == "disqualified"
    unsure = decide(
        DEFINITION,
        [*answers(**ALL_YES)[:6], ans("pitch", "yes", confidence=0.5), ans("student", "unknown")],
        Q,
        Facts(50, 50, NOW),
    )
    assert unsure.tier == "sql_ready"  # an unsure "selling to us" does not disqualify
    unverified = decide(
        DEFINITION,
        [*answers(**ALL_YES)[:6], ans("pitch", "yes", flags=["evidence_unverified"]), ans("student", "unknown")],
        Q,
        Facts(50, 50, NOW),
    )
    assert unverified.tier == "sql_ready"


def test_an_unsure_yes_on_a_disqualifier_is_not_known_yet_but_an_unsure_no_rules_it_out() -> None:
    def status(answer: str) -> str:
        verdict = decide(
            DEFINITION,
            [*answers(**ALL_YES)[:6], ans("pitch", answer, confidence=0.6), ans("student", "unknown")],
            Q,
            Facts(50, 50, NOW),
        ).verdict
        return {c.id: c.status for c in verdict.criteria}["pitch"]

    assert status("yes") == "missing"  # not sure enough to disqualify
    assert status("no") == "failed"  # as the answers list shows it: not selling to us


def test_an_explicit_statement_at_the_judges_calibrated_confidence_disqualifies() -> None:
    # The embedded judge's plainest finding ("says so directly", raw 0.8) is mapped by its calibration to how often such
    # answers were right; that calibrated figure must clear the gate, or no lead could ever say it is not a buyer.
    said = ConfidenceMap.load()("yes", 0.8)
    assert said >= DIRECT_MIN_CONFIDENCE
    verdict = decide(
        DEFINITION,
        [*answers(**ALL_YES)[:6], ans("pitch", "yes", confidence=said), ans("student", "unknown")],
        Q,
        Facts(50, 50, NOW),
    )
    assert verdict.tier == "disqualified"


def test_fact_criteria_read_the_lead_and_missing_data_is_not_a_no() -> None:
    big = Lead(company=Company(name="Acme", employees=800))
    small = Lead(company=Company(name="Acme", employees=80))
    by = {c.id: c for c in decide(DEFINITION, answers(), Q, Facts(50, 50, NOW, big)).verdict.criteria}
    assert by["big"].status == "met"
    assert {c.id: c for c in decide(DEFINITION, answers(), Q, Facts(50, 50, NOW, small)).verdict.criteria}[
        "big"
    ].status == "failed"
    unknown = {
        c.id: c
        for c in decide(DEFINITION, answers(), Q, Facts(50, 50, NOW, Lead(company=Company(name="X")))).verdict.criteria
    }
    assert unknown["big"].status == "missing"


def test_event_facts_count_only_the_window_and_no_event_is_a_known_zero() -> None:
    d = SqlDefinition.model_validate(
        {
            "fast_track": [
                {
                    "id": "demo",
                    "label": "Demo in 14 days",
                    "when": {"fact": "events.demo_request", "within_days": 14, "gte": 1},
                }
            ]
        }
    )
    recent = Lead(
        company=Company(name="A"), events=[EngagementEvent(type="demo_request", timestamp=NOW - timedelta(days=3))]
    )
    old = Lead(
        company=Company(name="A"), events=[EngagementEvent(type="demo_request", timestamp=NOW - timedelta(days=30))]
    )
    assert decide(d, [], Q, Facts(50, 50, NOW, recent)).tier == "sql_ready"
    none = decide(d, [], Q, Facts(50, 50, NOW, old))
    assert none.verdict.criteria[0].status == "failed"
    assert none.tier == "needs_discovery"  # no must-have failed: nothing says nurture


def test_not_and_is_unknown_are_three_valued() -> None:
    d = SqlDefinition.model_validate(
        {
            "must_have": [
                {
                    "id": "free",
                    "label": "Not locked in",
                    "nurture_reason": "competition",
                    "when": {"any": [{"question": "pitch", "is": "no"}, {"question": "pitch", "is": "unknown"}]},
                }
            ]
        }
    )
    assert decide(d, answers(), Q, Facts(50, 50, NOW)).tier == "sql_ready"
    assert decide(d, answers(pitch="yes"), Q, Facts(50, 50, NOW)).tier == "nurture"
    n = SqlDefinition.model_validate(
        {"must_have": [{"id": "no_pitch", "label": "No pitch", "nurture_reason": "fit", "when": {"not": "pitch"}}]}
    )
    assert decide(n, answers(), Q, Facts(50, 50, NOW)).tier == "needs_discovery"
    assert decide(n, answers(pitch="no"), Q, Facts(50, 50, NOW)).tier == "sql_ready"


def test_criteria_are_explained_in_words_with_each_answer() -> None:
    d = decide(DEFINITION, answers(need="yes", timing="no"), Q, Facts(50, 50, NOW))
    by = {c.id: c for c in d.verdict.criteria}
    assert by["need"].status == "met" and "“Manual AP today?” yes? (yes)" in by["need"].words
    assert by["timing"].status == "failed" and by["timing"].nurture_note == "Future pipeline"
    assert by["money"].status == "missing" and by["money"].unknown_questions == ["budget", "buyer"]
    assert d.verdict.tier_reason == "Must-have failed: Buying within 90 days (timing)"


# --- through score(): the definition decides, the score ranks, the thresholds are only the fallback ----------------


def inputs(
    given: dict[str, str], fit: float = 50, sql: SqlDefinition | None = DEFINITION, lead: Lead | None = None
) -> ScoringInputs:
    return ScoringInputs(
        fit, [], answers(**given), Q, [], Thresholds(sql_ready=65, needs_discovery=45), NOW, lead=lead, sql=sql
    )


def test_the_definition_decides_the_tier_whatever_the_score() -> None:
    strong_fit_no_timing = score(inputs({**ALL_YES, "timing": "no"}, fit=100), ScoringConfig())
    assert strong_fit_no_timing.score >= 65  # above the old SQL threshold …
    assert strong_fit_no_timing.tier == "nurture"  # … but a must-have failed
    weak_fit_all_met = score(inputs(ALL_YES, fit=0), ScoringConfig())
    assert weak_fit_all_met.score < 45 and weak_fit_all_met.tier == "sql_ready"


def test_without_a_definition_the_score_thresholds_decide_and_say_so() -> None:
    known = {**ALL_YES, "timing": "no", "volume": "yes", "buyer": "yes", "pitch": "no", "student": "no"}
    r = score(inputs(known, fit=100, sql=None), ScoringConfig())
    assert r.tier == "sql_ready" and r.sql is not None and r.sql.source == "score_thresholds"
    assert r.sql.tier_reason.startswith("No SQL definition for this segment")
    assert score(inputs({}, fit=0, sql=None), ScoringConfig()).tier == "nurture"


def test_instant_disqualifier_question_still_disqualifies_first() -> None:
    r = score(inputs({**ALL_YES, "student": "yes"}, fit=90), ScoringConfig())
    assert (r.tier, r.route) == ("disqualified", "disqualified")


def test_a_met_nice_to_have_adds_its_points_and_only_ranks() -> None:
    big, small = Lead(company=Company(name="A", employees=900)), Lead(company=Company(name="A", employees=90))
    a, b = score(inputs(ALL_YES, lead=big), ScoringConfig()), score(inputs(ALL_YES, lead=small), ScoringConfig())
    assert a.tier == b.tier == "sql_ready"
    assert a.score - b.score == pytest.approx(7)
    assert any(f.label == "Nice-to-have: Large company" and f.points == 7 for f in a.factors)


@pytest.mark.parametrize("given", [{}, ALL_YES, {"need": "no", "timing": "yes"}, {"budget": "yes", "pitch": "yes"}])
@pytest.mark.parametrize("fit", [0, 35, 80, 100])
def test_points_add_up_to_the_score(given: dict[str, str], fit: float) -> None:
    r = score(inputs(given, fit=fit), ScoringConfig())
    assert r.breakdown is not None and r.breakdown.scale == "points"
    assert r.breakdown.base + sum(f.points for f in r.breakdown.contributions) == pytest.approx(r.score, abs=1e-9)
    assert 0 <= r.score <= 100
