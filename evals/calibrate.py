"""`qualify calibrate`: fit the scoring model from labeled past leads; the library keeps it in model.json.

The fit reads every feature from the *leads* (and the pipeline's answers) through `agent.features`, the same functions
the scorer uses in production, so the written model scores a lead exactly as it was fitted. Three models are compared
by stratified k-fold cross-validation: an L2 logistic regression on one-hot / binned columns, scikit-learn's
HistGradientBoostingClassifier on the raw values (native categorical splits; monotone constraints where the direction
is known; early stopping in each fold; the final boosted model is the average of the folds' models, so it is the very
model whose out-of-fold log-odds were calibrated), and a blend of the two on the log-odds scale whose logistic share is
chosen from `BLEND_WEIGHTS` by the cross-validated log-loss of the two models' out-of-fold log-odds. Each one's
out-of-fold log-odds are calibrated (sigmoid or isotonic, whichever has the lower log-loss in an inner CV of the
calibrator), and the model with the lowest cross-validated log-loss is kept; the SQL threshold (best F1) and the
reported metrics come from its cross-validated probabilities. A blend stays explainable: each feature's contribution
is its weighted logistic terms plus its weighted tree-path contributions, and the contributions plus the base still
add up to the log-odds.

Measured on X Education (benchmarks/x_education.py, 5-fold CV; choices made on the DEV half): AUC of the kept model
0.8754 -> 0.8793 on set A and 0.9090 -> 0.9104 on set B, ECE at most 0.0191 on either half. Learning rate, leaf count,
leaf size and L2 were flat (within 0.001 AUC) over a grid, and so was the logistic C, so they stay fixed instead of
costing an inner search on every calibrate; one refit on every row at the folds' median tree count ranked slightly
better (set A DEV 0.8801) but was over-confident (ECE 0.022), which the fold average is not.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from agent.features import MISSING, FeatureContext, columns, number, read_all
from agent.fitted import P_CLIP
from evals import metrics as m
from evals.boosting import (
    MAX_FLOAT,
    THREADS,
    export,
    fit_boosted,
    recode,
    scaled,
    tree_log_odds_and_mean_contributions,
)
from evals.errors import DatasetError, MappingError
from evals.mapping import Mapping, ResolvedSet
from library.schemas import Calibration, FittedModel, Library, ModelFeature, ModelProvenance, Thresholds, Tree

MIN_LEVEL_COUNT, MAX_LEVELS, N_BINS = 10, 250, 6
MIN_SEGMENT_ROWS, MIN_SEGMENT_POSITIVES = 150, 30
# Automatic monotone directions: the rank association must be this many standard errors from zero, on this many rows.
MONOTONE_Z, MONOTONE_MIN_ROWS, MONOTONE_BINS = 3.0, 100, 10
LEAK_AUC = 0.995  # a single column that ranks the outcome this well was almost surely written after it
# The logistic shares a blend may take (0 and 1 are the single models, compared on their own).
BLEND_WEIGHTS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
Method = Literal["auto", "logistic", "boosted", "blend"]
Log = Callable[[str], None]


@dataclass(frozen=True)
class FeatureSpec:
    name: str
    source: str
    kind: str  # numeric | categorical
    monotone: int = 0  # the mapping's direction (boosted models); with `auto_monotone`, derived from the data instead
    auto_monotone: bool = False


@dataclass
class Fit:
    model: FittedModel
    cv_probs: np.ndarray
    in_sample_probs: np.ndarray
    cv_metrics: dict[str, float | None]
    in_sample_metrics: dict[str, float | None]
    candidates: dict[str, dict[str, float | None]] = field(default_factory=dict)


def feature_specs(mapping: Mapping, feature_set: ResolvedSet, library: Library) -> list[FeatureSpec]:
    """Where each of the set's columns lives on a lead (as the mapping builds it), plus one answer per note question."""
    sources: dict[str, tuple[str, str | None]] = {
        c: (f"{f.split('.')[0]}.{f.split('.')[1]}", None) for f, c in mapping.lead.items()
    }
    for f in mapping.form:
        sources[f.column] = (f"form.{f.question or f.column}", None)
    for e in mapping.events:
        sources[e.column] = (
            (f"events.{e.type}", "numeric") if e.mode == "count" else (f"last_event.{e.type}", "categorical")
        )
    for d in mapping.dates:
        for part in d.derive:
            sources[d.feature(part)] = (f"form.{d.key(part)}", None)
    specs = []
    for kind, cols in (("numeric", feature_set.numeric), ("categorical", feature_set.categorical)):
        for col in cols:
            if col not in sources:
                raise MappingError(
                    f"feature column {col!r} is not carried into the lead: map it under lead, form, events or dates",
                    column=col,
                )
            source, forced = sources[col]
            numeric = (forced or kind) == "numeric"
            direction = {"increasing": 1, "decreasing": -1}.get(mapping.monotone.get(col, ""), 0)
            auto = numeric and mapping.auto_monotone and col not in mapping.monotone
            specs.append(FeatureSpec(col, source, forced or kind, direction if numeric else 0, auto))
    if feature_set.notes:  # notes reach the model only through the judge's answers to the library's text questions
        specs += [
            FeatureSpec(f"answer: {q.id}", f"answer.{q.id}", "categorical")
            for q in library.questions
            if q.check is None
        ]
    for spec in specs:
        # spec.kind is a plain str here: building the model is how an unknown kind or source is refused.
        ModelFeature(name=spec.name, source=spec.source, kind=spec.kind)  # type: ignore[arg-type]
    return specs


