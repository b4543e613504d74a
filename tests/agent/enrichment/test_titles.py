"""Job title → seniority, department and library persona."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.enrichment.titles import TitleProvider, department, match_persona, normalise_title, seniority
from agent.schemas import EnrichedValue, Lead
from tests.agent.enrichment.library import tiny_library

NOW = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("title", "level", "dept"),
    [
        ("CFO", "c_level", "finance"),
        ("Chief Financial Officer", "c_level", "finance"),
        ("Chief Executive Officer & Founder", "c_level", "other"),
        ("President", "c_level", "other"),
        ("Owner", "c_level", "other"),
        ("Geschäftsführer", "c_level", "other"),
        ("Directeur Administratif et Financier", "c_level", "finance"),
        ("Director Financiero", "c_level", "finance"),
        ("VP Finance", "vp", "finance"),
        ("Vice President, Accounting", "vp", "finance"),
        ("SVP Operations", "vp", "operations"),
        ("Head of AP", "director", "finance"),
        ("Director of Procurement", "director", "procurement"),
        ("Leiter Buchhaltung", "director", "finance"),
        ("Finance Director", "director", "finance"),
        ("Chief of Staff", "director", "other"),
        ("Accounts Payable Manager", "manager", "finance"),
        ("Sr. AP Mgr", "manager", "finance"),
        ("Controller", "manager", "finance"),
        ("IT Manager", "manager", "it"),
        (
            "Jefe de Compras",
            "director",
            "procurement",
        ),  # "jefe de" heads a function, as "Jefe de mantenimiento" (ANSWERS.md)
        ("Responsable Comptabilité", "manager", "finance"),
        ("Teamleiterin Kreditorenbuchhaltung", "manager", "finance"),
        ("AP Specialist", "individual", "finance"),
        ("Sr. Accountant", "individual", "finance"),
        ("Software Engineer", "individual", "engineering"),
        ("Account Executive", "individual", "sales"),
        ("Purchasing Agent", "individual", "procurement"),
        ("Executive Assistant to the CFO", "individual", "finance"),
        ("HR Generalist", "individual", "hr"),
        ("Marketing Operations Manager", "manager", "marketing"),
        ("Intern", "student", "other"),
        ("Finance Intern", "student", "finance"),
        ("Student", "student", "other"),
        ("Werkstudent Controlling", "student", "finance"),
        ("Stagiaire comptabilité", "student", "finance"),
        ("Internal Auditor", "individual", "finance"),  # "internal" is not "intern"
    ],
)
def test_title_rules(title: str, level: str, dept: str) -> None:
    assert seniority(title)[0] == level
    assert department(title)[0] == dept


def test_abbreviations_are_spelled_out_but_the_word_it_is_not_it() -> None:
    assert normalise_title("Sr. AP Mgr") == "senior accounts payable manager"
    assert department("Make it happen")[0] == "other"
    assert seniority("")[0] == "unknown"


@pytest.mark.parametrize(
    ("title", "persona"),
    [
        ("CFO", "finance_leader"),
        ("Chief Financial Officer", "finance_leader"),
        ("Vice President of Finance", "finance_leader"),
        ("Director, Finance", "finance_leader"),
        ("Accounts Payable Manager", "ap_champion"),
        ("Sr. AP Specialist", "ap_champion"),
        ("Student at MIT", "student"),
        ("Summer Intern", "student"),
        ("Open to work", "job_seeker"),
        ("Manager", None),
        ("Director", None),
        ("Software Engineer", None),
        ("Head Chef", None),
    ],
)
def test_persona_match(title: str, persona: str | None) -> None:
    found = match_persona(title, list(tiny_library().personas))
    assert (found[0].id if found else None) == persona


async def test_provider_confidence_follows_the_match_score() -> None:
    provider = TitleProvider(tiny_library())
    exact = await provider.enrich(Lead(person={"email": "a@b.com", "title": "CFO"}), {}, NOW)
    fuzzy = await provider.enrich(Lead(person={"email": "a@b.com", "title": "Accounts Payable Team Manager"}), {}, NOW)
    assert exact["person.persona"].confidence == 1.0
    assert fuzzy["person.persona"].value == "ap_champion"
    assert 0.75 <= fuzzy["person.persona"].confidence < 1.0
    assert exact["person.seniority"].value == "c_level" and exact["person.department"].value == "finance"


async def test_provider_prefers_the_enriched_title_and_skips_leads_without_one() -> None:
    provider = TitleProvider(tiny_library())
    known = {"person.title": EnrichedValue(value="Finance Intern", source="crm", fetched_at=NOW, confidence=0.9)}
    out = await provider.enrich(Lead(person={"email": "a@b.com"}), known, NOW)
    assert out["person.seniority"].value == "student"
    assert out["person.persona"].value == "student"
    assert await provider.enrich(Lead(person={"email": "a@b.com"}), {}, NOW) == {}


@pytest.mark.parametrize(
    ("title", "level", "dept"),
    [
        ("Kierownik Utrzymania Ruchu", "director", "maintenance"),  # ANSWERS.md: a senior role
        ("Vedoucí údržby", "director", "maintenance"),
        ("Jefe de mantenimiento", "director", "maintenance"),
        ("Dyrektor zakładu", "director", "other"),
        ("Werkleiter", "director", "other"),
        ("Diretora de Vendas", "director", "sales"),
        ("Directora Comercial", "director", "sales"),
        ("Prezes Zarządu", "c_level", "other"),
        ("Jednatel", "c_level", "other"),
        ("Copropriétaire", "c_level", "other"),
        ("Schichtleiter Produktion", "individual", "other"),
        ("Maintenance Technician", "individual", "maintenance"),
        ("Stagista Customer Care", "student", "other"),  # Italian intern
        ("Estagiária de Marketing", "student", "marketing"),
        ("Projektový manažer", "manager", "other"),  # a manager, not an individual contributor
        ("Projektmanagerin", "manager", "other"),
        ("Product Owner", "manager", "other"),  # owns a product, not the company
        ("Co-owner", "c_level", "other"),
    ],
)
def test_titles_in_the_other_languages(title: str, level: str, dept: str) -> None:
    assert seniority(title)[0] == level and department(title)[0] == dept
