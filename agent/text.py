"""Text normalisation shared by evidence checking, judges and prompts."""

from __future__ import annotations

import re
import unicodedata

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


def sentences(text: str) -> list[str]:
    """Split free text into sentence-sized units, keeping each one a verbatim span of the input."""
    parts = re.split(r"(?<=[.!?;])\s+|\n+|\s+-\s+|\s*•\s*", text)
    return [p.strip() for p in parts if p and p.strip()]
