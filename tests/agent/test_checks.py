"""Structured checks: data questions answered without a model; missing data is unknown, never no."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.checks import evaluate
from agent.schemas import EngagementEvent, EnrichedValue, Enrichment, Lead
from library.schemas import QualifyingQuestion, StructuredCheck

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def q(field: str, op: str, value: object = None, within_days: int | None = None) -> QualifyingQuestion:
    return QualifyingQuestion(
        id="q1",
        text="?",
        category="fit",
        weight=1,
        fit_type="good",
        check=StructuredCheck(field=field, operator=op, value=value, within_days=within_days),
    )


def enr(**values: object) -> Enrichment:
    return Enrichment(
        fields={
            k.replace("__", "."): EnrichedValue(value=v, source="test", fetched_at=NOW, confidence=0.9)
            for k, v in values.items()
        }
    )


LEAD = Lead(person={"email": "a@b.com"}, form_answers={"erp": "NetSuite"})


@pytest.mark.parametrize(
    ("question", "enrichment", "expected"),
    [
        (q("company.employees", "gte", 200), enr(company__employees=450), "yes"),
        (q("company.employees", "gte", 200), enr(company__employees=199), "no"),
        (q("company.employees", "gte", 200), enr(), "unknown"),
        (q("company.country", "in", ["US", "CA"]), enr(company__country="us"), "yes"),
        (q("company.country", "in", ["US", "CA"]), enr(company__country="BR"), "no"),
        (q("company.country", "not_in", ["BR"]), enr(company__country="US"), "yes"),
        (q("person.seniority", "in", ["c_level", "vp"]), enr(person__seniority="vp"), "yes"),
        (q("email.free_mail", "eq", False), enr(email__free_mail=True), "no"),
        (q("email.free_mail", "eq", False), enr(email__free_mail=False), "yes"),
        (q("company.industry", "contains", "software"), enr(company__industry="Computer Software"), "yes"),
        (q("form.erp", "eq", "netsuite"), enr(), "yes"),
        (q("form.budget", "exists"), enr(), "unknown"),
        (q("company.employees", "gte", 200), enr(company__employees="lots"), "unknown"),
    ],
)
def test_data_checks(question: QualifyingQuestion, enrichment: Enrichment, expected: str) -> None:
    result = evaluate(question, LEAD, enrichment, NOW)
    assert result.answer == expected
    assert "structured_check" in result.flags
    assert (result.evidence != []) == (expected != "unknown")


def events(*days_ago: float, kind: str = "pricing_page_view") -> Lead:
    return Lead(
        person={"email": "a@b.com"},
        events=[EngagementEvent(type=kind, timestamp=NOW - timedelta(days=d)) for d in days_ago],
    )


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        (events(1, 2, 3), "yes"),  # three in the window
        (events(1, 2, 10), "no"),  # only two in the last 7 days
        (events(10, 11, 12), "unknown"),  # none in the window: absence of tracking is not a no
        (events(1, 2, 3, kind="ebook_download"), "unknown"),
        (events(-1, 1, 2), "no"),  # an event after `now` does not count
    ],
)
def test_events_in_a_time_window(lead: Lead, expected: str) -> None:
    result = evaluate(q("events.pricing_page_view", "gte", 3, within_days=7), lead, Enrichment(), NOW)
    assert result.answer == expected
    if expected == "no":
        assert all(e.source == "event" for e in result.evidence)
