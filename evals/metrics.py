"""Metrics for the decision Qualify makes: is this lead an SQL, and is each answer right.

Conventions, so every number in a report means one thing:
- `y_true` is 1 for a lead that became an SQL (or converted), 0 otherwise.
- A probability of `None` is an *invalid output*: the pipeline produced no valid scorecard for that case. Ranking and
  calibration metrics use the valid cases only and say how many were left out; decision metrics (precision, recall, F1,
  FPR) count an invalid case as "not routed to sales", so failures cost recall instead of silently vanishing.
- Expected calibration error uses `bins` equal-width bins over [0, 1] (the last bin includes 1.0), weighted by the share of
  cases in each bin: ECE = sum_b n_b / n * |mean(y in b) - mean(p in b)|.
- Bootstrap intervals are percentile intervals from a seeded generator; resamples holding one class only are redrawn.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from agent.schemas import Usage
from evals.results import (
    Calibration,
    CalibrationBin,
    Confusion,
    EvalMetrics,
    Interval,
    LiftRow,
    PairedDelta,
    QuestionMetrics,
    ThresholdMetrics,
    TierMetrics,
    UsageSummary,
)

ANSWERS = ("yes", "no", "unknown")
INVALID = "invalid"
Metric = Callable[[np.ndarray, np.ndarray], float]
# Inputs are lists from datasets or numpy arrays from calibration and comparison; both go through np.asarray.
Labels = Sequence[int] | np.ndarray
Scores = Sequence[float] | np.ndarray
Flags = Sequence[bool] | np.ndarray


def _arrays(y_true: Labels, scores: Scores) -> tuple[np.ndarray, np.ndarray]:
    y, s = np.asarray(y_true, dtype=int), np.asarray(scores, dtype=float)
    if y.shape != s.shape:
        raise ValueError(f"y_true has {y.size} values but scores has {s.size}")
    if y.size and not set(np.unique(y)) <= {0, 1}:
        raise ValueError("y_true must hold 0 and 1 only")
    return y, s


def roc_auc(y_true: Labels, scores: Scores) -> float:
    """Area under the ROC curve (ties count one half)."""
    y, s = _arrays(y_true, scores)
    return float(roc_auc_score(y, s))


def pr_auc(y_true: Labels, scores: Scores) -> float:
    """Area under the precision-recall curve, as average precision (no interpolation)."""
    y, s = _arrays(y_true, scores)
    return float(average_precision_score(y, s))


def roc_curve_points(y_true: Labels, scores: Scores) -> list[tuple[float, float]]:
    """(false-positive rate, true-positive rate) points from (0, 0) to (1, 1), one per distinct score."""
    from sklearn.metrics import roc_curve

    y, s = _arrays(y_true, scores)
    fpr, tpr, _ = roc_curve(y, s, drop_intermediate=True)
    return [(float(a), float(b)) for a, b in zip(fpr, tpr, strict=True)]


def _resample(n: int, y: np.ndarray, rng: np.random.Generator, tries: int = 100) -> np.ndarray:
    for _ in range(tries):
        idx = rng.integers(0, n, n)
        if y[idx].min() != y[idx].max():
            return idx
    raise ValueError("bootstrap could not draw a resample holding both classes")


def bootstrap_ci(
    metric: Metric, y_true: Labels, scores: Scores, *, n_boot: int = 1000, seed: int = 0, level: float = 0.95
) -> Interval:
    """Metric value with a seeded percentile bootstrap interval."""
    y, s = _arrays(y_true, scores)
    _need_both_classes(y)
    rng = np.random.default_rng(seed)
    values = np.array([metric(y[idx], s[idx]) for idx in (_resample(y.size, y, rng) for _ in range(n_boot))])
    tail = (1 - level) / 2 * 100
    return Interval(
        value=float(metric(y, s)),
        low=float(np.percentile(values, tail)),
        high=float(np.percentile(values, 100 - tail)),
        level=level,
        n_boot=n_boot,
        seed=seed,
    )


def paired_bootstrap(
    metric: Metric,
    y_true: Labels,
    scores_a: Scores,
    scores_b: Scores,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> PairedDelta:
    """Difference metric(b) - metric(a) on the same cases, resampling cases jointly; p is two-sided."""
    y, a = _arrays(y_true, scores_a)
    _, b = _arrays(y_true, scores_b)
    _need_both_classes(y)
    rng = np.random.default_rng(seed)
    deltas = []
    for _ in range(n_boot):
        idx = _resample(y.size, y, rng)
        deltas.append(metric(y[idx], b[idx]) - metric(y[idx], a[idx]))
    d = np.array(deltas)
    tail = (1 - level) / 2 * 100
    # Share of resamples on the other side of zero, doubled: a plain bootstrap test of "no difference".
    p = min(1.0, 2 * min(float(np.mean(d <= 0)), float(np.mean(d >= 0))))
    return PairedDelta(
        a=float(metric(y, a)),
        b=float(metric(y, b)),
        delta=float(metric(y, b) - metric(y, a)),
        low=float(np.percentile(d, tail)),
        high=float(np.percentile(d, 100 - tail)),
        p_value=p,
        level=level,
        n_boot=n_boot,
        seed=seed,
    )


def _need_both_classes(y: np.ndarray) -> None:
    if y.size == 0 or y.min() == y.max():
        raise ValueError("the metric needs at least one positive and one negative case")


def threshold_metrics(y_true: Labels, predicted: Flags, threshold: float | None = None) -> ThresholdMetrics:
    """Precision, recall, F1 and false-positive rate of a yes/no decision; an undefined ratio is None."""
    y = np.asarray(y_true, dtype=int)
    p = np.asarray(predicted, dtype=bool)
    tp, fp = int(np.sum(p & (y == 1))), int(np.sum(p & (y == 0)))
    fn, tn = int(np.sum(~p & (y == 1))), int(np.sum(~p & (y == 0)))
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision and recall
        else (0.0 if tp + fp and tp + fn else None)
    )
    fpr = fp / (fp + tn) if fp + tn else None
    return ThresholdMetrics(
        threshold=threshold, tp=tp, fp=fp, fn=fn, tn=tn, precision=precision, recall=recall, f1=f1, fpr=fpr
    )


def confusion(
    expected: Sequence[str], predicted: Sequence[str | None], *, rows: Sequence[str], columns: Sequence[str]
) -> Confusion:
    """Counts of expected (rows) by predicted (columns, plus `invalid` for a missing prediction)."""
    cols = [*columns, INVALID]
    counts = {r: {c: 0 for c in cols} for r in rows}
    for e, p in zip(expected, predicted, strict=True):
        if e not in counts:
            raise ValueError(f"expected value {e!r} is not one of {list(rows)}")
        column = INVALID if p is None else p
        if column not in counts[e]:
            raise ValueError(f"predicted value {p!r} is not one of {list(columns)}")
        counts[e][column] += 1
    return Confusion(rows=list(rows), columns=cols, counts=[[counts[r][c] for c in cols] for r in rows])


TIERS = ("sql_ready", "needs_discovery", "nurture", "disqualified")


def tier_metrics(expected: Sequence[str], predicted: Sequence[str | None], tiers: Sequence[str] = TIERS) -> TierMetrics:
    """Tier agreement (an invalid prediction counts as wrong), hard-disqualifier hits and misses, and the confusion."""
    n = len(expected)
    right = sum(1 for e, p in zip(expected, predicted, strict=True) if e == p)
    dq = "disqualified"
    return TierMetrics(
        n=n,
        agreement=right / n if n else None,
        disqualify_expected=sum(1 for e in expected if e == dq),
        disqualify_caught=sum(1 for e, p in zip(expected, predicted, strict=True) if e == dq and p == dq),
        disqualify_false=sum(1 for e, p in zip(expected, predicted, strict=True) if e != dq and p == dq),
        confusion=confusion(expected, predicted, rows=tiers, columns=tiers),
    )


def brier(y_true: Labels, probs: Scores) -> float:
    """Mean squared difference between probability and outcome."""
    y, p = _arrays(y_true, probs)
    return float(np.mean((p - y) ** 2))


def log_loss(y_true: Labels, probs: Scores, eps: float = 1e-6) -> float:
    """Mean negative log-likelihood of the outcomes (probabilities clipped to [eps, 1 - eps])."""
    y, p = _arrays(y_true, probs)
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def reliability(y_true: Labels, probs: Scores, bins: int = 10) -> list[CalibrationBin]:
    """Equal-width bins over [0, 1]: count, mean predicted probability and observed rate (empty bins kept, with None)."""
    y, p = _arrays(y_true, probs)
    which = np.minimum((p * bins).astype(int), bins - 1)  # 1.0 falls into the last bin
    out = []
    for b in range(bins):
        m = which == b
        n = int(m.sum())
        out.append(
            CalibrationBin(
                low=b / bins,
                high=(b + 1) / bins,
                count=n,
                mean_predicted=float(p[m].mean()) if n else None,
                observed_rate=float(y[m].mean()) if n else None,
            )
        )
    return out


def ece(y_true: Labels, probs: Scores, bins: int = 10) -> float:
    """Expected calibration error over equal-width bins (see the module docstring)."""
    table = reliability(y_true, probs, bins)
    n = sum(b.count for b in table)
    return (
        float(
            sum(
                b.count / n * abs(b.observed_rate - b.mean_predicted)
                for b in table
                if b.count and b.observed_rate is not None and b.mean_predicted is not None
            )
        )
        if n
        else 0.0
    )


def lift_table(y_true: Labels, scores: Scores, groups: int = 10) -> list[LiftRow]:
    """Cases ranked by score (highest first, ties kept in input order) in `groups` near-equal groups."""
    y, s = _arrays(y_true, scores)
    order = np.argsort(-s, kind="stable")
    total_pos, base = int(y.sum()), float(y.mean()) if y.size else 0.0
    rows, cumulative = [], 0
    for i, idx in enumerate(np.array_split(order, groups), start=1):
        pos = int(y[idx].sum())
        cumulative += pos
        rate = pos / idx.size if idx.size else 0.0
        rows.append(
            LiftRow(
                group=i,
                count=int(idx.size),
                positives=pos,
                rate=rate,
                lift=rate / base if base else None,
                cumulative_capture=cumulative / total_pos if total_pos else None,
            )
        )
    return rows


def capture_at(y_true: Labels, scores: Scores, fraction: float) -> float:
    """Share of all positives found in the top `fraction` of cases by score (rounded up to whole cases)."""
    y, s = _arrays(y_true, scores)
    top = np.argsort(-s, kind="stable")[: math.ceil(fraction * y.size)]
    return float(y[top].sum() / y.sum()) if y.sum() else 0.0


def cohen_kappa(expected: Sequence[str], predicted: Sequence[str]) -> float | None:
    """Cohen's kappa over yes/no/unknown; None when chance agreement is total (kappa undefined)."""
    n = len(expected)
    if n == 0:
        return None
    observed = sum(e == p for e, p in zip(expected, predicted, strict=True)) / n
    chance = sum((list(expected).count(c) / n) * (list(predicted).count(c) / n) for c in ANSWERS)
    return None if chance >= 1 else (observed - chance) / (1 - chance)


