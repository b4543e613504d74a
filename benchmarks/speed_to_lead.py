"""Speed to lead: form submit → scorecard → signed webhook delivered to a loopback receiver.

Starts `qualify serve` (embedded judge, SQLite, defaults) in its own process, subscribes a loopback receiver to
`scorecard.drafted`, then submits the qualifying form N times as N new visitors, one after another, and prints
p50 / p95 / max of (a) the submit's response time (the lead is created and qualified synchronously) and (b) the time
from the submit until the receiver has the signed scorecard.drafted event for that lead. Target: p95 ≤ 1 s.

    .venv/bin/python benchmarks/speed_to_lead.py [--submissions 500]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from benchmarks.service import Service, Visitor  # noqa: E402
from library.loader import load_library  # noqa: E402
from tests.fakes.webhook_receiver import WebhookReceiver  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--submissions", type=int, default=500)
    ap.add_argument("--warmup", type=int, default=5, help="Submissions before timing (model load, caches)")
    args = ap.parse_args()
    form = load_library(Path(__file__).resolve().parent.parent / "library" / "data" / "ledgerly").form("demo")
    receiver = WebhookReceiver().start()
    with tempfile.TemporaryDirectory() as tmp:
        svc = Service(Path(tmp))
        key = svc.people()
        svc.start()
        try:
            made = httpx.post(
                f"{svc.base}/webhooks",
                json={"url": receiver.url, "events": ["scorecard.drafted"]},
                headers={"X-API-Key": key},
            ).json()
            receiver.secret = made["secret"]
            rng = random.Random(14)
            submit_s, delivered_s, tiers = [], [], {}
            for i in range(args.warmup + args.submissions):
                v = Visitor(svc.base, rng)
                token, asked = v.page()
                t0, took, body = v.submit(v.values(form, asked, first=True), token)
                lead_id = body["lead_id"]
                got = receiver.wait_for(lambda acc, lid=lead_id: any(r.envelope["lead_id"] == lid for r in acc), 30)
                at = next(r.at for r in got if r.envelope["lead_id"] == lead_id)
                v.client.close()
                if i < args.warmup:
                    continue
                submit_s.append(took)
                delivered_s.append(at - t0)
                tiers[body["tier"]] = tiers.get(body["tier"], 0) + 1
        finally:
            svc.stop()
            receiver.stop()
    n = len(delivered_s)
    print(f"speed to lead over {n} form submissions (embedded judge, SQLite, one visitor at a time)")
    print(
        f"  submit → signed scorecard.drafted at the receiver: p50 {statistics.median(delivered_s) * 1000:.0f} ms, "
        f"p95 {pct(delivered_s, 95) * 1000:.0f} ms, max {max(delivered_s) * 1000:.0f} ms  (target p95 ≤ 1000 ms)"
    )
    print(
        f"  submit → response (lead stored and qualified): p50 {statistics.median(submit_s) * 1000:.0f} ms, "
        f"p95 {pct(submit_s, 95) * 1000:.0f} ms"
    )
    print(
        f"  tiers: {tiers}; signatures rejected by the receiver: {receiver.rejected_signatures}; "
        f"duplicates: {receiver.duplicates}"
    )
    print(f"  p95 {'meets' if pct(delivered_s, 95) <= 1.0 else 'MISSES'} the 1 s target")


if __name__ == "__main__":
    main()
