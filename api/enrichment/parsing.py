"""Parsing the cells of a companies CSV: revenue text, head counts, countries, domains."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from agent.enrichment.countries import country_code
from agent.enrichment.domains import is_free_mail, registrable_domain

_EMPTY = {"", "-", "—", "n/a", "na", "none", "null", "unknown", "?"}
_SCALE = {
    "k": 10**3,
    "thousand": 10**3,
    "m": 10**6,
    "mm": 10**6,
    "mn": 10**6,
    "mio": 10**6,
    "million": 10**6,
    "millions": 10**6,
    "b": 10**9,
    "bn": 10**9,
    "billion": 10**9,
    "billions": 10**9,
    "t": 10**12,
    "tn": 10**12,
    "trillion": 10**12,
}
_AMOUNT = re.compile(r"^(?:usd|us\$|\$)?\s*(\d[\d,]*(?:\.\d+)?|\.\d+)\s*([a-z]+)?\.?\s*(?:usd)?$", re.IGNORECASE)
_COUNT = re.compile(r"^(\d[\d,]*(?:\.\d+)?)\s*(k)?\s*(\+)?$", re.IGNORECASE)
_RANGE = re.compile(r"^(\d[\d,]*)\s*(?:-|–|to)\s*(\d[\d,]*)$", re.IGNORECASE)


def is_empty(text: str | None) -> bool:
    """Whether a cell says nothing ("", "n/a", "-")."""
    return text is None or text.strip().casefold() in _EMPTY


def parse_revenue(text: str | None, unit: int = 1) -> int | None:
    """US dollars from "36.9 Million", "$1.2B", "1,234,567"; a bare number is multiplied by `unit` (e.g. 10**6)."""
    if text is None or is_empty(text):
        return None
    match = _AMOUNT.match(text.strip())
    if match is None:
        raise ValueError(f"not an amount: {text!r}")
    number, word = match.groups()
    if word is not None and word.casefold() not in _SCALE:
        raise ValueError(f"unknown scale {word!r} in {text!r}")
    try:
        amount = Decimal(number.replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {text!r}") from exc
    return int(amount * (_SCALE[word.casefold()] if word else unit))


def parse_employees(text: str | None) -> int | None:
    """A head count from "1,200", "40.0", "1.2k", "10,001+" or a range "51-200" (its midpoint)."""
    if text is None or is_empty(text):
        return None
    cleaned = text.strip()
    ranged = _RANGE.match(cleaned)
    if ranged:
        low, high = (int(g.replace(",", "")) for g in ranged.groups())
        if high < low:
            raise ValueError(f"range {text!r} runs backwards")
        return (low + high) // 2
    match = _COUNT.match(cleaned)
    if match is None:
        raise ValueError(f"not a head count: {text!r}")
    count = Decimal(match.group(1).replace(",", "")) * (1000 if match.group(2) else 1)
    if count > 10_000_000:
        raise ValueError(f"implausible head count: {text!r}")
    return int(count)


def parse_country(text: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code of a country cell; ValueError when it names no known country."""
    if is_empty(text):
        return None
    code = country_code(text)
    if code is None:
        raise ValueError(f"unknown country: {text!r}")
    return code


def parse_domain(text: str | None) -> str | None:
    """The registrable domain of a domain or website cell; ValueError for junk or a free-mail provider."""
    if is_empty(text):
        return None
    domain = registrable_domain(text)
    if domain is None:
        raise ValueError(f"not a domain or website: {text!r}")
    if is_free_mail(domain):
        raise ValueError(f"{domain} is a free-mail provider, not a company domain")
    return domain
