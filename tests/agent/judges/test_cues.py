"""Negation, hedging and bare replies."""

from __future__ import annotations

import pytest

from agent.judges.cues import bare_reply, hedge_cue, negated, soft_hedged


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No budget until next fiscal year", True),
        ("We don't have funds", True),
        ("Not until Q3", True),
        ("We never use spreadsheets", True),
        ("Budget freeze across the group", True),
        ("Budget approved", False),
        ("Live no later than March", False),
        ("No doubt we need this", False),
    ],
)
def test_negated(text: str, expected: bool) -> None:
    assert negated(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("might have some, need to check", "might"),
        ("Not sure about budget", "Not sure"),
        ("Budget TBD", "TBD"),
        ("I need to check with the CFO", "need to check"),
        ("Are you hiring?", None),
        ("Budget is approved", None),
    ],
)
def test_hedge_cue(text: str, expected: str | None) -> None:
    assert hedge_cue(text) == expected


def test_soft_hedges_are_not_strong_ones() -> None:
    assert soft_hedged("probably Q1") and hedge_cue("probably Q1") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes", "yes"),
        ("Yep.", "yes"),
        ("Not yet", "no"),
        ("no", "no"),
        ("No - still on paper", "no"),
        ("We have 3 entities", None),
    ],
)
def test_bare_reply(text: str, expected: str | None) -> None:
    assert bare_reply(text) == expected
