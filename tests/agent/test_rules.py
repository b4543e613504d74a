"""Hard rules, table-driven: each rule fires on its trigger, stays quiet otherwise, and never fires on unknown data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from agent.rules import RULES, check_hard_rules
from agent.schemas import EnrichedValue, Enrichment, Lead
from tests.agent.enrichment.library import tiny_library

NOW = datetime(2026, 11, 1, tzinfo=UTC)
LIBRARY = tiny_library()


def lead(**parts: Any) -> Lead:
    person = {"email": "dana@acme.com", **parts.pop("person", {})}
    return Lead(person=person, **parts)


def enriched(confidence: float = 0.95, **values: Any) -> Enrichment:
    return Enrichment(
        fields={
            k.replace("__", "."): EnrichedValue(value=v, source="test", fetched_at=NOW, confidence=confidence)
            for k, v in values.items()
        }
    )


# (case id, lead, enrichment, expected (rule_id, field, value) or None)
CASES: list[tuple[str, Lead, Enrichment, tuple[str, str, str] | None]] = [
    # competitor_domain
    (
        "competitor by email",
        lead(person={"email": "spy@billcorp.com"}),
        Enrichment(),
        ("competitor_domain", "person.email", "spy@billcorp.com"),
    ),
    (
        "competitor by email subdomain",
        lead(person={"email": "spy@eu.billcorp.com"}),
        Enrichment(),
        ("competitor_domain", "person.email", "spy@eu.billcorp.com"),
    ),
    (
        "competitor by website",
        lead(company={"domain": "https://www.billcorp.com"}),
        Enrichment(),
        ("competitor_domain", "company.domain", "billcorp.com"),
    ),
    (
        "competitor by enriched domain",
        lead(),
        enriched(company__domain="billcorp.com"),
        ("competitor_domain", "company.domain", "billcorp.com"),
    ),
    ("lookalike is no competitor", lead(person={"email": "a@notbillcorp.com"}), Enrichment(), None),
    # existing_customer
    (
        "existing customer",
        lead(person={"email": "ap@happyclient.com"}),
        Enrichment(),
        ("existing_customer", "person.email", "ap@happyclient.com"),
    ),
    # blocked_domain
    (
        "blocked domain",
        lead(person={"email": "x@example.com"}),
        Enrichment(),
        ("blocked_domain", "person.email", "x@example.com"),
    ),
    (
        "blocked company domain",
        lead(company={"domain": "spamsender.net"}),
        Enrichment(),
        ("blocked_domain", "company.domain", "spamsender.net"),
    ),
    # student
    ("student title", lead(person={"title": "MBA Student"}), Enrichment(), ("student", "person.title", "MBA Student")),
    (
        "intern title",
        lead(person={"title": "Finance Intern"}),
        Enrichment(),
        ("student", "person.title", "Finance Intern"),
    ),
    ("internal is not intern", lead(person={"title": "Internal Audit Manager"}), Enrichment(), None),
    (
        "student persona",
        lead(person={"title": "Undergrad"}),
        enriched(person__persona="student"),
        ("student", "person.persona", "student"),
    ),
    (
        "student email",
        lead(person={"email": "kim@cs.stanford.edu"}),
        Enrichment(),
        ("student", "person.email", "kim@cs.stanford.edu"),
    ),
    (
        "uk student email",
        lead(person={"email": "kim@ox.ac.uk"}),
        Enrichment(),
        ("student", "person.email", "kim@ox.ac.uk"),
    ),
    ("edu in the middle is no school", lead(person={"email": "a@education-partners.com"}), Enrichment(), None),
    ("weak persona guess does not count", lead(), enriched(0.4, person__persona="student"), None),
    # job_seeker
    (
        "job seeker in notes",
        lead(notes="Hi! I am looking for a job in AP, see my resume."),
        Enrichment(),
        ("job_seeker", "notes", "Hi! I am looking for a job in AP, see my resume."),
    ),
    (
        "job seeker in a form answer",
        lead(form_answers={"How can we help?": "Open to work as a controller"}),
        Enrichment(),
        ("job_seeker", "form_answers.How can we help?", "Open to work as a controller"),
    ),
    (
        "job seeker in the title",
        lead(person={"title": "Controller | Open   to work"}),
        Enrichment(),
        ("job_seeker", "person.title", "Controller | Open   to work"),
    ),
    (
        "hiring talk is not job seeking",
        lead(notes="We are hiring two AP clerks and drown in invoices."),
        Enrichment(),
        None,
    ),
    # unsupported_country
    (
        "unsupported country stated",
        lead(company={"country": "Brazil"}),
        Enrichment(),
        ("unsupported_country", "company.country", "BR"),
    ),
    (
        "unsupported country enriched",
        lead(),
        enriched(company__country="JP"),
        ("unsupported_country", "company.country", "JP"),
    ),
    ("supported country alias", lead(company={"country": "UK"}), Enrichment(), None),
    ("unrecognised country is unknown", lead(company={"country": "Narnia"}), Enrichment(), None),
    ("weak country guess is unknown", lead(), enriched(0.5, company__country="JP"), None),
    # below_min_employees
    (
        "too small stated",
        lead(company={"employees": 4}),
        Enrichment(),
        ("below_min_employees", "company.employees", "4"),
    ),
    ("too small enriched", lead(), enriched(company__employees=3), ("below_min_employees", "company.employees", "3")),
    ("exactly the minimum", lead(company={"employees": 10}), Enrichment(), None),
    (
        "zero is known and too small",
        lead(company={"employees": 0}),
        Enrichment(),
        ("below_min_employees", "company.employees", "0"),
    ),
    # unknown data never disqualifies
    ("nothing known", Lead(company={"name": "Mystery Co"}), Enrichment(), None),
    ("free-mail alone is no rule", lead(person={"email": "pat@gmail.com"}), Enrichment(), None),
]


@pytest.mark.parametrize(("case", "the_lead", "enrichment", "expected"), CASES, ids=[c[0] for c in CASES])
def test_hard_rule(case: str, the_lead: Lead, enrichment: Enrichment, expected: tuple[str, str, str] | None) -> None:
    found = check_hard_rules(the_lead, enrichment, LIBRARY)
    if expected is None:
        assert found == []
        return
    assert len(found) == 1, found
    rule_id, field, value = expected
    assert (found[0].rule_id, found[0].field) == (rule_id, field)
    assert value in found[0].value or found[0].value in value
    assert found[0].reason


def test_every_rule_is_exercised_by_the_table() -> None:
    fired = {c[3][0] for c in CASES if c[3] is not None}
    assert fired == {rule.__name__ for rule in RULES}


def test_several_rules_can_fire_together_in_rule_order() -> None:
    the_lead = Lead(person={"email": "kim@mit.edu", "title": "Student"}, company={"country": "Brazil", "employees": 2})
    ids = [d.rule_id for d in check_hard_rules(the_lead, Enrichment(), LIBRARY)]
    assert ids == ["student", "unsupported_country", "below_min_employees"]


def test_an_empty_rule_set_disqualifies_nobody() -> None:
    bare = LIBRARY.model_copy(update={"competitors": [], "disqualifiers": type(LIBRARY.disqualifiers)()})
    the_lead = Lead(
        person={"email": "spy@billcorp.com", "title": "Student"},
        notes="open to work",
        company={"country": "Brazil", "employees": 1},
    )
    assert check_hard_rules(the_lead, Enrichment(), bare) == []


@pytest.mark.parametrize(
    ("field", "text", "fires"),
    [
        ("notes", "Ik ben op zoek naar een nieuwe baan. Hebben jullie vacatures?", True),
        ("person.title", "Roosterplanner (tussen twee banen)", True),
        ("form", "Ich suche eine neue Stelle im Controlling, mein Lebenslauf hängt an.", True),
        ("form", "Je cherche un nouvel emploi dans la finance.", True),
        ("notes", "Busco trabajo como contable.", True),
        ("notes", "Szukam pracy w księgowości.", True),
        ("notes", "Hledám práci v účetnictví.", True),
        # work, a place and a job to be done are not job seeking
        ("notes", "Die Stelle in Hamburg bearbeitet 4.000 Rechnungen; praca ręczna.", False),
        ("notes", "Cerchiamo uno strumento per il lavoro del team AP.", False),
    ],
)
def test_job_seeking_in_the_other_languages_is_the_same_rule(field: str, text: str, fires: bool) -> None:
    parts: dict[str, Any] = {
        "notes": {"notes": text},
        "person.title": {"person": {"title": text}},
        "form": {"form_answers": {"Message": text}},
    }[field]
    found = [d.rule_id for d in check_hard_rules(lead(**parts), Enrichment(), LIBRARY)]
    assert found == (["job_seeker"] if fires else []), found
    bare = LIBRARY.model_copy(
        update={"disqualifiers": LIBRARY.disqualifiers.model_copy(update={"job_seeker_patterns": []})}
    )
    assert check_hard_rules(lead(**parts), Enrichment(), bare) == []  # no phrases: the seller turned the rule off


def test_long_notes_are_quoted_as_an_excerpt() -> None:
    notes = "x" * 500 + " looking for a job " + "y" * 500
    found = check_hard_rules(lead(notes=notes), Enrichment(), LIBRARY)
    assert found[0].value.startswith("…") and found[0].value.endswith("…") and "looking for a job" in found[0].value
    assert len(found[0].value) < 200


def test_rules_configured_names_every_setting_a_rule_reads() -> None:
    from agent.rules import rules_configured
    from library.schemas import Competitor, CountryRule, Disqualifiers

    bare = LIBRARY.model_copy(
        update={
            "competitors": [],
            "disqualifiers": Disqualifiers(),
            "personas": [p for p in LIBRARY.personas if p.fit != "bad"],
        }
    )
    assert not rules_configured(bare)
    competitor = Competitor.model_validate({**LIBRARY.competitors[0].model_dump(), "domains": ["rival.example"]})
    settings: dict[str, Any] = {
        "min_employees": 5,
        "countries": CountryRule(supported=["US"]),
        "existing_customer_domains": ["a.example"],
        "blocked_domains": ["b.example"],
        "student_title_patterns": ["student"],
        "student_email_suffixes": [".edu"],
        "job_seeker_patterns": ["open to work"],
    }
    for name, value in settings.items():
        assert rules_configured(bare.model_copy(update={"disqualifiers": Disqualifiers(**{name: value})})), name
    assert rules_configured(bare.model_copy(update={"competitors": [competitor]}))
    student = LIBRARY.personas[0].model_copy(update={"id": "student", "name": "Student", "fit": "bad"})
    assert rules_configured(bare.model_copy(update={"personas": [*bare.personas, student]}))
