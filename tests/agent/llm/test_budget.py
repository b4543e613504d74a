"""Price table and spend caps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.budget import BudgetConfig, Price, SpendTracker, cost_usd, estimate_tokens
from agent.errors import BudgetExceededError


def test_cost_uses_the_price_per_million_tokens() -> None:
    prices = {"m": Price(input_per_million=2.0, output_per_million=8.0)}
    assert cost_usd(prices, "m", 1_000_000, 500_000) == pytest.approx(6.0)
    assert cost_usd(prices, "self-hosted", 10_000, 10_000) == 0.0


def test_estimate_is_local_and_rough() -> None:
    assert estimate_tokens("x" * 400) == 101


def test_run_cap_counts_reservations_in_flight_and_resets_per_run() -> None:
    spend = SpendTracker(BudgetConfig(per_run_usd=1.0))
    first = spend.reserve(0.6)
    with pytest.raises(BudgetExceededError):
        spend.reserve(0.6)  # the first call has not settled yet: together they would cross the cap
    spend.settle(first, 0.2)
    spend.settle(spend.reserve(0.6), 0.5)
    with pytest.raises(BudgetExceededError) as caught:
        spend.reserve(0.6)
    assert caught.value.error_class == "budget_exceeded" and caught.value.attempts == 0
    spend.start_run()
    spend.reserve(0.6)


def test_daily_cap_rolls_over_at_midnight_utc() -> None:
    now = [datetime(2026, 11, 20, 23, 0, tzinfo=UTC)]
    spend = SpendTracker(BudgetConfig(per_day_usd=1.0), spent_today=0.9, clock=lambda: now[0])
    with pytest.raises(BudgetExceededError):
        spend.reserve(0.2)
    now[0] += timedelta(hours=2)
    spend.settle(spend.reserve(0.2), 0.1)
    assert spend.spent_today == pytest.approx(0.1)
