"""Money, counts and timeframes in a clause, in the terms a question compares: per period, per unit × count, dates
resolved against the reference date (quarters, fiscal years, named holidays, 'in six weeks', 'the week of the 14th')."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from agent.facts.timewords import english_time
from agent.facts.quantities import INF, amounts, digitise, timeframes

_PERIOD = re.compile(
    r"(?:\b(?:a|an|per|each|every|/|por|pro|par|al|il|per|na|za|im|au|le)\s*(?P<u>month|year|quarter|week|mes|m[êe]s|ano|"
    r"año|monat|jahr|mois|an|année|anno|mese|maand|jaar|miesi[ąa]c|rok|m[ěe]s[ií]c)\b|"
    r"\b(?P<ly>monthly|annually|annual|yearly|quarterly|weekly|mensual(?:es)?|anual(?:es)?|mensais|monatlich|j[äa]hrlich|"
    r"mensuel(?:le)?s?|annuel(?:le)?s?|mensil[ei]|annu[oi]|maandelijks|jaarlijks|miesi[ęe]cznie|rocznie|m[ěe]s[ií][čc]n[ěe]|"
    r"ro[čc]n[ěe]|p\.a\.|pa)\b|/\s*(?P<ab>mo|yr|mth|month|year|jahr|mes|mois)\b|\b(?P<arr>ARR|MRR)\b)",
    re.I,
)
_DAYS = {"month": 30.44, "year": 365.25, "quarter": 91.3, "week": 7.0}
_WORD_PERIOD = {
    "mes": "month",
    "mês": "month",
    "mes.": "month",
    "ano": "year",
    "año": "year",
    "monat": "month",
    "jahr": "year",
    "mois": "month",
    "an": "year",
    "année": "year",
    "anno": "year",
    "mese": "month",
    "maand": "month",
    "jaar": "year",
    "rok": "year",
    "mth": "month",
}
_ONE_OFF = re.compile(
    r"\b(one[- ]off|one[- ]time|once|set-?up|setup fee|implementation fee|onboarding fee|einmalig\w*|"
    r"(?:for|on) (?:the|an?|our)? ?(?:implementation|migration|onboarding|rollout|roll-out|setup|set-up|integration)"
    r"(?: project| phase| work)?|(?:implementation|migration|onboarding|integration) (?:project|budget|cost)|"
    r"Einf[üu]hrungsprojekt|projet de mise en place|proyecto de implementaci[óo]n|"
    r"ponctuel\w*|[úu]nic[oa]|una tantum|eenmalig\w*|jednorazow\w*|jednor[áa]zov\w*)\b",
    re.I,
)
_PER_UNIT = re.compile(
    r"(?:per|a|each|/|pro|par|por)\s*(?P<unit>seat|user|license|licence|agent|rep|tech\w*|truck|vehicle|"
    r"site|location|venue|employee|head|plant|driver)s?\b",
    re.I,
)


def period_of(text: str) -> float | None:
    """Days in the period a money text speaks of ('a month' → 30.44), None when it names none."""
    m = _PERIOD.search(text)
    if not m:
        return None
    word = (m.group("u") or m.group("ly") or m.group("ab") or m.group("arr") or "").lower()
    if m.group("arr"):
        return 365.25 if word == "arr" else 30.44
    if m.group("ly"):
        if word.startswith(
            "m"
        ):  # monthly, mensual, mensais, monatlich, mensuel, mensile, maandelijks, miesięcznie, měsíčně
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
    currency: str | None = None  # ISO code when the text names one ('€', 'dollars', 'EUR')


def money(text: str, *, assume_money: bool = False) -> list[Money]:
    """Money amounts with their period and currency; '$40 per seat, 30 seats' becomes the total for 30 seats.

    `assume_money` (the clause is about a budget or a price): a bare 'eighteen thousand' is money too."""
    out = []
    work = digitise(text)
    for q in amounts(text, "money", assume_money=assume_money):
        i = work.find(q.text)
        after = work[i + len(q.text) : i + len(q.text) + 60] if i >= 0 else ""
        low, high = q.low, q.high
        unit = _PER_UNIT.match(after.strip())
        if unit:
            rest = work[:i] + " " + after.strip()[unit.end() :] if i >= 0 else work
            n = _unit_count(rest, unit.group("unit"))
            if n is None:
                continue  # a per-seat price without a seat count is not a budget
            low, high = low * n, (high * n if high != INF else INF)
            after = after.strip()[unit.end() :]
        before = work[max(0, i - 14) : i] if i >= 0 else ""
        out.append(
            Money(
                low, high, q.text, period_of(after[:30]) or period_of(before), bool(_ONE_OFF.search(text)), q.currency
            )
        )
    return out


_GROUP_OF = re.compile(
    r"\b(?:(?P<a>\d[\d,.]*) of us|(?:team|group) of (?P<b>\d[\d,.]*)|(?:all|the) (?P<c>\d[\d,.]*) of (?:us|them)|"
    r"(?P<d>\d[\d,.]*) (?:people|persons|staff|employees|users|seats|licen[cs]es|agents|reps|techs?|"
    r"technicians|drivers|trucks|vehicles|sites|locations))\b",
    re.I,
)


def _unit_count(text: str, unit: str) -> float | None:
    """The count of `unit` a text states ('30 seats', 'the fourteen of us', 'a team of 12'), if any."""
    stem = unit.lower()[:4]
    for m in re.finditer(r"(\d[\d,.]*)\s+(?:\w+\s+)?(\w+)", text):
        if m.group(2).lower().startswith(stem):
            try:
                return float(m.group(1).replace(",", ""))
            except ValueError:
                continue
    group = _GROUP_OF.search(text)
    if group:
        raw = next(g for g in group.groups() if g)
        try:
            return float(raw.replace(",", ""))
        except ValueError:
            return None
    return None


def annualise(m: Money, target_days: float | None) -> tuple[float, float]:
    """The amount over the question's period (a stated period; none stated is taken as the question's own)."""
    if target_days is None or m.period_days is None:
        return m.low, m.high
    f = target_days / m.period_days
    whole = round(f) if f >= 1 else 1 / round(1 / f)
    if abs(f - whole) < 0.01 * whole:  # a month is a twelfth of a year, not 365.25 / 30.44 of one
        f = whole
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
    "christmas": lambda y: date(y, 12, 25),
    "xmas": lambda y: date(y, 12, 25),
    "weihnachten": lambda y: date(y, 12, 24),
    "noël": lambda y: date(y, 12, 25),
    "navidad": lambda y: date(y, 12, 25),
    "natal": lambda y: date(y, 12, 25),
    "natale": lambda y: date(y, 12, 25),
    "kerst": lambda y: date(y, 12, 25),
    "new year": lambda y: date(y + 1, 1, 1),
    "easter": _easter,
    "carnival": lambda y: _easter(y) - timedelta(days=47),
    "carnaval": lambda y: _easter(y) - timedelta(days=47),
    "karneval": lambda y: _easter(y) - timedelta(days=47),
    "fasching": lambda y: _easter(y) - timedelta(days=47),
    "carnevale": lambda y: _easter(y) - timedelta(days=47),
    "páscoa": _easter,
    "wielkanoc": _easter,
    "velikonoce": _easter,
    "vánoce": lambda y: date(y, 12, 24),
    "boże narodzenie": lambda y: date(y, 12, 25),
    "kerstmis": lambda y: date(y, 12, 25),
    "ostern": _easter,
    "pâques": _easter,
    "pascua": _easter,
    "pasqua": _easter,
    "pasen": _easter,
    "memorial day": lambda y: (
        _nth_weekday(y, 5, 0, 5) if _nth_weekday(y, 5, 0, 5).month == 5 else _nth_weekday(y, 5, 0, 4)
    ),
    "labor day": lambda y: _nth_weekday(y, 9, 0, 1),
    "labour day": lambda y: _nth_weekday(y, 9, 0, 1),
    "independence day": lambda y: date(y, 7, 4),
    "fourth of july": lambda y: date(y, 7, 4),
    "canada day": lambda y: date(y, 7, 1),
}
_BEFORE_WORDS = r"before|ahead of|antes d[eoa]l?|avant|vor(?: dem| der)?|prima d[ie]l?|voor|przed|p[řr]ed"
_AFTER_WORDS = r"after|nach|apr[èe]s|despu[ée]s d[eo]l?|depois d[oae]|dopo|na|po"
_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "winter": 12}  # first month; each lasts three


def _season(first: int, year: int) -> tuple[date, date]:
    """The season that starts in month `first` of `year`, first to last day (winter ends in the next year)."""
    end_month, end_year = (first + 1) % 12 + 1, year + (first + 1) // 12
    return date(year, first, 1), date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])


_SEASON = re.compile(
    rf"\b(?:(?P<pre>{_BEFORE_WORDS}|{_AFTER_WORDS}|by|until|till|in|around)\s+)?"
    r"(?P<a>(?:the|this|the coming|dem|der|den|le|l'|la|el|o|a|il|de|het)\s*)?"
    r"(?:(?P<w>next|this|coming)\s+)?(?P<s>spring|summer|autumn|fall|winter)\b(?:\s+(?:of\s+)?(?P<y>20\d\d))?",
    re.I,
)
_HOLIDAY_RE = re.compile(
    rf"\b(?P<pre>{_BEFORE_WORDS}|{_AFTER_WORDS}|by|until|around|for|in time for)?\s*(?:the |o |a |le |la |el |"
    r"il |de |dem |der |do |da )?(?P<h>" + "|".join(sorted(map(re.escape, _HOLIDAYS), key=len, reverse=True)) + r")\b",
    re.I,
)
_END_OF_NEXT = re.compile(
    r"\b(?:by |before )?(?:the )?end of (?:the )?(?P<w>next|this|the current|current) "
    r"(?P<u>quarter|month|year|fiscal year|half)\b",
    re.I,
)
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
    """Timeframes in a clause, resolved against `ref`; a point deadline is a one-day interval. The other languages'
    time words are read as their English ones (`english_time`)."""
    text = english_time(text)
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
        if pre and re.fullmatch(_BEFORE_WORDS, pre, re.I):
            d -= timedelta(days=1)  # "before Christmas", "antes do Natal": the 24th at the latest
        after = bool(pre) and bool(re.fullmatch(_AFTER_WORDS, pre, re.I))
        out.append(When(d, d, m.group(0).strip(), open_ended=True) if after else When(ref, d, m.group(0).strip()))
    for m in _SEASON.finditer(text):
        name = m.group("s").lower()
        if name == "fall" and not (m.group("pre") or m.group("a") or m.group("w") or m.group("y")):
            continue  # "fall back to paper", "sales fall": the verb
        first = _SEASONS["autumn" if name == "fall" else name]
        year = int(m.group("y")) if m.group("y") else ref.year
        start, end = _season(first, year)
        # "summer", "next summer": the next one that has not ended; "next" said within the season: the one after
        if not m.group("y") and (end < ref or (m.group("w") or "").lower() == "next" and start <= ref):
            start, end = _season(first, year + 1)
        pre = (m.group("pre") or "").lower()
        if pre and re.fullmatch(_AFTER_WORDS, pre, re.I):
            day_after = end + timedelta(days=1)
            out.append(When(day_after, day_after, m.group(0).strip(), open_ended=True))
        elif pre and re.fullmatch(rf"{_BEFORE_WORDS}|until|till|by", pre, re.I):
            out.append(When(ref, max(ref, start - timedelta(days=1)) if pre != "by" else end, m.group(0).strip()))
        else:
            out.append(When(max(ref, start), end, m.group(0).strip()))
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
    found = [w.text.lower() for w in out]
    for span in timeframes(text, ref):
        assert span.when is not None
        # "after Carnival, around April or May": the months are read too, unless they are part of a phrase above
        if any(span.text.lower() in f or f in span.text.lower() for f in found):
            continue
        out.append(When(span.when[0], span.when[1], span.text, open_ended=span.high == INF))
    return out


# --- the day of a meeting --------------------------------------------------------------------------------------------

_WEEKDAYS: dict[str, int] = {}
for _i, _names in enumerate(
    [
        "monday montag lundi lunes segunda lunedì lunedi maandag poniedziałek poniedzialek pondělí pondeli",
        "tuesday dienstag mardi martes terça terca martedì martedi dinsdag wtorek úterý utery",
        "wednesday mittwoch mercredi miércoles miercoles quarta mercoledì mercoledi woensdag środa środę sroda srode "
        "středa středu streda",
        "thursday donnerstag jeudi jueves quinta giovedì giovedi donderdag czwartek čtvrtek ctvrtek",
        "friday freitag vendredi viernes sexta venerdì venerdi vrijdag piątek piatek pátek patek",
        "saturday samstag samedi sábado sabado sabato zaterdag sobota sobotę sobotu",
        "sunday sonntag dimanche domingo domenica zondag niedziela niedzielę neděle neděli",
    ]
):
    for _n in _names.split():
        _WEEKDAYS[_n] = _i
_WEEKDAY = re.compile(
    r"(?<!\w)(" + "|".join(sorted(map(re.escape, _WEEKDAYS), key=len, reverse=True)) + r")(?!\w)", re.I
)
_NEXT_WEEK = re.compile(
    r"\b(next week|(?:la |da )?semaine prochaine|n[äa]chste[nr]? woche|(?:de |da )?(?:la )?pr[óo]xima "
    r"semana|(?:la )?prossima settimana|volgende week|przysz[łl]ym tygodniu|przysz[łl]y tydzie[ńn]|"
    r"p[řr][íi][šs]t[íi] t[ýy]den)\b",
    re.I,
)
_IN_WEEKS = re.compile(
    r"(?<!\w)(?:in|dans|en|em|tra|fra|over|za)\s+(\d+|two|deux|zwei|dos|duas|due|twee|dwa|dva)\s*(?:weeks?|semaines?|wochen|semanas?|settimane|"
    r"weken|tygodni\w*|t[ýy]dn\w*)(?!\w)",
    re.I,
)
_DAY_OF_MONTH = re.compile(
    r"(?:\bthe\s+|\b(?:le|el|o|il|den|de)\s+)?(?<!\d)([1-9]|[12]\d|3[01])(?:st|nd|rd|th|\.|º|er)?(?!\d|:)"
    r"(?!\s*(?:%|percent|people|weeks?|days?|months?|years?|h\b|am\b|pm\b|[€$£]))",
    re.I,
)
_AFTER_HOLIDAY = re.compile(r"\b(?:after|nach|apr[èe]s|despu[ée]s de|depois d[oae]|dopo|na)\s+(.{3,30})", re.I)


def meeting_day(text: str, ref: date) -> date | None:
    """The day a meeting is set for, from the words people use on calls: 'Thursday 3 December', 'next Tuesday, the
    24th', 'Monday the 7th', 'el jueves de la próxima semana', 'mardi dans deux semaines', 'the Tuesday after
    Thanksgiving', 'the 12th of January'. Never a day before `ref`; None when no single day is named."""
    work = digitise(text)
    wd = _WEEKDAY.search(work)
    weekday = _WEEKDAYS[wd.group(1).lower()] if wd else None
    # A day and a month named: the explicit date wins.
    for w in dates(work, ref):
        if w.start == w.end and w.start >= ref and re.search(r"\d", w.text):
            return w.start
    if weekday is not None and wd is not None:  # weekday is set only when wd matched
        after = _AFTER_HOLIDAY.search(work[wd.end() : wd.end() + 40])
        if after:
            anchor = [w for w in dates(after.group(0), ref) if w.end >= ref]
            if anchor:
                base = anchor[0].end
                return base + timedelta(days=(weekday - base.weekday()) % 7 or 7)
        weeks = _IN_WEEKS.search(work)
        if weeks:
            n = weeks.group(1)
            target = ref + timedelta(weeks=int(n) if n.isdigit() else 2)
            return target + timedelta(days=((weekday - target.weekday() + 3) % 7) - 3)
        if _NEXT_WEEK.search(work):
            monday = ref - timedelta(days=ref.weekday()) + timedelta(weeks=1)
            return monday + timedelta(days=weekday)
    m = _DAY_OF_MONTH.search(work[wd.end() : wd.end() + 14]) if wd else None
    if m is None and not wd:
        m = re.search(r"\bthe\s+([1-9]|[12]\d|3[01])(?:st|nd|rd|th)\b", work, re.I)
    if m is not None:
        day = int(m.group(1))
        for k in range(0, 3):  # this month or the next months that have that day (and that weekday, when named)
            y, mo = ref.year + (ref.month - 1 + k) // 12, (ref.month - 1 + k) % 12 + 1
            if day > calendar.monthrange(y, mo)[1]:
                continue
            d = date(y, mo, day)
            if d >= ref and (weekday is None or d.weekday() == weekday):
                return d
        return None
    if weekday is not None:
        return ref + timedelta(days=(weekday - ref.weekday()) % 7 or 7)
    return None
