"""Builds the LLM judge from settings: endpoint, retry budget, structured-output method, prices and spend caps."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Literal

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from agent.budget import DEFAULT_PRICES, BudgetConfig, Price, SpendTracker
from agent.judges.llm import LLMJudge
from agent.llm import LLMConfig, Method, ProbeResult, StructuredLLM
from api.leads.models import ScorecardRow
from api.settings import BACKOFF_SECONDS, MAX_RETRY_AFTER_SECONDS, Settings
from library.schemas import Library


def load_prices(path: Path | None) -> dict[str, Price]:
    """The default price table, overridden per model by a YAML file of {model: {input_per_million, output_per_million}}."""
    prices = dict(DEFAULT_PRICES)
    if path is None:
        return prices
    raw = yaml.safe_load(path.read_text()) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a mapping of model → prices")
    for model, entry in raw.items():
        try:
            prices[str(model)] = Price(float(entry["input_per_million"]), float(entry["output_per_million"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: model {model!r} needs numeric input_per_million and output_per_million") from exc
    return prices


def spent_today(sessions: sessionmaker[Session], now: datetime) -> float:
    """What today's scorecards cost, so a restart does not reset the daily cap."""
    start = datetime.combine(now.astimezone(UTC).date(), time(0), tzinfo=UTC)
    with sessions() as s:
        total = s.scalar(
            select(func.sum(ScorecardRow.payload["usage"]["cost_usd"].as_float())).where(
                ScorecardRow.created_at >= start
            )
        )
    return float(total or 0.0)


class EndpointUnusable(RuntimeError):
    """The endpoint accepted none of the structured-output methods; the message is one line naming what it rejected."""


def llm_config(settings: Settings) -> LLMConfig:
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    method = "json_schema" if settings.llm_method == "auto" else settings.llm_method  # auto: replaced by the probe
    return LLMConfig(
        model=settings.model,
        base_url=settings.openai_base_url or "https://api.openai.com/v1",
        api_key=key,
        api_version=settings.openai_api_version,
        timeout=settings.llm_timeout,
        timeout_per_1k_tokens=settings.llm_timeout_per_1k_tokens,
        max_attempts=settings.llm_max_attempts,
        structured_output_method=method,
        max_completion_tokens=settings.llm_max_completion_tokens,
        concurrency=settings.llm_concurrency,
        context_tokens=settings.llm_context_tokens,
        prices=load_prices(settings.llm_prices_file),
        max_retry_after=MAX_RETRY_AFTER_SECONDS,
        backoff_seconds=BACKOFF_SECONDS,
    )


def build_llm_judge(
    settings: Settings, library: Library, sessions: sessionmaker[Session]
) -> tuple[LLMJudge, SpendTracker]:
    """The LLM (or hybrid) judge and its spend tracker, seeded from today's recorded costs."""
    spend = SpendTracker(
        BudgetConfig(settings.budget_per_run_usd, settings.budget_per_day_usd),
        spent_today=spent_today(sessions, datetime.now(UTC)),
    )
    mode: Literal["llm", "hybrid"] = "hybrid" if settings.judge == "hybrid" else "llm"
    llm = StructuredLLM(llm_config(settings), spend)
    if settings.llm_method == "auto":
        llm.use(choose_method(probe_sync(llm)))
    local = None
    if mode == "hybrid":  # the embedded engine settles the fact questions; the model reads the free text
        from agent.judges.local import LocalJudge
        from library.embeddings import get_embedder, get_multilingual

        local = LocalJudge(get_embedder(), meaning=get_multilingual())
    judge = LLMJudge(llm, mode=mode, per_question=settings.llm_per_question, personas=library.personas, local=local)
    return judge, spend


def probe_sync(llm: StructuredLLM, *, every_method: bool = False) -> list[ProbeResult]:
    """Probe the endpoint from synchronous code, even when an event loop is already running in this thread."""
    results: list[list[ProbeResult]] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            results.append(asyncio.run(llm.probe(every_method=every_method)))
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=run, name="qualify-llm-probe")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return results[0]


def choose_method(results: list[ProbeResult]) -> Method:
    """The first method that worked, or EndpointUnusable naming what the endpoint rejected."""
    for r in results:
        if r.ok:
            return r.method
    raise EndpointUnusable(
        "the LLM endpoint accepted no structured-output method: "
        + "; ".join(f"{r.method}: {r.detail}" for r in results).replace("\n", " ")
    )
