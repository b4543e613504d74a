"""People of every role, leads in a known state assigned to a known SDR/AE, and browser-session clients."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.audit.models import AuditRow
from api.db import transaction
from api.leads.models import LeadRow
from api.main import create_app
from api.review.models import AssignmentRow
from api.runtime import Runtime
from api.users.models import UserRow
from tests.api.conftest import add_user

PASSWORD = "correct horse battery"
ROLES = ("sdr", "sdr2", "ae", "ae2", "admin", "service")


@dataclass(frozen=True)
class People:
    keys: dict[str, str]
    emails: dict[str, str]

    def h(self, who: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[who]}


@pytest.fixture(scope="module")
def app(runtime: Runtime) -> Iterator[FastAPI]:
    application = create_app(runtime=runtime)
    with TestClient(application):  # runs the lifespan once: app.state.runtime is set for every client below
        yield application


@pytest.fixture(scope="module")
def api(app: FastAPI) -> TestClient:
    return TestClient(app)


@pytest.fixture(scope="module")
def people(runtime: Runtime) -> People:
    keys, emails = {}, {}
    for name in ROLES:
        role = name.rstrip("2")
        emails[name] = f"{name}-{uuid.uuid4().hex[:6]}@test.example"
        keys[name] = add_user(runtime, role, emails[name], password=PASSWORD if role != "service" else None)
    return People(keys, emails)


def user_id(runtime: Runtime, email: str) -> str:
    with runtime.sessions() as s:
        return s.scalar(select(UserRow.id).where(UserRow.email == email))  # type: ignore[return-value]


def lead_body(**extra: object) -> dict[str, object]:
    tag = uuid.uuid4().hex[:8]
    body: dict[str, object] = {
        "external_id": f"CRM-{tag}",
        "person": {"name": "Dana Reyes", "email": f"dana@northwind-{tag}.com", "title": "VP Finance"},
        "company": {
            "name": "Northwind Traders",
            "domain": f"northwind-{tag}.com",
            "employees": 850,
            "country": "United States",
            "industry": "Retail",
        },
        "form_answers": {"What is your budget for AP automation?": "We have about $60k approved for this year."},
        "notes": "Processing 4,000 invoices a month by hand. Wants to go live next quarter.",
        "events": [{"type": "pricing_page_view", "timestamp": "2026-11-19T10:00:00Z"}],
    }
    body.update(extra)
    return body


def new_lead(
    api: TestClient, runtime: Runtime, people: People, sdr: str = "sdr", ae: str | None = None, **extra: object
) -> str:
    """A qualified lead in review, assigned to `sdr` (and routed to `ae` when given)."""
    r = api.post("/leads", json=lead_body(**extra), headers=people.h("service"))
    assert r.status_code == 202, r.text
    lead_id = r.json()["lead_id"]
    with transaction(runtime.sessions) as s:
        row = s.get(AssignmentRow, lead_id) or AssignmentRow(lead_id=lead_id)
        row.sdr_id = user_id(runtime, people.emails[sdr])
        row.ae_id = user_id(runtime, people.emails[ae]) if ae else None
        s.add(row)
    return lead_id


def card(api: TestClient, people: People, lead_id: str) -> dict[str, Any]:
    got = api.get(f"/leads/{lead_id}", headers=people.h("admin")).json()
    return api.get(f"/scorecards/{got['scorecards'][-1]['id']}", headers=people.h("admin")).json()  # type: ignore[no-any-return]


def confirm_body(api: TestClient, people: People, lead_id: str, **record: object) -> dict[str, Any]:
    sc = card(api, people, lead_id)
    body = {
        "qualified_at": datetime.now(UTC).isoformat(),
        "checklist": {a["question_id"]: "confirmed" if a["answer"] == "yes" else "unknown" for a in sc["answers"]},
        "verified_on_call": [a["question_id"] for a in sc["answers"]],  # the rep checked every item on the call
        "discovery_notes": "Call booked; pains confirmed.",
        "next_step": "Demo with the CFO",
        "next_step_date": (datetime.now(UTC) + timedelta(days=3)).date().isoformat(),
        "opportunity_value": "48000",
    }
    body.update(record)
    return {"revision": sc["revision"], "record": body}


def status(runtime: Runtime, lead_id: str) -> str:
    with runtime.sessions() as s:
        return s.get(LeadRow, lead_id).status  # type: ignore[union-attr]


def audit_count(runtime: Runtime, lead_id: str) -> int:
    with runtime.sessions() as s:
        return s.scalar(select(func.count()).select_from(AuditRow).where(AuditRow.lead_id == lead_id))  # type: ignore[return-value]


def browser(app: FastAPI, people: People, who: str) -> TestClient:
    """A TestClient logged in through the login form (session cookie)."""
    c = TestClient(app, follow_redirects=False)
    page = c.get("/ui/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = c.post(
        "/ui/login", data={"csrf": token, "email": people.emails[who], "password": PASSWORD, "next": "/ui/queue"}
    )
    assert r.status_code == 303, r.text
    return c


def form_token(html: str, action: str) -> str:
    m = re.search(rf'id="form-{action}">\s*<input type="hidden" name="csrf" value="([^"]+)"', html)
    assert m, f"no {action} form"
    return m.group(1)
