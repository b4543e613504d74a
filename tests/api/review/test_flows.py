"""The state machine: human-only statuses are unreachable from the judge, scoring, batch, transcripts or import."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.leads.flows import (
    HUMAN_ONLY,
    HUMAN_TRANSITIONS,
    MACHINE_TRANSITIONS,
    LeadStatus,
    ReviewAction,
    can_machine_move,
    human_target,
)

ROOT = Path(__file__).resolve().parents[3]


def test_every_status_has_a_machine_entry_and_none_leads_to_a_human_only_status() -> None:
    assert set(MACHINE_TRANSITIONS) == set(LeadStatus)
    for source, targets in MACHINE_TRANSITIONS.items():
        assert not targets & HUMAN_ONLY, source
        for target in HUMAN_ONLY:
            assert not can_machine_move(source, target)


def test_human_only_statuses_are_reached_only_by_confirm_and_accept() -> None:
    reaching = {a for a, (_, target) in HUMAN_TRANSITIONS.items() if target in HUMAN_ONLY}
    assert reaching == {ReviewAction.confirm, ReviewAction.accept}


@pytest.mark.parametrize("action", list(ReviewAction))
def test_every_action_is_refused_from_every_status_it_does_not_list(action: ReviewAction) -> None:
    sources, _ = HUMAN_TRANSITIONS[action]
    for status in LeadStatus:
        if status in sources:
            human_target(status, action)
        else:
            with pytest.raises(ValueError, match="cannot"):
                human_target(status, action)


def test_no_code_outside_review_names_a_human_only_status() -> None:
    """The judge, scoring, pipeline, batch, import and transcript code cannot set what they never name."""
    pattern = re.compile(r"sdr_confirmed|ae_accepted")
    # api/events/outbox.py names the *event types* lead.sdr_confirmed / lead.ae_accepted that review decisions emit;
    # it writes only the events tables and cannot set a lead's status.
    allowed = {ROOT / "api" / "leads" / "flows.py", ROOT / "api" / "events" / "outbox.py"}
    offenders = []
    for folder in ("agent", "library", "evals", "api"):
        for path in (ROOT / folder).rglob("*.py"):
            if path in allowed or path.parent.name in ("review", "web"):
                continue
            if pattern.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


async def test_requalifying_or_a_transcript_never_keeps_or_sets_a_human_status(api, runtime, people) -> None:  # type: ignore[no-untyped-def]
    from api.leads.service import qualify_stored
    from tests.api.review.conftest import confirm_body, new_lead, status

    lead_id = new_lead(api, runtime, people, ae="ae")
    assert (
        api.post(
            f"/leads/{lead_id}/review/confirm", json=confirm_body(api, people, lead_id), headers=people.h("sdr")
        ).status_code
        == 200
    )
    assert await qualify_stored(runtime.sessions, runtime.deps, lead_id) is None
    assert status(runtime, lead_id) == "sdr_confirmed"
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Dana>We process about 4,000 invoices a month.\n"
    r = api.post(f"/leads/{lead_id}/transcripts", json={"content": vtt, "format": "vtt"}, headers=people.h("service"))
    assert r.status_code == 201, r.text
    assert status(runtime, lead_id) == "in_review"  # the confirmation named an older revision; review again
    stale = api.post(f"/leads/{lead_id}/review/accept", json={"revision": 1}, headers=people.h("ae"))
    assert stale.status_code == 409
    old = confirm_body(api, people, lead_id)
    old["revision"] = 1  # a confirm naming the revision before the call
    r = api.post(f"/leads/{lead_id}/review/confirm", json=old, headers=people.h("sdr"))
    assert r.status_code == 409 and r.json()["revision"] == 2 and status(runtime, lead_id) == "in_review"