def question_metrics(pairs: Sequence[tuple[str, str, str]]) -> list[QuestionMetrics]:
    """Per-question accuracy, kappa and unknown rates from (question_id, expected, predicted) triples, plus `__all__`."""
    by_question: dict[str, list[tuple[str, str]]] = {}
    for qid, e, p in pairs:
        if e not in ANSWERS or p not in ANSWERS:
            raise ValueError(f"{qid}: answers must be yes, no or unknown (got {e!r}, {p!r})")
        by_question.setdefault(qid, []).append((e, p))
    by_question["__all__"] = [(e, p) for _, e, p in pairs]
    out = []
    for qid, items in by_question.items():
        exp, pred = [e for e, _ in items], [p for _, p in items]
        n = len(items)
        out.append(
            QuestionMetrics(
                question_id=qid,
                n=n,
                accuracy=sum(e == p for e, p in items) / n if n else None,
                kappa=cohen_kappa(exp, pred),
                unknown_rate=pred.count("unknown") / n if n else None,
                expected_unknown_rate=exp.count("unknown") / n if n else None,
                confusion=confusion(exp, pred, rows=ANSWERS, columns=ANSWERS),
            )
        )
    return out


def unknown_rate(answers: Sequence[str]) -> float | None:
    """Share of answers that are unknown."""
    return answers.count("unknown") / len(answers) if answers else None


