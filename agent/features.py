"""Reading a fitted model's named features from a lead and encoding them into the columns its coefficients name.

The scorer (production) and `qualify calibrate` (fitting) both call these functions, so a model is always applied to
exactly the columns it was fitted on. Column names: `Name=level`, `Name=<other>` (categorical; a missing value is the
level `<missing>`), and `Name:value`, `Name:log1p`, `Name:zero`, `Name:missing`, `Name:bin<k>` (numeric).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from agent.schemas import Lead, QuestionAnswer
from library.schemas import ModelFeature

MISSING, OTHER = "<missing>", "<other>"
Raw = str | float | None


@dataclass(frozen=True)
class FeatureContext:
    """Everything a feature can be read from: the lead, the judged answers and the component scores."""

    lead: Lead
    answers: Sequence[QuestionAnswer] = ()
    fit_score: float = 50.0
    intent_score: float = 50.0


def number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip().replace(",", ""))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def read(source: str, ctx: FeatureContext) -> Raw:
    """The raw value of one source (see `ModelFeature.source`); None when the lead does not say."""
    kind, key = source.split(".", 1)
    lead = ctx.lead
    if kind == "form":
        return lead.form_answers.get(key)
    if kind in ("company", "person"):
        value = getattr(lead.company if kind == "company" else lead.person, key, None)
        return None if value is None else str(value)
    if kind == "events":
        return float(sum(1 for e in lead.events if e.type == key))
    if kind == "last_event":
        latest = max((e for e in lead.events if e.type == key), key=lambda e: e.timestamp, default=None)
        return latest.detail if latest is not None else None
    if kind == "answer":
        return next((a.answer for a in ctx.answers if a.question_id == key), "unknown")
    if kind == "score":
        return {"fit": ctx.fit_score, "intent": ctx.intent_score}.get(key)
    raise ValueError(f"unknown feature source {source!r}")


def read_all(source: str, contexts: Sequence[FeatureContext]) -> list[Raw]:
    """`read(source, ctx)` for every context (a form answer, the common case, without dispatching per lead)."""
    kind, key = source.split(".", 1)
    if kind == "form":
        return [ctx.lead.form_answers.get(key) for ctx in contexts]
    return [read(source, ctx) for ctx in contexts]


def columns(feature: ModelFeature) -> list[str]:
    """The encoded column names of one feature, in a fixed order."""
    n = feature.name
    if feature.kind == "categorical":
        return [f"{n}={v}" for v in feature.levels] + [f"{n}={OTHER}"]
    return [f"{n}:value", f"{n}:log1p", f"{n}:zero", f"{n}:missing"] + [
        f"{n}:bin{b}" for b in range(len(feature.edges) + 1)
    ]


def encode(feature: ModelFeature, raw: Raw) -> dict[str, float]:
    """The non-zero encoded columns of one raw value."""
    n = feature.name
    if feature.kind == "categorical":
        level = MISSING if raw is None or str(raw).strip() == "" else str(raw).strip()
        return {f"{n}={level}" if level in feature.levels else f"{n}={OTHER}": 1.0}
    x = number(raw)
    if x is None:
        return {f"{n}:missing": 1.0}
    out = {f"{n}:value": x, f"{n}:log1p": math.log1p(max(x, 0.0)), f"{n}:bin{sum(x >= e for e in feature.edges)}": 1.0}
    if x == 0:
        out[f"{n}:zero"] = 1.0
    return out


def code(feature: ModelFeature, raw: Raw) -> float:
    """The one input a boosted model reads: a numeric value (NaN when missing) or a categorical level's index, where
    a level not in `levels` (including a missing value without its own `<missing>` level) is `len(levels)`, i.e. <other>."""
    if feature.kind == "numeric":
        x = number(raw)
        return math.nan if x is None else x
    level = MISSING if raw is None or str(raw).strip() == "" else str(raw).strip()
    try:
        return float(feature.levels.index(level))
    except ValueError:
        return float(len(feature.levels))


def describe(feature: ModelFeature, raw: Raw) -> str:
    """A short readable value for a factor label."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return "not given"
    x = number(raw) if feature.kind == "numeric" else None
    return f"{x:g}" if x is not None else str(raw)[:60]
