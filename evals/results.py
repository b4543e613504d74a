"""Typed results of an eval run: what lands in the run's JSON file and what the HTML report and `compare` read."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Interval(_Model):
    value: float
    low: float
    high: float
    level: float
    n_boot: int
    seed: int


class PairedDelta(_Model):
    """metric(b) - metric(a) on the same cases, with a paired bootstrap interval and a two-sided p-value."""

    a: float
    b: float
    delta: float
    low: float
    high: float
    p_value: float
    level: float
    n_boot: int
    seed: int


class ThresholdMetrics(_Model):
    threshold: float | None = Field(description="Probability cut-off, or None when the decision came from tiers")
    tp: int
    fp: int
    fn: int
    tn: int
    precision: float | None
    recall: float | None
    f1: float | None
    fpr: float | None


class Confusion(_Model):
    """counts[i][j]: cases expected rows[i] and predicted columns[j]; the last column is `invalid`."""

    rows: list[str]
    columns: list[str]
    counts: list[list[int]]


class TierMetrics(_Model):
    """Whole-lead tier agreement: how often the tier matched, the hard disqualifiers, and the confusion matrix."""

    n: int
    agreement: float | None = Field(description="Share of cases whose predicted tier is the expected one")
    disqualify_expected: int = Field(description="Cases labeled disqualified")
    disqualify_caught: int = Field(description="Of those, predicted disqualified")
    disqualify_false: int = Field(description="Cases predicted disqualified that were not labeled so")
    confusion: Confusion

    @property
    def disqualifiers_right(self) -> bool:
        """Every labeled disqualifier caught and none invented."""
        return self.disqualify_caught == self.disqualify_expected and self.disqualify_false == 0


class CalibrationBin(_Model):
    low: float
    high: float
    count: int
    mean_predicted: float | None
    observed_rate: float | None


class Calibration(_Model):
    brier: float
    ece: float
    bins: int
    curve: list[CalibrationBin]


class LiftRow(_Model):
    group: int
    count: int
    positives: int
    rate: float
    lift: float | None
    cumulative_capture: float | None


class QuestionMetrics(_Model):
    question_id: str
    n: int
    accuracy: float | None
    kappa: float | None
    unknown_rate: float | None
    expected_unknown_rate: float | None
    confusion: Confusion


class UsageSummary(_Model):
    n: int
    mean_tokens: float
    mean_cost_usd: float
    total_cost_usd: float
    latency_p50_ms: float
    latency_p95_ms: float


class CaseResult(_Model):
    """One case's outcome in a run; `compare` pairs runs by `id`."""

    id: str
    y_true: int
    probability: float | None
    tier: str | None
    expected: str | None = None
    segment: str | None = None


class EvalMetrics(_Model):
    """Everything `compute_metrics` measures; `complete` is False when any case produced invalid output."""

    n_cases: int
    n_valid: int
    n_invalid: int
    complete: bool
    base_rate: float
    roc_auc: Interval | None
    pr_auc: Interval | None
    at_tier: ThresholdMetrics
    at_threshold: ThresholdMetrics | None
    confusion: Confusion
    calibration: Calibration | None
    lift: list[LiftRow]
    capture_top_10: float | None
    capture_top_20: float | None
    questions: list[QuestionMetrics] = Field(default_factory=list)
    unknown_rate: float | None = None
    usage: UsageSummary | None = None
    roc_curve: list[tuple[float, float]] = Field(default_factory=list)
    scores_by_outcome: dict[str, list[float]] = Field(default_factory=dict)


class RunRecord(_Model):
    """A run's JSON file: full configuration, metrics and per-case results."""

    name: str
    created_at: str
    config: dict[str, Any] = Field(description="Library snapshot, judge, model, prompt hashes, mapping, code version …")
    metrics: EvalMetrics
    cases: list[CaseResult]
