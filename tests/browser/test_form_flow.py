"""End to end in headless chromium: a visitor fills the qualifying form twice (the second visit asks new questions,
and a follow-up appears only after its trigger), the lead is in the SDR's queue, the SDR confirms it, and the
confirmation reaches a loopback receiver as a signed webhook that the test verifies."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import httpx
import pytest

from api.db import transaction
from api.events.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from api.runtime import Runtime
from api.users.service import Role, add_user, issue_key
from tests.fakes.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.browser
PASSWORD = "browser test password"


def _asked(page) -> list[str]:  # type: ignore[no-untyped-def]
    names = page.eval_on_selector_all("[name^='q.']", "els => els.map(e => e.name)")
    return sorted({n[2:] for n in names})


def _answer(page, runtime: Runtime, fields: list[str], choices: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    form = runtime.deps.library.form("demo")
    assert form is not None
    for fid in fields:
        f = form.field(fid)
        if f.show_if is not None:
            continue  # follow-ups are answered by the caller once they show
        value = choices.get(fid) or (f.options[0] if f.options else "NetSuite")
        if f.type == "select":
            page.select_option(f"#q-{fid}", value)
        elif f.type == "radio":
            page.check(f"input[name='q.{fid}'][value='{value}']")
        else:
            page.fill(f"#q-{fid}", value)


def test_a_visitor_fills_the_form_twice_and_the_confirmation_is_a_signed_webhook(  # type: ignore[no-untyped-def]
    server: str, runtime: Runtime, browser
) -> None:
    now = runtime.deps.clock()
    with transaction(runtime.sessions) as s:
        add_user(s, "sdr@form.example", Role.sdr, now, password=PASSWORD, name="SDR")
        admin_key = issue_key(s, add_user(s, "admin@form.example", Role.admin, now), now)
    receiver = WebhookReceiver().start()
    try:
        made = httpx.post(
            f"{server}/webhooks",
            json={"url": receiver.url, "events": ["lead.sdr_confirmed"]},
            headers={"X-API-Key": admin_key},
        )
        assert made.status_code == 201, made.text
        receiver.secret = made.json()["secret"]
        requests: list[str] = []
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))

        page.goto(f"{server}/forms/demo")
        first = _asked(page)
        assert first == ["budget", "invoices", "role"]
        page.fill("#person-email", "margaret@harborline-logistics.com")
        page.fill("#person-name", "Margaret Olsen")
        page.fill("#person-title", "CFO")
        page.fill("#company-name", "Harborline Logistics")
        _answer(
            page,
            runtime,
            first,
            {"budget": "$120k approved for FY27", "invoices": "More than 2,000", "role": "I sign off on it"},
        )
        page.click("button[type=submit]")
        page.wait_for_selector("#thanks")

        page.goto(f"{server}/forms/demo")  # the same browser comes back: new questions, contact not asked again
        page.wait_for_selector("#welcome-back")
        second = _asked(page)
        assert second and not set(second) & set(first), (first, second)
        assert page.locator("#person-email").count() == 0
        assert "competitor" in second
        follow_up = page.locator("#q-competitor_reason-wrap")
        assert follow_up.is_hidden()  # shown only once its trigger answer is chosen
        _answer(page, runtime, second, {"competitor": "Yes", "timeline": "Within 3 months"})
        assert follow_up.is_visible()
        page.fill("#q-competitor_reason", "Our PayFlowly contract ends next month and approvals still take weeks")
        page.click("button[type=submit]")
        page.wait_for_selector("#thanks")
        tier = page.get_attribute("#thanks", "data-tier")
        if tier == "sql_ready":
            assert page.get_attribute("#thanks a", "href") == "https://meet.ledgerly.example/ap-demo"

        page.goto(f"{server}/ui/login")  # the SDR finds the lead in the queue and confirms it
        page.fill("#email", "sdr@form.example")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/ui/queue")
        assert "Harborline Logistics" in page.inner_text("#queue")
        page.click("#queue tbody tr:has-text('Harborline Logistics') a")
        page.wait_for_selector("#form-confirm")
        page.keyboard.press("c")
        page.fill("#discovery_notes", "Form: 2,000+ invoices, CFO signs, leaving PayFlowly.")
        page.fill("#next_step", "Demo with the CFO")
        page.fill("#next_step_date", (datetime.now(UTC) + timedelta(days=2)).date().isoformat())
        page.fill("#opportunity_value", "60000")
        for box in page.locator(".check-must_have input[type=checkbox]").all():  # must-haves verified on the call
            box.check()
        page.click("#form-confirm button[type=submit]")
        page.wait_for_selector("text=Saved: confirm")
        lead_id = urlparse(page.url).path.rsplit("/", 1)[-1]

        got = receiver.wait_for(lambda acc: any(r.envelope["type"] == "lead.sdr_confirmed" for r in acc), 20)[0]
        verify(receiver.secret, got.body, got.headers[TIMESTAMP_HEADER], got.headers[SIGNATURE_HEADER], time.time())
        assert receiver.rejected_signatures == 0
        assert got.envelope["lead_id"] == lead_id and got.envelope["data"]["source"] == "form"
        record = got.envelope["data"]["record"]
        assert record["next_step"] == "Demo with the CFO" and record["qualifying_rep"] == "sdr@form.example"
        assert record["opportunity_value"] == "60000"
        hosts = {urlparse(u).hostname for u in requests if not u.startswith(("data:", "about:"))}
        assert hosts == {"127.0.0.1"}, hosts  # the form and the UI loaded nothing from anywhere else
        context.close()
    finally:
        receiver.stop()
