"""LLM judge throughput and cost shape, against the fake OpenAI-compatible server (no network, no key).

Prints:
  1. leads/s for N sample leads through the whole pipeline with a fixed endpoint latency (500 ms), at concurrency
     1, 4 and 16, against the limit set by latency and concurrency: concurrency / (latency × LLM calls per lead);
  2. LLM calls and prompt tokens per lead in `llm` and `hybrid` modes over all sample leads, and the share of leads that
     needed no call at all (hard-disqualified, or every applicable question answered by a structured check).

    .venv/bin/python benchmarks/llm_throughput.py [--leads 200] [--latency 0.5] [--concurrency 1 4 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.deps import Deps  # noqa: E402
from agent.enrichment.directory import CompanyDirectory, DirectoryProvider  # noqa: E402
from agent.enrichment.email import EmailProvider  # noqa: E402
from agent.enrichment.lead import LeadProvider  # noqa: E402
from agent.enrichment.titles import TitleProvider  # noqa: E402
from agent.judges.base import JudgeRequest, JudgeResult  # noqa: E402
from agent.judges.llm import LLMJudge, Mode  # noqa: E402
from agent.judges.local import LocalJudge  # noqa: E402
from agent.llm import LLMConfig, StructuredLLM  # noqa: E402
from agent.pipeline import qualify_lead  # noqa: E402
from agent.schemas import Lead  # noqa: E402
from library.embeddings import get_embedder, get_multilingual  # noqa: E402
from library.loader import load_library  # noqa: E402
from agent.retrieve import LibraryRetriever  # noqa: E402
from tests.fakes.openai_server import FakeOpenAIServer, all_unknown  # noqa: E402

LIBRARY_DIR = ROOT / "library" / "data" / "ledgerly"
LEADS_FILE = ROOT / "samples" / "ledgerly" / "leads.jsonl"


def load_leads() -> list[Lead]:
    return [Lead.model_validate_json(line) for line in LEADS_FILE.read_text().splitlines() if line.strip()]


def make_deps(base_url: str, mode: Mode, concurrency: int) -> Deps:
    library = load_library(LIBRARY_DIR)
    embedder = get_embedder()
    config = LLMConfig(model="bench-model", base_url=base_url, api_key=None, concurrency=concurrency, timeout=30)
    judge = LLMJudge(
        StructuredLLM(config),
        mode=mode,
        personas=library.personas,
        local=LocalJudge(embedder, meaning=get_multilingual()) if mode == "hybrid" else None,
    )
    enrichers = [LeadProvider(), EmailProvider(), DirectoryProvider(CompanyDirectory([])), TitleProvider(library)]
    return Deps(
        library=library,
        snapshot_id=library.snapshot_id(),
        retriever=LibraryRetriever(library, embedder),
        judge=judge,
        enrichers=enrichers,
        embedding_model=embedder.name,
    )


async def run(leads: list[Lead], deps: Deps, workers: int) -> tuple[float, list[tuple[int, int]]]:
    """Qualify the leads with a pool of workers, as a batch worker would; the judge bounds in-flight calls itself.

    More workers than call slots lets one lead's enrichment and retrieval (CPU) overlap other leads' waiting.
    """
    queue: asyncio.Queue[tuple[int, Lead]] = asyncio.Queue()
    for item in enumerate(leads):
        queue.put_nowait(item)
    usage: list[tuple[int, int]] = [(0, 0)] * len(leads)

    async def worker() -> None:
        while not queue.empty():
            i, lead = queue.get_nowait()
            draft = await qualify_lead(lead, deps, lead_id=f"bench-{i}")
            usage[i] = (draft.usage.llm_calls, draft.usage.prompt_tokens)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return time.perf_counter() - started, usage


class RecordingJudge:
    """Delegates to a judge and keeps every request, so the judge can later be timed on its own."""

    def __init__(self, inner: LLMJudge):
        self.inner, self.name, self.version = inner, inner.name, inner.version
        self.requests: list[JudgeRequest] = []

    async def judge(self, request: JudgeRequest) -> JudgeResult:
        self.requests.append(request)
        return await self.inner.judge(request)


def judge_requests(leads: list[Lead]) -> list[JudgeRequest]:
    """The judge requests the pipeline makes for these leads (after enrichment, retrieval and hard rules)."""
    with FakeOpenAIServer(responder=all_unknown) as server:
        deps = make_deps(server.base_url, "llm", 16)
        recorder = RecordingJudge(deps.judge)  # type: ignore[arg-type]
        asyncio.run(run(leads, replace(deps, judge=recorder), workers=32))
    return recorder.requests


async def judge_only(requests: list[JudgeRequest], base_url: str, level: int) -> float:
    config = LLMConfig(model="bench-model", base_url=base_url, api_key=None, concurrency=level, timeout=30)
    judge = LLMJudge(StructuredLLM(config))
    started = time.perf_counter()
    await asyncio.gather(*(judge.judge(r) for r in requests))
    return time.perf_counter() - started


def _serve(latency: float, conn: Connection) -> None:
    with FakeOpenAIServer(responder=all_unknown, latency=latency) as server:
        conn.send(server.base_url)
        conn.recv()
        conn.send(server.max_in_flight)


@contextmanager
def endpoint(latency: float) -> Iterator[tuple[str, list[int]]]:
    """The fake server in its own process, as a real endpoint would be: it must not compete for this one's GIL."""
    parent, child = multiprocessing.get_context("spawn").Pipe()
    process = multiprocessing.get_context("spawn").Process(target=_serve, args=(latency, child), daemon=True)
    process.start()
    peak: list[int] = []
    try:
        yield parent.recv(), peak
    finally:
        parent.send("stop")
        peak.append(parent.recv())
        process.join(5)


