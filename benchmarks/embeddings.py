"""Embedding speed and memory on this machine: model load, batch throughput, single-query latency, peak RSS.

Run: .venv/bin/python benchmarks/embeddings.py  (prints figures; asserts nothing)
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from library.embeddings import MiniLMEmbedder  # noqa: E402

SUBJECTS = [
    "our month-end close",
    "the finance team",
    "invoice approval",
    "the budget for this",
    "our ERP migration",
    "bank reconciliation",
    "the audit",
    "vendor payments",
]
VERBS = [
    "takes three weeks",
    "is fully manual",
    "was approved last quarter",
    "needs to be done by March",
    "is blocked until next fiscal year",
    "runs in spreadsheets",
    "keeps slipping",
]


def sentences(n: int, salt: str) -> list[str]:
    """n distinct short sales-note sentences (distinct so the embedder's cache never hides the cost)."""
    return [f"{SUBJECTS[i % len(SUBJECTS)].capitalize()} {VERBS[i % len(VERBS)]} ({salt} {i})." for i in range(n)]


def main() -> None:
    started = time.perf_counter()
    embedder = MiniLMEmbedder(cache_size=0)
    load_s = time.perf_counter() - started

    embedder.embed(sentences(64, "warm-up"))
    batch = sentences(1024, "batch")
    started = time.perf_counter()
    for i in range(0, len(batch), 32):
        embedder.embed(batch[i : i + 32])
    throughput = len(batch) / (time.perf_counter() - started)

    latencies = []
    for text in sentences(200, "query"):
        started = time.perf_counter()
        embedder.embed([text])
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"model          {embedder.name} (onnxruntime, 1 intra-op thread)")
    print(f"model load     {load_s * 1000:.0f} ms (checksums verified)")
    print(f"throughput     {throughput:.0f} sentences/s in batches of 32")
    print(
        f"single query   p50 {statistics.median(latencies):.2f} ms, p95 {latencies[int(len(latencies) * 0.95)]:.2f} ms"
    )
    print(f"peak RSS       {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
