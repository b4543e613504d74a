"""The LLM judge against a real OpenAI-compatible server (never CI): per-call latency, tokens, calls, parse failures.

Reads only its arguments and OPENAI_BASE_URL / OPENAI_API_KEY / QUALIFY_MODEL (this script is an edge, like api/).
Start a local server first (see docs/llm-endpoints.md), for example:

    llama-server -m model.gguf --jinja -c 8192 --host 127.0.0.1 --port 8080
    ollama serve & ollama pull qwen2.5:3b-instruct          # then OPENAI_BASE_URL=http://127.0.0.1:11434/v1
    vllm serve Qwen/Qwen2.5-3B-Instruct --enable-auto-tool-choice --tool-call-parser hermes --port 8001

    OPENAI_BASE_URL=http://127.0.0.1:8080/v1 QUALIFY_MODEL=local .venv/bin/python benchmarks/real_llm.py [--leads 5]

Prints the probe's outcome per method, the method chosen, then one row per lead: LLM calls, prompt and completion
tokens, latency, and answers degraded by invalid output (`model_output_invalid`) or unverified quotes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.deps import Deps  # noqa: E402
from agent.enrichment.directory import CompanyDirectory, DirectoryProvider  # noqa: E402
from agent.enrichment.email import EmailProvider  # noqa: E402
from agent.enrichment.lead import LeadProvider  # noqa: E402
from agent.enrichment.titles import TitleProvider  # noqa: E402
from agent.judges.llm import LLMJudge  # noqa: E402
from agent.llm import LLMConfig, StructuredLLM  # noqa: E402
from agent.pipeline import qualify_lead  # noqa: E402
from agent.schemas import Lead  # noqa: E402
from api.llm_wiring import choose_method, probe_sync  # noqa: E402
from library.embeddings import get_embedder  # noqa: E402
from library.loader import load_library  # noqa: E402
from agent.retrieve import LibraryRetriever  # noqa: E402

LEADS_FILE = ROOT / "samples" / "ledgerly" / "leads.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=5)
    parser.add_argument("--mode", choices=["llm", "hybrid"], default="llm")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--per-1k", type=float, default=15.0, help="timeout seconds per 1k prompt tokens")
    args = parser.parse_args()
    base_url = os.environ.get("OPENAI_BASE_URL")
    if not base_url:
        sys.exit("set OPENAI_BASE_URL (see the docstring)")
    config = LLMConfig(
        model=os.environ.get("QUALIFY_MODEL", "local"),
        base_url=base_url,
        api_key=os.environ.get("OPENAI_API_KEY"),
        timeout=args.timeout,
        timeout_per_1k_tokens=args.per_1k,
        concurrency=1,
    )
    llm = StructuredLLM(config)
    results = probe_sync(llm, every_method=True)
    for r in results:
        print(f"probe {'ok' if r.ok else 'no':2} {r.method:16} {r.detail}")
    llm.use(choose_method(results))
    print(f"method chosen: {llm.config.structured_output_method}\n")

    library = load_library(ROOT / "library" / "data" / "ledgerly")
    embedder = get_embedder()
    deps = Deps(
        library=library,
        snapshot_id=library.snapshot_id(),
        retriever=LibraryRetriever(library, embedder),
        judge=LLMJudge(llm, mode=args.mode, personas=library.personas),
        enrichers=[LeadProvider(), EmailProvider(), DirectoryProvider(CompanyDirectory([])), TitleProvider(library)],
        embedding_model=embedder.name,
    )
    leads = [Lead.model_validate_json(x) for x in LEADS_FILE.read_text().splitlines() if x.strip()][: args.leads]
    print(f"{'lead':28} {'calls':>5} {'prompt':>7} {'compl':>6} {'ms/call':>8} {'invalid':>7} {'unverif':>7}")
    totals = [0, 0, 0, 0.0, 0, 0]
    for lead in leads:
        started = time.perf_counter()
        draft = asyncio.run(qualify_lead(lead, deps))
        wall = (time.perf_counter() - started) * 1000
        u = draft.usage
        flags = [f for a in draft.answers for f in a.flags]
        invalid, unverified = flags.count("model_output_invalid"), flags.count("evidence_unverified")
        per_call = wall / u.llm_calls if u.llm_calls else 0.0
        print(
            f"{(lead.external_id or lead.id or '?')[:28]:28} {u.llm_calls:5} {u.prompt_tokens:7} "
            f"{u.completion_tokens:6} {per_call:8.0f} {invalid:7} {unverified:7}"
        )
        for k, v in enumerate([u.llm_calls, u.prompt_tokens, u.completion_tokens, wall, invalid, unverified]):
            totals[k] += v
    n = max(len(leads), 1)
    print(
        f"\nper lead: {totals[0] / n:.2f} calls, {totals[1] / n:.0f} prompt tokens, {totals[2] / n:.0f} completion "
        f"tokens, {totals[3] / n / 1000:.1f} s; parse failures (answers) {totals[4]}, unverified quotes {totals[5]}"
    )


if __name__ == "__main__":
    main()
