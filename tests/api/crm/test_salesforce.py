"""Salesforce end to end against the fake: Outbound Message → Ack → lead → confirm → Lead updated; faults."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.jobs.models import JobRow
from api.jobs.service import drain as drain_jobs
from api.leads.worker import drain as drain_leads
from api.runtime import Runtime
from tests.api.crm.conftest import ORG, Clock, confirm_body, lead_count, lead_for
from tests.fakes.salesforce_server import FakeSalesforce, outbound_message

URL = "/crm/salesforce/outbound-message"
XML = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}


def _lead_id() -> str:
    return "00Q" + uuid.uuid4().hex[:12].upper() + "AAA"


def _fields(lead_id: str) -> dict[str, str]:
    return {
        "Id": lead_id,
        "Email": f"sam{lead_id[-8:].lower()}@contoso.example",
        "FirstName": "Sam",
        "LastName": "Ortiz",
        "Title": "Controller",
        "Company": "Contoso",
        "Website": "contoso.example",
        "NumberOfEmployees": "1200",
        "Country": "United States",
        "Description": "Invoices are keyed by hand; budget of $80k approved; want to start next month.",
    }


def _job(runtime: Runtime, lead_id: str) -> JobRow:
    with runtime.sessions() as s:
        return [
            j
            for j in s.scalars(select(JobRow).where(JobRow.kind == "crm.salesforce.write_back"))
            if j.payload["lead_id"] == lead_id
        ][-1]


def test_outbound_message_to_lead_to_confirm_to_lead_update(
    api: TestClient, runtime: Runtime, salesforce_fake: FakeSalesforce, keys: dict[str, str]
) -> None:
    sf_id = _lead_id()
    salesforce_fake.add_lead(sf_id, {"Status": "Open - Not Contacted"})
    message = outbound_message(ORG, [_fields(sf_id)])
    r = api.post(URL, content=message, headers=XML)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml")
    assert "<Ack>true</Ack>" in r.text
    row = lead_for(runtime, "salesforce", sf_id)
    assert row is not None and row.payload["company"]["employees"] == 1200
    assert row.payload["person"]["name"] == "Sam Ortiz"

    resent = api.post(URL, content=message, headers=XML)
    assert resent.status_code == 200 and "<Ack>true</Ack>" in resent.text, "a resend is acknowledged again"
    with runtime.sessions() as s:
        from api.leads.models import LeadRow

        assert len(list(s.scalars(select(LeadRow).where(LeadRow.external_id == sf_id)))) == 1

    drain_leads(runtime)
    r = api.post(
        f"/leads/{row.id}/review/confirm",
        json=confirm_body(api, keys["sdr"], row.id),
        headers={"X-API-Key": keys["sdr"]},
    )
    assert r.status_code == 200, r.text
    drain_jobs(runtime)
    lead = salesforce_fake.leads[sf_id]
    assert lead["Status"] == "Working - Contacted"
    assert lead["Qualify_Next_Step__c"] == "Demo with the CFO" and lead["Qualify_Next_Step_Date__c"] == "2026-12-20"
    assert lead["Qualify_Opportunity_Value__c"] == 48000 and lead["Qualify_Qualifying_Rep__c"].startswith("sdr-")
    assert lead["Qualify_Scorecard_URL__c"].endswith(f"/ui/leads/{row.id}")
    assert _job(runtime, row.id).status == "done"


def test_request_limit_exceeded_waits_and_then_lands(
    api: TestClient, runtime: Runtime, salesforce_fake: FakeSalesforce, clock: Clock, keys: dict[str, str]
) -> None:
    sf_id = _lead_id()
    salesforce_fake.add_lead(sf_id, {"Status": "Open - Not Contacted"})
    api.post(URL, content=outbound_message(ORG, [_fields(sf_id)]), headers=XML)
    row = lead_for(runtime, "salesforce", sf_id)
    assert row is not None
    drain_leads(runtime)
    api.post(
        f"/leads/{row.id}/review/confirm",
        json=confirm_body(api, keys["sdr"], row.id),
        headers={"X-API-Key": keys["sdr"]},
    )
    salesforce_fake.limit_next(1)
    drain_jobs(runtime)
    job = _job(runtime, row.id)
    assert job.status == "queued" and job.attempts == 0 and "REQUEST_LIMIT_EXCEEDED" in (job.last_error or "")
    assert salesforce_fake.leads[sf_id]["Status"] == "Open - Not Contacted"
    clock.advance(60)
    drain_jobs(runtime)
    assert salesforce_fake.leads[sf_id]["Status"] == "Open - Not Contacted", "Salesforce's limit is given 15 minutes"
    clock.advance(900)
    salesforce_fake.expire_sessions()  # and the cached token has expired meanwhile: refreshed, then retried
    drain_jobs(runtime)
    clock.advance(60)
    drain_jobs(runtime)
    assert salesforce_fake.leads[sf_id]["Status"] == "Working - Contacted"
    assert _job(runtime, row.id).status == "done"


def test_a_refused_field_fails_the_job_naming_it(
    api: TestClient, runtime: Runtime, salesforce_fake: FakeSalesforce, keys: dict[str, str]
) -> None:
    sf_id = _lead_id()
    salesforce_fake.add_lead(sf_id, {"Status": "Open - Not Contacted"})
    api.post(URL, content=outbound_message(ORG, [_fields(sf_id)]), headers=XML)
    row = lead_for(runtime, "salesforce", sf_id)
    assert row is not None
    drain_leads(runtime)
    api.post(
        f"/leads/{row.id}/review/reject",
        json={"revision": 1, "reason": "other", "note": "test"},
        headers={"X-API-Key": keys["sdr"]},
    )
    import tests.fakes.salesforce_server as fake_module

    fake_module.STATUSES.discard("Closed - Not Converted")  # this org's picklist lacks the mapped value
    try:
        drain_jobs(runtime)
    finally:
        fake_module.STATUSES.add("Closed - Not Converted")
    job = _job(runtime, row.id)
    assert job.status == "dead"
    assert "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" in (job.last_error or "") and "Status" in (job.last_error or "")
    assert salesforce_fake.leads[sf_id]["Status"] == "Open - Not Contacted"

    # The admin adds the value to the picklist, sees the dead job and replays it.
    listed = api.get("/crm/jobs", params={"status": "dead"}, headers={"X-API-Key": keys["sdr"]})
    assert listed.status_code == 200 and job.id in [j["id"] for j in listed.json()]
    assert api.get("/crm/jobs").status_code == 401
    r = api.post(f"/crm/jobs/{job.id}/retry", headers={"X-API-Key": keys["sdr"]})
    assert r.status_code == 200, r.text
    assert salesforce_fake.leads[sf_id]["Status"] == "Closed - Not Converted"
    assert _job(runtime, row.id).status == "done"
    again = api.post(f"/crm/jobs/{job.id}/retry", headers={"X-API-Key": keys["sdr"]})
    assert again.status_code == 409 and again.headers["content-type"] == "application/problem+json"


def test_unknown_orgs_bad_xml_entities_and_unmappable_records_are_refused(api: TestClient, runtime: Runtime) -> None:
    before = lead_count(runtime)
    sf_id = _lead_id()
    stranger = api.post(URL, content=outbound_message("00D999999999999AAA", [_fields(sf_id)]), headers=XML)
    assert stranger.status_code == 403 and stranger.headers["content-type"] == "application/problem+json"
    not_xml = api.post(URL, content=b'{"not": "soap"}', headers=XML)
    assert not_xml.status_code == 400
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><x>&b;</x>'
    assert api.post(URL, content=bomb, headers=XML).status_code == 400
    huge = outbound_message(ORG, [{**_fields(sf_id), "Description": "x" * 60_000}])
    assert api.post(URL, content=huge, headers=XML).status_code == 413
    bad = api.post(
        URL,
        content=outbound_message(ORG, [{**_fields(sf_id), "Email": "nobody", "NumberOfEmployees": "a few"}]),
        headers=XML,
    )
    assert bad.status_code == 422
    assert {(e["record_id"], e["property"]) for e in bad.json()["errors"]} == {(sf_id, "NumberOfEmployees")}
    assert lead_count(runtime) == before
