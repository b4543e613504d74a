"""Money, counts and dates, read against a fixed call date."""

from __future__ import annotations

from datetime import date

import pytest

from agent.transcripts.normalise import parse_count, parse_money, parse_when, words_to_number

CALL = date(2026, 11, 12)  # a Thursday in Q4


@pytest.mark.parametrize("text, expected", [
    ("We set aside about forty grand for it.", "40000 USD"),
    ("$25k budgeted for this year", "25000 USD"),
    ("EUR 30.000 per year", "30000 EUR"),
    ("We approved a hundred and twenty thousand euros a year", "120000 EUR"),
    ("Realistically fifteen to twenty grand a year", "15000 USD"),
    ("$60-80k a year is realistic", "60000 USD"),
    ("1.2 million for the programme", "1200000 USD"),
    ("£30,000 a year", "30000 GBP"),
])
def test_money(text: str, expected: str) -> None:
    assert str(parse_money(text)) == expected


@pytest.mark.parametrize("text", ["We went live in 2025.", "About 12 people in finance.", "No budget at all."])
def test_not_money(text: str) -> None:
    assert parse_money(text) is None


@pytest.mark.parametrize("text, expected", [
    ("forty", 40), ("two hundred and fifty thousand", 250_000), ("a couple hundred", 200), ("1,200", 1200),
    ("nine hundred", 900), ("banana", None),
])
def test_words_to_number(text: str, expected: float | None) -> None:
    assert words_to_number(text) == expected


@pytest.mark.parametrize("text, context, expected", [
    ("Around 2,000 invoices a month.", "", 2000),
    ("We process about 12k invoices a year.", "", 1000),
    ("Only a handful of bills, ten or so a week.", "", 43),
    ("About eight hundred a month, give or take.", "How many invoices do you process?", 800),
    ("About eight hundred a month, give or take.", "", None),  # no unit word anywhere
    ("Lots of invoices.", "", None),  # no period
])
def test_counts(text: str, context: str, expected: float | None) -> None:
    assert parse_count(text, context=context) == expected


@pytest.mark.parametrize("text, label, day", [
    ("We want it live by the end of next quarter.", "2027-Q1", date(2027, 3, 31)),
    ("Live by the end of this quarter.", "2026-Q4", date(2026, 12, 31)),
    ("We want it in Q3.", "2027-Q3", date(2027, 9, 30)),  # Q3 has passed this year, so next year's
    ("Ideally in Q4.", "2026-Q4", date(2026, 12, 31)),
    ("Fixed within 30 days.", "2026-12-12", date(2026, 12, 12)),
    ("In place in the next six weeks.", "2026-12-24", date(2026, 12, 24)),
    ("Before January.", "2026-12-31", date(2026, 12, 31)),
    ("By the end of the year.", "2026-12-31", date(2026, 12, 31)),
    ("Early next year.", "2027-Q1", date(2027, 3, 31)),
    ("A demo next Thursday?", "2026-11-19", date(2026, 11, 19)),
    ("Send it by March 3rd.", "2027-03-03", date(2027, 3, 3)),
])
def test_when_relative_to_the_call_date(text: str, label: str, day: date) -> None:
    when = parse_when(text, CALL)
    assert when is not None and (when.label, when.date) == (label, day)


def test_no_date() -> None:
    assert parse_when("We have a lot of invoices.", CALL) is None
