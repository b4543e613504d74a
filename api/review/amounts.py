"""Money as reps type it: "35,000", "35.000", "35 000", "35k", "€35.000", "USD 1.2m", "35000.50" — one reading each.

Separators: with both ',' and '.', the last one is the decimal mark; a single kind repeated, or followed by exactly
three digits, groups thousands ("35,000", "35.000"); otherwise it is the decimal mark ("35,5", "35.50").
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

ACCEPTED = "digits with an optional currency and k (thousand) or m (million), e.g. 35000, 35,000, 35k or €35.000"
SYMBOLS = {"€": "EUR", "$": "USD", "us$": "USD", "£": "GBP", "¥": "JPY", "c$": "CAD", "a$": "AUD", "chf": "CHF"}
SCALE = {"": 1, "k": 1_000, "m": 1_000_000, "mm": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000}
_SHAPE = re.compile(
    r"^(?P<cur1>[a-z]{3}|us\$|c\$|a\$|[€$£¥])?(?P<num>[\d.,' ]+)(?P<scale>k|mm|mn|m|bn)?"
    r"(?P<cur2>[a-z]{3}|[€$£¥])?$"
)


class AmountError(ValueError):
    """A text that is not an amount; the message says what is accepted."""


def _number(text: str) -> Decimal:
    text = text.replace(" ", "").replace("'", "")
    commas, dots = text.count(","), text.count(".")
    if commas and dots:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        grouping = "." if decimal_mark == "," else ","
        text = text.replace(grouping, "").replace(decimal_mark, ".")
    elif commas or dots:
        mark = "," if commas else "."
        tail = text.rsplit(mark, 1)[1]
        text = text.replace(mark, "") if (commas + dots > 1 or len(tail) == 3) else text.replace(mark, ".")
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        raise AmountError(text)
    return Decimal(text)


def parse_amount(value: str) -> tuple[Decimal, str | None]:
    """(amount, ISO currency or None) from what a rep typed; AmountError naming what is accepted otherwise."""
    raw = value
    text = re.sub(r"[\s\u00a0\u202f]+", " ", value.strip().lower()).replace(" k", "k").replace(" m", "m")
    text = re.sub(r"^([a-z]{3}|[€$£¥]) ", r"\1", text)
    text = re.sub(r" ([a-z]{3}|[€$£¥])$", r"\1", text)
    found = _SHAPE.match(text)
    if not found or (found["cur1"] and found["cur2"]):
        raise AmountError(f"{raw!r} is not an amount: use {ACCEPTED}")
    currency = found["cur1"] or found["cur2"]
    try:
        amount = _number(found["num"].strip()) * SCALE[found["scale"] or ""]
    except (AmountError, InvalidOperation):
        raise AmountError(f"{raw!r} is not an amount: use {ACCEPTED}") from None
    if -int(amount.as_tuple().exponent) > 2 and (cents := amount.quantize(Decimal("0.01"))) == amount:
        amount = cents  # "1.234k" is 1234.00, not 1234.000 with a digit too many
    code = SYMBOLS.get(currency, currency.upper()) if currency else None
    return amount, code
