"""Assignment (account owner → territory → round-robin) and the queue's order and speed-to-lead flags."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.db import transaction
from api.leads.models import LeadRow, ScorecardRow
from api.review.models import AssignmentRow
from api.review.queue import queue
from api.runtime import Runtime
from api.users.service import Principal, Role
from tests.api.conftest import add_user
from tests.api.review.conftest import lead_body, user_id


def _sdr_of(runtime: Runtime, lead_id: str) -> tuple[str | None, str | None]:
    with runtime.sessions() as s:
        row = s.get(AssignmentRow, lead_id)
        return (row.sdr_id, row.sdr_rule) if row else (None, None)


def test_owner_then_territory_then_round_robin(app, api: TestClient, runtime: Runtime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rules = tmp_path / "territories.yaml"
    rules.write_text("rules:\n  - team: dach\n    countries: [DE, AT, CH]\n    role: sdr\n")
    runtime.settings = runtime.settings.model_copy(update={"territory_rules_file": rules})
    service = {"X-API-Key": add_user(runtime, "service")}
    rr = [add_user(runtime, "sdr", f"rr{i}-{uuid.uuid4().hex[:4]}@t.example") for i in range(2)]
    add_user(runtime, "sdr", f"dach-{uuid.uuid4().hex[:4]}@t.example", team="dach")
    ids = []
    for _ in range(4):
        ids.append(api.post("/leads", json=lead_body(), headers=service).json()["lead_id"])
    owners = [_sdr_of(runtime, i) for i in ids]
    assert all(rule == "round_robin" for _, rule in owners)
    assert len({o for o, _ in owners}) == 3  # everyone active takes a turn, nobody twice in a row
    assert all(a != b for (a, _), (b, _) in zip(owners, owners[1:], strict=False))

    body = lead_body()
    first = api.post("/leads", json=body, headers=service).json()["lead_id"]
    colleague = {**lead_body(), "company": body["company"]}  # same account, another person
    second = api.post("/leads", json=colleague, headers=service).json()["lead_id"]
    assert _sdr_of(runtime, second) == (_sdr_of(runtime, first)[0], "account_owner")

    german = lead_body()
    german["company"] = {**german["company"], "country": "Germany"}  # type: ignore[dict-item]
    lead_id = api.post("/leads", json=german, headers=service).json()["lead_id"]
    owner, rule = _sdr_of(runtime, lead_id)
    assert rule == "territory:dach"
    with runtime.sessions() as s:
        from api.users.models import UserRow

        assert s.get(UserRow, owner).team == "dach"  # type: ignore[union-attr]
    assert rr  # keys issued for the round-robin SDRs


def test_queue_orders_by_tier_score_and_waiting_and_flags_breaches(runtime: Runtime) -> None:
    key_owner = f"q-{uuid.uuid4().hex[:6]}@t.example"
    add_user(runtime, "sdr", key_owner)
    sdr = user_id(runtime, key_owner)
    now = runtime.deps.clock()
    rows = [
        ("a", "nurture", 90, 1),
        ("b", "sql_ready", 70, 2),
        ("c", "sql_ready", 80, 60),
        ("d", "sql_ready", 80, 120),
        ("e", "needs_discovery", 86.53, 1),
    ]
    with transaction(runtime.sessions) as s:
        for tag, tier, score, minutes in rows:
            lead_id = f"q{tag}-{uuid.uuid4().hex[:6]}"
            s.add(
                LeadRow(
                    id=lead_id,
                    source="api",
                    status="in_review",
                    payload={"person": {"name": tag}, "company": {}},
                    payload_hash="x",
                    received_at=now - timedelta(days=20),
                    updated_at=now,
                    attempts=1,
                )
            )
            s.flush()
            s.add(
                ScorecardRow(
                    id=uuid.uuid4().hex,
                    lead_id=lead_id,
                    revision=1,
                    tier=tier,
                    route="sdr_review",
                    score=score,
                    payload={},
                    created_at=now,
                )
            )
            # the SDR's clock starts at assignment, not at the lead's arrival 20 days ago
            s.add(
                AssignmentRow(
                    lead_id=lead_id,
                    sdr_id=sdr,
                    sdr_rule="round_robin",
                    sdr_assigned_at=now - timedelta(minutes=minutes),
                )
            )
    with runtime.sessions() as s:
        who = Principal(sdr, key_owner, "q", Role.sdr)
        items = queue(s, who, now, {"sql_ready": 5.0})
    assert [i.name for i in items] == ["d", "c", "b", "e", "a"]
    assert [i.breached for i in items] == [True, True, False, False, False]
    assert items[0].target_minutes == 5.0 and items[3].target_minutes is None
    assert f"{items[3].score:.0f}" == "87"  # rounded once, where shown, as the CLI shows it (it was 86.5, shown as 86)
    with runtime.sessions() as s:
        other = queue(s, Principal("nobody", "n@t", "n", Role.sdr), now, {})
    assert not {i.lead_id for i in other} & {i.lead_id for i in items}
    with runtime.sessions() as s:
        assert s.scalar(select(AssignmentRow.sdr_id).where(AssignmentRow.lead_id == items[0].lead_id)) == sdr


def test_one_sweep_takes_turns_within_a_territory_team(runtime: Runtime) -> None:
    from api.review.assign import Territories, TerritoryRule, assign_pending

    team = f"t{uuid.uuid4().hex[:6]}"
    members = [
        user_id(runtime, e)
        for e in (f"{team}a@t.example", f"{team}b@t.example")
        if add_user(runtime, "sdr", e, team=team)
    ]
    now = runtime.deps.clock()
    ids = [f"sw-{uuid.uuid4().hex[:8]}" for _ in range(4)]
    with transaction(runtime.sessions) as s:
        for i, lead_id in enumerate(ids):
            s.add(
                LeadRow(
                    id=lead_id,
                    source="api",
                    status="in_review",
                    payload={"company": {"country": "ZZ"}},
                    payload_hash="x",
                    received_at=now - timedelta(minutes=10 - i),
                    updated_at=now,
                    attempts=1,
                    company_domain=f"{lead_id}.example",
                )
            )
    rules = Territories(rules=[TerritoryRule(team=team, countries=["zz"])])
    assert assign_pending(runtime.sessions, rules, now) >= 4
    got = [_sdr_of(runtime, i) for i in ids]
    assert {rule for _, rule in got} == {f"territory:{team}"}
    assert [o for o, _ in got] == [members[0], members[1], members[0], members[1]]
