"""Numbers written in words or digits — "forty grand", "half a million", "25.000", "a couple hundred" — shared by the
embedded judge and the transcript extractor so both read a prospect's amounts the same way."""

from __future__ import annotations

import re

UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
SCALES = {
    "hundred": 100,
    "thousand": 1_000,
    "grand": 1_000,
    "k": 1_000,
    "million": 1_000_000,
    "mil": 1_000_000,
    "m": 1_000_000,
    "mm": 1_000_000,
    "billion": 1_000_000_000,
    "bn": 1_000_000_000,
}
_SKIP = {"and", "of", "-"}


def words_to_number(text: str) -> float | None:
    """'forty five thousand' → 45000, 'half a million' → 500000, '1,200' → 1200, '25.000' → 25000; None otherwise.

    A fraction on its own ("half the team") is not a quantity.
    """
    raw = text.strip().lower().replace(",", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", raw):  # "25.000" written the European way
        return float(raw.replace(".", ""))
    try:
        return float(raw)
    except ValueError:
        pass
    total, current, seen = 0.0, 0.0, False
    for word in re.split(r"[\s-]+", raw):
        if not word or word in _SKIP:
            continue
        if word in ("a", "an"):
            current = current or 1
        elif word == "half":
            current, seen = 0.5, True
        elif word == "couple":
            current, seen = (current if current > 1 else 0) + 2, True
        elif word == "dozen":
            current, seen = (current or 1) * 12, True
        elif word in UNITS:
            current, seen = current + UNITS[word], True
        elif word in TENS:
            current, seen = current + TENS[word], True
        elif word == "hundred":
            current, seen = (current or 1) * 100, True
        elif word in SCALES:
            total, current, seen = total + (current or 1) * SCALES[word], 0.0, True
        else:
            return None
    value = total + current
    if not seen or (value < 1 and value != 0):
        return None
    return value