def needs_pipeline(specs: Sequence[FeatureSpec]) -> bool:
    """Whether any feature is read from the judge's answers or the pipeline's scores (else the lead alone suffices)."""
    return any(s.source.startswith(("answer.", "score.")) for s in specs)


# --- columns: each feature read once from every lead, then encoded per fold with numpy ---------------------------


@dataclass
class Columns:
    numeric: dict[int, np.ndarray]  # spec index -> float values, NaN when missing
    categorical: dict[int, np.ndarray]  # spec index -> str values, MISSING when missing
    _factors: dict[int, tuple[list[str], np.ndarray]] = field(default_factory=dict)

    def factors(self, j: int) -> tuple[list[str], np.ndarray]:
        """A categorical column's distinct values (sorted) and each row's index into them, computed once."""
        if j not in self._factors:
            distinct, inverse = np.unique(self.categorical[j].astype(str), return_inverse=True)
            self._factors[j] = (distinct.tolist(), inverse.ravel())
        return self._factors[j]


def read_columns(specs: Sequence[FeatureSpec], contexts: Sequence[FeatureContext]) -> Columns:
    """Every spec's values over every lead, read through `agent.features.read` (as production reads them)."""
    cols = Columns({}, {})
    for j, s in enumerate(specs):
        raw = read_all(s.source, contexts)
        if s.kind == "numeric":
            cols.numeric[j] = np.array([np.nan if (x := number(v)) is None else x for v in raw], dtype=float)
        else:
            cols.categorical[j] = np.array(
                [MISSING if v is None or str(v).strip() == "" else str(v).strip() for v in raw], dtype=object
            )
    return cols


def _level_counts(cols: Columns, j: int, rows: np.ndarray) -> list[tuple[str, int]]:
    """`Counter(values[rows]).most_common()`: by count, ties in order of first appearance among `rows`."""
    distinct, inverse = cols.factors(j)
    sub = inverse[rows]
    counts = np.bincount(sub, minlength=len(distinct))
    first = np.full(len(distinct), rows.size)
    seen, at = np.unique(sub, return_index=True)
    first[seen] = at
    order = np.lexsort((first, -counts))
    return [(distinct[k], int(counts[k])) for k in order if counts[k] > 0]


