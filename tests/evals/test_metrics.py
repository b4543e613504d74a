"""Metric computations against values worked out by hand on tiny arrays."""

from __future__ import annotations

import pytest

from agent.schemas import Usage
from evals import metrics as m


def test_roc_auc_hand_computed() -> None:
    # Pairs (pos, neg): (0.35>0.1) (0.35<0.4) (0.8>0.1) (0.8>0.4) -> 3 of 4.
    assert m.roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert m.roc_auc([0, 1], [0.5, 0.5]) == pytest.approx(0.5)  # a tie counts one half


def test_pr_auc_is_average_precision() -> None:
    # Ranked: 0.8 (pos, P=1, R=.5), 0.4 (neg), 0.35 (pos, P=2/3, R=1): AP = .5*1 + .5*2/3.
    assert m.pr_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.5 + 1 / 3)


def test_threshold_metrics_counts_and_ratios() -> None:
    t = m.threshold_metrics([1, 1, 0, 0, 1], [True, False, True, False, True])
    assert (t.tp, t.fp, t.fn, t.tn) == (2, 1, 1, 1)
    assert t.precision == pytest.approx(2 / 3) and t.recall == pytest.approx(2 / 3)
    assert t.f1 == pytest.approx(2 / 3) and t.fpr == pytest.approx(0.5)


def test_threshold_metrics_undefined_ratios_are_none() -> None:
    t = m.threshold_metrics([1, 0], [False, False])
    assert t.precision is None and t.f1 is None and t.recall == 0 and t.fpr == 0


def test_confusion_has_invalid_column() -> None:
    c = m.confusion(
        ["sql", "sql", "nurture"],
        ["sql_ready", None, "nurture"],
        rows=["sql", "nurture"],
        columns=["sql_ready", "nurture"],
    )
    assert c.columns == ["sql_ready", "nurture", "invalid"]
    assert c.counts == [[1, 0, 1], [0, 1, 0]]
    with pytest.raises(ValueError, match="disqualify"):
        m.confusion(["disqualify"], ["nurture"], rows=["sql"], columns=["nurture"])


def test_brier_and_ece_hand_computed() -> None:
    assert m.brier([1, 0], [0.8, 0.3]) == pytest.approx((0.04 + 0.09) / 2)
    # Bins: [0,.1): p .05 y 0 -> .05; [.1,.2): p .15 y 1 -> .85; [.9,1]: p .95,.95 y 1,0 -> .45 (weight 2/4).
    assert m.ece([0, 1, 1, 0], [0.05, 0.15, 0.95, 0.95]) == pytest.approx(0.25 * 0.05 + 0.25 * 0.85 + 0.5 * 0.45)


def test_reliability_bins_are_equal_width_and_one_goes_last() -> None:
    curve = m.reliability([1, 0, 1], [1.0, 0.0, 0.55], bins=4)
    assert [b.count for b in curve] == [1, 0, 1, 1]
    assert curve[1].mean_predicted is None and curve[3].observed_rate == 1.0 and curve[2].low == 0.5


def test_lift_and_capture() -> None:
    y = [1, 0, 1, 0, 0, 0, 0, 0, 0, 1]
    s = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]
    rows = m.lift_table(y, s, groups=5)
    assert [r.positives for r in rows] == [1, 1, 0, 0, 1]
    assert rows[0].lift == pytest.approx(0.5 / 0.3)
    assert [r.cumulative_capture for r in rows] == pytest.approx([1 / 3, 2 / 3, 2 / 3, 2 / 3, 1])
    assert m.capture_at(y, s, 0.2) == pytest.approx(1 / 3)
    assert m.capture_at(y, s, 0.25) == pytest.approx(2 / 3)  # 2.5 cases rounds up to 3


def test_cohen_kappa_hand_computed() -> None:
    # po = 3/4; chance = .5*.25 + .25*.5 + .25*.25 = .3125
    k = m.cohen_kappa(["yes", "yes", "no", "unknown"], ["yes", "no", "no", "unknown"])
    assert k == pytest.approx((0.75 - 0.3125) / (1 - 0.3125))
    assert m.cohen_kappa(["yes", "yes"], ["yes", "yes"]) is None


def test_question_metrics_per_question_and_overall() -> None:
    pairs = [("budget", "yes", "yes"), ("budget", "no", "unknown"), ("timeline", "unknown", "unknown")]
    by_id = {q.question_id: q for q in m.question_metrics(pairs)}
    assert by_id["budget"].accuracy == 0.5 and by_id["budget"].unknown_rate == 0.5
    assert by_id["__all__"].n == 3 and by_id["__all__"].accuracy == pytest.approx(2 / 3)
    assert by_id["budget"].confusion.counts[1] == [0, 0, 1, 0]  # expected no, predicted unknown
    with pytest.raises(ValueError, match="maybe"):
        m.question_metrics([("q", "maybe", "yes")])


def test_bootstrap_is_seeded_and_brackets_the_value() -> None:
    y = [0, 1] * 20
    s = [i / 40 + (0.3 if v else 0) for i, v in enumerate(y)]
    a = m.bootstrap_ci(m.roc_auc, y, s, n_boot=200, seed=7)
    b = m.bootstrap_ci(m.roc_auc, y, s, n_boot=200, seed=7)
    assert a == b and a.low <= a.value <= a.high and a.high - a.low > 0
    with pytest.raises(ValueError, match="positive and one negative"):
        m.bootstrap_ci(m.roc_auc, [1, 1], [0.2, 0.3])


def test_paired_bootstrap_delta() -> None:
    y = [0, 1] * 25
    better = [0.9 if v else 0.1 for v in y]
    worse = [0.5 + (i % 7) / 100 for i in range(len(y))]
    same = m.paired_bootstrap(m.roc_auc, y, better, better, n_boot=100)
    assert (same.delta, same.low, same.high) == (0.0, 0.0, 0.0)
    d = m.paired_bootstrap(m.roc_auc, y, worse, better, n_boot=200, seed=1)
    assert d.b == 1.0 and d.delta == pytest.approx(1.0 - d.a) and d.low > 0 and d.p_value < 0.05


def test_compute_metrics_counts_invalid_output_against_recall() -> None:
    y = [1, 1, 0, 0, 1, 0]
    probs = [0.9, None, 0.2, 0.6, 0.7, 0.1]
    tiers = ["sql_ready", None, "nurture", "sql_ready", "needs_discovery", "disqualified"]
    r = m.compute_metrics(
        y,
        probs,
        tiers,
        threshold=0.5,
        n_boot=50,
        usage=[Usage(prompt_tokens=10, completion_tokens=5, latency_ms=20.0)] * 6,
    )
    assert (r.n_valid, r.n_invalid, r.complete) == (5, 1, False)
    assert (r.at_tier.tp, r.at_tier.fn, r.at_tier.fp) == (1, 2, 1)  # the invalid positive is a miss
    assert (r.at_threshold.tp, r.at_threshold.fn) == (2, 1)
    assert r.roc_auc is not None and r.roc_auc.value == pytest.approx(1.0)  # valid cases rank perfectly
    assert r.confusion.counts[1][-1] == 1 and r.confusion.rows == ["not_sql", "sql"]
    assert r.usage is not None and r.usage.mean_tokens == 15
    assert sorted(r.scores_by_outcome["converted"]) == [0.7, 0.9]


def test_compute_metrics_one_class_has_no_auc() -> None:
    r = m.compute_metrics([1, 1], [0.4, 0.6], ["nurture", "sql_ready"], n_boot=10)
    assert r.roc_auc is None and r.calibration is not None and r.capture_top_10 == 0.5
