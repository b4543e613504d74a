"""In headless chromium: an untouched must-have blocks the confirm; the API docs render with the network blocked;
the queue filter narrows the rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest

from api.runtime import Runtime
from tests.browser.test_review_flow import _login, _people, _submit

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def keys(runtime: Runtime) -> dict[str, str]:
    return _people(runtime)


def _offline(context) -> list[str]:  # type: ignore[no-untyped-def]
    """Block every request that is not to the test server; return the list of what was blocked."""
    blocked: list[str] = []

    def route(r) -> None:  # type: ignore[no-untyped-def]
        if urlparse(r.request.url).hostname == "127.0.0.1" or r.request.url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return blocked


def test_an_sdr_cannot_confirm_with_an_untouched_must_have(
    server: str,
    runtime: Runtime,
    browser,  # type: ignore[no-untyped-def]
    keys: dict[str, str],
) -> None:
    lead_id = _submit(server, keys["service"])
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    _login(page, server, "sdr@browser.example")
    page.goto(f"{server}/ui/leads/{lead_id}")
    page.wait_for_selector("#form-confirm")
    must = page.locator(".check-must_have")
    assert must.count() >= 1
    assert page.locator(".check-must_have .suggestion").first.is_visible()  # the AI's answer is shown as a suggestion
    page.fill("#discovery_notes", "Talked to the CFO.")
    page.fill("#next_step", "Demo")
    page.fill("#next_step_date", (datetime.now(UTC) + timedelta(days=2)).date().isoformat())
    page.fill("#opportunity_value", "€35.000")
    page.click("#form-confirm button[type=submit]")
    error = page.wait_for_selector("#error")
    first = must.first.get_attribute("id").removeprefix("check-")  # type: ignore[union-attr]
    assert "must-have not verified" in error.inner_text() and f"({first})" in error.inner_text()
    assert page.inner_text("#status") == "in review"
    for box in page.locator(".check-must_have input[type=checkbox]").all():
        box.check()
    page.click("#form-confirm button[type=submit]")
    page.wait_for_selector("text=Saved: confirm")
    assert page.inner_text("#status") == "sdr confirmed"
    assert "35,000 EUR" in page.inner_text("#h-record + dl")  # "€35.000" read as 35,000 in euros
    context.close()


def test_the_docs_render_with_the_network_blocked(server: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked = _offline(context)
    page = context.new_page()
    page.goto(f"{server}/docs")
    page.wait_for_selector(".swagger-ui .information-container", timeout=20_000)
    page.wait_for_selector("button.authorize")  # the API-key security scheme
    assert page.locator(".opblock").count() > 10  # the operations rendered from /openapi.json
    page.screenshot(path=str(tmp_path / "docs.png"), full_page=False)
    assert (tmp_path / "docs.png").stat().st_size > 10_000
    page.goto(f"{server}/redoc")
    page.wait_for_selector("h2:has-text('Submit a lead for qualification')", timeout=20_000)
    page.screenshot(path=str(tmp_path / "redoc.png"), full_page=False)
    assert blocked == [], blocked  # nothing even tried to leave the machine
    context.close()


def test_the_queue_filter_narrows_the_rows(server: str, runtime: Runtime, browser, keys: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    wanted = _submit(server, keys["service"], company={"name": "Filterable Widgets", "employees": 640, "country": "US"})
    _submit(server, keys["service"])
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    _login(page, server, "sdr@browser.example")
    before = page.locator("#queue tbody tr").count()
    assert before >= 2
    page.keyboard.press("/")
    page.keyboard.type("filterable")
    page.keyboard.press("Enter")
    page.wait_for_url("**/ui/queue?*q=filterable*")
    rows = page.locator("#queue tbody tr")
    assert rows.count() == 1 and rows.first.get_attribute("data-href") == f"/ui/leads/{wanted}"
    assert "sdr@browser.example" in rows.first.inner_text()  # the owner column
    page.select_option("#f-tier", index=0)
    page.check("#f-overdue")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**overdue=1**")
    assert page.locator("#queue tbody tr").count() == 0  # just assigned: not overdue
    context.close()
