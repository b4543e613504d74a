"""Review UI server time with a realistic database: queue page and scorecard page p50/p95 with 10,000 leads.

Inserts synthetic leads directly (one real scorecard cloned with varied tier, score and arrival), assigns them to five
SDRs, then times in-process requests (FastAPI TestClient: the full ASGI stack, session lookup, queries, templates and
CSRF-token writes; no network). Target: p95 ≤ 150 ms for both pages.

    .venv/bin/python benchmarks/review_ui.py [--leads 10000] [--requests 200] [--database-url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from agent.pipeline import qualify_lead  # noqa: E402
from agent.schemas import Lead  # noqa: E402
from api.db import transaction  # noqa: E402
from api.leads.models import LeadRow, ScorecardRow  # noqa: E402
from api.main import create_app  # noqa: E402
from api.review.models import AssignmentRow  # noqa: E402
from api.runtime import build_runtime  # noqa: E402
from api.settings import Settings  # noqa: E402
from api.users.service import Role, add_user  # noqa: E402

PASSWORD = "benchmark password"
TIERS = ["sql_ready", "needs_discovery", "nurture", "disqualified"]
LEAD = {
    "person": {"name": "Dana Reyes", "email": "dana@northwind.com", "title": "VP Finance"},
    "company": {"name": "Northwind Traders", "employees": 850, "country": "United States", "industry": "Retail"},
    "form_answers": {"What is your budget for AP automation?": "We have about $60k approved for this year."},
    "notes": "Processing 4,000 invoices a month by hand. Wants to go live next quarter. " * 3,
    "events": [{"type": "pricing_page_view", "timestamp": "2026-11-19T10:00:00Z"}],
}


def seed(rt, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    """n leads with scorecards and SDR assignments, inserted in bulk; returns the SDRs' e-mails."""
    now = rt.deps.clock()
    template = asyncio.run(qualify_lead(Lead.model_validate(LEAD), rt.deps, lead_id="template", revision=1))
    card = template.model_dump(mode="json")
    with transaction(rt.sessions) as s:
        sdrs = [add_user(s, f"sdr{i}@bench.example", Role.sdr, now, password=PASSWORD) for i in range(5)]
        add_user(s, "admin@bench.example", Role.admin, now, password=PASSWORD)
        sdr_ids = [u.id for u in sdrs]
    rnd = random.Random(7)
    for start in range(0, n, 2000):
        leads, cards, assigned = [], [], []
        for i in range(start, min(n, start + 2000)):
            lead_id = uuid.UUID(int=rnd.getrandbits(128)).hex
            tier = rnd.choices(TIERS, weights=[2, 4, 3, 1])[0]
            status = "disqualified" if tier == "disqualified" else rnd.choice(["in_review"] * 4 + ["ae_accepted"])
            payload = {
                **LEAD,
                "id": lead_id,
                "person": {**LEAD["person"], "name": f"Lead {i}", "email": f"p{i}@company{i % 3000}.com"},
            }
            received = now - timedelta(minutes=rnd.randint(0, 60 * 24 * 14))
            leads.append(
                {
                    "id": lead_id,
                    "external_id": f"B{i}",
                    "source": "api",
                    "status": status,
                    "payload": payload,
                    "payload_hash": "bench",
                    "company_domain": f"company{i % 3000}.com",
                    "received_at": received,
                    "updated_at": received,
                    "attempts": 1,
                    "idempotency_key": None,
                }
            )
            cards.append(
                {
                    "id": uuid.uuid4().hex,
                    "lead_id": lead_id,
                    "revision": 1,
                    "tier": tier,
                    "route": "sdr_review",
                    "score": round(rnd.uniform(0, 100), 1),
                    "payload": {**card, "lead_id": lead_id, "tier": tier},
                    "created_at": received,
                }
            )
            assigned.append(
                {"lead_id": lead_id, "sdr_id": sdr_ids[i % 5], "sdr_rule": "round_robin", "sdr_assigned_at": received}
            )
        with transaction(rt.sessions) as s:
            s.execute(insert(LeadRow), leads)
            s.execute(insert(ScorecardRow), cards)
            s.execute(insert(AssignmentRow), assigned)
    return [u.email for u in sdrs]


def login(client: TestClient, email: str) -> None:
    page = client.get("/ui/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post("/ui/login", data={"csrf": token, "email": email, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303, r.text


def timed(client: TestClient, urls: list[str]) -> list[float]:
    out = []
    for url in urls:
        t = time.perf_counter()
        r = client.get(url)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    return out


def line(name: str, ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=100)
    return (
        f"{name:<34} p50 {statistics.median(ms):6.1f} ms   p95 {q[94]:6.1f} ms   max {max(ms):6.1f} ms   (n={len(ms)})"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--leads", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rt = build_runtime(Settings(data_dir=Path(tmp), DATABASE_URL=args.database_url))  # type: ignore[call-arg]
        started = time.perf_counter()
        sdrs = seed(rt, args.leads)
        print(f"seeded {args.leads} leads in {time.perf_counter() - started:.1f} s ({rt.engine.dialect.name})")
        with TestClient(create_app(runtime=rt)) as client:
            login(client, sdrs[0])
            queue = client.get("/ui/queue").text
            lead_urls = re.findall(r'href="(/ui/leads/[0-9a-f]+)"', queue)
            timed(client, ["/ui/queue"] * 5 + lead_urls[:5])  # warm-up
            rows = queue.count('data-href="')
            print(line(f"queue page (SDR, {rows} rows shown)", timed(client, ["/ui/queue"] * args.requests)))
            picks = [lead_urls[i % len(lead_urls)] for i in range(args.requests)]
            print(line("scorecard page", timed(client, picks)))
            admin = TestClient(client.app)
            login(admin, "admin@bench.example")
            print(line("queue page (admin, all leads)", timed(admin, ["/ui/queue"] * max(20, args.requests // 4))))
        rt.engine.dispose()


if __name__ == "__main__":
    main()