def auto_direction(x: np.ndarray, y: np.ndarray) -> int:
    """+1 / -1 when the SQL rate clearly rises / falls with a number over these rows, else 0 (no constraint).

    Clearly: the rank correlation of value and outcome (rows with the value) is at least `MONOTONE_Z` standard errors
    from zero, and no step between adjacent quantile bins goes the other way by more than two standard errors, so a
    hump (best in the middle) or a weak, noisy trend stays unconstrained."""
    present = ~np.isnan(x)
    xv, yv = x[present], y[present].astype(float)
    if xv.size < MONOTONE_MIN_ROWS or yv.min() == yv.max():
        return 0
    distinct, inverse, counts = np.unique(xv, return_inverse=True, return_counts=True)
    ranks = (np.cumsum(counts) - (counts - 1) / 2)[inverse.ravel()]  # average ranks of tied values
    if distinct.size < 3:
        return 0
    rho = float(np.corrcoef(ranks, yv)[0, 1])  # Spearman's rho: ranking a 0/1 outcome changes no correlation
    if not np.isfinite(rho) or abs(rho) * np.sqrt(xv.size - 1) < MONOTONE_Z:
        return 0
    sign = 1 if rho > 0 else -1
    edges = np.unique(np.quantile(xv, np.linspace(0, 1, MONOTONE_BINS + 1)[1:-1]))
    bins = np.searchsorted(edges, xv, side="right")
    n = np.bincount(bins, minlength=edges.size + 1).astype(float)
    rate = np.bincount(bins, weights=yv, minlength=edges.size + 1)[n > 0] / n[n > 0]
    n = n[n > 0]
    se = np.sqrt(rate[:-1] * (1 - rate[:-1]) / n[:-1] + rate[1:] * (1 - rate[1:]) / n[1:])
    against = sign * np.diff(rate) < -2 * np.maximum(se, 1e-12)
    return 0 if against.any() else sign


def _encoding(
    specs: Sequence[FeatureSpec], cols: Columns, rows: np.ndarray, y: np.ndarray | None = None
) -> list[ModelFeature]:
    """Category levels, bin edges and (given the labels `y`) automatic monotone directions, from `rows` only."""
    out = []
    for j, spec in enumerate(specs):
        if spec.kind == "categorical":
            counts = _level_counts(cols, j, rows)[:MAX_LEVELS]
            kept = [k for k, n in counts if n >= MIN_LEVEL_COUNT]
            out.append(ModelFeature(name=spec.name, source=spec.source, kind="categorical", levels=sorted(kept)))
            continue
        values = cols.numeric[j][rows]
        nums = values[~np.isnan(values)]
        qs = np.quantile(nums, np.linspace(0, 1, N_BINS + 1)[1:-1]) if nums.size else []
        chosen_by: str | None
        if spec.auto_monotone and y is not None:
            direction, chosen_by = auto_direction(values, y[rows]), "data"
        else:
            direction, chosen_by = spec.monotone, "mapping" if spec.monotone else None
        out.append(
            ModelFeature(
                name=spec.name,
                source=spec.source,
                kind="numeric",
                edges=sorted({float(q) for q in qs}),
                monotone=direction,  # type: ignore[arg-type]
                monotone_from=chosen_by,  # type: ignore[arg-type]
            )
        )
    return out


def _codes(feature: ModelFeature, cols: Columns, j: int, rows: np.ndarray) -> np.ndarray:
    """`agent.features.code` over a column: the level's index, len(levels) for any other."""
    distinct, inverse = cols.factors(j)
    index = {v: float(i) for i, v in enumerate(feature.levels)}
    other = float(len(feature.levels))
    lookup = np.array([index.get(v, other) for v in distinct], dtype=float)
    return lookup[inverse[rows]]


def coded_matrix(features: list[ModelFeature], cols: Columns, rows: np.ndarray) -> np.ndarray:
    """The boosted model's inputs: one column per feature (`agent.features.code`, vectorised)."""
    out = np.empty((rows.size, len(features)))
    for j, f in enumerate(features):
        out[:, j] = _codes(f, cols, j, rows) if f.kind == "categorical" else cols.numeric[j][rows]
    return out


