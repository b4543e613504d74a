"""Money, counts and timeframes in a clause, in the terms a question compares: per period, per unit × count, dates
resolved against the reference date (quarters, fiscal years, named holidays, 'in six weeks', 'the week of the 14th')."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from agent.facts.quantities import INF, amounts, digitise, timeframes

_PERIOD = re.compile(
    r"(?:\b(?:a|an|per|each|every|/|por|pro|par|al|il|per|na|za|im|au|le)\s*(?P<u>month|year|quarter|week|mes|m[êe]s|ano|"
    r"año|monat|jahr|mois|an|année|anno|mese|maand|jaar|miesi[ąa]c|rok|m[ěe]s[ií]c)\b|"
    r"\b(?P<ly>monthly|annually|annual|yearly|quarterly|weekly|mensual(?:es)?|anual(?:es)?|mensais|monatlich|j[äa]hrlich|"
    r"mensuel(?:le)?s?|annuel(?:le)?s?|mensil[ei]|annu[oi]|maandelijks|jaarlijks|miesi[ęe]cznie|rocznie|m[ěe]s[ií][čc]n[ěe]|"
    r"ro[čc]n[ěe]|p\.a\.|pa)\b|/\s*(?P<ab>mo|yr|mth|month|year|jahr|mes|mois)\b|\b(?P<arr>ARR|MRR)\b)", re.I)
_DAYS = {"month": 30.44, "year": 365.25, "quarter": 91.3, "week": 7.0}
_WORD_PERIOD = {"mes": "month", "mês": "month", "mes.": "month", "ano": "year", "año": "year", "monat": "month",
                "jahr": "year", "mois": "month", "an": "year", "année": "year", "anno": "year", "mese": "month",
                "maand": "month", "jaar": "year", "rok": "year", "mth": "month"}
_ONE_OFF = re.compile(r"\b(one[- ]off|one[- ]time|once|set-?up|setup fee|implementation fee|onboarding fee|einmalig\w*|"
                      r"ponctuel\w*|[úu]nic[oa]|una tantum|eenmalig\w*|jednorazow\w*|jednor[áa]zov\w*)\b", re.I)
_PER_UNIT = re.compile(r"(?:per|a|each|/|pro|par|por)\s*(?P<unit>seat|user|license|licence|agent|rep|tech\w*|truck|vehicle|"
                       r"site|location|venue|employee|head|plant|driver)s?\b", re.I)


def period_of(text: str) -> float | None:
    """Days in the period a money text speaks of ('a month' → 30.44), None when it names none."""
    m = _PERIOD.search(text)
    if not m:
        return None
    word = (m.group("u") or m.group("ly") or m.group("ab") or m.group("arr") or "").lower()
    if m.group("arr"):
        return 365.25 if word == "arr" else 30.44
    if m.group("ly"):
        if word.startswith("m"):  # monthly, mensual, mensais, monatlich, mensuel, mensile, maandelijks, miesięcznie, měsíčně
            return 30.44
        if word.startswith(("quart",)):
            return 91.3
        if word.startswith("week"):
            return 7.0
        return 365.25
    base = _WORD_PERIOD.get(word, word)
    if base.startswith(("mie", "měs", "mes")):
        base = "month"
    return _DAYS.get(base)


@dataclass(frozen=True)
class Money:
    low: float
    high: float
    text: str
    period_days: float | None
    one_off: bool


def money(text: str) -> list[Money]:
    """Money amounts with their period; '$40 per seat, 30 seats' becomes the total for 30 seats."""
    out = []
    for q in amounts(text, "money"):
        i = text.find(q.text)
        after = text[i + len(q.text): i + len(q.text) + 40] if i >= 0 else ""
        low, high = q.low, q.high
        unit = _PER_UNIT.match(after.strip())
        if unit:
            rest = text[:i] + " " + after.strip()[unit.end():] if i >= 0 else text
            n = _unit_count(digitise(rest), unit.group("unit"))
            if n is None:
                continue  # a per-seat price without a seat count is not a budget
            low, high = low * n, (high * n if high != INF else INF)
            after = after[unit.end():]
        out.append(Money(low, high, q.text, period_of(after[:30]) or period_of(text[max(0, i - 12):i]),
                         bool(_ONE_OFF.search(text))))
    return out


def _unit_count(text: str, unit: str) -> float | None:
    """The count of `unit` a text states ('30 seats'), if any."""
    stem = unit.lower()[:4]
    for m in re.finditer(r"(\d[\d,.]*)\s+(?:\w+\s+)?(\w+)", text):
        if m.group(2).lower().startswith(stem):
            try:
                return float(m.group(1).replace(",", ""))
            except ValueError:
                continue
    return None


def annualise(m: Money, target_days: float | None) -> tuple[float, float]:
    """The amount over the question's period (a stated period; none stated is taken as the question's own)."""
    if target_days is None or m.period_days is None:
        return m.low, m.high
    f = target_days / m.period_days
    return m.low * f, (m.high * f if m.high != INF else INF)


# --- dates --------------------------------------------------------------------------------------------------------

def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _easter(year: int) -> date:
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    return date(year, month, (h + l_ - 7 * m + 33 * month + 19) % 32)


_HOLIDAYS = {
    "black friday": lambda y: _nth_weekday(y, 11, 3, 4) + timedelta(days=1),
    "cyber monday": lambda y: _nth_weekday(y, 11, 3, 4) + timedelta(days=4),
    "thanksgiving": lambda y: _nth_weekday(y, 11, 3, 4),
    "christmas": lambda y: date(y, 12, 25), "xmas": lambda y: date(y, 12, 25), "weihnachten": lambda y: date(y, 12, 24),
    "noël": lambda y: date(y, 12, 25), "navidad": lambda y: date(y, 12, 25), "natal": lambda y: date(y, 12, 25),
    "natale": lambda y: date(y, 12, 25), "kerst": lambda y: date(y, 12, 25), "new year": lambda y: date(y + 1, 1, 1),
    "easter": _easter, "ostern": _easter, "pâques": _easter, "pascua": _easter, "pasqua": _easter, "pasen": _easter,
    "memorial day": lambda y: _nth_weekday(y, 5, 0, 5) if _nth_weekday(y, 5, 0, 5).month == 5 else _nth_weekday(y, 5, 0, 4),
    "labor day": lambda y: _nth_weekday(y, 9, 0, 1), "labour day": lambda y: _nth_weekday(y, 9, 0, 1),
    "independence day": lambda y: date(y, 7, 4), "fourth of july": lambda y: date(y, 7, 4),
    "canada day": lambda y: date(y, 7, 1),
}
_HOLIDAY_RE = re.compile(r"\b(?P<pre>before|by|until|after|around|for|ahead of|in time for)?\s*(?P<h>"
                         + "|".join(sorted(map(re.escape, _HOLIDAYS), key=len, reverse=True)) + r")\b", re.I)
_END_OF_NEXT = re.compile(r"\b(?:by |before )?(?:the )?end of (?:the )?(?P<w>next|this|the current|current) "
                          r"(?P<u>quarter|month|year|fiscal year|half)\b", re.I)
_WEEK_OF = re.compile(r"\b(?:the )?week of (?:the )?(?P<d>\d{1,2})(?:st|nd|rd|th)\b", re.I)
_FY_MONTH = re.compile(r"\b(?:fiscal|financial) year (?:starts|begins|kicks off) in (?P<m>[A-Z][a-z]+)", re.I)
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}


@dataclass(frozen=True)
class When:
    start: date
    end: date
    text: str
    open_ended: bool = False  # 'not until March': from then on

    def days(self, ref: date) -> tuple[float, float]:
        return float((self.start - ref).days), INF if self.open_ended else float((self.end - ref).days)


def _quarter_end(year: int, q: int) -> date:
    month = 3 * q
    return date(year, month, calendar.monthrange(year, month)[1])


def dates(text: str, ref: date) -> list[When]:
    """Timeframes in a clause, resolved against `ref`; a point deadline is a one-day interval."""
    out: list[When] = []
    for m in _END_OF_NEXT.finditer(text):
        step = 1 if m.group("w").lower() == "next" else 0
        unit = m.group("u").lower()
        if unit == "quarter":
            q = (ref.month - 1) // 3 + step
            d = _quarter_end(ref.year + q // 4, q % 4 + 1)
        elif unit == "month":
            mo = ref.month - 1 + step
            y, mo = ref.year + mo // 12, mo % 12 + 1
            d = date(y, mo, calendar.monthrange(y, mo)[1])
        elif unit == "half":
            h = (ref.month - 1) // 6 + step
            y, h = ref.year + h // 2, h % 2
            d = date(y, 6 * h + 6, 30 if h == 0 else 31)
        else:
            d = date(ref.year + step, 12, 31)
        out.append(When(ref, d, m.group(0)))
    for m in _HOLIDAY_RE.finditer(text):
        make = _HOLIDAYS[m.group("h").lower()]
        d = make(ref.year)
        if d < ref:
            d = make(ref.year + 1)
        pre = (m.group("pre") or "").lower()
        out.append(When(d, d, m.group(0).strip(), open_ended=pre == "after") if pre == "after" else
                   When(ref, d, m.group(0).strip()))
    for m in _WEEK_OF.finditer(text):
        day = int(m.group("d"))
        y, mo = ref.year, ref.month
        if day < ref.day:
            mo += 1
            if mo == 13:
                y, mo = y + 1, 1
        try:
            d = date(y, mo, day)
        except ValueError:
            continue
        out.append(When(d, d + timedelta(days=6), m.group(0)))
    for m in _FY_MONTH.finditer(text):
        month = _MONTHS.get(m.group("m").lower())
        if month:
            y = ref.year if month >= ref.month else ref.year + 1
            start = date(y, month, 1)
            out.append(When(start, start, m.group(0), open_ended=bool(re.search(r"\bafter\b", text, re.I))))
    if out:
        return out
    for q in timeframes(text, ref):
        assert q.when is not None
        out.append(When(q.when[0], q.when[1], q.text, open_ended=q.high == INF))
    return out
