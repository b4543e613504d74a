"""`qualify calibrate`: fit the scoring model from labeled past leads and write it into the library's scoring.yaml.

The fit reads every feature from the *leads* (and the pipeline's answers) through `agent.features`, the same functions
the scorer uses in production, so the written model scores a lead exactly as it was fitted. Method: L2-regularised
logistic regression (scikit-learn) on standardised columns, folded back into raw-scale coefficients; stratified k-fold
cross-validation gives out-of-fold probabilities, from which the SQL threshold (best F1) and the metrics are taken.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from agent.features import MISSING, FeatureContext, columns, encode, read
from evals import metrics as m
from evals.errors import DatasetError, MappingError
from evals.mapping import Mapping, ResolvedSet
from library.schemas import FittedModel, Library, ModelFeature, ModelProvenance, Thresholds

MIN_LEVEL_COUNT, N_BINS = 10, 6
MIN_SEGMENT_ROWS, MIN_SEGMENT_POSITIVES = 150, 30


@dataclass(frozen=True)
class FeatureSpec:
    name: str
    source: str
    kind: str  # numeric | categorical


@dataclass
class Fit:
    model: FittedModel
    cv_probs: np.ndarray
    in_sample_probs: np.ndarray
    cv_metrics: dict[str, float | None]
    in_sample_metrics: dict[str, float | None]


def feature_specs(mapping: Mapping, feature_set: ResolvedSet, library: Library) -> list[FeatureSpec]:
    """Where each of the set's columns lives on a lead (as the mapping builds it), plus one answer per note question."""
    sources: dict[str, tuple[str, str | None]] = {c: (f"{f.split('.')[0]}.{f.split('.')[1]}", None) for f, c in mapping.lead.items()}
    for f in mapping.form:
        sources[f.column] = (f"form.{f.question or f.column}", None)
    for e in mapping.events:
        sources[e.column] = (f"events.{e.type}", "numeric") if e.mode == "count" else (f"last_event.{e.type}", "categorical")
    specs = []
    for kind, cols in (("numeric", feature_set.numeric), ("categorical", feature_set.categorical)):
        for col in cols:
            if col not in sources:
                raise MappingError(f"feature column {col!r} is not carried into the lead: map it under lead, form or events",
                                   column=col)
            source, forced = sources[col]
            specs.append(FeatureSpec(col, source, forced or kind))
    if feature_set.notes:  # notes reach the model only through the judge's answers to the library's text questions
        specs += [FeatureSpec(f"answer: {q.id}", f"answer.{q.id}", "categorical") for q in library.questions if q.check is None]
    for spec in specs:
        # spec.kind is a plain str here: building the model is how an unknown kind or source is refused.
        ModelFeature(name=spec.name, source=spec.source, kind=spec.kind)  # type: ignore[arg-type]
    return specs


def _encoding(specs: Sequence[FeatureSpec], raws: list[list], rows: Sequence[int]) -> list[ModelFeature]:
    """Category levels and bin edges learnt from `rows` only."""
    out = []
    for j, spec in enumerate(specs):
        values = [raws[i][j] for i in rows]
        if spec.kind == "categorical":
            counts = Counter(MISSING if v is None or str(v).strip() == "" else str(v).strip() for v in values)
            out.append(ModelFeature(name=spec.name, source=spec.source, kind="categorical",
                                    levels=sorted(k for k, n in counts.items() if n >= MIN_LEVEL_COUNT)))
            continue
        nums = np.array([x for v in values if (x := _num(v)) is not None], dtype=float)
        qs = np.quantile(nums, np.linspace(0, 1, N_BINS + 1)[1:-1]) if nums.size else []
        out.append(ModelFeature(name=spec.name, source=spec.source, kind="numeric", edges=sorted({float(q) for q in qs})))
    return out


def _num(v: object) -> float | None:
    try:
        x = float(str(v)) if v is not None else None
    except ValueError:
        return None
    return x if x is not None and math.isfinite(x) else None


def _matrix(features: list[ModelFeature], raws: list[list], rows: Sequence[int]) -> tuple[np.ndarray, list[str]]:
    names = [c for f in features for c in columns(f)]
    index = {c: k for k, c in enumerate(names)}
    x = np.zeros((len(rows), len(names)))
    for r, i in enumerate(rows):
        for j, f in enumerate(features):
            for col, v in encode(f, raws[i][j]).items():
                x[r, index[col]] = v
    return x, names


def _fit_lr(x: np.ndarray, y: np.ndarray, c: float) -> tuple[float, np.ndarray]:
    """Fit on standardised columns; return intercept and coefficients on the raw scale."""
    mean, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd == 0] = 1.0
    lr = LogisticRegression(C=c, max_iter=3000).fit((x - mean) / sd, y)
    coef = lr.coef_[0] / sd
    return float(lr.intercept_[0] - np.sum(coef * mean)), coef


