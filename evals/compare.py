"""Comparing two eval runs on the same cases: metric deltas with a paired bootstrap, and the cases whose tier changed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from evals import metrics as m
from evals.errors import EvalError
from evals.results import CaseResult, PairedDelta, RunRecord


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TierChange(_Model):
    id: str
    y_true: int
    tier_a: str | None
    tier_b: str | None
    probability_a: float | None
    probability_b: float | None


class Comparison(_Model):
    """B minus A; `higher_is_better` says how to read each delta."""

    run_a: str
    run_b: str
    n_paired: int
    only_in_a: int
    only_in_b: int
    excluded_invalid: int
    deltas: dict[str, PairedDelta]
    higher_is_better: dict[str, bool]
    tier_changes: list[TierChange]


def load_run(path: Path) -> RunRecord:
    """Read a run's JSON file; errors name the file."""
    try:
        return RunRecord.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValidationError) as exc:
        raise EvalError(f"{path}: not a readable eval run: {exc}") from exc


def save_run(run: RunRecord, path: Path) -> Path:
    """Write a run's JSON file."""
    path.write_text(run.model_dump_json(indent=2), encoding="utf-8")
    return path


def _decision(name: str) -> m.Metric:
    # Scores here are 0/1 indicators "routed to sales", so the ratio metrics bootstrap like any other.
    def metric(y: np.ndarray, routed: np.ndarray) -> float:
        t = m.threshold_metrics(y, routed.astype(bool))
        value = {"precision": t.precision, "recall": t.recall, "fpr": t.fpr}[name]
        return 0.0 if value is None else value

    return metric


def compare_runs(
    a: RunRecord, b: RunRecord, *, positive_tiers: tuple[str, ...] = ("sql_ready",), n_boot: int = 1000, seed: int = 0
) -> Comparison:
    """Pair cases by id; cases invalid in either run are left out of the deltas but listed when their tier changed."""
    by_a: dict[str, CaseResult] = {c.id: c for c in a.cases}
    by_b: dict[str, CaseResult] = {c.id: c for c in b.cases}
    shared = [i for i in by_a if i in by_b]
    for i in shared:
        if by_a[i].y_true != by_b[i].y_true:
            raise EvalError(f"case {i!r} has label {by_a[i].y_true} in {a.name} but {by_b[i].y_true} in {b.name}")
    both_valid = [i for i in shared if by_a[i].probability is not None and by_b[i].probability is not None]
    if not both_valid:
        raise EvalError(f"{a.name} and {b.name} share no case with valid output in both")
    y = np.array([by_a[i].y_true for i in both_valid])
    pa = np.array([by_a[i].probability for i in both_valid], dtype=float)
    pb = np.array([by_b[i].probability for i in both_valid], dtype=float)
    ra = np.array([by_a[i].tier in positive_tiers for i in both_valid], dtype=float)
    rb = np.array([by_b[i].tier in positive_tiers for i in both_valid], dtype=float)
    kw = {"n_boot": n_boot, "seed": seed}
    deltas = {
        "roc_auc": m.paired_bootstrap(m.roc_auc, y, pa, pb, **kw),
        "pr_auc": m.paired_bootstrap(m.pr_auc, y, pa, pb, **kw),
        "brier": m.paired_bootstrap(m.brier, y, pa, pb, **kw),
        "ece": m.paired_bootstrap(m.ece, y, pa, pb, **kw),
    }
    for name in ("precision", "recall", "fpr"):
        deltas[f"{name}_at_tier"] = m.paired_bootstrap(_decision(name), y, ra, rb, **kw)
    better = {
        "roc_auc": True,
        "pr_auc": True,
        "brier": False,
        "ece": False,
        "precision_at_tier": True,
        "recall_at_tier": True,
        "fpr_at_tier": False,
    }
    changes = [
        TierChange(
            id=i,
            y_true=by_a[i].y_true,
            tier_a=by_a[i].tier,
            tier_b=by_b[i].tier,
            probability_a=by_a[i].probability,
            probability_b=by_b[i].probability,
        )
        for i in shared
        if by_a[i].tier != by_b[i].tier
    ]
    return Comparison(
        run_a=a.name,
        run_b=b.name,
        n_paired=len(both_valid),
        only_in_a=len(set(by_a) - set(by_b)),
        only_in_b=len(set(by_b) - set(by_a)),
        excluded_invalid=len(shared) - len(both_valid),
        deltas=deltas,
        higher_is_better=better,
        tier_changes=changes,
    )
