"""Deny by default: every route declares a policy; the role × action × ownership matrix; keys and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from api.auth.policy import Policy
from api.runtime import Runtime
from tests.api.review.conftest import People, audit_count, card, confirm_body, new_lead, status

OPEN = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/healthz", "/ui/static", "/docs/assets"}
PUBLIC_UI = {
    ("/", "GET"),
    ("/ui/login", "GET"),
    ("/ui/login", "POST"),
    # the qualifying form is for anonymous visitors (signed form tokens, honeypot, rate limit: api/forms)
    ("/forms/{form_id}", "GET"),
    ("/forms/{form_id}", "POST"),
    ("/forms/{form_id}/embed.js", "GET"),
    ("/forms/static/{name}", "GET"),
}


def _policies(dependant: Any) -> list[Policy]:
    found = []
    for d in dependant.dependencies:
        if isinstance(d.call, Policy):
            found.append(d.call)
        found += _policies(d)
    return found


def _routes(app: FastAPI) -> list[tuple[str, str, list[Policy]]]:
    out = []
    for rc in iter_route_contexts(app.routes):
        dependant = getattr(rc, "dependant", None)
        for method in sorted(rc.methods or {"*"}):
            out.append((rc.path, method, _policies(dependant) if dependant else []))
    return out


def test_every_route_declares_exactly_one_policy_and_only_login_is_public(app: FastAPI) -> None:
    routes = _routes(app)
    assert len(routes) > 25
    for path, method, policies in routes:
        if path in OPEN:
            continue
        assert len(policies) == 1, (method, path, policies)
        assert (policies[0].kind == "public") == ((path, method) in PUBLIC_UI), (method, path)


def test_no_route_answers_without_credentials(app: FastAPI) -> None:
    anonymous = TestClient(app, follow_redirects=False)
    for path, method, _ in _routes(app):
        if path in OPEN or (path, method) in PUBLIC_UI or method == "HEAD":
            continue
        url = (
            path.replace("{lead_id}", "x")
            .replace("{scorecard_id}", "x")
            .replace("{transcript_id}", "x")
            .replace("{email}", "x")
            .replace("{action}", "confirm")
        )
        r = anonymous.request(method, url, json={})
        if path in ("/crm/hubspot/webhook", "/crm/salesforce/outbound-message"):  # signed by the CRM, not keyed
            assert r.status_code in (400, 401, 403), (method, path, r.status_code)
        elif path.startswith("/ui/"):
            assert r.status_code in (303, 401), (method, path, r.status_code)
            assert r.status_code == 401 or r.headers["location"].startswith("/ui/login")
        else:
            assert r.status_code == 401, (method, path, r.status_code)


def test_keys_work_only_in_headers_and_revoked_keys_stop_working(
    api: TestClient, people: People, runtime: Runtime
) -> None:
    from tests.api.conftest import add_user

    key = add_user(runtime, "sdr")
    assert api.get("/review/queue", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert api.get("/review/queue", headers={"X-API-Key": key}).status_code == 200
    assert api.get(f"/review/queue?api_key={key}").status_code == 401
    assert api.get("/review/queue", headers={"X-API-Key": key + "x"}).status_code == 401
    email = api.get("/users", headers=people.h("admin")).json()
    target = next(u["email"] for u in email if key[:10] in u["keys"])
    assert api.post(f"/users/{target}/revoke", headers=people.h("admin")).status_code == 200
    assert api.get("/review/queue", headers={"X-API-Key": key}).status_code == 401


def test_intake_needs_a_service_or_admin_key(api: TestClient, people: People) -> None:
    from tests.api.review.conftest import lead_body

    for who, code in (("sdr", 403), ("ae", 403), ("service", 202), ("admin", 202)):
        assert api.post("/leads", json=lead_body(), headers=people.h(who)).status_code == code, who
    assert api.post("/leads", json=lead_body()).status_code == 401
    assert api.post("/users", json={"email": "x@y.z", "role": "sdr"}, headers=people.h("service")).status_code == 403


# action, actor, the lead is assigned to (sdr, ae), expected status
MATRIX = [
    ("confirm", "sdr", ("sdr", None), 200),
    ("confirm", "sdr2", ("sdr", None), 403),
    ("confirm", "admin", ("sdr", None), 200),
    ("confirm", "ae", ("sdr", "ae"), 403),
    ("confirm", "service", ("sdr", None), 403),
    ("edit", "sdr", ("sdr", None), 200),
    ("edit", "sdr2", ("sdr", None), 403),
    ("edit", "ae", ("sdr", "ae"), 403),
    ("edit", "admin", ("sdr", None), 200),
    ("edit", "service", ("sdr", None), 403),
    ("reject", "sdr", ("sdr", None), 200),
    ("reject", "sdr2", ("sdr", None), 403),
    ("reject", "admin", ("sdr", None), 200),
    ("reject", "ae", ("sdr", "ae"), 403),
    ("reject", "service", ("sdr", None), 403),
    ("accept", "ae", ("sdr", "ae"), 200),
    ("accept", "ae2", ("sdr", "ae"), 403),
    ("accept", "admin", ("sdr", "ae"), 200),
    ("accept", "sdr", ("sdr", "ae"), 403),
    ("accept", "service", ("sdr", "ae"), 403),
    ("push-back", "ae", ("sdr", "ae"), 200),
    ("push-back", "ae2", ("sdr", "ae"), 403),
    ("push-back", "admin", ("sdr", "ae"), 200),
    ("push-back", "sdr", ("sdr", "ae"), 403),
    ("reopen", "sdr", ("sdr", None), 200),
    ("reopen", "sdr2", ("sdr", None), 403),
    ("reopen", "ae", ("sdr", "ae"), 403),
]


def _body(api: TestClient, people: People, lead_id: str, action: str) -> dict[str, Any]:
    sc = card(api, people, lead_id)
    return {
        "confirm": lambda: confirm_body(api, people, lead_id),
        "edit": lambda: {
            "revision": sc["revision"],
            "question_id": sc["answers"][0]["question_id"],
            "answer": "unknown",
            "note": "not sure",
        },
        "reject": lambda: {"revision": sc["revision"], "reason": "too_small"},
        "accept": lambda: {"revision": sc["revision"]},
        "push-back": lambda: {"revision": sc["revision"], "reason": "other", "note": "wrong contact"},
        "reopen": lambda: {"reason": "new information"},
    }[action]()


@pytest.mark.parametrize(
    ("action", "actor", "owners", "expected"), MATRIX, ids=[f"{a}-{b}-{o[0]}/{o[1]}" for a, b, o, _ in MATRIX]
)
def test_role_action_ownership_matrix(
    api: TestClient,
    runtime: Runtime,
    people: People,
    action: str,
    actor: str,
    owners: tuple[str, str | None],
    expected: int,
) -> None:
    lead_id = new_lead(api, runtime, people, sdr=owners[0], ae=owners[1])
    if action in ("accept", "push-back"):  # the SDR confirms first
        assert (
            api.post(
                f"/leads/{lead_id}/review/confirm", json=confirm_body(api, people, lead_id), headers=people.h("sdr")
            ).status_code
            == 200
        )
    if action == "reopen":
        api.post(
            f"/leads/{lead_id}/review/reject", json={"revision": 1, "reason": "duplicate"}, headers=people.h("sdr")
        )
    before, audited = status(runtime, lead_id), audit_count(runtime, lead_id)
    r = api.post(f"/leads/{lead_id}/review/{action}", json=_body(api, people, lead_id, action), headers=people.h(actor))
    assert r.status_code == expected, r.text
    if expected != 200:
        assert status(runtime, lead_id) == before and audit_count(runtime, lead_id) == audited


BAD = [
    ("reject", {"revision": 1}, 422),  # missing reason
    ("reject", {"revision": 1, "reason": ""}, 422),  # empty reason
    ("reject", {"revision": 1, "reason": "bored"}, 422),  # unknown reason code
    ("reject", {"revision": 1, "reason": "other"}, 422),  # other without a note
    ("reject", {"revision": 1, "reason": "other", "note": "   "}, 422),  # blank note
    ("reject", {"revision": 1, "reason": "other", "note": "x" * 1_000_000}, 422),  # a 1 MB note
    ("reject", {"revision": 99, "reason": "no_need"}, 409),  # forged revision
    ("reject", {"revision": 1, "reason": "no_need", "status": "sdr_confirmed"}, 422),  # smuggled field
    ("reopen", {"reason": ""}, 422),
]


@pytest.mark.parametrize(("action", "body", "code"), BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_input_is_4xx_and_changes_nothing(
    api: TestClient, runtime: Runtime, people: People, action: str, body: dict[str, Any], code: int
) -> None:
    lead_id = new_lead(api, runtime, people)
    r = api.post(f"/leads/{lead_id}/review/{action}", json=body, headers=people.h("sdr"))
    assert r.status_code == code and r.headers["content-type"].startswith("application/problem+json")
    assert status(runtime, lead_id) == "in_review" and audit_count(runtime, lead_id) == 0


def test_unknown_lead_is_404(api: TestClient, people: People) -> None:
    r = api.post("/leads/nope/review/reject", json={"revision": 1, "reason": "no_need"}, headers=people.h("admin"))
    assert r.status_code == 404
