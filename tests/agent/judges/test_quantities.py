"""Money, counts and timeframes read from lead text."""

from __future__ import annotations

from datetime import date

import pytest

from agent.facts.quantities import INF, compare, extract, per_period, words_to_number

REF = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("phrase", "value"),
    [
        ("forty", 40),
        ("twenty-five thousand", 25_000),
        ("half a million", 500_000),
        ("two hundred and fifty", 250),
        ("a couple hundred", 200),
        ("half", None),
        ("banana", None),
    ],
)
def test_words_to_number(phrase: str, value: float | None) -> None:
    assert words_to_number(phrase) == value


@pytest.mark.parametrize(
    ("text", "low", "high", "normalised"),
    [
        ("$25k budgeted", 25_000, 25_000, "25000 USD"),
        ("about forty grand set aside", 40_000, 40_000, "40000"),
        ("EUR 30.000 per year", 30_000, 30_000, "30000 EUR"),
        ("25,000 USD approved", 25_000, 25_000, "25000 USD"),
        ("twenty-five thousand dollars", 25_000, 25_000, "25000 USD"),
        ("Budget is 20-30k annually", 20_000, 30_000, "20000-30000"),
        ("up to $50k", 0, 50_000, "<=50000 USD"),
        ("at least £10k", 10_000, INF, ">=10000 GBP"),
    ],
)
def test_money(text: str, low: float, high: float, normalised: str) -> None:
    [q] = extract("money", text, REF)
    assert (q.low, q.high, q.normalised()) == (low, high, normalised)


def test_plain_numbers_are_not_money_and_years_are_not_counts() -> None:
    assert extract("money", "we have 40 people", REF) == []
    assert [q.low for q in extract("number", "In 2025 we had 40 people and waited 30 days", REF)] == [40]


def test_counts_rescale_to_the_questions_period() -> None:
    [q] = extract("number", "about 12k invoices a year", REF)
    assert per_period(q, " invoices a year", 30.44).low == pytest.approx(1000, rel=0.01)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Looking to buy in Q1", date(2027, 1, 1), date(2027, 3, 31)),
        ("next quarter", date(2027, 1, 1), date(2027, 3, 31)),
        ("within 30 days", REF, date(2026, 12, 22)),
        ("by March", REF, date(2027, 3, 31)),
        ("end of year", REF, date(2026, 12, 31)),
        ("Q3 2027", date(2027, 7, 1), date(2027, 9, 30)),
        ("in two weeks", date(2026, 12, 6), date(2026, 12, 6)),
        ("go live 2027-03-31", date(2027, 3, 31), date(2027, 3, 31)),
    ],
)
def test_timeframes(text: str, start: date, end: date) -> None:
    [q] = extract("date", text, REF)
    assert q.when == (start, end)
    assert q.low == (start - REF).days


def test_not_until_opens_the_timeframe() -> None:
    [q] = extract("date", "No budget until next fiscal year", REF)
    assert q.low == (date(2027, 1, 1) - REF).days and q.high == INF
    assert compare(q, "lte", 30) is False
    assert compare(q, "lte", 90) is None  # it may start on 1 January, inside the window


def test_compare_says_none_when_the_threshold_is_inside_the_interval() -> None:
    [q] = extract("money", "somewhere between 10k and 30k", REF)
    assert compare(q, "gte", 15_000) is None
    assert compare(q, "gte", 5_000) is True
    assert compare(q, "gte", 40_000) is False
