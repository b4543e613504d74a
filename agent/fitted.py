"""Applying a fitted scoring model: P(SQL) from named features, and each feature's signed points for an SDR."""

from __future__ import annotations

import math
from typing import Literal

from agent.features import FeatureContext, describe, encode, read
from agent.schemas import Factor
from library.schemas import FittedModel, ModelFeature

# The points of the default mapping (no fitted model): a lead at its segment's SQL threshold gets probability 0.5,
# and every DEFAULT_SLOPE points above it multiply the odds by e.
DEFAULT_SLOPE = 8.0


def sigmoid(z: float) -> float:
    """The logistic function, safe for large |z|."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def default_probability(score: float, sql_ready: float) -> float:
    """The documented default mapping from a 0-100 score to P(SQL) when the library has no fitted model."""
    return sigmoid((score - sql_ready) / DEFAULT_SLOPE)


def _kind(feature: ModelFeature) -> Literal["fit", "intent", "answer", "rule", "fast_track"]:
    source = feature.source
    if source.startswith("answer."):
        return "answer"
    if source.startswith("events.") or source == "score.intent":
        return "intent"
    return "fit"


def contributions(model: FittedModel, ctx: FeatureContext) -> tuple[float, list[tuple[ModelFeature, float, str]]]:
    """The log-odds and, per feature, its log-odds contribution and readable value."""
    z = model.intercept
    parts = []
    for feature in model.features:
        raw = read(feature.source, ctx)
        c = sum(model.coefficients.get(col, 0.0) * v for col, v in encode(feature, raw).items())
        z += c
        parts.append((feature, c, describe(feature, raw)))
    return z, parts


def predict(model: FittedModel, ctx: FeatureContext) -> tuple[float, list[Factor]]:
    """P(SQL) and one factor per feature whose points are the score change against an average lead's value of it."""
    z, parts = contributions(model, ctx)
    p = sigmoid(z)
    factors = []
    for feature, c, value in parts:
        # Points: how far this feature moved the 0-100 score compared with its average contribution on the fitting data.
        points = round(100 * (p - sigmoid(z - (c - feature.baseline))), 2)
        if abs(points) >= 0.05:
            factors.append(Factor(kind=_kind(feature), label=f"{feature.name}: {value}", points=points))
    return p, sorted(factors, key=lambda f: -abs(f.points))
