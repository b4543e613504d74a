"""Checking and showing the SQL definitions of segments (the `sql` block of segments.yaml).

A definition may only name questions that exist and apply to its segment, and no criterion may be impossible: an
`all` that needs one question answered two ways or a fact both above and below a bound, a must-have that can only be
met by an answer that disqualifies the lead, or two criteria with one id.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from library.schemas import (
    AllOf,
    AnyOf,
    Criterion,
    Expr,
    Fact,
    IsAnswer,
    NotOf,
    QualifyingQuestion,
    Segment,
    SqlDefinition,
)


@dataclass(frozen=True)
class SqlProblem:
    segment: str
    criterion: str
    field: str  # e.g. sql.must_have[1].when
    message: str


def _literals(expr: Expr) -> Iterator[tuple[str, str]]:
    """The (question, answer) pairs an `all` needs at once: through nested `all`s and a `not` of a bare id."""
    if isinstance(expr, str):
        yield expr, "yes"
    elif isinstance(expr, IsAnswer):
        yield expr.question, expr.is_
    elif isinstance(expr, NotOf) and isinstance(expr.not_, str):
        yield expr.not_, "no"
    elif isinstance(expr, AllOf):
        for e in expr.all_:
            yield from _literals(e)


def _facts(expr: Expr) -> Iterator[Fact]:
    if isinstance(expr, Fact):
        yield expr
    elif isinstance(expr, AllOf):
        for e in expr.all_:
            yield from _facts(e)


def questions_named(expr: Expr) -> Iterator[str]:
    """Every question id an expression names, anywhere in it."""
    if isinstance(expr, str):
        yield expr
    elif isinstance(expr, IsAnswer):
        yield expr.question
    elif isinstance(expr, (AllOf, AnyOf)):
        for e in expr.all_ if isinstance(expr, AllOf) else expr.any_:
            yield from questions_named(e)
    elif isinstance(expr, NotOf):
        yield from questions_named(expr.not_)


def _conjunctions(expr: Expr) -> Iterator[AllOf]:
    """Every `all` that must hold for the expression to be met (not those under a `not`, which would only be vacuous)."""
    if isinstance(expr, AllOf):
        yield expr
    for child in expr.all_ if isinstance(expr, AllOf) else expr.any_ if isinstance(expr, AnyOf) else []:
        yield from _conjunctions(child)


def _contradiction(expr: Expr) -> str | None:
    for part in _conjunctions(expr):
        wanted: dict[str, str] = {}
        for question, answer in _literals(part):
            if wanted.setdefault(question, answer) != answer:
                return f"needs {question!r} answered both {wanted[question]!r} and {answer!r}"
        low: dict[str, tuple[float, bool]] = {}
        high: dict[str, tuple[float, bool]] = {}
        for f in _facts(part):
            v = f.value
            if f.op in ("gte", "gt") and isinstance(v, (int, float)):
                low[f.fact] = max(low.get(f.fact, (float("-inf"), False)), (float(v), f.op == "gt"))
            if f.op in ("lte", "lt") and isinstance(v, (int, float)):
                high[f.fact] = min(high.get(f.fact, (float("inf"), False)), (float(v), f.op == "lt"))
        for name in low.keys() & high.keys():
            (lo, lo_strict), (hi, hi_strict) = low[name], high[name]
            if lo > hi or (lo == hi and (lo_strict or hi_strict)):
                return f"needs {name} above {lo:g} and below {hi:g} at once"
    return None


def check_definition(segment: Segment, questions: list[QualifyingQuestion]) -> list[SqlProblem]:
    """Every problem of one segment's SQL definition (none when it has no definition)."""
    definition = segment.sql
    if definition is None:
        return []
    by_id = {q.id: q for q in questions}
    problems: list[SqlProblem] = []
    seen: set[str] = set()
    lists: dict[str, Sequence[Criterion]] = {
        "disqualify": definition.disqualify,
        "must_have": definition.must_have,
        "fast_track": definition.fast_track,
        "nice_to_have": definition.nice_to_have,
    }
    for kind, criteria in lists.items():
        for i, c in enumerate(criteria):
            where = f"sql.{kind}[{i}].when"

            def problem(message: str, field: str = where, c_id: str = c.id) -> None:
                problems.append(SqlProblem(segment.id, c_id, field, message))

            if c.id in seen:
                problem(f"duplicate criterion id {c.id!r}", f"sql.{kind}[{i}].id")
            seen.add(c.id)
            for qid in dict.fromkeys(questions_named(c.when)):
                q = by_id.get(qid)
                if q is None:
                    problem(f"unknown question {qid!r} (not in questions.yaml)")
                elif q.segments and segment.id not in q.segments:
                    problem(
                        f"question {qid!r} does not apply to segment {segment.id!r} "
                        f"(it applies to {', '.join(q.segments)})"
                    )
            if (why := _contradiction(c.when)) is not None:
                problem(f"impossible combination: it {why}")
            if kind == "must_have":
                for qid, answer in _literals(c.when):
                    q = by_id.get(qid)
                    bad = "yes" if q is not None and q.fit_type == "bad" else "no"
                    if q is not None and q.instant_disqualifier and answer == bad:
                        problem(
                            f"impossible combination: it needs {qid!r} answered {answer!r}, which disqualifies "
                            "the lead (instant_disqualifier)"
                        )
    return problems


def describe(expr: Expr, texts: dict[str, str] | None = None) -> str:
    """The expression in words, e.g. `need AND (budget OR NOT locked-in)`."""
    texts = texts or {}
    if isinstance(expr, str):
        return texts.get(expr, expr)
    if isinstance(expr, IsAnswer):
        return f"{texts.get(expr.question, expr.question)} is {expr.is_}"
    if isinstance(expr, NotOf):
        return f"NOT {_wrapped(expr.not_, texts)}"
    if isinstance(expr, (AllOf, AnyOf)):
        parts, joiner = (expr.all_, " AND ") if isinstance(expr, AllOf) else (expr.any_, " OR ")
        return joiner.join(_wrapped(p, texts) for p in parts)
    window = f" in the last {expr.within_days} days" if expr.within_days else ""
    symbol = {"gte": "≥", "gt": ">", "lte": "≤", "lt": "<", "eq": "=", "ne": "≠", "in": "in", "not_in": "not in"}[
        expr.op
    ]
    value = expr.value
    shown = ", ".join(value) if isinstance(value, list) else f"{value:g}" if isinstance(value, float) else str(value)
    return f"{expr.fact}{window} {symbol} {shown}"


def _wrapped(expr: Expr, texts: dict[str, str]) -> str:
    words = describe(expr, texts)
    return f"({words})" if isinstance(expr, (AllOf, AnyOf)) else words


def definition_lines(definition: SqlDefinition) -> list[tuple[str, str, str, str]]:
    """(kind, id, label, expression with ids) for each criterion, for `library show` and GET /library."""
    rows = []
    for kind, c in definition.criteria():
        extra = ""
        if kind == "must_have":
            extra = f"  → nurture: {c.nurture_reason}"  # type: ignore[attr-defined]
        elif kind == "nice_to_have":
            extra = f"  (+{c.points:g})"  # type: ignore[attr-defined]
        rows.append((kind, c.id, c.label, describe(c.when) + extra))
    return rows