def lr_matrix(features: list[ModelFeature], cols: Columns, rows: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """The logistic model's columns (`agent.features.encode`, vectorised), named as `agent.features.columns`."""
    blocks, names = [], []
    for j, f in enumerate(features):
        names += columns(f)
        if f.kind == "categorical":
            codes = _codes(f, cols, j, rows).astype(int)
            block = np.zeros((rows.size, len(f.levels) + 1))
            block[np.arange(rows.size), codes] = 1.0
        else:
            x = cols.numeric[j][rows]
            missing = np.isnan(x)
            xv = np.where(missing, 0.0, x)
            block = np.zeros((rows.size, 4 + len(f.edges) + 1))
            block[:, 0] = xv
            block[:, 1] = np.log1p(np.maximum(xv, 0.0))
            block[:, 2] = (~missing) & (xv == 0)
            block[:, 3] = missing
            b = np.searchsorted(np.array(f.edges), xv, side="right")
            block[np.arange(rows.size), 4 + b] = np.where(missing, 0.0, 1.0)
        blocks.append(block)
    return np.hstack(blocks), names


def _fit_lr(x: np.ndarray, y: np.ndarray, c: float) -> tuple[float, np.ndarray]:
    """Fit on standardised columns; return intercept and coefficients on the raw scale."""
    mean, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd == 0] = 1.0
    lr = LogisticRegression(C=c, max_iter=3000).fit((x - mean) / sd, y)
    coef = lr.coef_[0] / sd
    return float(lr.intercept_[0] - np.sum(coef * mean)), coef


# --- refusing data a model cannot honestly be fitted on ----------------------------------------------------------


def check_features(specs: Sequence[FeatureSpec], cols: Columns, y: np.ndarray) -> None:
    """Refuse a constant feature or one that alone separates the classes (recorded after the outcome: leaky)."""
    for j, s in enumerate(specs):
        values = cols.numeric[j] if s.kind == "numeric" else cols.categorical[j]
        if s.kind == "numeric":
            distinct = np.unique(values[~np.isnan(values)]).size + int(np.isnan(values).any())
        else:
            distinct = len(set(values.tolist()))
        if distinct <= 1:
            shown = (
                "missing"
                if s.kind == "categorical" and values[0] == MISSING or s.kind == "numeric" and np.isnan(values[0])
                else repr(values[0])
            )
            raise DatasetError(
                f"feature {s.name!r} has the same value ({shown}) on every row: it cannot inform the model; "
                "remove it from the feature set",
                column=s.name,
            )
        score = _univariate_auc(values, y, s.kind)
        if score >= LEAK_AUC:
            raise DatasetError(
                f"feature {s.name!r} alone separates converted from not (AUC {score:.3f}): it looks recorded "
                "after the outcome (leaky); declare it under `leaky` in the mapping or drop it",
                column=s.name,
            )


def _univariate_auc(values: np.ndarray, y: np.ndarray, kind: str) -> float:
    if kind == "numeric":
        x = np.where(np.isnan(values), np.nanmin(values) - 1 if np.isfinite(np.nanmin(values)) else 0, values)
    else:  # out-of-fold target rate of the level, so an id-like column does not look predictive
        _, inverse = np.unique(values.astype(str), return_inverse=True)
        inverse = inverse.ravel()
        x = np.zeros(y.size)
        for train, test in StratifiedKFold(2, shuffle=True, random_state=0).split(np.zeros(y.size), y):
            k = int(inverse.max()) + 1
            seen = np.bincount(inverse[train], minlength=k)[inverse[test]]
            hits = np.bincount(inverse[train], weights=y[train], minlength=k)[inverse[test]]
            prior = float(y[train].mean())
            x[test] = np.where(seen > 0, (hits + prior) / (seen + 1), prior)
    auc = m.roc_auc(y, x)
    return max(auc, 1 - auc)


# --- calibration of out-of-fold log-odds -------------------------------------------------------------------------