def throughput(leads: list[Lead], latency: float, levels: list[int]) -> None:
    print(f"1. Throughput: {len(leads)} leads, fixed endpoint latency {latency * 1000:.0f} ms, mode llm")
    print("   pipeline: whole qualify_lead, 2 workers per call slot; judge: the LLM judge alone on the same requests")
    print(
        f"   {'concurrency':>11} {'stage':>8} {'leads/s':>8} {'limit':>8} {'of limit':>8} {'calls/lead':>10} "
        f"{'max in flight':>13}"
    )
    requests = judge_requests(leads)
    for level in levels:
        with endpoint(latency) as (base_url, peak):
            seconds, usage = asyncio.run(run(leads, make_deps(base_url, "llm", level), workers=2 * level))
        calls = sum(c for c, _ in usage) / len(usage)
        _row(level, "pipeline", len(leads) / seconds, latency, calls, peak[0])
        with endpoint(latency) as (base_url, peak):
            seconds = asyncio.run(judge_only(requests, base_url, level))
        _row(level, "judge", len(requests) / seconds, latency, 1.0, peak[0])


def _row(level: int, stage: str, rate: float, latency: float, calls: float, peak: int) -> None:
    limit = level / (latency * calls) if calls and latency else float("inf")
    print(f"   {level:>11} {stage:>8} {rate:>8.2f} {limit:>8.2f} {rate / limit:>8.0%} {calls:>10.2f} {peak:>13}")


def modes(leads: list[Lead]) -> None:
    print(f"\n2. Calls and prompt tokens per lead over {len(leads)} sample leads (latency 0)")
    print(
        f"   {'mode':>6} {'calls/lead':>10} {'prompt tok/lead':>15} {'tok/call':>8} {'median tok/call':>15} "
        f"{'no call needed':>14}"
    )
    for mode in ("llm", "hybrid"):
        with FakeOpenAIServer(responder=all_unknown) as server:
            _, usage = asyncio.run(run(leads, make_deps(server.base_url, mode, 16), workers=32))  # type: ignore[arg-type]
        calls = sum(c for c, _ in usage)
        tokens = sum(t for _, t in usage)
        none = sum(1 for c, _ in usage if c == 0) / len(usage)
        per_call = sorted(t / c for c, t in usage if c)
        median = statistics.median(per_call) if per_call else 0.0
        print(
            f"   {mode:>6} {calls / len(usage):>10.2f} {tokens / len(usage):>15.0f} {tokens / max(calls, 1):>8.0f} "
            f"{median:>15.0f} {none:>14.1%}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    args = parser.parse_args()
    leads = load_leads()
    sample = (leads * (args.leads // len(leads) + 1))[: args.leads]
    print(json.dumps({"library": LIBRARY_DIR.name, "sample_leads": len(leads)}))
    throughput(sample, args.latency, args.concurrency)
    modes(leads)


if __name__ == "__main__":
    main()
