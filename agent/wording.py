"""Structured checks in words an SDR would write: "The company has 850 employees — at least the 200 asked for."

Field names, operators and booleans never reach a person: each known field has a phrase, and anything else
falls back to a readable rendering of its dotted name.
"""

from __future__ import annotations

from collections.abc import Sequence

Value = str | int | float | bool | list[str] | None

FIELDS = {
    "company.employees": "the company's headcount",
    "company.country": "the company's country",
    "company.industry": "the company's industry",
    "company.revenue": "the company's revenue",
    "person.title": "the contact's title",
    "person.seniority": "the contact's seniority",
    "person.department": "the contact's department",
    "email.free_mail": "a free-mail address",
}
NUMBER_SUBJECT = {"company.employees": ("The company has {n} employees", "employees")}
ENUM_WORDS = {"c_level": "C-level", "vp": "VP", "director": "director", "manager": "manager"}


def field_words(field: str) -> str:
    """'company.employees' → "the company's headcount"; unknown fields → their name in words."""
    if field in FIELDS:
        return FIELDS[field]
    scope, _, name = field.partition(".")
    return f"the {scope}'s {name.replace('_', ' ')}" if scope in ("company", "person") else name.replace("_", " ")


def number(value: float) -> str:
    """4200 → '4,200'; 3.5 → '3.5'."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def _words(values: Sequence[str]) -> str:
    shown = [ENUM_WORDS.get(v, v.replace("_", " ")) for v in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def check_sentence(field: str, operator: str, expected: Value, actual: Value, met: bool) -> str:
    """One sentence saying what the data shows and whether that meets what the question asks."""
    if field == "email.free_mail":
        free = actual is True or str(actual).casefold() in ("true", "yes", "1")
        return (
            "The e-mail address is from a free-mail provider, not a company domain."
            if free
            else "The e-mail address is on a company domain, not a free-mail provider."
        )
    subject = field_words(field)
    if operator in ("gt", "gte", "lt", "lte"):
        shown = (
            number(float(actual))
            if isinstance(actual, (int, float, str)) and (isinstance(actual, (int, float)) or _numeric(actual))
            else str(actual)
        )
        limit = number(float(expected)) if isinstance(expected, (int, float)) else str(expected)
        want = {
            "gt": f"more than {limit}",
            "gte": f"at least {limit}",
            "lt": f"fewer than {limit}",
            "lte": f"at most {limit}",
        }[operator]
        lead = NUMBER_SUBJECT.get(field, (f"{subject[0].upper()}{subject[1:]} is {{n}}", ""))[0].format(n=shown)
        return f"{lead} — {'that is' if met else 'not'} {want} as the question asks."
    actual_words = _words(actual) if isinstance(actual, list) else ENUM_WORDS.get(str(actual), str(actual))
    head = f"{subject[0].upper()}{subject[1:]} is {actual_words}"
    if operator in ("in", "not_in") and isinstance(expected, list):
        inside = met if operator == "in" else not met
        return f"{head} — {'one' if inside else 'not one'} of {_words(expected)}."
    if operator == "exists":
        return f"{head}."
    if isinstance(expected, bool):
        return f"{head}."
    verb = "matches" if met else "does not match"
    return f"{head}, which {verb} {expected}."


def _numeric(value: Value) -> bool:
    try:
        float(value)  # type: ignore[arg-type]
        return not isinstance(value, bool)
    except (TypeError, ValueError):
        return False


def event_sentence(event_type: str, count: int, window_days: int | None, operator: str, expected: Value) -> str:
    """'4 pricing page views in the last 7 days — 3 or more asked for.'"""
    what = event_type.replace("_", " ")
    noun = what if count == 1 else (what + "s" if not what.endswith("s") else what)
    window = f" in the last {window_days} days" if window_days else ""
    want = {
        "gte": f"{expected} or more",
        "gt": f"more than {expected}",
        "lte": f"at most {expected}",
        "lt": f"fewer than {expected}",
        "eq": f"exactly {expected}",
    }.get(operator, f"{operator} {expected}")
    return f"{count} {noun}{window} — {want} asked for."


def missing_sentence(field: str, window_days: int | None = None) -> str:
    """Why a check is unknown, in words."""
    if field.startswith("events."):
        window = f" in the last {window_days} days" if window_days else ""
        return f"No {field.split('.', 1)[1].replace('_', ' ')} recorded{window}, so this is not known yet."
    return f"{field_words(field)[0].upper()}{field_words(field)[1:]} is not known from the lead or its enrichment."
