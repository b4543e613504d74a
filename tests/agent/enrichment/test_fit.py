"""Product fit: ordering of realistic leads, readable reasons, unknowns neutral."""

from __future__ import annotations

from datetime import UTC, datetime

from agent.enrichment.fit import BASE, product_fit
from agent.enrichment.local import enrich_lead, local_providers
from agent.schemas import EnrichedValue, Enrichment, Lead
from tests.agent.enrichment.library import tiny_library

NOW = datetime(2026, 11, 1, tzinfo=UTC)


async def _fit(lead: Lead, segment_id: str | None = None) -> Enrichment:
    library = tiny_library()
    return await enrich_lead(lead, local_providers(library), library, NOW, segment_id)


async def test_cfo_at_a_500_person_us_company_beats_a_student_on_gmail() -> None:
    cfo = await _fit(
        Lead(
            person={"email": "dana@acme.com", "title": "CFO"},
            company={"name": "Acme", "employees": 500, "country": "US"},
        )
    )
    ap = await _fit(
        Lead(
            person={"email": "lee@beta.com", "title": "AP Specialist"},
            company={"name": "Beta", "employees": 60, "country": "US"},
        )
    )
    student = await _fit(Lead(person={"email": "kim@gmail.com", "title": "Student"}))
    assert cfo.fit_score > ap.fit_score > student.fit_score
    assert cfo.fit_score >= 85 and student.fit_score <= 15
    assert "Finance decision maker (CFO): +15" in cfo.fit_reasons
    assert "Free-mail address: −10" in student.fit_reasons
    assert any(r.startswith("Bad-fit persona: Student") for r in student.fit_reasons)


async def test_reasons_name_segment_country_and_department() -> None:
    result = await _fit(
        Lead(
            person={"email": "dana@acme.com", "title": "VP Finance"},
            company={"name": "Acme", "employees": 500, "country": "Germany", "industry": "Software"},
        )
    )
    reasons = " | ".join(result.fit_reasons)
    assert "500 employees fits Enterprise (200+ employees): +15" in reasons
    assert "Supported country: Germany: +10" in reasons
    assert "Finance department, where the buyers sit: +8" in reasons
    assert "Target industry: Software: +5" in reasons


async def test_negative_signals_lower_the_score() -> None:
    good = await _fit(Lead(person={"email": "a@acme.com", "title": "CFO"}, company={"employees": 500, "country": "US"}))
    for change in ({"country": "Brazil"}, {"employees": 5}, {"industry": "Retail"}):
        company = {"employees": 500, "country": "US", **change}
        worse = await _fit(Lead(person={"email": "a@acme.com", "title": "CFO"}, company=company))
        assert worse.fit_score < good.fit_score or (good.fit_score == 100 and worse.fit_score < 100), change
    outside = await _fit(Lead(person={"email": "a@acme.com"}, company={"employees": 50}), segment_id="enterprise")
    assert "50 employees is outside Enterprise (200+ employees): −10" in outside.fit_reasons


def test_unknown_everything_is_the_neutral_base_and_guesses_are_ignored() -> None:
    library = tiny_library()
    assert product_fit(Enrichment(), library) == (BASE, [])
    guess = Enrichment(
        fields={"company.country": EnrichedValue(value="BR", source="x", fetched_at=NOW, confidence=0.2)}
    )
    assert product_fit(guess, library) == (BASE, [])


def test_disposable_email_costs_more_than_free_mail() -> None:
    library = tiny_library()

    def flags(free: bool, disposable: bool) -> Enrichment:
        return Enrichment(
            fields={
                "email.free_mail": EnrichedValue(value=free, source="email", fetched_at=NOW, confidence=1.0),
                "email.disposable": EnrichedValue(value=disposable, source="email", fetched_at=NOW, confidence=1.0),
            }
        )

    assert product_fit(flags(False, True), library)[0] < product_fit(flags(True, False), library)[0] < BASE
