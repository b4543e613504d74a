"""`qualify eval` without a scorecard per lead: all leads at once through the library's fitted model.

For a pure scoring library — a fitted model that reads every feature from the lead itself, no question to judge, one
segment, no SQL definition and no hard rule configured — the pipeline would enrich, retrieve and judge nothing for
each lead only to apply the model and cut its probability at the thresholds. Here the model is applied to every lead
in one pass (the same feature reading as `agent.features`, the same weights or exported trees, vectorised) and the
tier follows from the probability exactly as `agent.scoring.score` derives it. `batch_blocker` names what rules the
batch out; tests check that both paths give the same probabilities, tiers and metrics.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from agent.deps import PipelineSettings
from agent.features import FeatureContext
from agent.fitted import P_CLIP
from agent.rules import rules_configured
from agent.schemas import Tier
from agent.scoring import threshold_tier
from evals.boosting import tree_log_odds
from evals.calibrate import FeatureSpec, coded_matrix, lr_matrix, read_columns
from evals.datasets import LeadCase
from evals.errors import EvalError
from evals.results import CaseResult, RunRecord
from evals.run import code_version, measure_scores
from library.schemas import FittedModel, Library

LEAD_SOURCES = ("form.", "company.", "person.", "events.", "last_event.")


def batch_blocker(library: Library) -> str | None:
    """Why the library's leads need the per-lead pipeline, or None when the batch scores them exactly alike."""
    model = library.scoring.model
    if model is None:
        return "the library has no fitted model"
    if needing := [f.name for f in model.features if not f.source.startswith(LEAD_SOURCES)]:
        return f"the model's feature {needing[0]!r} is read from the pipeline's answers or scores"
    if library.questions:
        return f"the library has {len(library.questions)} question(s) to judge"
    if len(library.segments) > 1:
        return f"the library has {len(library.segments)} segments to choose from"
    if library.segments[0].sql is not None:
        return f"segment {library.segments[0].id!r} has a SQL definition"
    if rules_configured(library):
        return "the library configures hard rules"
    return None


def probabilities(model: FittedModel, contexts: Sequence[FeatureContext]) -> np.ndarray:
    """P(SQL) of every lead: `agent.fitted.explain(model, ctx).probability`, vectorised."""
    specs = [FeatureSpec(f.name, f.source, f.kind, f.monotone) for f in model.features]
    cols = read_columns(specs, contexts)
    rows = np.arange(len(contexts))
    raw = np.full(len(contexts), model.intercept)
    if model.kind in ("logistic", "blend"):
        x, names = lr_matrix(model.features, cols, rows)
        raw += x @ np.array([model.coefficients.get(n, 0.0) for n in names])
    if model.kind in ("boosted", "blend"):
        raw += tree_log_odds(model.trees, coded_matrix(model.features, cols, rows))
    cal = model.calibration
    if cal is not None and cal.method == "isotonic":
        return np.clip(np.interp(raw, cal.x, cal.y), P_CLIP, 1 - P_CLIP)
    a, b = (cal.a, cal.b) if cal is not None else (1.0, 0.0)
    with np.errstate(over="ignore"):  # a very negative log-odds gives P = 0 (to the 6 places a scorecard keeps)
        return 1 / (1 + np.exp(-(a * raw + b)))


def score_cases(cases: Sequence[LeadCase], library: Library) -> tuple[list[float], list[Tier], str]:
    """Each case's probability (rounded as a scorecard stores it) and tier, and the segment every lead falls in."""
    blocker = batch_blocker(library)
    if blocker is not None:
        raise EvalError(f"these leads need the per-lead pipeline: {blocker}")
    model = library.scoring.model
    assert model is not None  # batch_blocker refuses a library without one
    segment = library.segments[0].id
    thresholds = model.segment_thresholds.get(segment, model.thresholds)
    p = probabilities(model, [FeatureContext(c.lead) for c in cases]).tolist()
    # As agent.scoring.score: the score is 100 x P rounded to 0.1 and cut at the thresholds; P is stored to 6 places.
    tiers = [threshold_tier(round(100 * v, 1), thresholds) for v in p]
    return [round(v, 6) for v in p], tiers, segment


def batch_record(
    name: str, cases: list[LeadCase], library: Library, extra: dict[str, Any], *, n_boot: int = 1000, seed: int = 0
) -> RunRecord:
    """The run record `evals.run.build_record` makes of the per-lead path, from the batch scoring."""
    if not cases:
        raise EvalError("no cases to evaluate")
    probs, tiers, segment = score_cases(cases, library)
    model = library.scoring.model
    assert model is not None
    threshold = model.thresholds.sql_ready / 100
    metrics = measure_scores(cases, probs, tiers, [[] for _ in cases], threshold, n_boot=n_boot, seed=seed)
    config = {
        "library": library.name,
        "library_snapshot": library.snapshot_id(),
        "scoring": library.scoring.model_dump(mode="json"),
        "scoring_path": "batch: the fitted model over every lead at once (no judge, retrieval or scorecard per lead)",
        "judge": None,
        "judge_version": None,
        "models": [],
        "embedding_model": None,
        "prompt_hashes": {},
        "pipeline_version": PipelineSettings().pipeline_version,
        "code_version": code_version(),
        "threshold": threshold,
        **extra,
        "errors": [],
    }
    results = [
        CaseResult(id=c.id, y_true=c.y_true, probability=p, tier=t, expected=c.expected_outcome, segment=segment)
        for c, p, t in zip(cases, probs, tiers, strict=True)
    ]
    return RunRecord(
        name=name,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        config=config,
        metrics=metrics,
        cases=results,
    )
