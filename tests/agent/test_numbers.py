"""The shared number reader: words, digits, European separators, fractions only with a scale."""

from __future__ import annotations

import pytest

from agent.numbers import words_to_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("forty", 40),
        ("forty grand", 40_000),
        ("twenty-five thousand", 25_000),
        ("half a million", 500_000),
        ("two hundred and fifty thousand", 250_000),
        ("a couple hundred", 200),
        ("a dozen", 12),
        ("1,200", 1200),
        ("25.000", 25_000),
        ("1.5", 1.5),
        ("zero", 0),
        ("half", None),
        ("banana", None),
        ("", None),
    ],
)
def test_words_to_number(text: str, value: float | None) -> None:
    assert words_to_number(text) == value
