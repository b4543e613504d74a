"""The queue: owner column, filters, search, sort, pagination; timers that start when the owner could act; overdue
leads escalated to managers once per level, visible in the queue and the audit."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from api.db import transaction
from api.review.escalate import escalate_overdue
from api.review.models import AssignmentRow, EscalationRow
from api.runtime import Runtime
from tests.api.review.conftest import People, browser, confirm_body, new_lead


def _queue(api: TestClient, people: People, who: str = "admin", **params: object) -> dict:  # type: ignore[type-arg]
    r = api.get("/review/queue", params={"per_page": 1000, **params}, headers=people.h(who))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_filters_search_sort_and_pages(api: TestClient, runtime: Runtime, people: People) -> None:
    tag = uuid.uuid4().hex[:6]
    mine = [
        new_lead(
            api,
            runtime,
            people,
            person={"name": f"Zed {tag} {i}", "email": f"z{i}@{tag}.example"},
            company={"name": f"Acme {tag}", "employees": 850, "country": "US"},
        )
        for i in range(3)
    ]
    other = new_lead(
        api,
        runtime,
        people,
        sdr="sdr2",
        source="csv",
        company={"name": f"Globex {tag}", "employees": 850, "country": "US"},
    )
    everyone = _queue(api, people)
    assert {i["lead_id"] for i in everyone["items"]} >= {*mine, other} and everyone["total"] == len(everyone["items"])
    assert next(i for i in everyone["items"] if i["lead_id"] == other)["owner"] == people.emails["sdr2"]
    by_company = _queue(api, people, q=f"acme {tag}")
    assert sorted(i["lead_id"] for i in by_company["items"]) == sorted(mine)
    assert [i["lead_id"] for i in _queue(api, people, q=f"z1@{tag}")["items"]] == [mine[1]]
    assert [i["lead_id"] for i in _queue(api, people, q=tag, owner=people.emails["sdr2"])["items"]] == [other]
    assert [i["lead_id"] for i in _queue(api, people, q=tag, source="csv")["items"]] == [other]
    segment = everyone["items"][0]["segment"]
    assert segment and all(i["segment"] == segment for i in _queue(api, people, segment=segment)["items"])
    assert _queue(api, people, q=tag, tier="no_such_tier")["total"] == 0
    paged = [_queue(api, people, q=f"acme {tag}", sort="newest", per_page=2, page=p) for p in (1, 2)]
    assert paged[0]["total"] == 3 and len(paged[0]["items"]) == 2 and len(paged[1]["items"]) == 1
    assert [i["lead_id"] for i in paged[0]["items"] + paged[1]["items"]] == list(reversed(mine))
    sdr_view = _queue(api, people, "sdr", owner="me", q=tag)
    assert sorted(i["lead_id"] for i in sdr_view["items"]) == sorted(mine)  # an SDR never sees sdr2's leads


def test_the_sdr_clock_starts_at_assignment_and_the_ae_clock_at_confirmation(
    api: TestClient, runtime: Runtime, people: People
) -> None:
    lead_id = new_lead(api, runtime, people, received_at="2026-01-01T09:00:00Z")  # arrived long ago
    now = runtime.deps.clock()
    with transaction(runtime.sessions) as s:
        s.execute(
            update(AssignmentRow)
            .where(AssignmentRow.lead_id == lead_id)
            .values(sdr_assigned_at=now - timedelta(minutes=3))
        )
    item = next(i for i in _queue(api, people)["items"] if i["lead_id"] == lead_id)
    assert 2.5 <= item["waiting_minutes"] <= 4 and item["breached"] is False
    r = api.post(f"/leads/{lead_id}/review/confirm", json=confirm_body(api, people, lead_id), headers=people.h("sdr"))
    assert r.status_code == 200, r.text
    item = next(i for i in _queue(api, people)["items"] if i["lead_id"] == lead_id)
    assert item["status"] == "sdr_confirmed" and item["waiting_minutes"] < 1 and item["owner"] is not None


def test_overdue_leads_escalate_once_per_level_in_the_queue_and_the_audit(
    app: FastAPI, api: TestClient, runtime: Runtime, people: People
) -> None:
    lead_id = new_lead(api, runtime, people)
    tier = next(i for i in _queue(api, people)["items"] if i["lead_id"] == lead_id)["tier"]
    targets = {tier: 5.0}
    now = runtime.deps.clock()
    with transaction(runtime.sessions) as s:
        s.execute(
            update(AssignmentRow)
            .where(AssignmentRow.lead_id == lead_id)
            .values(sdr_assigned_at=now - timedelta(minutes=7))
        )

    def levels() -> list[float]:
        with runtime.sessions() as s:
            return sorted(s.scalars(select(EscalationRow.level_minutes).where(EscalationRow.lead_id == lead_id)))

    escalate_overdue(runtime.sessions, now, targets, [5, 15])
    assert levels() == [5.0]
    escalate_overdue(runtime.sessions, now + timedelta(minutes=1), targets, [5, 15])  # the periodic check again
    assert levels() == [5.0]
    escalate_overdue(runtime.sessions, now + timedelta(minutes=9), targets, [5, 15])
    assert levels() == [5.0, 15.0]
    audit = api.get(f"/leads/{lead_id}/audit", headers=people.h("admin")).json()
    notes = [h for h in audit if h["action"] == "escalate"]
    assert [h["new"]["level_minutes"] for h in notes] == [5, 15] and notes[0]["actor"] == "system"
    assert "admins notified" in notes[0]["reason"] and "5 min target" in notes[0]["reason"]
    assert next(i for i in _queue(api, people)["items"] if i["lead_id"] == lead_id)["escalations"] == 2
    admin = browser(app, people, "admin").get("/ui/queue").text
    assert 'id="escalations"' in admin and f"/ui/leads/{lead_id}" in admin


def test_no_escalation_within_target_or_when_turned_off(api: TestClient, runtime: Runtime, people: People) -> None:
    lead_id = new_lead(api, runtime, people)
    now = runtime.deps.clock()
    with transaction(runtime.sessions) as s:
        s.execute(
            update(AssignmentRow)
            .where(AssignmentRow.lead_id == lead_id)
            .values(sdr_assigned_at=now - timedelta(minutes=30))
        )
    assert escalate_overdue(runtime.sessions, now, {"sql_ready": 5.0}, []) == 0
    escalate_overdue(runtime.sessions, now, {"some_other_tier": 5.0}, [5, 15])
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(EscalationRow).where(EscalationRow.lead_id == lead_id)) == 0


def test_the_ui_queue_filters_and_shows_the_owner(
    app: FastAPI, api: TestClient, runtime: Runtime, people: People
) -> None:
    tag = uuid.uuid4().hex[:6]
    wanted = new_lead(api, runtime, people, company={"name": f"Initech {tag}", "employees": 850, "country": "US"})
    new_lead(api, runtime, people)
    ui = browser(app, people, "admin")
    page = ui.get("/ui/queue", params={"q": f"initech {tag}"}).text
    assert page.count('class="row-link"') == 1 and f"/ui/leads/{wanted}" in page
    assert people.emails["sdr"] in page and 'id="filters"' in page
    sdr_keys = browser(app, people, "sdr").get("/ui/queue").text.split('class="keys"')[1]
    assert "confirm" in sdr_keys and "accept" not in sdr_keys
    ae_keys = browser(app, people, "ae").get("/ui/queue").text.split('class="keys"')[1]
    assert "accept" in ae_keys and "confirm" not in ae_keys
    # an SDR's search covers their own queue, and the page says so when another rep's lead is looked for
    other = new_lead(api, runtime, people, sdr="sdr2", company={"name": f"Umbrella {tag}", "country": "US"})
    sdr_page = browser(app, people, "sdr").get("/ui/queue", params={"q": f"umbrella {tag}"}).text
    assert f"/ui/leads/{other}" not in sdr_page and "Searches the leads assigned to you" in sdr_page
    assert "No lead assigned to you matches these filters" in sdr_page
    assert "Searches the leads assigned to you" not in browser(app, people, "admin").get("/ui/queue").text


def test_a_reconfirmed_sql_restarts_the_ae_clock(api: TestClient, runtime: Runtime, people: People) -> None:
    lead_id = new_lead(api, runtime, people, ae="ae")
    assert (
        api.post(
            f"/leads/{lead_id}/review/confirm", json=confirm_body(api, people, lead_id), headers=people.h("sdr")
        ).status_code
        == 200
    )
    now = runtime.deps.clock()
    with transaction(runtime.sessions) as s:
        s.execute(
            update(AssignmentRow)
            .where(AssignmentRow.lead_id == lead_id)
            .values(ae_assigned_at=now - timedelta(minutes=40))
        )
    assert next(i for i in _queue(api, people)["items"] if i["lead_id"] == lead_id)["waiting_minutes"] >= 39
    sc_revision = confirm_body(api, people, lead_id)["revision"]
    r = api.post(
        f"/leads/{lead_id}/review/push-back",
        json={"revision": sc_revision, "reason": "no_authority"},
        headers=people.h("ae"),
    )
    assert r.status_code == 200, r.text
    assert (
        api.post(
            f"/leads/{lead_id}/review/confirm", json=confirm_body(api, people, lead_id), headers=people.h("sdr")
        ).status_code
        == 200
    )
    item = next(i for i in _queue(api, people)["items"] if i["lead_id"] == lead_id)
    assert item["owner"] == people.emails["ae"] and item["waiting_minutes"] < 1