def summarize_usage(tokens: Sequence[int], costs: Sequence[float], latencies_ms: Sequence[float]) -> UsageSummary:
    """Per-lead means and latency percentiles."""
    lat = np.asarray(latencies_ms, dtype=float)
    return UsageSummary(
        n=len(tokens),
        mean_tokens=float(np.mean(tokens)) if tokens else 0.0,
        mean_cost_usd=float(np.mean(costs)) if costs else 0.0,
        total_cost_usd=float(np.sum(costs)),
        latency_p50_ms=float(np.percentile(lat, 50)) if lat.size else 0.0,
        latency_p95_ms=float(np.percentile(lat, 95)) if lat.size else 0.0,
    )


TIERS = ("sql_ready", "needs_discovery", "nurture", "disqualified")


def compute_metrics(
    y_true: Labels,
    probs: Sequence[float | None],
    tiers: Sequence[str | None],
    *,
    expected: Sequence[str] | None = None,
    threshold: float | None = None,
    positive_tiers: Sequence[str] = ("sql_ready",),
    question_pairs: Sequence[tuple[str, str, str]] = (),
    predicted_answers: Sequence[str] | None = None,
    usage: Sequence[Usage] | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    bins: int = 10,
) -> EvalMetrics:
    """All run metrics; a case whose probability or tier is None counts as invalid output (see the module docstring)."""
    y = np.asarray(y_true, dtype=int)
    if not (len(y) == len(probs) == len(tiers)) or (expected is not None and len(expected) != len(y)):
        raise ValueError("y_true, probs, tiers (and expected) must have one entry per case")
    valid = np.array([p is not None and t is not None for p, t in zip(probs, tiers, strict=True)], dtype=bool)
    yv = y[valid]
    pv = np.array([p for p, ok in zip(probs, valid, strict=True) if ok], dtype=float)
    two_classes = yv.size > 0 and yv.min() != yv.max()
    rows = list(expected) if expected is not None else ["sql" if v else "not_sql" for v in y]
    row_labels = sorted(set(rows), key=lambda r: (r not in ("sql", "not_sql"), r))
    predicted_tiers = [t if ok else None for t, ok in zip(tiers, valid, strict=True)]
    answers = list(predicted_answers) if predicted_answers is not None else [p for _, _, p in question_pairs]
    return EvalMetrics(
        n_cases=int(y.size),
        n_valid=int(valid.sum()),
        n_invalid=int((~valid).sum()),
        complete=bool(valid.all()),
        base_rate=float(y.mean()) if y.size else 0.0,
        roc_auc=bootstrap_ci(roc_auc, yv, pv, n_boot=n_boot, seed=seed) if two_classes else None,
        pr_auc=bootstrap_ci(pr_auc, yv, pv, n_boot=n_boot, seed=seed) if two_classes else None,
        at_tier=threshold_metrics(y, [ok and t in positive_tiers for t, ok in zip(tiers, valid, strict=True)]),
        at_threshold=None
        if threshold is None
        else threshold_metrics(
            # `ok` is False exactly where p is None, so p is a float wherever it is compared.
            y,
            [ok and p >= threshold for p, ok in zip(probs, valid, strict=True)],  # type: ignore[operator]
            threshold,
        ),
        confusion=confusion(rows, predicted_tiers, rows=row_labels, columns=TIERS),
        calibration=Calibration(brier=brier(yv, pv), ece=ece(yv, pv, bins), bins=bins, curve=reliability(yv, pv, bins))
        if yv.size
        else None,
        lift=lift_table(yv, pv) if yv.size else [],
        capture_top_10=capture_at(yv, pv, 0.10) if yv.size else None,
        capture_top_20=capture_at(yv, pv, 0.20) if yv.size else None,
        questions=question_metrics(question_pairs) if question_pairs else [],
        unknown_rate=unknown_rate(answers),
        usage=summarize_usage(
            [u.prompt_tokens + u.completion_tokens for u in usage],
            [u.cost_usd for u in usage],
            [u.latency_ms for u in usage],
        )
        if usage
        else None,
        roc_curve=roc_curve_points(yv, pv) if two_classes else [],
        scores_by_outcome={
            "converted": [float(p) for p in pv[yv == 1]],
            "not_converted": [float(p) for p in pv[yv == 0]],
        },
    )
