"""Structured checks: questions answered from data (enrichment facts, form fields, event counts), not from text."""

from __future__ import annotations

from datetime import datetime, timedelta

from agent.evidence import render_event
from agent.schemas import Enrichment, Evidence, Lead, QuestionAnswer
from agent.wording import check_sentence, event_sentence, field_words, missing_sentence
from library.schemas import QualifyingQuestion, StructuredCheck

Value = str | int | float | bool | list[str] | None


def _as_number(value: Value) -> float | None:
    if isinstance(value, bool) or value is None or isinstance(value, list):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _as_bool(value: Value) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().casefold() in ("true", "yes", "1", "false", "no", "0"):
        return value.strip().casefold() in ("true", "yes", "1")
    return None


def compare(actual: Value, check: StructuredCheck) -> bool:
    """Apply the check's operator; strings compare case-insensitively."""
    op, expected = check.operator, check.value
    if op == "exists":
        return actual not in (None, "", [])
    if op in ("gt", "gte", "lt", "lte"):
        a, e = _as_number(actual), _as_number(expected)
        if a is None or e is None:
            raise ValueError(f"{check.field} is not a number")
        return {"gt": a > e, "gte": a >= e, "lt": a < e, "lte": a <= e}[op]

    def fold(v: object) -> object:
        return v.casefold() if isinstance(v, str) else v

    if op in ("in", "not_in"):
        values = {fold(v) for v in expected}  # type: ignore[union-attr]  # StructuredCheck: in/not_in carry a list
        hit = any(fold(v) in values for v in actual) if isinstance(actual, list) else fold(actual) in values
        return hit if op == "in" else not hit
    if op == "contains":
        if isinstance(actual, list):
            return any(fold(expected) == fold(v) for v in actual)
        return str(expected).casefold() in str(actual).casefold()
    if isinstance(expected, bool) or isinstance(actual, bool):
        equal = _as_bool(actual) == _as_bool(expected)
    elif isinstance(expected, (int, float)):
        equal = _as_number(actual) == expected
    else:
        equal = fold(actual) == fold(expected)
    return equal if op == "eq" else not equal


def evaluate(question: QualifyingQuestion, lead: Lead, enrichment: Enrichment, now: datetime) -> QuestionAnswer:
    """Answer a question that has a structured check; unknown when the data is missing."""
    check = question.check
    assert check is not None, "evaluate() needs a question with a check"
    scope, name = check.field.split(".", 1)
    if scope == "events":
        return _evaluate_events(question, check, name, lead, now)
    if scope == "form":
        actual: Value = lead.form_answers.get(name)
        evidence = [Evidence(source="form", ref=name, quote=str(actual))] if actual else []
    else:
        actual = enrichment.get(check.field)
        evidence = (
            [Evidence(source="enrichment", ref=check.field, quote=_quote(actual))]
            if actual not in (None, "", [])
            else []
        )
    if not evidence:
        return _unknown(question, missing_sentence(check.field))
    try:
        result = compare(actual, check)
    except ValueError as exc:
        return _unknown(question, f"{field_words(check.field).capitalize()} could not be read as a number ({exc}).")
    confidence = enrichment.fields[check.field].confidence if check.field in enrichment.fields else 1.0
    return QuestionAnswer(
        question_id=question.id,
        reasoning=check_sentence(check.field, check.operator, check.value, actual, result),
        answer="yes" if result else "no",
        confidence=round(confidence, 3),
        evidence=evidence,
        flags=["structured_check"],
    )


def _evaluate_events(
    question: QualifyingQuestion, check: StructuredCheck, event_type: str, lead: Lead, now: datetime
) -> QuestionAnswer:
    since = now - timedelta(days=check.within_days) if check.within_days else None
    matching = [
        (i, e)
        for i, e in enumerate(lead.events)
        if e.type == event_type and (since is None or since <= e.timestamp <= now)
    ]
    if not matching:
        # No tracked event is absence of evidence, not evidence of absence.
        return _unknown(question, missing_sentence(check.field, check.within_days))
    result = compare(len(matching), check)
    evidence = [Evidence(source="event", ref=str(i), quote=render_event(e)) for i, e in matching[:5]]
    return QuestionAnswer(
        question_id=question.id,
        reasoning=event_sentence(event_type, len(matching), check.within_days, check.operator, check.value),
        answer="yes" if result else "no",
        confidence=1.0,
        evidence=evidence,
        flags=["structured_check"],
    )


def _quote(value: Value) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value)


def _unknown(question: QualifyingQuestion, reasoning: str) -> QuestionAnswer:
    return QuestionAnswer(
        question_id=question.id, reasoning=reasoning, answer="unknown", confidence=0.0, flags=["structured_check"]
    )