def fit_calibration(z: np.ndarray, y: np.ndarray, method: str) -> Calibration:
    """A calibrator from raw log-odds to probability."""
    if method == "sigmoid":
        lr = LogisticRegression(C=1e6, max_iter=1000).fit(z.reshape(-1, 1), y)
        return Calibration(method="sigmoid", a=float(lr.coef_[0, 0]), b=float(lr.intercept_[0]))
    iso = IsotonicRegression(out_of_bounds="clip", y_min=P_CLIP, y_max=1 - P_CLIP).fit(z, y)
    x = [min(max(float(v), -MAX_FLOAT), MAX_FLOAT) for v in iso.X_thresholds_]
    return Calibration(method="isotonic", x=x, y=[float(v) for v in iso.y_thresholds_])


def apply_calibration(cal: Calibration, z: np.ndarray) -> np.ndarray:
    """`agent.fitted.calibrate` over many leads."""
    if cal.method == "sigmoid":
        return 1 / (1 + np.exp(-(cal.a * z + cal.b)))
    return np.clip(np.interp(z, cal.x, cal.y), P_CLIP, 1 - P_CLIP)


def choose_calibration(z: np.ndarray, y: np.ndarray, folds: int, seed: int) -> tuple[str, np.ndarray]:
    """Sigmoid or isotonic, by the log-loss of an inner CV over the out-of-fold log-odds; its cross-fitted probabilities."""
    best: tuple[float, str, np.ndarray] | None = None
    for method in ("sigmoid", "isotonic"):
        p = np.zeros(y.size)
        for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed + 1).split(z.reshape(-1, 1), y):
            p[test] = apply_calibration(fit_calibration(z[train], y[train], method), z[test])
        loss = m.log_loss(y.tolist(), p.tolist())
        if best is None or loss < best[0]:
            best = (loss, method, p)
    assert best is not None
    return best[1], best[2]


# --- the fit -----------------------------------------------------------------------------------------------------


def _margins_lr(
    feats: list[ModelFeature], cols: Columns, train: np.ndarray, test: np.ndarray, y: np.ndarray, c: float
) -> np.ndarray:
    x_train, _ = lr_matrix(feats, cols, train)
    b0, coef = _fit_lr(x_train, y[train], c)
    return b0 + lr_matrix(feats, cols, test)[0] @ coef


def _margins_boosted(
    feats: list[ModelFeature], cols: Columns, train: np.ndarray, test: np.ndarray, y: np.ndarray, seed: int
) -> tuple[np.ndarray, Bag]:
    """Held-out log-odds of a model early-stopped on part of `train`, and the model exported (one bag of the final)."""
    cat = [f.kind == "categorical" for f in feats]
    model = fit_boosted(coded_matrix(feats, cols, train), y[train], cat, [f.monotone for f in feats], seed)
    intercept, trees = export(model, cat, [len(f.levels) + 1 for f in feats])
    levels = [f.levels if f.kind == "categorical" else None for f in feats]
    return model.decision_function(coded_matrix(feats, cols, test)), Bag(intercept, trees, levels)


@dataclass(frozen=True)
class Bag:
    """One CV fold's boosted model: its intercept, trees and the category levels its codes index."""

    intercept: float
    trees: list[Tree]
    levels: list[list[str] | None]


def bagged(bags: Sequence[Bag], feats: list[ModelFeature]) -> tuple[float, list[Tree]]:
    """The average of the folds' models, on the final encoding's codes: each fold's trees weighted 1 / folds."""
    target = [f.levels if f.kind == "categorical" else None for f in feats]
    intercept = float(np.mean([b.intercept for b in bags]))
    trees = [t for b in bags for t in scaled(recode(b.trees, b.levels, target), 1 / len(bags))]
    return intercept, trees


