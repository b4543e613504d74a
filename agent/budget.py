"""Spend control for LLM calls: a price table, and caps per batch run and per day that stop new calls.

A call reserves its worst-case cost (estimated prompt tokens + max completion tokens) before it is sent and settles the
real cost from the response's `usage` afterwards, so concurrent calls cannot overshoot a cap together.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from agent.errors import BudgetExceededError


@dataclass(frozen=True)
class Price:
    """US dollars per one million tokens."""

    input_per_million: float
    output_per_million: float


PriceTable = Mapping[str, Price]

# Published list prices at the time of writing; a deployment overrides them through its own table.
DEFAULT_PRICES: dict[str, Price] = {
    "gpt-4o-mini": Price(0.15, 0.60),
    "gpt-4o": Price(2.50, 10.00),
    "gpt-4.1-mini": Price(0.40, 1.60),
    "gpt-4.1": Price(2.00, 8.00),
}


def cost_usd(prices: PriceTable, model: str, prompt_tokens: int, completion_tokens: int) -> float:
    """Cost of one call; a model missing from the table (a self-hosted one) costs nothing."""
    price = prices.get(model)
    if price is None:
        return 0.0
    return (prompt_tokens * price.input_per_million + completion_tokens * price.output_per_million) / 1_000_000


def estimate_tokens(text: str) -> int:
    """Rough token count (4 characters a token) computed locally: tokenizers like tiktoken download their files."""
    return len(text) // 4 + 1


@dataclass(frozen=True)
class BudgetConfig:
    """Spend caps in US dollars; None means no cap."""

    per_run_usd: float | None = None
    per_day_usd: float | None = None


@dataclass
class Reservation:
    amount: float
    settled: bool = False


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class SpendTracker:
    """Running totals for the current batch run and the current UTC day.

    `spent_today` seeds the day's total (the API layer loads it from its records after a restart).
    """

    config: BudgetConfig = field(default_factory=BudgetConfig)
    spent_today: float = 0.0
    clock: Callable[[], datetime] = _utc_now
    spent_run: float = 0.0
    _reserved: float = 0.0
    _day: date | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start_run(self) -> None:
        """Begin a new batch run: the per-run total starts again from zero."""
        with self._lock:
            self.spent_run = 0.0

    def reserve(self, amount: float) -> Reservation:
        """Hold a call's worst-case cost, or raise BudgetExceededError when a cap would be crossed."""
        with self._lock:
            self._roll_day()
            for name, cap, spent in (
                ("per-run", self.config.per_run_usd, self.spent_run),
                ("daily", self.config.per_day_usd, self.spent_today),
            ):
                if cap is not None and spent + self._reserved + amount > cap:
                    raise BudgetExceededError(
                        f"{name} spend cap of ${cap:.4f} reached (spent ${spent:.4f}, in flight ${self._reserved:.4f})",
                        attempts=0,
                        error_class="budget_exceeded",
                    )
            self._reserved += amount
        return Reservation(amount)

    def settle(self, reservation: Reservation, actual_usd: float) -> None:
        """Release a reservation and book what the call really cost (0 when it failed before any usage)."""
        with self._lock:
            if reservation.settled:
                return
            reservation.settled = True
            self._reserved = max(0.0, self._reserved - reservation.amount)
            self._roll_day()
            self.spent_run += actual_usd
            self.spent_today += actual_usd

    def _roll_day(self) -> None:
        today = self.clock().astimezone(UTC).date()
        if self._day is not None and today != self._day:
            self.spent_today = 0.0
        self._day = today
