"""Money, counts and dates as people say them on calls, normalised (dates relative to the call date).

price-parser reads written amounts and currency signs; number words, "grand"/"k"/"million", quarters, "within 30 days"
and "end of next quarter" are ours, because no offline library reads them. dateparser handles the remaining phrases.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import dateparser
from price_parser import Price

from agent.numbers import SCALES, TENS, UNITS, words_to_number

_NUMBER_WORD = "|".join(sorted([*UNITS, *TENS, "hundred", "thousand", "million", "billion", "dozen", "couple"],
                               key=len, reverse=True))
# A spoken or written quantity: "forty grand", "1.2 million", "$25k", "two hundred and fifty thousand", "20-30k".
QUANTITY = re.compile(
    rf"(?P<cur1>[$€£]|usd|eur|gbp|cad)?\s?(?P<num>(?:\d[\d,.]*|(?:{_NUMBER_WORD})(?:[\s-]+(?:and\s+|a\s+)?(?:{_NUMBER_WORD}))*))"
    r"(?:\s?(?:-|to)\s?(?P<upper>\d[\d,.]*))?\s?(?P<scale>k|grand|thousand|million|mil|mm|m|bn|billion)?\b"
    r"(?:\s?(?P<cur2>dollars|bucks|usd|euros?|eur|pounds|quid|gbp|cad))?",
    re.IGNORECASE)
_CURRENCY = {"$": "USD", "usd": "USD", "dollars": "USD", "bucks": "USD", "€": "EUR", "eur": "EUR", "euro": "EUR",
             "euros": "EUR", "£": "GBP", "gbp": "GBP", "pounds": "GBP", "quid": "GBP", "cad": "CAD"}


@dataclass(frozen=True)
class Money:
    amount: float
    currency: str
    text: str  # the span it was read from

    def __str__(self) -> str:
        return f"{self.amount:g} {self.currency}" if self.amount % 1 else f"{int(self.amount)} {self.currency}"


def quantities(text: str) -> list[tuple[float, float | None, str | None, str]]:
    """Every quantity in a text: (value, upper bound of a range or None, currency or None, matched span)."""
    out = []
    for m in QUANTITY.finditer(text):
        value = words_to_number(m["num"])
        if value is None:
            continue
        scale = SCALES.get((m["scale"] or "").lower(), 1)
        if m["scale"] and m["scale"].lower() == "m" and not m["cur1"]:
            scale = 1  # a bare "5 m" is more often minutes or metres than millions
        upper = words_to_number(m["upper"]) * scale if m["upper"] else None
        if m["upper"] and not m["scale"]:
            upper = words_to_number(m["upper"])
        currency = _CURRENCY.get((m["cur1"] or m["cur2"] or "").lower())
        if currency is None and (m["cur1"] or "").strip():
            currency = Price.fromstring(m["cur1"]).currency
        out.append((value * scale, upper, currency, m.group(0).strip()))
    return out


_NUM = rf"(?:\d[\d,.]*|(?:{_NUMBER_WORD})(?:[\s-]+(?:and\s+)?(?:{_NUMBER_WORD}))*)"
_RANGE = re.compile(rf"\b(?P<low>{_NUM})\s*(?:to|or|and|-)\s*(?P<high>{_NUM})\s?(?P<scale>k|grand|thousand|million)\b",
                    re.IGNORECASE)


def _lower_bound(m: re.Match[str]) -> str:
    low, high = words_to_number(m["low"]), words_to_number(m["high"])
    if low is None or high is None or low >= high:
        return m.group(0)
    return f"{low * SCALES[m['scale'].lower()] / 1000:g}k"


def parse_money(text: str, default_currency: str = "USD") -> Money | None:
    """The largest money amount in a text ('about forty grand' → 40000 USD); a range counts at its lower end."""
    best: Money | None = None
    # "fifteen to twenty grand": the lower bound borrows the upper bound's scale, and the range counts at its lower end.
    text = _RANGE.sub(_lower_bound, text)
    for value, _upper, currency, span in quantities(text):
        looks_like_money = currency is not None or re.search(r"(?i)\d\s?k\b|grand|thousand|million|\bbn\b", span)
        if not looks_like_money or value < 100:
            continue
        if re.search(r"(?i)\b(19|20)\d\d\b", span) and currency is None and value < 2100:
            continue  # a year, not an amount
        money = Money(value, currency or default_currency, span)
        if best is None or money.amount > best.amount:
            best = money
    return best


def parse_count(text: str, unit_words: tuple[str, ...] = ("invoice", "bill"), context: str = "") -> float | None:
    """A monthly count ('about 12k invoices a year' → 1000, 'ten or so a week' → 43); None without a unit word or period.

    `context` (the question being answered) may supply the unit word; the number always comes from `text`.
    """
    lowered = text.lower()
    if not any(w in lowered or w in context.lower() for w in unit_words):
        return None
    per = 1.0
    if re.search(r"\b(a|per|each|every)\s+year\b|\bannual(ly)?\b|\byearly\b", lowered):
        per = 1 / 12
    elif re.search(r"\b(a|per|each|every)\s+week\b|\bweekly\b", lowered):
        per = 52 / 12
    elif re.search(r"\b(a|per|each|every)\s+day\b|\bdaily\b", lowered):
        per = 21.0  # business days in a month
    elif not re.search(r"\b(a|per|each|every)\s+month\b|\bmonthly\b", lowered):
        return None
    found = [v for v, _u, cur, span in quantities(text) if cur is None and not re.fullmatch(r"(19|20)\d\d", span)]
    return round(max(found) * per) if found else None


# Words that make a date in a sentence a target for the project (not, say, a trade show in March).
TIMELINE_WORDS = re.compile(r"\b(go live|live|launch|roll ?out|in place|up and running|running|implemented|deadline|timeline|"
                            r"need|needs|want|wants|switch|ready|fixed|sorted|have it)\b", re.IGNORECASE)


# --- dates -----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class When:
    """A normalised point in time: a date, or a quarter (with its last day as the date to compare)."""

    date: date
    label: str  # "2025-09-30" or "2025-Q3"
    text: str


def _quarter_end(year: int, quarter: int) -> date:
    month = quarter * 3
    return date(year, month, calendar.monthrange(year, month)[1])


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | {
    m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_WORD_NUM = r"(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a couple of|a few)"
_COUNT = {"a": 1, "an": 1, "a couple of": 2, "a few": 3}


def _n(word: str) -> int:
    return _COUNT.get(word.lower()) or int(words_to_number(word) or 0)


def parse_when(text: str, call_date: date) -> When | None:
    """A deadline or target date in a sentence, read relative to the call date ('end of next quarter', 'in Q3')."""
    t = text.lower()
    q_now = (call_date.month - 1) // 3 + 1

    def quarter(year: int, q: int, span: str) -> When:
        return When(_quarter_end(year, q), f"{year}-Q{q}", span)

    if m := re.search(r"\b(?:end of|by the end of|within|by|this|the)?\s*(?:the\s+)?(this|next|current) quarter\b", t):
        q, y = (q_now, call_date.year) if m[1] in ("this", "current") else (q_now % 4 + 1, call_date.year + (q_now == 4))
        return quarter(y, q, m.group(0).strip())
    if m := re.search(r"\b(?:q([1-4])|(first|second|third|fourth) quarter)(?:\s+(?:of\s+)?(?:fy)?'?(\d{2,4}|next year))?", t):
        q = int(m[1]) if m[1] else ["first", "second", "third", "fourth"].index(m[2]) + 1
        year = call_date.year + (1 if q < q_now else 0)
        if m[3]:
            year = call_date.year + 1 if m[3] == "next year" else int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        return quarter(year, q, m.group(0).strip())
    if m := re.search(rf"\b(?:within|in|inside of|in the next)\s+{_WORD_NUM}\s+(day|week|month|year)s?\b", t):
        n, unit = _n(m[1]), m[2]
        delta = {"day": timedelta(days=n), "week": timedelta(weeks=n), "month": timedelta(days=round(30.44 * n)),
                 "year": timedelta(days=365 * n)}[unit]
        d = call_date + delta
        return When(d, d.isoformat(), m.group(0))
    if m := re.search(r"\b(end of|by) (?:the )?(?:this |the )?(year|calendar year|fiscal year)\b|\byear[- ]end\b", t):
        return When(date(call_date.year, 12, 31), f"{call_date.year}-12-31", m.group(0))
    if m := re.search(r"\b(early|mid|middle of|end of|late) next year\b|\bnext year\b", t):
        y = call_date.year + 1
        kind = m[1] or ""
        d = {"early": date(y, 3, 31), "mid": date(y, 6, 30), "middle of": date(y, 6, 30)}.get(kind, date(y, 12, 31))
        return When(d, f"{y}-Q1" if kind == "early" else d.isoformat(), m.group(0))
    if m := re.search(r"\b(?:end of|by the end of) (?:the )?next month\b", t):
        y, mo = (call_date.year + 1, 1) if call_date.month == 12 else (call_date.year, call_date.month + 1)
        return When(_month_end(y, mo), _month_end(y, mo).isoformat(), m.group(0))
    if m := re.search(r"\b(?:end of|by the end of) (?:the |this )?month\b", t):
        d = _month_end(call_date.year, call_date.month)
        return When(d, d.isoformat(), m.group(0))
    month_names = "|".join(sorted(_MONTHS, key=len, reverse=True))
    if m := re.search(rf"\b(?:end of|by the end of|by|before|in|until|from) ({month_names})\b(?!\s+\d)", t):
        mo = _MONTHS[m[1]]
        y = call_date.year + (1 if mo < call_date.month else 0)
        d = _month_end(y, mo)
        if m.group(0).startswith("before"):
            d = date(y, mo, 1) - timedelta(days=1)
        return When(d, d.isoformat(), m.group(0))
    return _dateparser_when(text, call_date)


_DATE_PHRASE = re.compile(
    r"(?i)\b(?:next|this|coming)\s+(?:monday|tuesday|wednesday|thursday|friday|week|month)\b|\btomorrow\b|"
    r"\b(?:on|by|before|until)\s+(?:the\s+)?\d{1,2}(?:st|nd|rd|th)\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?\b|"
    r"\b\d{4}-\d{2}-\d{2}\b|\b(?:monday|tuesday|wednesday|thursday|friday)\b")


def _dateparser_when(text: str, call_date: date) -> When | None:
    base = datetime(call_date.year, call_date.month, call_date.day)
    for m in _DATE_PHRASE.finditer(text):
        phrase = re.sub(r"(?i)^(on|by|before|until)\s+", "", m.group(0))
        found = dateparser.parse(phrase, languages=["en"], settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future"})
        if found is not None:
            return When(found.date(), found.date().isoformat(), m.group(0))
    return None