def _best_f1_threshold(y: np.ndarray, p: np.ndarray) -> float:
    best, best_f1 = 0.5, -1.0
    for t in np.unique(np.round(p, 3)):
        f1 = m.threshold_metrics(y, p >= t).f1 or 0.0
        if f1 > best_f1:
            best, best_f1 = float(t), f1
    return best


def _discovery_threshold(y: np.ndarray, p: np.ndarray, sql: float, recall: float = 0.9) -> float:
    """The highest cut-off that still sends `recall` of the converters at least to discovery."""
    for t in sorted(np.unique(np.round(p, 3)), reverse=True):
        if (m.threshold_metrics(y, p >= t).recall or 0.0) >= recall:
            return min(float(t), sql)
    return 0.0


def summary(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, float | None]:
    """The figures calibrate reports and writes into the model's provenance."""
    t = m.threshold_metrics(y, p >= threshold, threshold)
    return {"roc_auc": m.roc_auc(y, p), "pr_auc": m.pr_auc(y, p), "ece": m.ece(y, p), "brier": m.brier(y, p),
            "precision": t.precision, "recall": t.recall, "f1": t.f1, "fpr": t.fpr, "threshold": threshold,
            "capture_top_20": m.capture_at(y, p, 0.2)}


def fit_model(contexts: Sequence[FeatureContext], y: Sequence[int], specs: Sequence[FeatureSpec], *,
              segments: Sequence[str | None] | None = None, folds: int = 5, c: float = 0.3, seed: int = 0,
              provenance: dict | None = None) -> Fit:
    """Cross-validate, then fit on every row; the result holds the model with thresholds and both sets of metrics."""
    ya = np.asarray(y, dtype=int)
    if ya.size == 0:
        raise DatasetError("no labeled rows to fit")
    counts = np.bincount(ya, minlength=2)
    if counts.min() < max(folds, 2):
        raise DatasetError(f"need at least {max(folds, 2)} cases of each class to fit with {folds}-fold CV "
                           f"(have {counts[1]} positive, {counts[0]} negative)")
    raws = [[read(s.source, ctx) for s in specs] for ctx in contexts]
    oof = np.zeros(ya.size)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(ya.size), ya):
        feats = _encoding(specs, raws, train)
        x_train, _ = _matrix(feats, raws, train)
        b0, coef = _fit_lr(x_train, ya[train], c)
        x_test, _ = _matrix(feats, raws, test)
        oof[test] = 1 / (1 + np.exp(-(b0 + x_test @ coef)))
    threshold = _best_f1_threshold(ya, oof)
    every = list(range(ya.size))
    feats = _encoding(specs, raws, every)
    x, names = _matrix(feats, raws, every)
    b0, coef = _fit_lr(x, ya, c)
    in_sample = 1 / (1 + np.exp(-(b0 + x @ coef)))
    # Each feature's average contribution, so factor points read "compared with an average lead".
    offsets, start = [], 0
    for f in feats:
        width = len(columns(f))
        offsets.append(float(np.mean(x[:, start:start + width] @ coef[start:start + width])))
        start += width
    feats = [f.model_copy(update={"baseline": round(b, 6)}) for f, b in zip(feats, offsets, strict=True)]
    thresholds = _thresholds(ya, oof, threshold)
    per_segment = {}
    if segments is not None:
        seg = np.array([s or "" for s in segments])
        for s in sorted(set(seg) - {""}):
            mask = seg == s
            if mask.sum() >= MIN_SEGMENT_ROWS and ya[mask].sum() >= MIN_SEGMENT_POSITIVES and (ya[mask] == 0).sum() >= 1:
                per_segment[s] = _thresholds(ya[mask], oof[mask], _best_f1_threshold(ya[mask], oof[mask]))
    cv, ins = summary(ya, oof, threshold), summary(ya, in_sample, threshold)
    prov = None if provenance is None else ModelProvenance(
        **provenance, rows=int(ya.size), positives=int(ya.sum()), fitted_at=datetime.now(UTC).isoformat(timespec="seconds"),
        method=f"L2 logistic regression, C={c}, standardised columns", cv_folds=folds,
        cv_metrics={k: _r(v) for k, v in cv.items()}, in_sample_metrics={k: _r(v) for k, v in ins.items()})
    model = FittedModel(intercept=b0, features=feats,
                        coefficients={n: float(w) for n, w in zip(names, coef, strict=True) if w != 0.0},
                        thresholds=thresholds, segment_thresholds=per_segment, provenance=prov)
    return Fit(model, oof, in_sample, cv, ins)


def _thresholds(y: np.ndarray, p: np.ndarray, sql: float) -> Thresholds:
    return Thresholds(sql_ready=round(100 * sql, 4), needs_discovery=round(100 * _discovery_threshold(y, p, sql), 4))


def _r(v: float | None) -> float | None:
    return None if v is None else round(float(v), 6)
