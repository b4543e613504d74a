"""Webhook delivery under chaos: a receiver failing 30 % of the time and a crash (SIGKILL) and restart of the service.

Runs `qualify serve` in its own process; N visitors submit the qualifying form twice each (two scorecard revisions per
lead), and an admin rejects or confirms part of the leads in review (lead.recycled, lead.sdr_confirmed), so each lead has several ordered events. The
loopback receiver verifies each signature, answers 500 to 30 % of the requests (half of those after it has stored the
event, so the retry is a duplicate it must drop), and dedupes by event id. Halfway, the service is killed with SIGKILL
and started again on the same database. At the end every event in the outbox must have reached the receiver exactly
once after dedupe, in order per lead. Prints the counts.

    .venv/bin/python benchmarks/webhook_chaos.py [--visitors 60] [--failure-rate 0.3]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks.service import Service, Visitor  # noqa: E402
from library.loader import load_library  # noqa: E402
from tests.fakes.webhook_receiver import WebhookReceiver  # noqa: E402

EVENTS = ["scorecard.drafted", "lead.disqualified", "lead.recycled", "lead.sdr_confirmed"]


def leased(data_dir: Path) -> int:
    """Deliveries claimed and not yet recorded (sends in flight) in the service's database."""
    engine = create_engine(f"sqlite:///{data_dir / 'qualify.db'}")
    with engine.connect() as conn:
        n = conn.execute(
            text("SELECT count(*) FROM event_deliveries WHERE status = 'pending' AND lease_until IS NOT NULL")
        ).scalar()
    engine.dispose()
    return int(n or 0)


def confirm(base: str, admin: dict[str, str], lead_id: str, scorecard_id: str) -> None:
    """An SDR confirmation (as admin) with the SQL record: lead.sdr_confirmed."""
    card = httpx.get(f"{base}/scorecards/{scorecard_id}", headers=admin).json()
    record = {
        "qualified_at": datetime.now(UTC).isoformat(),
        "discovery_notes": "Qualified from the form.",
        "checklist": {a["question_id"]: "confirmed" if a["answer"] == "yes" else "unknown" for a in card["answers"]},
        "next_step": "Demo",
        "next_step_date": (datetime.now(UTC) + timedelta(days=2)).date().isoformat(),
        "opportunity_value": "25000",
    }
    httpx.post(
        f"{base}/leads/{lead_id}/review/confirm", json={"revision": card["revision"], "record": record}, headers=admin
    ).raise_for_status()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--visitors", type=int, default=60)
    ap.add_argument("--failure-rate", type=float, default=0.3)
    ap.add_argument("--settle-seconds", type=float, default=180)
    ap.add_argument(
        "--receiver-delay",
        type=float,
        default=0.3,
        help="Seconds the receiver takes to answer, so sends are in flight when the service is killed",
    )
    args = ap.parse_args()
    form = load_library(Path(__file__).resolve().parent.parent / "library" / "data" / "ledgerly").form("demo")
    chaos = random.Random(30)
    receiver = WebhookReceiver(
        fail=lambda env, n: 500 if chaos.random() < args.failure_rate else None,
        fail_after_store=lambda env, n: chaos.random() < 0.5,
        delay=args.receiver_delay,
    ).start()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        # Short timeouts and backoff so the run settles in minutes; the lease (3 × timeout + 5 s) covers the crash.
        svc = Service(Path(tmp), QUALIFY_WEBHOOK_TIMEOUT="2", QUALIFY_WEBHOOK_BACKOFF_SECONDS="0.2")
        key = svc.people()
        svc.start()
        admin = {"X-API-Key": key}
        sub = httpx.post(f"{svc.base}/webhooks", json={"url": receiver.url, "events": EVENTS}, headers=admin).json()
        receiver.secret = sub["secret"]
        in_flight = 0
        try:
            for i in range(args.visitors):
                if i == args.visitors // 2:
                    time.sleep(args.receiver_delay / 2)  # the last visitor's events are being sent right now
                    in_flight = leased(Path(tmp))
                    svc.stop(kill=True)  # a crash: deliveries in flight keep their lease, pending ones wait
                    svc.start()
                v = Visitor(svc.base, rng)
                token, asked = v.page()
                _, _, body = v.submit(v.values(form, asked, first=True), token)
                token, asked = v.page()
                _, _, body = v.submit(v.values(form, asked, first=False), token)
                lead = httpx.get(f"{svc.base}/leads/{body['lead_id']}", headers=admin).json()
                roll = rng.random()
                if lead["status"] == "in_review" and roll < 0.4:
                    httpx.post(
                        f"{svc.base}/leads/{body['lead_id']}/review/reject",
                        json={"revision": lead["scorecards"][-1]["revision"], "reason": "bad_timing"},
                        headers=admin,
                    ).raise_for_status()
                elif lead["status"] == "in_review" and roll < 0.7:
                    confirm(svc.base, admin, body["lead_id"], lead["scorecards"][-1]["id"])
                v.client.close()
            end = time.monotonic() + args.settle_seconds
            while time.monotonic() < end:
                counts = httpx.get(f"{svc.base}/webhooks/{sub['id']}", headers=admin).json()["deliveries"]
                if counts["pending"] == 0:
                    break
                time.sleep(0.5)
            engine = create_engine(f"sqlite:///{Path(tmp) / 'qualify.db'}")
            with engine.connect() as conn:
                events = conn.execute(text("SELECT id, lead_id, sequence, type FROM events ORDER BY seq")).all()
                attempts = conn.execute(text("SELECT sum(attempts) FROM event_deliveries")).scalar()
            engine.dispose()
        finally:
            svc.stop()
            receiver.stop()
    wanted = {e.id for e in events if e.type in EVENTS}
    got = [r.envelope for r in receiver.accepted]
    got_ids = [g["id"] for g in got]
    per_lead: dict[str, list[int]] = defaultdict(list)
    for g in got:
        per_lead[g["lead_id"]].append(g["sequence"])
    out_of_order = [lead for lead, seqs in per_lead.items() if seqs != sorted(seqs)]
    print(
        f"webhook chaos: {args.visitors} visitors × 2 submissions, receiver failing {args.failure_rate:.0%} "
        f"(half after storing), service killed (SIGKILL) and restarted once"
    )
    print(
        f"  events in the outbox: {len(wanted)} for {len({e.lead_id for e in events})} leads "
        f"({', '.join(f'{t} {sum(e.type == t for e in events)}' for t in EVENTS)})"
    )
    print(f"  sends in flight when the service was killed: {in_flight} (their leases ran out and they were sent again)")
    print(
        f"  requests to the receiver: {len(receiver.requests)} (attempts recorded: {attempts}); "
        f"answered 500: {receiver.failures}; duplicates dropped by the receiver: {receiver.duplicates}; "
        f"bad signatures: {receiver.rejected_signatures}"
    )
    print(
        f"  delivered exactly once after dedupe: {len(set(got_ids) & wanted)} / {len(wanted)}; "
        f"missing: {len(wanted - set(got_ids))}; unexpected: {len(set(got_ids) - wanted)}; "
        f"leads out of order: {len(out_of_order)}; deliveries still pending: {counts['pending']}, "
        f"failed: {counts['failed']}"
    )
    ok = set(got_ids) == wanted and len(got_ids) == len(set(got_ids)) and not out_of_order
    print(f"  {'PASS' if ok else 'FAIL'}: every event exactly once, in order per lead")


if __name__ == "__main__":
    main()