def _sigmoid_log_loss(z: np.ndarray, y: np.ndarray, split: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """Cross-fitted log-loss of a sigmoid calibration of z (logit p = a z + b, fitted by Newton's method: two
    parameters, so a few numpy passes instead of a solver per fold)."""
    p = np.zeros(y.size)
    for train, test in split:
        zt, yt = z[train], y[train].astype(float)
        a, b = 1.0, 0.0
        for _ in range(25):
            q = 1 / (1 + np.exp(-(a * zt + b)))
            w = np.maximum(q * (1 - q), 1e-12)
            g = np.array([np.dot(q - yt, zt), np.sum(q - yt)])
            h = np.array([[np.dot(w, zt * zt), np.dot(w, zt)], [np.dot(w, zt), np.sum(w)]])
            step = np.linalg.solve(h + 1e-9 * np.eye(2), g)
            a, b = a - step[0], b - step[1]
            if np.abs(step).max() < 1e-8:
                break
        p[test] = 1 / (1 + np.exp(-(a * z[test] + b)))
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def choose_blend(
    z_lr: np.ndarray, z_boosted: np.ndarray, y: np.ndarray, folds: int, seed: int
) -> tuple[float, str, np.ndarray]:
    """The logistic share w of `w * z_lr + (1 - w) * z_boosted` (out-of-fold log-odds of both) with the lowest
    cross-fitted log-loss after a sigmoid calibration (rank-preserving and cheap, so every w is tried), then that
    blend's calibration method by `choose_calibration` and its cross-fitted probabilities."""
    split = list(StratifiedKFold(folds, shuffle=True, random_state=seed + 1).split(z_lr.reshape(-1, 1), y))
    losses = [_sigmoid_log_loss(w * z_lr + (1 - w) * z_boosted, y, split) for w in BLEND_WEIGHTS]
    w = BLEND_WEIGHTS[int(np.argmin(losses))]
    method, p = choose_calibration(w * z_lr + (1 - w) * z_boosted, y, folds, seed)
    return w, method, p


def _at_cutoffs(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each distinct rounded probability t, with the true and false positives of `p >= t` (vectorised)."""
    cut = np.unique(np.round(p, 3))
    order = np.argsort(p)
    sp, sy = p[order], y[order]
    above = sp.size - np.searchsorted(sp, cut, side="left")  # rows with p >= t
    pos_below = np.concatenate([[0], np.cumsum(sy)])[sp.size - above]
    tp = sy.sum() - pos_below
    return cut, tp, above - tp


def _best_f1_threshold(y: np.ndarray, p: np.ndarray) -> float:
    cut, tp, fp = _at_cutoffs(y, p)
    fn = y.sum() - tp
    f1 = np.where(tp > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
    return float(cut[int(np.argmax(f1))]) if cut.size else 0.5


def _discovery_threshold(y: np.ndarray, p: np.ndarray, sql: float, recall: float = 0.9) -> float:
    """The highest cut-off that still sends `recall` of the converters at least to discovery."""
    cut, tp, _ = _at_cutoffs(y, p)
    ok = np.nonzero(tp / max(int(y.sum()), 1) >= recall)[0]
    return min(float(cut[ok[-1]]), sql) if ok.size else 0.0


def summary(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, float | None]:
    """The figures calibrate reports and writes into the model's provenance."""
    t = m.threshold_metrics(y, p >= threshold, threshold)
    return {
        "roc_auc": m.roc_auc(y, p),
        "pr_auc": m.pr_auc(y, p),
        "ece": m.ece(y, p),
        "brier": m.brier(y, p),
        "log_loss": m.log_loss(y, p),
        "precision": t.precision,
        "recall": t.recall,
        "f1": t.f1,
        "fpr": t.fpr,
        "threshold": threshold,
        "capture_top_20": m.capture_at(y, p, 0.2),
    }


def fit_model(
    contexts: Sequence[FeatureContext],
    y: Sequence[int],
    specs: Sequence[FeatureSpec],
    *,
    segments: Sequence[str | None] | None = None,
    folds: int = 5,
    c: float = 0.3,
    seed: int = 0,
    provenance: dict | None = None,
    method: Method = "auto",
    log: Log | None = None,
    check: bool = True,
) -> Fit:
    """Cross-validate both models, keep the better by log-loss (or `method`), fit it on every row with its calibrator.

    `check` refuses constant and label-separating features (see `check_features`); a benchmark fitting on CV folds of
    a file already checked as a whole turns it off, since a rare level can be absent from one fold. BLAS and OpenMP
    get `THREADS` threads: on a shared, loaded machine more threads spin and are slower (a fold's LR fit 4.6 s -> 1.8 s)."""
    with threadpool_limits(THREADS):
        return _fit_model(contexts, y, specs, segments, folds, c, seed, provenance, method, log, check)


def _fit_model(
    contexts: Sequence[FeatureContext],
    y: Sequence[int],
    specs: Sequence[FeatureSpec],
    segments: Sequence[str | None] | None,
    folds: int,
    c: float,
    seed: int,
    provenance: dict | None,
    method: Method,
    log: Log | None,
    check: bool,
) -> Fit:
    say = log or (lambda _msg: None)
    ya = np.asarray(y, dtype=int)
    if ya.size == 0:
        raise DatasetError("no labeled rows to fit")
    counts = np.bincount(ya, minlength=2)
    if counts.min() < max(folds, 2):
        raise DatasetError(
            f"need at least {max(folds, 2)} cases of each class to fit with {folds}-fold CV "
            f"(have {counts[1]} positive, {counts[0]} negative): a file needs both classes"
        )
    started = time.perf_counter()
    cols = read_columns(specs, contexts)
    if check:
        check_features(specs, cols, ya)
    kinds = ["logistic", "boosted", "blend"] if method == "auto" else [method]
    oof = {k: np.zeros(ya.size) for k in ("logistic", "boosted") if k in kinds or "blend" in kinds}
    bags: list[Bag] = []  # each fold's early-stopped boosted model: the final boosted model is their average
    split = StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(ya.size), ya)
    for k, (train, test) in enumerate(split):
        feats = _encoding(specs, cols, train, ya)
        if "logistic" in oof:
            oof["logistic"][test] = _margins_lr(feats, cols, train, test, ya, c)
        if "boosted" in oof:
            oof["boosted"][test], bag = _margins_boosted(feats, cols, train, test, ya, seed)
            bags.append(bag)
        say(f"fold {k + 1}/{folds} fitted ({ya.size / (time.perf_counter() - started) * (k + 1):.0f} rows/s)")
    candidates, calibrated, cal_method = {}, {}, {}
    weight = 0.0
    for kind in kinds:
        if kind == "blend":
            weight, cal_method[kind], calibrated[kind] = choose_blend(oof["logistic"], oof["boosted"], ya, folds, seed)
            oof["blend"] = weight * oof["logistic"] + (1 - weight) * oof["boosted"]
        else:
            cal_method[kind], calibrated[kind] = choose_calibration(oof[kind], ya, folds, seed)
        t = _best_f1_threshold(ya, calibrated[kind])
        candidates[kind] = summary(ya, calibrated[kind], t)
    chosen = min(kinds, key=lambda k: candidates[k]["log_loss"] or 0.0)
    say(
        "cross-validated log-loss: "
        + ", ".join(f"{k} {candidates[k]['log_loss']:.4f}" for k in kinds)
        + f" -> {chosen}"
    )
    p_cv = calibrated[chosen]
    threshold = _best_f1_threshold(ya, p_cv)
    every = np.arange(ya.size)
    feats = _encoding(specs, cols, every, ya)
    calibration = fit_calibration(oof[chosen], ya, cal_method[chosen])
    # The final fit on every row; a blend's parts are weighted here, so its file stores them already scaled.
    share = {"logistic": 1.0, "boosted": 0.0, "blend": weight}[chosen]
    # Per lead only the log-odds z is needed; per feature only its mean contribution (the factors' baseline).
    b0, z, mean_part = 0.0, np.zeros(ya.size), np.zeros(len(feats))
    model_fields: dict = {"kind": chosen}
    if chosen in ("logistic", "blend"):
        x, names = lr_matrix(feats, cols, every)
        b_lr, coef = _fit_lr(x, ya, c)
        b0 += share * b_lr
        parts = np.column_stack([x[:, s:e] @ coef[s:e] for s, e in _spans(feats)])
        z += share * parts.sum(axis=1)
        mean_part += share * parts.mean(axis=0)
        model_fields["coefficients"] = {n: share * float(w) for n, w in zip(names, coef, strict=True) if w != 0.0}
    if chosen in ("boosted", "blend"):
        xc = coded_matrix(feats, cols, every)
        b_trees, trees = bagged(bags, feats)
        b0 += (1 - share) * b_trees
        tree_z, tree_mean = tree_log_odds_and_mean_contributions(trees, xc)
        z += (1 - share) * tree_z
        mean_part += (1 - share) * tree_mean
        model_fields["trees"] = trees if chosen == "boosted" else scaled(trees, 1 - share)
    if chosen == "blend":
        model_fields["blend_weight"] = weight
    z += b0
    in_sample = apply_calibration(calibration, z)
    scale = calibration.a if calibration.method == "sigmoid" else 1.0
    # Each feature's average contribution, so factor points read "compared with an average lead".
    feats = [f.model_copy(update={"baseline": round(float(scale * mean_part[j]), 6)}) for j, f in enumerate(feats)]
    thresholds = _thresholds(ya, p_cv, threshold)
    per_segment = {}
    if segments is not None:
        seg = np.array([s or "" for s in segments])
        for s in sorted(set(seg) - {""}):
            mask = seg == s
            if (
                mask.sum() >= MIN_SEGMENT_ROWS
                and ya[mask].sum() >= MIN_SEGMENT_POSITIVES
                and (ya[mask] == 0).sum() >= 1
            ):
                per_segment[s] = _thresholds(ya[mask], p_cv[mask], _best_f1_threshold(ya[mask], p_cv[mask]))
    cv, ins = summary(ya, p_cv, threshold), summary(ya, in_sample, threshold)
    lr_words = f"L2 logistic regression, C={c}, standardised columns"
    trees_words = (
        "histogram gradient boosting (scikit-learn), native categorical splits, monotone constraints "
        f"(declared, or derived from each training fold's data when clear), the average of the {len(bags)} "
        "cross-validation folds' early-stopped models"
    )
    described = {
        "logistic": lr_words,
        "boosted": trees_words,
        "blend": f"a blend on the log-odds scale of {weight:g} x {lr_words} and {1 - weight:g} x {trees_words} "
        "(the share chosen by cross-validated log-loss)",
    }[chosen]
    prov = (
        None
        if provenance is None
        else ModelProvenance(
            **provenance,
            rows=int(ya.size),
            positives=int(ya.sum()),
            fitted_at=datetime.now(UTC).isoformat(timespec="seconds"),
            method=f"{described}; {calibration.method} calibration; kept by cross-validated log-loss among {', '.join(kinds)}",
            cv_folds=folds,
            cv_metrics={k: _r(v) for k, v in cv.items()},
            in_sample_metrics={k: _r(v) for k, v in ins.items()},
            candidates={k: {n: _r(v) for n, v in figs.items()} for k, figs in candidates.items()},
        )
    )
    model = FittedModel(
        intercept=b0,
        features=feats,
        calibration=calibration,
        base_rate=round(float(ya.mean()), 6),
        thresholds=thresholds,
        segment_thresholds=per_segment,
        provenance=prov,
        **model_fields,
    )
    say(f"fitted {chosen} in {time.perf_counter() - started:.1f} s")
    return Fit(model, p_cv, in_sample, cv, ins, candidates)


def _spans(features: list[ModelFeature]) -> list[tuple[int, int]]:
    out, start = [], 0
    for f in features:
        out.append((start, start + len(columns(f))))
        start += len(columns(f))
    return out


def _thresholds(y: np.ndarray, p: np.ndarray, sql: float) -> Thresholds:
    return Thresholds(sql_ready=round(100 * sql, 4), needs_discovery=round(100 * _discovery_threshold(y, p, sql), 4))


def _r(v: float | None) -> float | None:
    return None if v is None else round(float(v), 6)
