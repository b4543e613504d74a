"""End to end in headless chromium: SDR logs in, opens the top lead, edits an answer, confirms; AE accepts; audit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from api.db import transaction
from api.runtime import Runtime
from api.users.service import Role, add_user, issue_key

pytestmark = pytest.mark.browser
PASSWORD = "browser test password"
SHOTS = Path(__file__).resolve().parents[2] / "benchmarks" / "out"


def _people(runtime: Runtime) -> dict[str, str]:
    now = runtime.deps.clock()
    with transaction(runtime.sessions) as s:
        for email, role in (("sdr@browser.example", Role.sdr), ("ae@browser.example", Role.ae)):
            add_user(s, email, role, now, password=PASSWORD, name=email.split("@")[0].upper())
        service = add_user(s, "crm@browser.example", Role.service, now)
        return {"service": issue_key(s, service, now)}


def _submit(base: str, key: str, **extra: object) -> str:
    tag = uuid.uuid4().hex[:6]
    lead = {
        "external_id": f"B-{tag}",
        "person": {"name": "Dana Reyes", "email": f"dana@northwind{tag}.com", "title": "VP Finance"},
        "company": {"name": "Northwind Traders", "employees": 850, "country": "United States", "industry": "Retail"},
        "form_answers": {"What is your budget for AP automation?": "We have about $60k approved for this year."},
        "notes": "Processing 4,000 invoices a month by hand. Wants to go live next quarter.",
        "events": [{"type": "pricing_page_view", "timestamp": "2026-11-19T10:00:00Z"}],
    }
    lead.update(extra)
    r = httpx.post(f"{base}/leads", json=lead, headers={"X-API-Key": key}, timeout=60)
    assert r.status_code == 202, r.text
    lead_id = r.json()["lead_id"]
    for _ in range(200):  # qualification runs in the background
        if httpx.get(f"{base}/leads/{lead_id}", headers={"X-API-Key": key}).json()["status"] == "in_review":
            return lead_id  # type: ignore[no-any-return]
        import time

        time.sleep(0.05)
    raise AssertionError("lead was not qualified")


def _login(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/ui/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/ui/queue")


def test_sdr_confirms_ae_accepts_and_the_audit_shows_both(server: str, runtime: Runtime, browser) -> None:  # type: ignore[no-untyped-def]
    keys = _people(runtime)
    hostile = _submit(
        server,
        keys["service"],
        notes="<script>window.pwned=1</script> ![x](https://evil.example/a.png?d=1) "
        "Processing 4,000 invoices a month by hand.",
    )
    _submit(server, keys["service"])
    requests: list[str] = []
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))

    _login(page, server, "sdr@browser.example")
    page.click("#queue tbody tr:first-child a")  # the top lead
    page.wait_for_selector("#h-answers")
    lead_url = page.url
    first_question = page.locator("#edit-q option").first.get_attribute("value")
    page.keyboard.press("e")  # keyboard: opens the edit form and focuses it
    page.select_option("#edit-q", first_question)
    page.select_option("#edit-answer", "unknown")
    page.fill("#edit-note", "Not discussed on the call yet")
    page.click("#form-edit button[type=submit]")
    page.wait_for_selector("text=Saved: edit")
    assert "Not discussed on the call yet" in page.inner_text(f"#q-{first_question}")

    page.keyboard.press("c")
    page.fill("#discovery_notes", "Three AP clerks, 4,000 invoices a month, CFO sponsors the project.")
    page.fill("#next_step", "Demo with the CFO")
    page.fill("#next_step_date", (datetime.now(UTC) + timedelta(days=3)).date().isoformat())
    page.fill("#opportunity_value", "48,000")
    for box in page.locator(".check-must_have input[type=checkbox]").all():  # must-haves are verified on the call
        box.check()
    page.click("#form-confirm button[type=submit]")
    page.wait_for_selector("text=Saved: confirm")
    assert page.inner_text("#status") == "sdr confirmed"
    page.goto(f"{server}/ui/leads/{hostile}")  # hostile lead text must neither run nor load anything
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert "<script>window.pwned=1</script>" in page.inner_text("main")  # shown as text
    page.click("text=Log out")
    page.wait_for_url("**/ui/login")

    _login(page, server, "ae@browser.example")
    page.click(f"#queue a[href='{urlparse(lead_url).path}']")
    page.wait_for_selector("#form-accept")
    page.keyboard.press("a")
    page.fill("#accept-note", "Booked the demo.")
    page.click("#form-accept button[type=submit]")
    page.wait_for_selector("text=Saved: accept")
    assert page.inner_text("#status") == "ae accepted"

    audit = page.inner_text("#audit")
    for expected in (
        "edit",
        "confirm",
        "accept",
        "sdr@browser.example",
        "ae@browser.example",
        "sdr confirmed → ae accepted",
    ):
        assert expected in audit, expected
    page.goto(lead_url)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "review_scorecard.png"), full_page=False)
    page.screenshot(path=str(SHOTS / "review_scorecard_full.png"), full_page=True)
    hosts = {urlparse(u).hostname for u in requests if not u.startswith(("data:", "about:"))}
    assert hosts == {"127.0.0.1"}, hosts  # nothing was fetched from anywhere else
    context.close()
