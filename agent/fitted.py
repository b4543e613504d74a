"""Applying a fitted scoring model: P(SQL) from named features, and each feature's signed contribution for an SDR.

Every model kind explains a lead additively on the log-odds scale: `base + sum(parts) + adjustment = logit(P(SQL))`.
A logistic model's part for a feature is the sum of its terms (weight x encoded column); a boosted model's is the sum,
over its trees, of the changes in node value along the lead's path at splits on that feature (tree-path contributions,
Saabas); a blend's is the sum of both (its weights and tree values are stored already scaled by the blend weight). A sigmoid calibration is linear in log-odds, so it scales the parts and the base exactly; an isotonic one is
not, and what it adds beyond the parts is the named `adjustment`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from agent.features import FeatureContext, code, describe, encode, read
from agent.schemas import Factor
from library.schemas import Calibration, FittedModel, ModelFeature, Tree

# The points of the default mapping (no fitted model): a lead at its segment's SQL threshold gets probability 0.5,
# and every DEFAULT_SLOPE points above it multiply the odds by e.
DEFAULT_SLOPE = 8.0
P_CLIP = 1e-4  # isotonic probabilities are kept inside [P_CLIP, 1 - P_CLIP] so every lead has a finite log-odds


def sigmoid(z: float) -> float:
    """The logistic function, safe for large |z|."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def logit(p: float) -> float:
    """Log-odds of a probability."""
    return math.log(p / (1.0 - p))


def default_probability(score: float, sql_ready: float) -> float:
    """The documented default mapping from a 0-100 score to P(SQL) when the library has no fitted model."""
    return sigmoid((score - sql_ready) / DEFAULT_SLOPE)


@dataclass(frozen=True)
class Explanation:
    """One lead's log-odds, split into the base, one part per feature and the calibration's adjustment."""

    base: float
    parts: list[tuple[ModelFeature, float, str]]  # feature, its log-odds contribution, its readable value
    adjustment: float
    log_odds: float
    probability: float


def _kind(feature: ModelFeature) -> Literal["fit", "intent", "answer", "rule", "fast_track"]:
    source = feature.source
    if source.startswith("answer."):
        return "answer"
    if source.startswith("events.") or source == "score.intent":
        return "intent"
    return "fit"


def tree_path(tree: Tree, x: list[float]) -> tuple[float, dict[int, float]]:
    """A tree's output for one lead's inputs and the change in node value credited to each feature on its path."""
    node, credit = 0, dict[int, float]()
    while tree.feature[node] >= 0:
        f = tree.feature[node]
        v = x[f]
        cats = tree.categories.get(node)
        if cats is not None:
            go_left = v in cats
        elif math.isnan(v):
            go_left = tree.missing_left[node]
        else:
            go_left = v <= tree.threshold[node]
        child = tree.left[node] if go_left else tree.right[node]
        credit[f] = credit.get(f, 0.0) + tree.value[child] - tree.value[node]
        node = child
    return tree.value[node], credit


def calibrate(calibration: Calibration | None, z: float) -> float:
    """P(SQL) from the model's raw log-odds."""
    if calibration is None:
        return sigmoid(z)
    if calibration.method == "sigmoid":
        return sigmoid(calibration.a * z + calibration.b)
    p = float(np.interp(z, calibration.x, calibration.y))
    return min(max(p, P_CLIP), 1 - P_CLIP)


def _raw_parts(model: FittedModel, ctx: FeatureContext) -> tuple[list[float], list[str]]:
    raws = [read(f.source, ctx) for f in model.features]
    values = [describe(f, raw) for f, raw in zip(model.features, raws, strict=True)]
    parts = [0.0] * len(model.features)
    if model.kind in ("logistic", "blend"):
        for j, (f, raw) in enumerate(zip(model.features, raws, strict=True)):
            parts[j] += sum(model.coefficients.get(col, 0.0) * v for col, v in encode(f, raw).items())
    if model.kind in ("boosted", "blend"):
        x = [code(f, raw) for f, raw in zip(model.features, raws, strict=True)]
        for tree in model.trees:
            for j, c in tree_path(tree, x)[1].items():
                parts[j] += c
    return parts, values


def explain(model: FittedModel, ctx: FeatureContext) -> Explanation:
    """The lead's probability and its additive explanation on the log-odds scale."""
    parts, values = _raw_parts(model, ctx)
    z_raw = model.intercept + sum(parts)
    cal = model.calibration
    scale, shift = (cal.a, cal.b) if cal is not None and cal.method == "sigmoid" else (1.0, 0.0)
    base = scale * model.intercept + shift
    scaled = [scale * c for c in parts]
    p = calibrate(cal, z_raw)
    z = logit(p) if cal is not None and cal.method == "isotonic" else base + sum(scaled)
    adjustment = z - base - sum(scaled)
    return Explanation(
        base,
        [(f, c, v) for f, c, v in zip(model.features, scaled, values, strict=True)],
        adjustment,
        z,
        p if cal is not None and cal.method == "isotonic" else sigmoid(z),
    )


def contributions(model: FittedModel, ctx: FeatureContext) -> tuple[float, list[tuple[ModelFeature, float, str]]]:
    """The log-odds and, per feature, its log-odds contribution and readable value (see `explain` for the base)."""
    e = explain(model, ctx)
    return e.log_odds, e.parts


def predict(model: FittedModel, ctx: FeatureContext) -> tuple[float, list[Factor]]:
    """P(SQL) and one factor per feature whose points are the score change against an average lead's value of it."""
    e = explain(model, ctx)
    p, z = e.probability, e.log_odds
    factors = []
    for feature, c, value in e.parts:
        # Points: how far this feature moved the 0-100 score compared with its average contribution on the fitting data.
        points = round(100 * (p - sigmoid(z - (c - feature.baseline))), 2)
        if abs(points) >= 0.05:
            factors.append(Factor(kind=_kind(feature), label=f"{feature.name}: {value}", points=points))
    return p, sorted(factors, key=lambda f: -abs(f.points))
