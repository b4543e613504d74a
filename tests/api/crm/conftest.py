"""A runtime wired to loopback fakes of HubSpot and Salesforce, a clock the tests move, and the people who review."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.crm.hubspot import sign_v3
from api.leads.models import LeadRow
from api.main import create_app
from api.runtime import Runtime, build_runtime
from tests.api.conftest import BACKENDS, add_user, make_settings
from tests.fakes.hubspot_server import FakeHubSpot
from tests.fakes.salesforce_server import FakeSalesforce

SECRET = "hubspot-app-client-secret"
ORG = "00D000000000001AAA"
WEBHOOK = "https://qualify.example.com/crm/hubspot/webhook"


class Clock:
    """Real time plus whatever the test has skipped over (a Retry-After of 15 minutes takes no time)."""

    def __init__(self) -> None:
        self.skipped = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.skipped

    def advance(self, seconds: float) -> None:
        self.skipped += timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def hubspot_fake() -> Iterator[FakeHubSpot]:
    with FakeHubSpot() as fake:
        yield fake


@pytest.fixture(scope="module")
def salesforce_fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeSalesforce]:
    with FakeSalesforce(tmp_path_factory.mktemp("sf-tls")) as fake:
        yield fake


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module", params=BACKENDS)
def runtime(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    hubspot_fake: FakeHubSpot,
    salesforce_fake: FakeSalesforce,
    clock: Clock,
) -> Iterator[Runtime]:
    settings = make_settings(
        tmp_path_factory.mktemp("qualify-crm"),
        request.param,
        embedded_worker=False,
        hubspot_client_secret=SECRET,
        hubspot_access_token=hubspot_fake.token,
        hubspot_base_url=hubspot_fake.base_url,
        hubspot_webhook_url=WEBHOOK,
        salesforce_instance_url=salesforce_fake.instance_url,
        salesforce_client_id=salesforce_fake.client_id,
        salesforce_client_secret=salesforce_fake.client_secret,
        salesforce_ca_bundle=salesforce_fake.cert,
        salesforce_org_ids=[ORG],
        crm_max_body_bytes=50_000,
        public_url="https://qualify.example.com",
    )
    rt = build_runtime(settings)
    rt.deps = replace(rt.deps, clock=clock)
    yield rt
    rt.engine.dispose()


@pytest.fixture(scope="module")
def app(runtime: Runtime) -> Iterator[FastAPI]:
    application = create_app(runtime=runtime)
    with TestClient(application):
        yield application


@pytest.fixture(scope="module")
def api(app: FastAPI) -> TestClient:
    return TestClient(app)


@pytest.fixture(scope="module")
def keys(runtime: Runtime) -> dict[str, str]:
    return {name: add_user(runtime, "admin", f"{name}-{uuid.uuid4().hex[:6]}@test.example") for name in ("sdr", "ae")}


def signed(
    body: Any, clock: Clock, *, secret: str = SECRET, uri: str = WEBHOOK, at: datetime | None = None
) -> tuple[bytes, dict[str, str]]:
    """A body and the headers HubSpot sends with it (v3 signature over method + URI + body + timestamp)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    stamp = str(int((at or clock()).timestamp() * 1000))
    return raw, {
        "Content-Type": "application/json",
        "X-HubSpot-Request-Timestamp": stamp,
        "X-HubSpot-Signature-v3": sign_v3(secret, "POST", uri, raw, stamp),
        "X-HubSpot-Signature-Version": "v3",
    }


def lead_count(runtime: Runtime) -> int:
    with runtime.sessions() as s:
        return s.scalar(select(func.count()).select_from(LeadRow))  # type: ignore[return-value]


def lead_for(runtime: Runtime, source: str, external_id: str) -> LeadRow | None:
    with runtime.sessions() as s:
        return s.scalar(select(LeadRow).where(LeadRow.source == source, LeadRow.external_id == external_id))


def wait_for(predicate: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def confirm_body(api: TestClient, key: str, lead_id: str) -> dict[str, Any]:
    lead = api.get(f"/leads/{lead_id}", headers={"X-API-Key": key}).json()
    sc = api.get(f"/scorecards/{lead['scorecards'][-1]['id']}", headers={"X-API-Key": key}).json()
    return {
        "revision": sc["revision"],
        "record": {
            "qualified_at": datetime.now(UTC).isoformat(),
            "checklist": {a["question_id"]: "confirmed" if a["answer"] == "yes" else "unknown" for a in sc["answers"]},
            "verified_on_call": [a["question_id"] for a in sc["answers"]],  # the rep checked every item on the call
            "discovery_notes": "Pains confirmed on the call <b>bold</b>",
            "next_step": "Demo with the CFO",
            "next_step_date": "2026-12-20",
            "opportunity_value": "48000",
        },
    }
