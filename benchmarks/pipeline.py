"""Pipeline speed and memory on the embedded defaults, over generated leads.

Prints: model load time, per-lead latency p50/p95 after warm-up (pipeline only), batch throughput (intake + qualify +
persist, as `qualify batch` does), and peak RSS. Targets on a 2-core machine: p50 ≤ 25 ms, p95 ≤ 60 ms, ≥ 40 leads/s,
peak RSS ≤ 600 MB.

    .venv/bin/python benchmarks/pipeline.py [--leads 1000] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.pipeline import qualify_lead  # noqa: E402
from agent.schemas import Lead  # noqa: E402
from api.leads.batch import run_batch  # noqa: E402
from api.leads.io import Row  # noqa: E402

TITLES = [
    "CFO",
    "VP Finance",
    "Controller",
    "AP Manager",
    "Accounts Payable Specialist",
    "CIO",
    "Procurement Lead",
    "Student",
    "Marketing Intern",
    "Head of Finance Operations",
    "Finance Director",
    "Software Engineer",
    "",
]
COMPANIES = [
    ("Globex", "globex.com"),
    ("Initech", "initech.io"),
    ("Umbrella Health", "umbrellahealth.com"),
    ("Hooli", "hooli.com"),
    ("Vandelay Industries", "vandelay.com"),
    ("Stark Logistics", "starklogistics.com"),
    ("Wayne Foods", "waynefoods.com"),
    ("Acme Retail", "acmeretail.com"),
]
COUNTRIES = ["US", "United States", "Canada", "UK", "Germany", "Brazil", "India", "Australia", None]
NOTES = [
    "We process about {n} invoices a month, mostly by hand in spreadsheets.",
    "No budget until next fiscal year, but interested in a demo.",
    "Might have some budget, need to check with the CFO.",
    "Budget of ${k}k approved for AP automation this year.",
    "Looking to go live within 60 days; current process is too slow for month-end close.",
    "We use NetSuite and want approvals routed automatically.",
    "Currently evaluating PayFlowly as well.",
    "Just researching for a class project.",
    "Our approvals take two weeks and vendors complain about late payments.",
    "Not sure about timing yet. Maybe next year.",
]
EVENTS = [
    "pricing_page_view",
    "case_study_view",
    "ebook_download",
    "webinar_attended",
    "demo_request",
    "careers_page_view",
    "integration_docs_view",
    "email_click",
]


def generate(n: int, seed: int, now: datetime) -> list[Lead]:
    """Varied, valid leads: titles, sizes, countries, notes with amounts and timeframes, recent events."""
    rng = random.Random(seed)
    leads = []
    for i in range(n):
        name, domain = rng.choice(COMPANIES)
        # Every sentence carries lead-specific numbers so the embedder's cache cannot flatter the figures.
        notes = " ".join(f"{t} (ref {i}-{j})" for j, t in enumerate(rng.sample(NOTES, rng.randint(0, 3))))
        notes = notes.format(n=rng.randint(50, 9000), k=rng.randint(5, 150))
        events = [
            {"type": rng.choice(EVENTS), "timestamp": now - timedelta(days=rng.uniform(0, 60))}
            for _ in range(rng.randint(0, 6))
        ]
        leads.append(
            Lead.model_validate(
                {
                    "external_id": f"BENCH-{seed}-{i}",
                    "source": "csv",
                    "received_at": now,
                    "person": {
                        "name": f"Person {i}",
                        "email": f"p{i}@{rng.choice([domain, 'gmail.com'])}",
                        "title": rng.choice(TITLES) or None,
                    },
                    "company": {
                        "name": name,
                        "employees": rng.choice([5, 40, 150, 400, 2500, None]),
                        "country": rng.choice(COUNTRIES),
                    },
                    "form_answers": {
                        "When do you want to go live?": rng.choice(["Q1", "next quarter", "not sure", "ASAP"])
                        + f" (we are {name} {i})"
                    }
                    if rng.random() < 0.6
                    else {},
                    "notes": notes or None,
                    "events": events,
                }
            )
        )
    return leads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from api.runtime import build_runtime
    from api.settings import Settings
    from library.embeddings import get_embedder

    t0 = time.perf_counter()
    get_embedder().embed(["warm up"])
    load_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        rt = build_runtime(Settings(data_dir=Path(tmp)))
        startup_s = time.perf_counter() - t0
        now = datetime.now(UTC)
        leads = generate(args.leads, args.seed, now)

        async def latencies() -> list[float]:
            for lead in leads[:50]:  # warm-up: caches, lazy imports
                await qualify_lead(lead, rt.deps)
            out = []
            for lead in leads:
                start = time.perf_counter()
                await qualify_lead(lead, rt.deps)
                out.append((time.perf_counter() - start) * 1000)
            return out

        ms = asyncio.run(latencies())
        t0 = time.perf_counter()
        result = asyncio.run(run_batch(rt, [Row(i + 1, lead) for i, lead in enumerate(leads)], concurrency=4))
        batch_s = time.perf_counter() - t0
        rt.engine.dispose()

    ms.sort()
    p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tiers: dict[str, int] = {}
    for _, _, d in result.drafts:
        tiers[d.tier] = tiers.get(d.tier, 0) + 1
    print(f"leads                      {len(leads)}")
    print(f"embedding model load       {load_s * 1000:.0f} ms")
    print(f"runtime start (sync+index) {startup_s * 1000:.0f} ms")
    print(f"pipeline latency p50       {p(0.50):.1f} ms   (target ≤ 25)")
    print(f"pipeline latency p95       {p(0.95):.1f} ms   (target ≤ 60)")
    print(f"pipeline latency mean/max  {statistics.mean(ms):.1f} / {ms[-1]:.1f} ms")
    print(
        f"batch throughput           {len(result.drafts) / batch_s:.1f} leads/s  (target ≥ 40; intake + qualify + persist)"
    )
    print(f"batch errors / failed      {len(result.errors)} / {len(result.failed)}")
    print(f"tiers                      {dict(sorted(tiers.items()))}")
    print(f"peak RSS                   {peak_mb:.0f} MB  (target ≤ 600)")


if __name__ == "__main__":
    main()
