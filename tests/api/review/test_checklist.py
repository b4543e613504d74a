"""Confirmation that means something: untouched must-haves block a confirm (server-side), the audit records what the
rep changed versus accepted as suggested, and the per-rep accept-as-suggested rate; money typed as reps type it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.review.amounts import AmountError, parse_amount
from agent.schemas import QuestionAnswer
from api.review.checklist import MUST_HAVE_WEIGHT, group_of, must_haves, suggested
from library.sql_rules import questions_named
from api.review.stats import rep_stats
from api.runtime import Runtime
from tests.api.review.conftest import People, card, confirm_body, new_lead, status


def _must_haves(runtime: Runtime, sc: dict) -> list[str]:  # type: ignore[type-arg]
    """The questions the lead's segment's SQL definition names in its must-haves, as asked on this scorecard."""
    segment = next(s for s in runtime.deps.library.segments if s.id == sc["sql"]["segment"])
    named = {q for m in segment.sql.must_have for q in questions_named(m.when)}  # type: ignore[union-attr]
    return [a["question_id"] for a in sc["answers"] if a["question_id"] in named]


def test_must_haves_are_the_segments_sql_must_haves_and_the_weight_rule_is_only_a_fallback(runtime: Runtime) -> None:
    from agent.schemas import ScorecardDraft, SqlVerdict
    from library.schemas import Library

    lib = runtime.deps.library
    smb = next(s for s in lib.segments if s.id == "smb")
    draft = ScorecardDraft.model_construct(
        answers=[
            QuestionAnswer(question_id=q.id, answer="unknown", confidence=0.0, reasoning="—") for q in lib.questions
        ],
        sql=SqlVerdict(source="sql_definition", segment="smb", tier_reason="…"),
    )
    musts = must_haves(draft, lib)
    assert "outgrowing_tools" in musts and "invoice_volume_100" in musts  # weight 5 and 6: named by the definition
    assert "vendor_pitch" not in musts and "is_student" not in musts  # heavy, but disqualifiers, not must-haves
    assert set(musts) == {q for m in smb.sql.must_have for q in questions_named(m.when)}  # type: ignore[union-attr]
    no_sql = Library.model_validate(
        {**lib.model_dump(), "segments": [{**s.model_dump(by_alias=True), "sql": None} for s in lib.segments]}
    )
    fallback = must_haves(draft, no_sql)
    assert "outgrowing_tools" not in fallback and "budget_15k" in fallback


def test_the_library_has_must_haves_and_the_suggestion_follows_the_answer(runtime: Runtime) -> None:
    qs = {q.id: q for q in runtime.deps.library.questions}
    assert group_of(qs["budget_15k"]) == "must_have" and qs["budget_15k"].weight >= MUST_HAVE_WEIGHT
    assert group_of(qs["is_student"]) == "disqualifier" and group_of(qs["business_email"]) == "other"
    assert suggested("yes", qs["budget_15k"]) == "confirmed" and suggested("no", qs["budget_15k"]) == "unknown"
    assert suggested("no", qs["is_student"]) == "confirmed" and suggested("yes", qs["is_student"]) == "unknown"


def test_an_untouched_must_have_blocks_the_confirm_naming_it(api: TestClient, runtime: Runtime, people: People) -> None:
    lead_id = new_lead(api, runtime, people)
    sc = card(api, people, lead_id)
    must = _must_haves(runtime, sc)
    assert must, "the sample lead is asked must-have questions"
    body = confirm_body(api, people, lead_id)
    body["record"]["verified_on_call"] = [q for q in body["record"]["verified_on_call"] if q != must[0]]
    r = api.post(f"/leads/{lead_id}/review/confirm", json=body, headers=people.h("sdr"))
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    text = next(q.text for q in runtime.deps.library.questions if q.id == must[0])
    assert text in r.json()["detail"] and r.json()["unverified"] == [must[0]]
    assert r.json()["errors"][0]["field"] == f"record.checklist.{must[0]}"
    assert status(runtime, lead_id) == "in_review"


def test_changing_or_verifying_each_must_have_lets_the_confirm_through_and_the_audit_says_which(
    api: TestClient, runtime: Runtime, people: People
) -> None:
    lead_id = new_lead(api, runtime, people)
    sc = card(api, people, lead_id)
    must = _must_haves(runtime, sc)
    body = confirm_body(api, people, lead_id)
    checklist = body["record"]["checklist"]
    changed = must[0]
    checklist[changed] = "unknown" if checklist[changed] == "confirmed" else "confirmed"  # differs from the suggestion
    others = [a["question_id"] for a in sc["answers"] if a["question_id"] not in must]
    by_id = {q.id: q for q in runtime.deps.library.questions}
    for a in sc["answers"]:
        if a["question_id"] in others:  # left exactly as the AI suggested
            checklist[a["question_id"]] = suggested(a["answer"], by_id.get(a["question_id"]))
    body["record"]["verified_on_call"] = must[1:]  # the other must-haves verified; the rest left as suggested
    r = api.post(f"/leads/{lead_id}/review/confirm", json=body, headers=people.h("sdr"))
    assert r.status_code == 200, r.text
    outcome = r.json()["checklist_review"]
    assert outcome[changed] == "changed" and all(outcome[q] == "verified" for q in must[1:])
    assert all(outcome[q] == "accepted" for q in others)
    audit = api.get(f"/leads/{lead_id}/audit", headers=people.h("admin")).json()
    assert audit[-1]["new"]["checklist_review"] == outcome


def test_an_edited_answer_counts_as_changed(api: TestClient, runtime: Runtime, people: People) -> None:
    lead_id = new_lead(api, runtime, people)
    sc = card(api, people, lead_id)
    target = _must_haves(runtime, sc)[0]
    edit = {"revision": sc["revision"], "question_id": target, "answer": "unknown", "note": "Not asked yet"}
    assert api.post(f"/leads/{lead_id}/review/edit", json=edit, headers=people.h("sdr")).status_code == 200
    entry = api.get(f"/leads/{lead_id}/audit", headers=people.h("admin")).json()[-1]
    assert entry["new"]["question"] == next(q.text for q in runtime.deps.library.questions if q.id == target)
    body = confirm_body(api, people, lead_id)
    body["record"]["verified_on_call"] = [q for q in _must_haves(runtime, sc) if q != target]
    body["record"]["checklist"][target] = "unknown"  # what the edited answer suggests
    r = api.post(f"/leads/{lead_id}/review/confirm", json=body, headers=people.h("sdr"))
    assert r.status_code == 200, r.text
    assert r.json()["checklist_review"][target] == "changed"


def test_accept_as_suggested_rate_per_rep() -> None:
    got = {
        s.rep: s
        for s in rep_stats(
            [
                ("a@x", {"q1": "accepted", "q2": "verified", "q3": "changed", "q4": "accepted"}),
                ("a@x", {"q1": "accepted"}),
                ("b@x", {"q1": "changed", "q2": "changed"}),
            ]
        )
    }
    assert (got["a@x"].confirms, got["a@x"].items, got["a@x"].accept_rate) == (2, 5, 0.8)
    assert got["a@x"].verified == 1 and got["a@x"].accepted == 3 and got["b@x"].accept_rate == 0.0


def test_review_stats_cli_prints_the_rate_per_rep(
    api: TestClient, runtime: Runtime, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api import settings as settings_module
    from api.review.cli import app

    lead_id = new_lead(api, runtime, people, sdr="sdr2")  # sdr2's only confirm in this module
    r = api.post(f"/leads/{lead_id}/review/confirm", json=confirm_body(api, people, lead_id), headers=people.h("sdr2"))
    assert r.status_code == 200, r.text
    outcome = list(r.json()["checklist_review"].values())
    kept = round(100 * sum(o != "changed" for o in outcome) / len(outcome))
    monkeypatch.setattr(settings_module, "get_settings", lambda: runtime.settings)
    monkeypatch.setattr("api.review.cli.get_settings", lambda: runtime.settings)
    out = CliRunner().invoke(app, ["stats"])
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    assert f"{people.emails['sdr2']}: 1 confirm(s), {len(outcome)} items — accepted as suggested {kept}%" in text
    assert f"({outcome.count('verified')} verified on the call" in text


@pytest.mark.parametrize(
    ("typed", "amount", "currency"),
    [
        ("35,000", "35000", None),
        ("35.000", "35000", None),
        ("35 000", "35000", None),
        ("35k", "35000", None),
        ("€35.000", "35000", "EUR"),
        ("$48,000.50", "48000.50", "USD"),
        ("1.234.567,89", "1234567.89", None),
        ("35,5", "35.5", None),
        ("USD 1.2m", "1200000.0", "USD"),
        ("35000 EUR", "35000", "EUR"),
    ],
)
def test_amounts_as_reps_type_them(typed: str, amount: str, currency: str | None) -> None:
    assert parse_amount(typed) == (Decimal(amount), currency)


@pytest.mark.parametrize("typed", ["", "abc", "1e5", "35k€$", "--5"])
def test_unreadable_amounts_say_what_is_accepted(typed: str) -> None:
    with pytest.raises(AmountError, match="35,000"):
        parse_amount(typed)


def test_a_confirm_with_a_typed_amount_stores_the_number_and_currency(
    api: TestClient, runtime: Runtime, people: People
) -> None:
    lead_id = new_lead(api, runtime, people)
    bad = confirm_body(api, people, lead_id, opportunity_value="lots")
    r = api.post(f"/leads/{lead_id}/review/confirm", json=bad, headers=people.h("sdr"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "record.opportunity_value"
    assert "35k" in r.json()["errors"][0]["message"]
    body = confirm_body(api, people, lead_id, opportunity_value="€35.000")
    r = api.post(f"/leads/{lead_id}/review/confirm", json=body, headers=people.h("sdr"))
    assert r.status_code == 200, r.text
    record = api.get(f"/leads/{lead_id}/review", headers=people.h("admin")).json()["decisions"][-1]["record"]
    assert record["opportunity_value"] == "35000" and record["currency"] == "EUR"
