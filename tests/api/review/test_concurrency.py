"""Decisions that cannot race: concurrent requests to a real server, each in its own thread and database session.

Of N identical decisions sent at once on one revision exactly one wins; the others get 409 problem+json with the
state the winner left, and only one decision and one audit row are written.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.audit.models import AuditRow
from api.review.models import AnswerReviewRow, DecisionRow
from api.runtime import Runtime
from tests.api.review.conftest import People, card, confirm_body, new_lead

ROUNDS, SENDERS = 5, 4


@pytest.fixture(scope="module")
def server(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 in a thread (requests run in its thread pool, truly concurrently)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(5)


def at_once(url: str, requests: list[tuple[str, dict[str, Any], dict[str, str]]]) -> list[httpx.Response]:
    """Send every request at the same instant, one thread each."""
    barrier, results = threading.Barrier(len(requests)), [None] * len(requests)

    def send(i: int, path: str, body: dict[str, Any], headers: dict[str, str]) -> None:
        with httpx.Client(base_url=url, timeout=60) as c:
            barrier.wait()
            results[i] = c.post(path, json=body, headers=headers)  # type: ignore[call-overload]

    threads = [threading.Thread(target=send, args=(i, *r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results  # type: ignore[return-value]


def count(runtime: Runtime, model: type, lead_id: str, **where: object) -> int:
    with runtime.sessions() as s:
        q = select(func.count()).select_from(model).where(model.lead_id == lead_id)  # type: ignore[attr-defined]
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return s.scalar(q)  # type: ignore[return-value]


def one_winner(responses: list[httpx.Response], state: str) -> None:
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * (len(responses) - 1), [(r.status_code, r.text[:200]) for r in responses]
    for r in responses:
        if r.status_code == 409:
            assert r.headers["content-type"].startswith("application/problem+json")
            assert r.json()["state"] == state


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_concurrent_confirms_one_wins(
    server: str, api: TestClient, runtime: Runtime, people: People, round_: int
) -> None:
    lead_id = new_lead(api, runtime, people, sdr="sdr", ae="ae")
    body = confirm_body(api, people, lead_id)
    senders = ["sdr", "admin", "sdr", "admin"][:SENDERS]
    got = at_once(server, [(f"/leads/{lead_id}/review/confirm", body, people.h(w)) for w in senders])
    one_winner(got, "sdr_confirmed")
    assert count(runtime, DecisionRow, lead_id, action="confirm") == 1
    assert count(runtime, AuditRow, lead_id, action="confirm") == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_concurrent_accepts_one_wins(
    server: str, api: TestClient, runtime: Runtime, people: People, round_: int
) -> None:
    lead_id = new_lead(api, runtime, people, sdr="sdr", ae="ae")
    body = confirm_body(api, people, lead_id)
    assert api.post(f"/leads/{lead_id}/review/confirm", json=body, headers=people.h("sdr")).status_code == 200
    accept = {"revision": body["revision"]}
    got = at_once(server, [(f"/leads/{lead_id}/review/accept", accept, people.h(w)) for w in ["ae", "admin"] * 2])
    one_winner(got, "ae_accepted")
    assert count(runtime, DecisionRow, lead_id, action="accept") == 1
    assert count(runtime, AuditRow, lead_id, action="accept") == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_concurrent_edits_made_on_one_version_one_wins(
    server: str, api: TestClient, runtime: Runtime, people: People, round_: int
) -> None:
    lead_id = new_lead(api, runtime, people, sdr="sdr")
    sc, version = card(api, people, lead_id), api.get(f"/leads/{lead_id}", headers=people.h("sdr")).json()["version"]
    edits = [
        {
            "revision": sc["revision"],
            "version": version,
            "question_id": a["question_id"],
            "answer": "unknown",
            "note": f"edit {i}",
        }
        for i, a in enumerate(sc["answers"][:SENDERS])
    ]
    got = at_once(server, [(f"/leads/{lead_id}/review/edit", e, people.h("sdr")) for e in edits])
    one_winner(got, "in_review")
    assert count(runtime, AnswerReviewRow, lead_id) == 1 and count(runtime, AuditRow, lead_id, action="edit") == 1
    # the winner's edit made revision 2; a loser reloads (new version and revision) and edits again: it lands
    loser = next(e for e, r in zip(edits, got, strict=True) if r.status_code == 409)
    loser["version"] = api.get(f"/leads/{lead_id}", headers=people.h("sdr")).json()["version"]
    assert card(api, people, lead_id)["revision"] == sc["revision"] + 1
    loser["revision"] = sc["revision"] + 1
    assert api.post(f"/leads/{lead_id}/review/edit", json=loser, headers=people.h("sdr")).status_code == 200
