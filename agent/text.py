"""Text normalisation shared by evidence checking, judges and prompts."""

from __future__ import annotations

import re
import unicodedata

from agent.facts.timewords import MONTH_NAME

# Zero-width, bidi controls and Unicode tag characters: invisible, and a known way to hide instructions.
_HIDDEN = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]")
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)
_SPACE = re.compile(r"\s+")


def strip_hidden(text: str) -> tuple[str, bool]:
    """Remove invisible characters; say whether any were removed."""
    cleaned = _HIDDEN.sub("", text)
    return cleaned, cleaned != text


def normalise(text: str) -> str:
    """Fold the differences a verbatim quote may legitimately show: case, width, quotes, dashes, white space."""
    text = unicodedata.normalize("NFKC", strip_hidden(text)[0]).translate(_QUOTES)
    return _SPACE.sub(" ", text).strip().casefold()


_BREAK = re.compile(r"(?<=[.!?;])\s+|\n+|\s+-\s+|\s*•\s*")
# A full stop that ends an abbreviation, not a sentence: "900 Mio. Euro", "ca. 40", "z.B. Excel", "1,2 mld. zł".
_ABBREVIATION = re.compile(
    r"(?<![^\W\d_])(?:mio|mrd|tsd|mln|mld|tys|mil|tis|ca|cca|approx|bzw|resp|nr|dr|mr|mrs|ms|vs|e\.g|i\.e|z\.b|u\.a|d\.h|"
    r"p\.ex|ggf|inkl|zzgl|evtl)\.$",
    re.I,
)
# "am 1. März", "do 15. ledna": a day of the month written with a stop, before the month's name
_DAY_STOP = re.compile(r"(?<!\d)\d{1,2}\.$")
_MONTH_AHEAD = re.compile(rf"(?:{MONTH_NAME}|quartal\w*|halbjahr\w*)\b", re.I)


def sentences(text: str) -> list[str]:
    """Split free text into sentence-sized units, keeping each one a verbatim span of the input. A stop after an
    abbreviation ("Mio.", "ca.", "z.B.") or a day of the month ("1. März") ends no sentence."""
    parts, start = [], 0
    for m in _BREAK.finditer(text):
        head = text[start : m.start()]
        if text[m.start() - 1 : m.start()] == "." and m.group(0).strip() == "":
            if _ABBREVIATION.search(head) or (_DAY_STOP.search(head) and _MONTH_AHEAD.match(text, m.end())):
                continue
        parts.append(head)
        start = m.end()
    parts.append(text[start:])
    return [p.strip() for p in parts if p and p.strip()]
