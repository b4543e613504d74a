"""HubSpot end to end against the fake: signed webhook → lead → qualified → confirmed → written back; faults."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from api.crm import hubspot
from api.jobs.models import JobRow
from api.jobs.service import drain as drain_jobs
from api.leads.worker import drain as drain_leads
from api.runtime import Runtime
from tests.api.crm.conftest import Clock, confirm_body, lead_count, lead_for, signed
from tests.fakes.hubspot_server import FakeHubSpot

URL = "/crm/hubspot/webhook"


def _contact(fake: FakeHubSpot) -> str:
    contact_id = str(uuid.uuid4().int % 10**10)
    fake.add_contact(
        contact_id,
        {
            "email": f"dana{contact_id}@northwind.example",
            "firstname": "Dana",
            "lastname": "Reyes",
            "jobtitle": "VP Finance",
            "company": "Northwind",
            "country": "United States",
            "message": "We process 4,000 invoices a month by hand and have $60k approved. Go-live next quarter.",
        },
        company={
            "name": "Northwind Traders",
            "domain": "northwind.example",
            "numberofemployees": "850",
            "industry": "Retail",
            "country": "United States",
        },
    )
    return contact_id


def _event(contact_id: str, event_id: int | None = None) -> dict[str, object]:
    return {
        "eventId": event_id or uuid.uuid4().int % 10**9,
        "subscriptionId": 2345,
        "portalId": 6789,
        "appId": 987,
        "occurredAt": 1767225600000,
        "subscriptionType": "contact.creation",
        "attemptNumber": 0,
        "objectId": int(contact_id),
        "changeFlag": "CREATED",
        "changeSource": "FORM",
    }


def _jobs(runtime: Runtime, kind: str) -> list[JobRow]:
    with runtime.sessions() as s:
        return list(s.scalars(select(JobRow).where(JobRow.kind == kind).order_by(JobRow.id)))


def test_setup_command_creates_the_sql_properties(hubspot_fake: FakeHubSpot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from api.cli import app
    from api.settings import get_settings

    monkeypatch.setenv("QUALIFY_HUBSPOT_ACCESS_TOKEN", hubspot_fake.token)
    monkeypatch.setenv("QUALIFY_HUBSPOT_BASE_URL", hubspot_fake.base_url)
    get_settings.cache_clear()
    try:
        first = CliRunner().invoke(app, ["crm", "hubspot", "setup"])
        again = CliRunner().invoke(app, ["crm", "hubspot", "setup"])
    finally:
        get_settings.cache_clear()
    assert first.exit_code == 0, first.output
    assert {name for name, *_ in hubspot.PROPERTIES} <= set(hubspot_fake.properties)
    assert "qualify_qualified_at: created" in first.output and "qualify_qualified_at: exists" in again.output
    assert again.exit_code == 0


def test_webhook_to_lead_to_confirm_to_write_back(
    api: TestClient, runtime: Runtime, hubspot_fake: FakeHubSpot, clock: Clock, keys: dict[str, str]
) -> None:
    hubspot.setup(hubspot.client(runtime.settings))
    contact_id = _contact(hubspot_fake)
    body, headers = signed([_event(contact_id)], clock)
    r = api.post(URL, content=body, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["queued"] == 1
    row = lead_for(runtime, "hubspot", contact_id)
    assert row is not None, "the import job ran after the response and created the lead"
    assert row.payload["person"]["email"] == f"dana{contact_id}@northwind.example"
    assert row.payload["company"]["employees"] == 850 and row.payload["company"]["domain"] == "northwind.example"
    assert drain_leads(runtime) >= 1
    lead = api.get(f"/leads/{row.id}", headers={"X-API-Key": keys["sdr"]}).json()
    assert lead["status"] == "in_review"

    r = api.post(
        f"/leads/{row.id}/review/confirm",
        json=confirm_body(api, keys["sdr"], row.id),
        headers={"X-API-Key": keys["sdr"]},
    )
    assert r.status_code == 200, r.text
    assert len(r.json()["crm_jobs"]) == 1
    assert hubspot_fake.contacts[contact_id].get("lifecyclestage") is None, "nothing is written inside the request"
    drain_jobs(runtime)
    written = hubspot_fake.contacts[contact_id]
    assert written["lifecyclestage"] == "salesqualifiedlead" and written["hs_lead_status"] == "OPEN_DEAL"
    assert written["qualify_next_step"] == "Demo with the CFO" and written["qualify_next_step_date"] == "2026-12-20"
    assert float(written["qualify_opportunity_value"]) == 48000 and written["qualify_qualifying_rep"].startswith("sdr-")
    assert abs(int(written["qualify_qualified_at"]) / 1000 - time.time()) < 120  # the confirm's qualified_at
    assert ": " in written["qualify_checklist"]
    assert written["qualify_scorecard_url"] == f"https://qualify.example.com/ui/leads/{row.id}"
    note = hubspot_fake.notes[-1]
    assert note["associations"][0]["to"]["id"] == contact_id
    assert note["associations"][0]["types"][0]["associationTypeId"] == 202
    assert "&lt;b&gt;bold&lt;/b&gt;" in note["properties"]["hs_note_body"], "the SDR's text is escaped in the note"
    assert f"/ui/leads/{row.id}" in note["properties"]["hs_note_body"]
    updates = [r for r in hubspot_fake.requests if r.method == "PATCH" and contact_id in r.path]
    assert all(u.headers["authorization"] == f"Bearer {hubspot_fake.token}" for u in updates)

    # The AE accepts: the next write-back moves the stage on and adds a second note.
    r = api.post(
        f"/leads/{row.id}/review/accept",
        json={"revision": lead["scorecards"][-1]["revision"]},
        headers={"X-API-Key": keys["ae"]},
    )
    assert r.status_code == 200, r.text
    notes_before = len(hubspot_fake.notes)
    drain_jobs(runtime)
    assert hubspot_fake.contacts[contact_id]["lifecyclestage"] == "opportunity"
    assert hubspot_fake.contacts[contact_id]["qualify_status"] == "ae_accepted"
    assert len(hubspot_fake.notes) == notes_before + 1


def test_a_429_is_retried_later_and_the_write_lands(
    api: TestClient, runtime: Runtime, hubspot_fake: FakeHubSpot, clock: Clock, keys: dict[str, str]
) -> None:
    hubspot.setup(hubspot.client(runtime.settings))
    contact_id = _contact(hubspot_fake)
    hubspot_fake.rate_limit_next(1, retry_after="30", path_prefix="/crm/v3/objects/contacts")
    body, headers = signed([_event(contact_id)], clock)
    assert api.post(URL, content=body, headers=headers).status_code == 200
    assert lead_for(runtime, "hubspot", contact_id) is None, "the contact read was throttled"
    job = [j for j in _jobs(runtime, "crm.hubspot.import") if j.payload["contact_id"] == contact_id][0]
    assert job.status == "queued" and job.attempts == 0, "a rate limit is not counted as an attempt"
    assert job.run_after >= clock() + timedelta(seconds=25), "Retry-After is honoured"
    drain_jobs(runtime)
    assert lead_for(runtime, "hubspot", contact_id) is None, "not before the Retry-After has passed"
    clock.advance(31)
    drain_jobs(runtime)
    row = lead_for(runtime, "hubspot", contact_id)
    assert row is not None
    drain_leads(runtime)

    r = api.post(
        f"/leads/{row.id}/review/confirm",
        json=confirm_body(api, keys["sdr"], row.id),
        headers={"X-API-Key": keys["sdr"]},
    )
    assert r.status_code == 200, r.text
    hubspot_fake.rate_limit_next(2, retry_after=None, path_prefix=f"/crm/v3/objects/contacts/{contact_id}")
    drain_jobs(runtime)
    assert "lifecyclestage" not in hubspot_fake.contacts[contact_id]
    clock.advance(11)  # no Retry-After: the X-HubSpot-RateLimit-Interval-Milliseconds window (10 s)
    drain_jobs(runtime)
    assert "lifecyclestage" not in hubspot_fake.contacts[contact_id], "the second 429"
    clock.advance(11)
    drain_jobs(runtime)
    assert hubspot_fake.contacts[contact_id]["lifecyclestage"] == "salesqualifiedlead"
    assert sum(1 for n in hubspot_fake.notes if n["associations"][0]["to"]["id"] == contact_id) == 1


def test_a_note_refused_after_the_properties_landed_does_not_rewrite_them(
    api: TestClient, runtime: Runtime, hubspot_fake: FakeHubSpot, clock: Clock, keys: dict[str, str]
) -> None:
    hubspot.setup(hubspot.client(runtime.settings))
    contact_id = _contact(hubspot_fake)
    body, headers = signed([_event(contact_id)], clock)
    api.post(URL, content=body, headers=headers)
    row = lead_for(runtime, "hubspot", contact_id)
    assert row is not None
    drain_leads(runtime)
    api.post(
        f"/leads/{row.id}/review/confirm",
        json=confirm_body(api, keys["sdr"], row.id),
        headers={"X-API-Key": keys["sdr"]},
    )
    hubspot_fake.fail_next(503, path_prefix="/crm/v3/objects/notes")
    drain_jobs(runtime)
    patches = len(hubspot_fake.writes("PATCH", f"/crm/v3/objects/contacts/{contact_id}"))
    clock.advance(60)
    drain_jobs(runtime)
    assert len(hubspot_fake.writes("PATCH", f"/crm/v3/objects/contacts/{contact_id}")) == patches
    assert sum(1 for n in hubspot_fake.notes if n["associations"][0]["to"]["id"] == contact_id) == 1


def test_bad_signatures_stale_timestamps_replays_and_oversized_bodies_are_refused(
    api: TestClient, runtime: Runtime, hubspot_fake: FakeHubSpot, clock: Clock
) -> None:
    contact_id = _contact(hubspot_fake)
    before = lead_count(runtime)
    body, headers = signed([_event(contact_id)], clock, secret="not-the-app-secret")
    bad = api.post(URL, content=body, headers=headers)
    assert bad.status_code == 401 and bad.headers["content-type"] == "application/problem+json"
    assert "does not match" in bad.json()["detail"]
    body, headers = signed([_event(contact_id)], clock)
    tampered = api.post(URL, content=body.replace(b"6789", b"6790"), headers=headers)
    assert tampered.status_code == 401
    missing = api.post(URL, content=body, headers={"Content-Type": "application/json"})
    assert missing.status_code == 401
    old_body, old_headers = signed([_event(contact_id)], clock, at=clock() - timedelta(minutes=6))
    stale = api.post(URL, content=old_body, headers=old_headers)
    assert stale.status_code == 400 and "older than" in stale.json()["detail"]
    wrong_uri_body, wrong_uri = signed([_event(contact_id)], clock, uri="https://elsewhere.example/hook")
    assert api.post(URL, content=wrong_uri_body, headers=wrong_uri).status_code == 401
    huge, huge_headers = signed([_event(contact_id)] * 1 + [{"pad": "x" * 60_000}], clock)
    too_big = api.post(URL, content=huge, headers=huge_headers)
    assert too_big.status_code == 413 and too_big.headers["content-type"] == "application/problem+json"
    assert lead_count(runtime) == before, "nothing refused created a lead"

    first = api.post(URL, content=body, headers=headers)
    assert first.status_code == 200
    replay = api.post(URL, content=body, headers=headers)
    assert replay.status_code == 400 and "replay" in replay.json()["detail"]
    same_event, resigned = signed(json.loads(body), clock, at=clock() + timedelta(seconds=1))
    again = api.post(URL, content=same_event, headers=resigned)
    assert again.status_code == 400 and "already received" in again.json()["detail"]
    assert lead_count(runtime) == before + 1


def test_a_workflow_contact_that_does_not_map_names_the_record_and_property(
    api: TestClient, runtime: Runtime, clock: Clock
) -> None:
    before = lead_count(runtime)
    contact = {
        "objectId": 4242,
        "properties": {
            "email": {"value": "not-an-email"},
            "firstname": {"value": "Lee"},
            "numberofemployees": {"value": "lots"},
        },
    }
    body, headers = signed(contact, clock)
    r = api.post(URL, content=body, headers=headers)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    problems = {(e["record_id"], e["property"]) for e in r.json()["errors"]}
    assert ("4242", "numberofemployees") in problems
    assert lead_count(runtime) == before

    good = {
        "objectId": 4343,
        "properties": {
            "email": {"value": "lee@acme.example"},
            "firstname": {"value": "Lee"},
            "message": {"value": "Need AP automation this quarter"},
        },
    }
    body, headers = signed(good, clock)
    r = api.post(URL, content=body, headers=headers)
    assert r.status_code == 200 and r.json()["created"] is True
    row = lead_for(runtime, "hubspot", "4343")
    assert row is not None and row.payload["notes"] == "Need AP automation this quarter"


def test_an_event_whose_contact_does_not_map_fails_its_job_naming_record_and_property(
    api: TestClient, runtime: Runtime, hubspot_fake: FakeHubSpot, clock: Clock
) -> None:
    contact_id = str(uuid.uuid4().int % 10**10)
    hubspot_fake.add_contact(contact_id, {"email": "ok@acme.example", "numberofemployees": "about fifty"})
    body, headers = signed([_event(contact_id)], clock)
    assert api.post(URL, content=body, headers=headers).status_code == 200
    job = [j for j in _jobs(runtime, "crm.hubspot.import") if j.payload["contact_id"] == contact_id][0]
    assert job.status == "dead"
    assert f"record {contact_id}: property numberofemployees" in (job.last_error or "")
    assert lead_for(runtime, "hubspot", contact_id) is None


def test_secrets_never_reach_logs_errors_or_jobs(
    api: TestClient, runtime: Runtime, hubspot_fake: FakeHubSpot, clock: Clock, keys: dict[str, str], caplog
) -> None:  # type: ignore[no-untyped-def]
    import logging

    from tests.api.crm.conftest import SECRET

    caplog.set_level(logging.DEBUG)
    contact_id = _contact(hubspot_fake)
    body, headers = signed([_event(contact_id)], clock)
    wrong = api.post(URL, content=body, headers={**headers, "X-HubSpot-Signature-v3": "AAAA"})
    assert wrong.status_code == 401
    expected = headers["X-HubSpot-Signature-v3"]
    assert expected not in wrong.text, "the signature Qualify expected is never echoed"
    hubspot_fake.rate_limit_next(1, path_prefix="/crm/v3/objects/contacts")
    assert api.post(URL, content=body, headers=headers).status_code == 200
    clock.advance(2)
    drain_jobs(runtime)
    with runtime.sessions() as s:
        errors = " ".join(j.last_error or "" for j in s.scalars(select(JobRow)))
    for secret in (SECRET, hubspot_fake.token):
        assert secret not in caplog.text and secret not in errors and secret not in repr(runtime.settings)


def test_a_decision_that_does_not_commit_queues_no_write_back(
    api: TestClient, runtime: Runtime, clock: Clock, keys: dict[str, str]
) -> None:
    contact = {
        "objectId": 5151,
        "properties": {
            "email": "kim@fabrikam.example",
            "firstname": "Kim",
            "message": "Looking to automate invoice approvals",
        },
    }
    body, headers = signed(contact, clock)
    lead_id = api.post(URL, content=body, headers=headers).json()["lead_id"]
    drain_leads(runtime)
    good = confirm_body(api, keys["sdr"], lead_id)
    stale = api.post(
        f"/leads/{lead_id}/review/confirm",
        json={**good, "revision": good["revision"] + 1},
        headers={"X-API-Key": keys["sdr"]},
    )
    assert stale.status_code == 409
    stale_version = api.post(
        f"/leads/{lead_id}/review/confirm", json={**good, "version": 1}, headers={"X-API-Key": keys["sdr"]}
    )
    assert stale_version.status_code == 409
    mine = [j for j in _jobs(runtime, "crm.hubspot.write_back") if j.payload["lead_id"] == lead_id]
    assert mine == []
    assert (
        api.post(f"/leads/{lead_id}/review/confirm", json=good, headers={"X-API-Key": keys["sdr"]}).status_code == 200
    )
    assert len([j for j in _jobs(runtime, "crm.hubspot.write_back") if j.payload["lead_id"] == lead_id]) == 1


def test_a_changed_contact_keeps_its_lead_and_the_cli_lists_and_replays_jobs(
    api: TestClient, runtime: Runtime, hubspot_fake: FakeHubSpot, clock: Clock, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from api.cli import app
    from api.settings import get_settings

    contact_id = _contact(hubspot_fake)
    body, headers = signed([_event(contact_id)], clock)
    api.post(URL, content=body, headers=headers)
    first = lead_for(runtime, "hubspot", contact_id)
    assert first is not None
    hubspot_fake.contacts[contact_id]["jobtitle"] = "CFO"  # a property change event for the same contact
    body, headers = signed(
        [
            {
                **_event(contact_id),
                "subscriptionType": "contact.propertyChange",
                "propertyName": "jobtitle",
                "propertyValue": "CFO",
            }
        ],
        clock,
    )
    assert api.post(URL, content=body, headers=headers).status_code == 200
    done = [j for j in _jobs(runtime, "crm.hubspot.import") if j.payload["contact_id"] == contact_id]
    assert [j.status for j in done] == ["done", "done"] and done[-1].payload["outcome"] == "updated"
    updated = lead_for(runtime, "hubspot", contact_id)
    assert updated.id == first.id and updated.payload["person"]["title"] == "CFO"  # type: ignore[union-attr]

    monkeypatch.setenv("DATABASE_URL", runtime.settings.resolved_database_url)
    get_settings.cache_clear()
    try:
        listed = CliRunner().invoke(app, ["crm", "jobs", "--status", "done", "--limit", "1000"])
        missing = CliRunner().invoke(app, ["crm", "retry", "999999"])
        finished = CliRunner().invoke(app, ["crm", "retry", str(done[-1].id)])
    finally:
        get_settings.cache_clear()
    assert listed.exit_code == 0 and f"{done[-1].id} crm.hubspot.import done" in listed.output
    assert missing.exit_code == 2 and "does not exist" in missing.output
    assert finished.exit_code == 2, "a done job is not run again"
