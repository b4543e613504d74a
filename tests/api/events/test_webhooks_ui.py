"""The admin webhooks page: health and deliveries shown (escaped), replay through a single-use CSRF form."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.db import transaction
from api.events.models import DeliveryRow, EventRow, SubscriptionRow
from api.runtime import Runtime
from tests.api.review.conftest import People, browser


def _failed_delivery(runtime: Runtime) -> tuple[str, str]:
    now = datetime.now(UTC)
    sub_id, event_id, delivery_id = uuid.uuid4().hex, uuid.uuid4().hex, uuid.uuid4().hex
    with transaction(runtime.sessions) as s:
        # paused, so the app's own delivery worker leaves it alone while the test looks at it
        s.add(
            SubscriptionRow(
                id=sub_id,
                kind="webhook",
                url="http://127.0.0.1:9/<b>hook</b>",
                events=["lead.escalated"],
                secret="whsec_x",
                active=False,
                healthy=False,
                consecutive_failures=7,
                created_at=now,
            )
        )
        event = EventRow(id=event_id, type="lead.escalated", lead_id="ui-lead", sequence=1, occurred_at=now, data={})
        s.add(event)
        s.flush()  # assigns event.seq
        s.add(
            DeliveryRow(
                id=delivery_id,
                event_id=event_id,
                event_seq=event.seq,
                lead_id="ui-lead",
                subscription_id=sub_id,
                status="failed",
                attempts=12,
                next_attempt_at=now,
                last_status=500,
                last_error="HTTP 500: <script>x</script>",
                created_at=now,
            )
        )
    return sub_id, delivery_id


def test_an_admin_sees_an_unhealthy_receiver_and_replays_its_failed_delivery(
    app: FastAPI, people: People, runtime: Runtime
) -> None:
    sub_id, delivery_id = _failed_delivery(runtime)
    admin = browser(app, people, "admin")
    html = admin.get("/ui/webhooks").text
    section = html[html.index(f'id="sub-{sub_id}"') :]
    assert "unhealthy" in section and "paused" in section and "7 failures in a row" in section
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "&lt;b&gt;hook&lt;/b&gt;" in html
    token = re.search(
        rf'action="/ui/webhooks/{sub_id}/replay" class="inline">\s*<input type="hidden" name="csrf" '
        r'value="([^"]+)"',
        section,
    ).group(1)  # type: ignore[union-attr]
    assert admin.post(f"/ui/webhooks/{sub_id}/replay", data={"csrf": "forged"}).status_code == 403
    r = admin.post(f"/ui/webhooks/{sub_id}/replay", data={"csrf": token})
    assert r.status_code == 303 and r.headers["location"] == "/ui/webhooks?done=1"
    with runtime.sessions() as s:
        d = s.get(DeliveryRow, delivery_id)
        assert d is not None and (d.status, d.attempts) == ("pending", 0)
    assert admin.post(f"/ui/webhooks/{sub_id}/replay", data={"csrf": token}).status_code == 403  # single use


def test_only_admins_see_the_webhooks_page(app: FastAPI, people: People) -> None:
    assert browser(app, people, "sdr").get("/ui/webhooks").status_code == 403
    anonymous = TestClient(app, follow_redirects=False)
    assert anonymous.get("/ui/webhooks").headers["location"].startswith("/ui/login")
