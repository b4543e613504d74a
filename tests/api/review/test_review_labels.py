"""Reviews as labels for `qualify calibrate --from-reviews`, and reject / push-back reasons by source, segment, rep."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.review.export import NOT_A_JUDGMENT, reviewed_cases
from api.review.stats import ReasonRow, reason_stats, stored_reason_stats
from api.runtime import Runtime
from evals.calibration_run import review_provenance
from tests.api.review.conftest import People, card, confirm_body, new_lead


def test_ae_outcomes_and_rejects_become_labels_and_duplicates_are_left_out(
    api: TestClient, runtime: Runtime, people: People
) -> None:
    accepted = new_lead(api, runtime, people, ae="ae")
    pushed = new_lead(api, runtime, people, ae="ae")
    rejected = new_lead(api, runtime, people)
    duplicate = new_lead(api, runtime, people)
    for lead_id in (accepted, pushed):
        assert (
            api.post(
                f"/leads/{lead_id}/review/confirm", json=confirm_body(api, people, lead_id), headers=people.h("sdr")
            ).status_code
            == 200
        )
    rev = card(api, people, accepted)["revision"]
    assert (
        api.post(f"/leads/{accepted}/review/accept", json={"revision": rev}, headers=people.h("ae")).status_code == 200
    )
    r = api.post(
        f"/leads/{pushed}/review/push-back", json={"revision": rev, "reason": "no_authority"}, headers=people.h("ae")
    )
    assert r.status_code == 200
    for lead_id, reason in ((rejected, "no_budget"), (duplicate, "duplicate")):
        assert (
            api.post(
                f"/leads/{lead_id}/review/reject", json={"revision": 1, "reason": reason}, headers=people.h("sdr")
            ).status_code
            == 200
        )
    with runtime.sessions() as s:
        labels = {c.id.removeprefix("review-"): c.y_true for c in reviewed_cases(s, exclude_reasons=NOT_A_JUDGMENT)}
        everything = {c.id for c in reviewed_cases(s)}
        reasons = stored_reason_stats(s)
    assert labels == {accepted: 1, pushed: 0, rejected: 0}  # an AE's push-back overrides the SDR's confirm
    assert f"review-{duplicate}" in everything
    assert reasons["rep"][(people.emails["ae"], "no_authority")] == 1
    assert reasons["rep"][(people.emails["sdr"], "no_budget")] == 1
    assert sum(n for (source, _), n in reasons["source"].items() if source == "api") == 3


def test_a_refit_on_the_same_reviews_has_the_same_data_digest() -> None:
    from agent.schemas import Lead
    from evals.datasets import LeadCase

    lead = Lead(company={"name": "A"})
    cases = [
        LeadCase(id="a", lead=lead, expected_outcome="sql"),
        LeadCase(id="b", lead=lead, expected_outcome="nurture"),
    ]
    flipped = [cases[0], cases[1].model_copy(update={"expected_outcome": "sql"})]
    assert review_provenance(cases)["data_sha256"] == review_provenance(list(reversed(cases)))["data_sha256"]
    assert review_provenance(cases)["data_sha256"] != review_provenance(flipped)["data_sha256"]


def test_reasons_are_counted_by_source_segment_rep_and_criterion() -> None:
    stats = reason_stats(
        [
            ReasonRow("no_budget", "form", "smb", "ann", ("budget_confirmed",)),
            ReasonRow("no_budget", "form", None, "bob"),
            ReasonRow("bad_timing", "api", "smb", "ann"),
        ]
    )
    assert stats["source"][("form", "no_budget")] == 2 and stats["source"][("api", "bad_timing")] == 1
    assert stats["segment"][("smb", "no_budget")] == 1 and stats["segment"][("(no segment)", "no_budget")] == 1
    assert stats["rep"][("ann", "bad_timing")] == 1 and stats["criterion"] == {("budget_confirmed", "no_budget"): 1}


def test_the_failed_criteria_are_read_from_the_scorecards_sql_verdict() -> None:
    from api.review.stats import failed_criteria

    payload = {
        "sql": {
            "source": "sql_definition",
            "criteria": [
                {"id": "need", "status": "met"},
                {"id": "timing", "status": "failed"},
                {"id": "budget", "status": "missing"},
            ],
        }
    }
    assert failed_criteria(payload) == ("timing",)
    assert failed_criteria({"sql": None}) == () and failed_criteria({}) == ()
