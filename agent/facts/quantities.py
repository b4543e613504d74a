"""Money, counts and timeframes in lead text, as intervals the judge can compare with a question's threshold.

Every quantity is an interval (low, high): "$25k" is (25000, 25000), "up to 50k" is (0, 50000), "Q1" is the quarter's first
and last day. A threshold decides only when the whole interval is on one side of it; the judge treats the rest as unknown.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, timedelta
from typing import Literal

from price_parser.parser import parse_number
from text_to_num import alpha2digit

from agent.numbers import TENS, UNITS, words_to_number

Kind = Literal["money", "number", "date"]
INF = math.inf

# --- words to numbers ---------------------------------------------------------------------------------------------

_SCALE_WORDS = frozenset({"hundred", "thousand", "million", "billion"})
_NUMBER_WORD = "|".join([*UNITS, *TENS, "hundred", "thousand", "million", "billion", "dozen", "half", "couple"])
_WORD_RUN = re.compile(
    rf"\b(?:(?:a|an|a\s+couple\s+of)\s+)?(?:{_NUMBER_WORD})(?:(?:[\s-]+(?:and[\s-]+)?|[\s-]+a[\s-]+)(?:{_NUMBER_WORD}))*\b",
    re.I,
)


# Number words of the other languages text2num reads (German, French, Spanish, Portuguese, Italian, Dutch): a cheap
# test before handing a clause to it, so English-only text never pays for six parsers.
_FOREIGN_NUMBER = re.compile(
    r"(?i)(?:tausend|hundert|zig\b|zehn|zwölf|duizend|honderd|tig\b|tien\b|twaalf|mil\b|mille|mila\b|cent\b|cents\b|"
    r"cien|ciento|cento|centos|vingt|trente|quarante|cinquante|soixante|treinta|cuarenta|cincuenta|sesenta|setenta|"
    r"ochenta|noventa|trinta|quarenta|cinquenta|sessenta|oitenta|venti|trenta|quaranta|cinquanta|sessanta|ottanta|"
    r"novanta|dieci|douze|quinze|seize|doce|quince|dezesseis|sedici|dertig|veertig|vijftig|zestig|twintig|zwanzig|"
    r"dreißig|vierzig|fünfzig|sechzig|dois|duas|três|tres|trois|quatre|cinq|drei|vier|fünf|sechs|sieben|acht|neun|"
    r"cinco|seis|sete|siete|ocho|oito|nueve|nove|due|tre|quattro|sei|sette|otto|twee|drie|vijf|zes|zeven|negen|"
    r"zwei|deux|dos|duas)"
)
_TEXT2NUM_LANGS = ("de", "fr", "es", "pt", "it", "nl")

# Polish and Czech counting words (text2num has neither), with the case forms a count takes after a verb or a
# preposition ("pięciu techników", "pěti technikům"), and the collective words for "about N" in the languages text2num
# reads ("une vingtaine de fournisseurs", "una decina di tecnici"): each stands for its number. Forms that are words
# of another language the judge reads are left out.
_OTHER_NUMBER_WORDS: dict[str, int] = {}
for _value, _forms in {
    1: "jedna jedno jednego",  # not "jeden": German for "every"
    2: "dwa dwie dwóch dwoch dwu dwoma dva dvě dve dvou",
    3: "trzy trzech trzema tři tří třech třem",
    4: "cztery czterech czterema čtyři ctyri čtyř čtyřech",
    5: "pięć pięciu pieciu pět pěti peti",
    6: "sześć szesc sześciu szesciu šest sest šesti sesti",
    7: "siedem siedmiu sedm sedmi",
    8: "osiem ośmiu osmiu osm osmi",
    9: "dziewięć dziewiec dziewięciu devět devet devíti deviti",
    10: "dziesięć dziesiec dziesięciu dziesieciu deset deseti dizaine decina decena dezena tiental",
    11: "jedenaście jedenascie jedenastu jedenáct jedenact jedenácti",
    12: "dwanaście dwanascie dwunastu dvanáct dvanact dvanácti douzaine dozzina docena dúzia duzia Dutzend dozijn",
    13: "trzynaście trzynascie trzynastu třináct trinact třinácti",
    14: "czternaście czternascie czternastu čtrnáct ctrnact čtrnácti",
    15: "piętnaście pietnascie piętnastu pietnastu patnáct patnact patnácti quinzaine quindicina",
    16: "szesnaście szesnascie szesnastu šestnáct sestnact",
    17: "siedemnaście siedemnascie siedemnastu sedmnáct sedmnact",
    18: "osiemnaście osiemnascie osiemnastu osmnáct osmnact",
    19: "dziewiętnaście dziewietnascie dziewiętnastu devatenáct devatenact",
    20: "dwadzieścia dwadziescia dwudziestu dvacet dvaceti vingtaine ventina veintena vintena",
    30: "trzydzieści trzydziesci trzydziestu třicet tricet třiceti trentaine trentina treintena trintena",
    40: "czterdzieści czterdziesci czterdziestu čtyřicet ctyricet quarantaine quarantina",
    50: "pięćdziesiąt piecdziesiat pięćdziesięciu padesát padesat padesáti cinquantaine cinquantina cincuentena",
    60: "sześćdziesiąt szescdziesiat šedesát sedesat soixantaine sessantina",
    70: "siedemdziesiąt sedmdesát",
    80: "osiemdziesiąt osmdesát",
    90: "dziewięćdziesiąt devadesát",
    100: "centaine centinaio centenar centena",  # not "sto": Italian for "I am" ("sto cercando")
}.items():
    for _form in _forms.split():
        _OTHER_NUMBER_WORDS[_form.lower()] = _value
_OTHER_NUMBER = re.compile(
    r"(?<!\w)(" + "|".join(sorted(map(re.escape, _OTHER_NUMBER_WORDS), key=len, reverse=True)) + r")(?!\w)", re.I
)


_TUSSEN = re.compile(r"(\btussen\s+(?:de\s+)?\d[\d.,]*)\s+en\s+(?=\d)", re.I)


@lru_cache(maxsize=8192)
def digitise(text: str) -> str:
    """Replace spelled-out numbers by digits so one set of patterns reads both ('forty grand' → '40 grand',
    'dois mil euros' → '2000 euros'); English by agent.numbers, six more languages by text2num."""

    def repl(m: re.Match[str]) -> str:
        word = m.group(0).strip().lower()
        if word in _SCALE_WORDS and re.search(r"\d[\d.,]*\s*$", text[: m.start()]):
            return m.group(0)  # "€212 million", "40 thousand": a scale after digits, read with them by the money parser
        value = words_to_number(m.group(0))
        if value is None or word in ("a", "an"):
            return m.group(0)
        if value >= 1e15:
            return m.group(0)
        return str(int(value)) if value == int(value) else f"{value:g}"

    out = _WORD_RUN.sub(repl, text)
    # Dutch "tussen 15 en 25" is a range; a bare "en" is Spanish and French "in" ("40 en 2 sedes") as often
    out = _TUSSEN.sub(r"\g<1> tot ", out)
    if _OTHER_NUMBER.search(out):
        out = _OTHER_NUMBER.sub(lambda m: str(_OTHER_NUMBER_WORDS[m.group(1).lower()]), out)
    if _FOREIGN_NUMBER.search(out):
        # The language whose parser consumes the most words is the text's ("dois mil" is Portuguese 2000, not
        # Spanish "mil" after an unknown word).
        candidates = [out]
        for lang in _TEXT2NUM_LANGS:
            try:
                candidates.append(alpha2digit(out, lang))
            except (ValueError, TypeError):  # a parser refusing odd text leaves it as it was
                continue
        out = min(candidates, key=len)
    return out


# --- money and counts -------------------------------------------------------------------------------------------------

_CUR_PREFIX = r"(?:US\$|R\$|MX\$|CA\$|C\$|A\$|\$|€|£|USD|EUR|GBP|CAD|AUD|CHF|BRL|MXN|PLN|CZK)"
_CUR_SUFFIX = (
    r"(?:€|£|\$|USD|EUR|GBP|CAD|AUD|CHF|BRL|MXN|COP|ARS|CLP|PLN|CZK|SEK|NOK|DKK|dollars?|d[óo]lares|euros?|pounds?|"
    r"bucks|libras?|reais|pesos|z[łl]otych|z[łl]|k[čc]|korun|franken|francs?)"
)
_CURRENCY = {
    "$": "USD",
    "us$": "USD",
    "€": "EUR",
    "£": "GBP",
    "dollar": "USD",
    "dollars": "USD",
    "bucks": "USD",
    "r$": "BRL",
    "mx$": "MXN",
    "ca$": "CAD",
    "c$": "CAD",
    "a$": "AUD",
    "dólares": "USD",
    "dolares": "USD",
    "libra": "GBP",
    "libras": "GBP",
    "reais": "BRL",
    "złotych": "PLN",
    "zł": "PLN",
    "zlotych": "PLN",
    "zl": "PLN",
    "kč": "CZK",
    "kc": "CZK",
    "korun": "CZK",
    "franken": "CHF",
    "franc": "CHF",
    "francs": "CHF",
    "euro": "EUR",
    "euros": "EUR",
    "pound": "GBP",
    "pounds": "GBP",
}
_NUM = r"\d{1,3}(?:[.,\u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d{1,3}(?: \d{3})+(?![\d.,])|\d+(?:[.,]\d+)?"
# Thousand, million and billion as the nine languages write them after digits ("15 mil", "40 tys.", "1,5 Mio.").
_THOUSAND_WORDS = r"mil|mille|mila|tausend|tsd\.?|tys\.?|tis\.?|duizend"
_MILLION_WORDS = (
    r"mio\.?|mln\.?|millones|mill[oó]n|milh[aã]o|milh[oõ]es|millions?|milion[ei]?|miliony|milion[uů]|miljoen"
)
_BILLION_WORDS = r"mrd\.?|mld\.?|milliarden?|milliards?|miliard\w*|miljard"
_SCALE = (
    rf"(?:k|K|m|M|mm|MM|bn|thousand|million|billion|grand|{_THOUSAND_WORDS}|{_MILLION_WORDS}|{_BILLION_WORDS})(?!\w)"
)
_AMOUNT = rf"(?P<p{{i}}>{_CUR_PREFIX})?\s?(?P<n{{i}}>{_NUM})\s?(?P<s{{i}}>{_SCALE})?"
_AMOUNT1, _AMOUNT2 = _AMOUNT.replace("{i}", "1"), _AMOUNT.replace("{i}", "2")
_QUANTITY = re.compile(
    rf"(?P<q>\b(?:about|around|approx(?:imately|\.)?|roughly|circa|~|at least|over|more than|above|north of|upwards of|"
    rf"up to|under|less than|fewer than|below|at most|no more than|max(?:imum)?|min(?:imum)?)\s*)?"
    rf"(?<![\w.,]){_AMOUNT1}"
    # a range, "to" or "and" in each language read: "800-1,200", "tra 800 e 1.200", "entre 800 y 1200", "od 5 do 10"
    rf"(?:\s*(?:-|–|to|and|bis|und|[àa]|al|do|e|y|et|i|tot)\s*{_AMOUNT2})?"
    # "2 millones de pesos", "15 milioni di euro": the currency after a scale word and "de"/"di".
    rf"(?P<plus>\+)?(?:(?<=[^\W\d]|\.)\s+(?:de|di)(?=\s+{_CUR_SUFFIX}(?!\w)))?\s?(?P<c>{_CUR_SUFFIX}(?!\w))?",
    re.I,
)
_SCALE_VALUE = {"k": 1e3, "thousand": 1e3, "grand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}


def _scale_value(scale: str) -> float:
    word = scale.lower().rstrip(".")
    if word in _SCALE_VALUE:
        return _SCALE_VALUE[word]
    for pattern, value in ((_THOUSAND_WORDS, 1e3), (_MILLION_WORDS, 1e6), (_BILLION_WORDS, 1e9)):
        if re.fullmatch(rf"(?:{pattern})", word + ".", re.I) or re.fullmatch(rf"(?:{pattern})", word, re.I):
            return value
    return 1.0


_AT_LEAST = ("at least", "over", "more than", "above", "north of", "upwards of", "min", "minimum")
_AT_MOST = ("up to", "under", "less than", "fewer than", "below", "at most", "no more than", "max", "maximum")
_TIME_UNIT = re.compile(r"^\s*(?:days?|weeks?|months?|years?|quarters?|hours?|%|percent|am|pm)\b", re.I)
_YEAR = re.compile(r"^(?:19|20)\d\d$")


@dataclass(frozen=True)
class Quantity:
    kind: Kind
    low: float  # for dates: days from the reference date
    high: float
    text: str  # the span as written
    currency: str | None = None
    when: tuple[date, date] | None = None  # dates only

    def normalised(self) -> str:
        """The value as stored on an answer: '40000 USD', '800', '2027-03-31'."""
        if self.when is not None:
            return f">={self.when[0].isoformat()}" if self.high == INF else self.when[1].isoformat()

        def fmt(x: float) -> str:
            return f"{x:.0f}" if x == int(x) else f"{x:g}"

        if self.low == self.high:
            core = fmt(self.low)
        elif self.high == INF:
            core = f">={fmt(self.low)}"
        elif self.low == 0:
            core = f"<={fmt(self.high)}"
        else:
            core = f"{fmt(self.low)}-{fmt(self.high)}"
        return f"{core} {self.currency}" if self.currency else core


def _amount(m: re.Match[str], i: int) -> float | None:
    raw = m.group(f"n{i}")
    if raw is None:
        return None
    number = parse_number(raw.replace(" ", ""))
    if number is None:
        return None
    return float(number) * _scale_value(m.group(f"s{i}") or "")


def amounts(text: str, kind: Literal["money", "number"], *, assume_money: bool = False) -> list[Quantity]:
    """Money amounts (a currency or k/grand/m marks them) or plain counts (money, years and durations excluded).

    `assume_money`: the clause is about money already ('we set aside eighteen thousand'), so a bare amount of a
    thousand or more that is not a year or a duration counts as money too."""
    work = digitise(text)
    found: list[Quantity] = []
    for m in _QUANTITY.finditer(work):
        cur_raw = (m.group("p1") or m.group("p2") or m.group("c") or "").lower()
        scale = (m.group("s1") or m.group("s2") or "").lower()
        is_money = bool(cur_raw) or scale in ("k", "grand", "m", "mm", "bn")
        if (
            not is_money
            and assume_money
            and kind == "money"
            and not _TIME_UNIT.match(work[m.end() :])
            and not (_YEAR.match(m.group("n1")) and not m.group("s1"))
        ):
            value = _amount(m, 1)
            is_money = value is not None and value >= 1000
        if kind == "money" and not is_money:
            continue
        if kind == "number" and (
            bool(cur_raw)
            or scale == "grand"
            or _TIME_UNIT.match(work[m.end() :])
            or (_YEAR.match(m.group("n1")) and not m.group("s1"))
        ):
            continue
        low, high = _amount(m, 1), _amount(m, 2)
        if low is None:
            continue
        if high is not None and m.group("s2") and not m.group("s1") and low < 1000 <= high:
            low *= _scale_value(m.group("s2"))  # "20-30k" means 20k to 30k
        qualifier = (m.group("q") or "").strip().lower().rstrip(".")
        if high is None:
            high = low
            if qualifier in _AT_LEAST or m.group("plus"):
                high = INF
            elif qualifier in _AT_MOST:
                low = 0.0
        currency = _CURRENCY.get(cur_raw, cur_raw.upper()) if cur_raw else None
        found.append(Quantity(kind, min(low, high), max(low, high), m.group(0).strip(), currency))
    return found


# --- timeframes -----------------------------------------------------------------------------------------------------

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS |= {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30.44, "quarter": 91.3, "year": 365.25}


def _quarter_bounds(year: int, q: int) -> tuple[date, date]:
    start = date(year, 3 * q - 2, 1)
    end_month = 3 * q
    return start, date(year, end_month, calendar.monthrange(year, end_month)[1])


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _upcoming_month(ref: date, month: int, year: int | None) -> int:
    return year if year else (ref.year if month >= ref.month else ref.year + 1)


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    y = int(raw.lstrip("'"))
    return y + 2000 if y < 100 else y


_DATE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"\b(?P<n>\d+(?:\.\d+)?)\s*(?:-|to)\s*(?P<m>\d+)\s*(?P<u>day|week|month|quarter|year)s?\b", re.I),
        "range",
    ),
    (
        re.compile(
            r"\b(?P<w>within|in|in the next|over the next|inside of|next)\s+(?P<n>\d+(?:\.\d+)?|a|an)\s*"
            r"(?P<u>day|week|month|quarter|year)s?\b",
            re.I,
        ),
        "span",
    ),
    # "en seis semanas", "dans 6 semaines", "in zwei Wochen", "entro 3 mesi", "binnen 6 weken", "za 2 tygodnie" …
    (
        re.compile(
            r"(?<!\w)(?P<w>en|em|dans|d'ici|in|innerhalb von|binnen|entro|tra|fra|za|b[ěe]hem|w ci[ąa]gu|do|"
            r"dentro de|nas pr[óo]ximas|en las pr[óo]ximas|nei prossimi|nelle prossime)\s+(?P<n>\d+)\s*"
            r"(?P<u>jours?|semaines?|mois|d[íi]as|semanas|meses|dias|Tagen?|Wochen|Monaten?|giorni|settimane|mesi|"
            r"dagen|weken|maanden|dni|tygodni\w*|miesi[ęe]c\w*|dn[ůíi]|t[ýy]dn\w*|m[ěe]s[íi]c\w*)(?!\w)",
            re.I,
        ),
        "span",
    ),
    (
        re.compile(r"\b(?P<n>\d+(?:\.\d+)?)\s*(?P<u>day|week|month|quarter|year)s?\s+(?:out|from now|away)\b", re.I),
        "out",
    ),
    (
        re.compile(
            r"\b(?:(?P<fy>FY)\s?(?P<fyy>'?\d{2,4})|(?P<q>Q[1-4]|H[12])(?:\s*(?:of\s+)?(?P<qy>20\d\d|'?\d\d\b|next year))?)",
            re.I,
        ),
        "period",
    ),
    (
        re.compile(
            r"\b(?:(?P<part>early|mid|late)\s+)?"
            r"(?P<which>this|next|the next|current|end of(?: the)?|end of this|by end of(?: the)?|by the end of(?: the)?)\s+"
            r"(?P<what>fiscal year|financial year|year|quarter|month|week|half)\b",
            re.I,
        ),
        "relative",
    ),
    (re.compile(r"\b(?:year[- ]end|EOY|end of year|EOQ|EOM)\b", re.I), "abbr"),
    (re.compile(r"\b(?:asap|immediately|right away|right now|urgently|as soon as possible)\b", re.I), "now"),
    (
        re.compile(
            rf"\b(?P<day1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon1>{_MONTH_RE})\.?,?\s*(?P<y1>20\d\d)?\b|"
            rf"\b(?P<mon2>{_MONTH_RE})\.?\s+(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\b,?\s*(?P<y2>20\d\d)?|"
            rf"\b(?P<iso>20\d\d-\d\d-\d\d)\b",
            re.I,
        ),
        "day",
    ),
    (
        re.compile(
            rf"\b(?P<pre>end of|early|mid|late|by|in|before|until|after)?\s*(?P<mon>{_MONTH_RE})\b\.?\s*(?P<y>20\d\d)?",
            re.I,
        ),
        "month",
    ),
    # "end of 2027", "by 2028", "early 2027": a year with the word that places it.
    (
        re.compile(r"\b(?P<pre>by the end of|end of|early|mid|late|by|before|until|after|in)\s+(?P<y>20\d\d)\b", re.I),
        "year",
    ),
]


def _unit_word(word: str) -> str:
    """A duration unit in any of the read languages → day / week / month / quarter / year."""
    w = word.lower()
    if w.rstrip("s") in _UNIT_DAYS:
        return w.rstrip("s")
    if w.startswith(("sem", "woch", "sett", "week", "tydz", "tygod", "týd", "tyd")):
        return "week"
    if w.startswith(("mois", "mes", "monat", "maand", "miesi", "měs", "mês")):
        return "month"
    return "day"


def _interval(kind: str, m: re.Match[str], ref: date) -> tuple[date, date] | None:
    g = m.groupdict()
    if kind in ("range", "span", "out"):
        n = 1.0 if (g.get("n") or "").lower() in ("a", "an") else float(g["n"])
        unit = _UNIT_DAYS[_unit_word(g["u"])]
        if kind == "range":
            return ref + timedelta(days=n * unit), ref + timedelta(days=float(g["m"]) * unit)
        end = ref + timedelta(days=n * unit)
        exact = kind == "out" or g["w"].lower() in ("in", "en", "em", "dans", "tra", "fra", "za")
        return (end if exact else ref), end
    if kind == "period":
        if g["fy"]:
            y = _year(g["fyy"]) or ref.year
            return date(y, 1, 1), date(y, 12, 31)  # fiscal year taken as the calendar year
        label, raw_year = g["q"].upper(), (g["qy"] or "").lower()
        n = int(label[1])
        year = ref.year + 1 if raw_year == "next year" else _year(raw_year)
        if label[0] == "H":
            start, end = date(year or ref.year, 6 * n - 5, 1), _month_bounds(year or ref.year, 6 * n)[1]
        else:
            start, end = _quarter_bounds(year or ref.year, n)
        if year is None and end < ref:  # "Q1" said in November means next year's Q1
            start, end = start.replace(year=start.year + 1), end.replace(year=end.year + 1)
        return start, end
    if kind == "relative":
        which, what = g["which"].lower(), g["what"].lower()
        step = 1 if which in ("next", "the next") else 0
        if what in ("year", "fiscal year", "financial year"):
            y = ref.year + step
            start, end = date(y, 1, 1), date(y, 12, 31)
            part = (g.get("part") or "").lower()
            if part:  # "early next year", "Anfang nächsten Jahres": the part of the year, as "early 2027" reads
                start, end = {
                    "early": (date(y, 1, 1), date(y, 3, 31)),
                    "mid": (date(y, 5, 1), date(y, 8, 31)),
                    "late": (date(y, 9, 1), date(y, 12, 31)),
                }[part]
                return (max(ref, start) if step == 0 else start), end
        elif what == "half":
            h = (ref.month - 1) // 6 + step
            y, h = ref.year + h // 2, h % 2
            start, end = date(y, 6 * h + 1, 1), _month_bounds(y, 6 * h + 6)[1]
        elif what == "quarter":
            q = (ref.month - 1) // 3 + step
            start, end = _quarter_bounds(ref.year + q // 4, q % 4 + 1)
        elif what == "month":
            mo = ref.month - 1 + step
            start, end = _month_bounds(ref.year + mo // 12, mo % 12 + 1)
        else:
            start = ref - timedelta(days=ref.weekday()) + timedelta(weeks=step)
            end = start + timedelta(days=6)
        return (ref if step == 0 else start), end  # "this"/"end of" run from today; "next" is the whole period
    if kind == "abbr":
        word = m.group(0).lower()
        if word == "eoq":
            return ref, _quarter_bounds(ref.year, (ref.month - 1) // 3 + 1)[1]
        if word == "eom":
            return ref, _month_bounds(ref.year, ref.month)[1]
        return ref, date(ref.year, 12, 31)
    if kind == "now":
        return ref, ref + timedelta(days=14)
    if kind == "day":
        if g["iso"]:
            d = date.fromisoformat(g["iso"])
        else:
            mon = _MONTHS[(g["mon1"] or g["mon2"]).lower()]
            day = int(g["day1"] or g["day2"])
            year = _year(g["y1"] or g["y2"])
            try:
                d = date(year or ref.year, mon, day)
            except ValueError:
                return None
            if year is None and d < ref:
                d = d.replace(year=d.year + 1)
        return d, d
    if kind == "year":
        y, pre = int(g["y"]), g["pre"].lower()
        if pre in ("end of", "by the end of", "late"):
            start, end = date(y, 9 if pre == "late" else 12, 1), date(y, 12, 31)
            return (ref, end) if pre == "by the end of" else (start, end)
        if pre == "early":
            return date(y, 1, 1), date(y, 3, 31)
        if pre == "mid":
            return date(y, 5, 1), date(y, 8, 31)
        if pre in ("by", "until"):
            return ref, date(y, 12, 31)
        if pre == "before":
            return ref, date(y - 1, 12, 31)
        if pre == "after":
            return date(y + 1, 1, 1), date(y + 1, 12, 31)
        return date(y, 1, 1), date(y, 12, 31)
    if kind == "month":
        if (
            g["mon"].lower() in ("may", "mar", "jan", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "feb", "apr")
            and not (g["pre"] or g["y"])
            and g["mon"][0].islower()
        ):
            return None  # "may" and friends in lower case are words, not months
        mon = _MONTHS[g["mon"].lower()]
        start, end = _month_bounds(_upcoming_month(ref, mon, _year(g["y"])), mon)
        pre = (g["pre"] or "").lower()
        if pre in ("by", "before", "until"):
            return ref, end
        if pre == "end of" or pre == "late":
            return start + timedelta(days=20), end
        if pre == "early":
            return start, start + timedelta(days=10)
        return start, end
    return None


# "not until March", "not before Q3": the timeframe starts then and is open-ended.
_NOT_BEFORE = re.compile(
    r"(?:\b(?:not|no)|n't)\s+(?:\w+\s+){0,3}?(?:until|before|till|sooner than)\s*$|\bafter\s*$", re.I
)
_PRE_WORD = re.compile(r"^(?:by|before|until|in)\s+", re.I)


def timeframes(text: str, ref: date) -> list[Quantity]:
    """Timeframes in text relative to `ref`: 'Q1', 'next quarter', 'within 30 days', 'by March', 'next fiscal year' …"""
    work = digitise(text)
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, Quantity]] = []
    for pattern, kind in _DATE_PATTERNS:
        for m in pattern.finditer(work):
            if not m.group(0).strip() or any(m.start() < e and s < m.end() for s, e in taken):
                continue
            span = _interval(kind, m, ref)
            if span is None:
                continue
            taken.append((m.start(), m.end()))
            start, end = span
            head = _PRE_WORD.match(m.group(0))
            context = work[max(0, m.start() - 30) : m.start() + (head.end() if head else 0)]
            if _NOT_BEFORE.search(context):
                if head and kind == "month":  # "not until March": from the start of March, not from today
                    start = _month_bounds(
                        start.year if start > ref else _upcoming_month(ref, end.month, None), end.month
                    )[0]
                elif kind == "year" and m.group("pre").lower() in ("before", "until"):
                    # "not before 2028" (frühestens 2028), "not until 2028": from the start of 2028, not from today
                    start = date(int(m.group("y")), 1, 1)
                    end = max(end, start)
                high = INF
            else:
                high = float((end - ref).days)
            found.append(
                (m.start(), Quantity("date", float((start - ref).days), high, m.group(0).strip(), when=(start, end)))
            )
    return [q for _, q in sorted(found, key=lambda x: x[0])]


def extract(kind: Kind, text: str, ref: datetime | date) -> list[Quantity]:
    """All quantities of one kind in a text."""
    if kind == "date":
        return timeframes(text, ref.date() if isinstance(ref, datetime) else ref)
    return amounts(text, kind)


def compare(q: Quantity, operator: Literal["gte", "lte"], value: float, offset: float = 0.0) -> bool | None:
    """Whether the interval meets `operator value`; None when the threshold falls inside it.

    `offset` shifts a date interval (days from the text's reference date) to days from the judgment's `now`.
    """
    low, high = q.low + offset, q.high + offset
    if operator == "gte":
        return True if low >= value else False if high < value else None
    return True if high <= value else False if low > value else None


_PERIOD = re.compile(
    r"\b(?:(?:a|an|per|each|every|/)\s*(?P<u>day|week|month|quarter|year)|(?P<ly>daily|weekly|monthly|quarterly|"
    r"yearly|annually|annual)|/\s*(?P<abbr>mo|yr|wk))\b",
    re.I,
)
_PERIOD_DAYS = {
    "day": 1,
    "daily": 1,
    "week": 7,
    "weekly": 7,
    "wk": 7,
    "month": 30.44,
    "monthly": 30.44,
    "mo": 30.44,
    "quarter": 91.3,
    "quarterly": 91.3,
    "year": 365.25,
    "yearly": 365.25,
    "annually": 365.25,
    "annual": 365.25,
    "yr": 365.25,
}


def period_days(text: str) -> float | None:
    """The rate period a text speaks of ('a month' → 30.44, 'annually' → 365.25), or None."""
    m = _PERIOD.search(text)
    if not m:
        return None
    return _PERIOD_DAYS[(m.group("u") or m.group("ly") or m.group("abbr")).lower()]


def per_period(q: Quantity, following: str, target_days: float | None) -> Quantity:
    """Rescale a count to the question's period: '12k invoices a year' is 1000 a month."""
    own = period_days(following[:40])
    if own is None or target_days is None or own == target_days:
        return q
    factor = target_days / own
    return Quantity(q.kind, q.low * factor, q.high * factor if q.high != INF else INF, q.text, q.currency)
