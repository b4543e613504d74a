"""Question understanding: plain questions → typed readings, and the seller fields a reading needs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from library.geo import country_code, find_places, region_codes
from library.loader import LibraryValidationError, load_library
from library.reading import read_question
from library.schemas import Competitor, QualifyingQuestion, Seller

SELLER = Seller(
    name="Acme",
    product="Acme Desk",
    description="Helpdesk software.",
    category="helpdesk software",
    regions=["EU", "UK&I"],
    languages=["en", "de"],
)
RIVALS = [Competitor(id="zendesk", name="Zendesk")]


def read(text: str, category: str = "fit", fit_type: str = "good"):  # type: ignore[no-untyped-def]
    question = QualifyingQuestion(id="q1", text=text, category=category, weight=5, fit_type=fit_type)  # type: ignore[arg-type]
    return read_question(question, SELLER, RIVALS)


@pytest.mark.parametrize(
    ("text", "kind", "operator", "low", "high"),
    [
        ("Does the company have at least 200 employees?", "company_size", "gte", 200, None),
        ("Company size between 10 and 1,000 employees?", "company_size", "between", 10, 1000),
        ("Does their support team have at least five agents?", "named_count", "gte", 5, None),
        ("Is there a budget of at least $15,000 a year for this?", "budget", "gte", 15000, None),
        ("Have they set aside at least €10,000 a year for helpdesk software?", "budget", "gte", 10000, None),
        ("Do they want to go live within 90 days?", "timeline", "any", None, None),
        ("Is annual revenue above $5M?", "revenue", "gt", 5_000_000, None),
        ("Do they write at least €50 million in gross written premium a year?", "revenue", "gte", 50_000_000, None),
    ],
)
def test_sizes_money_and_windows(text: str, kind: str, operator: str, low: float | None, high: float | None) -> None:
    spec = read(text)
    assert (spec.kind, spec.operator, spec.low, spec.high) == (kind, operator, low, high)
    assert spec.words  # a reading in words for people


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Are they currently using Zendesk?", "competitor"),
        ("Does the contact work for Zendesk or another helpdesk vendor?", "competitor_employee"),
        ("Is the lead a student or a job seeker?", "student"),
        ("Is this an agency asking on behalf of their clients?", "partner"),
        ("Can this contact approve buying the software on their own?", "authority"),
        ("Are they struggling with a ticket backlog right now?", "pain"),
        ("In the last 14 days, did they request a demo?", "intent"),
        ("Is the support team based in a country we support?", "location"),
        ("Do their agents need a language other than the ones we offer?", "language"),
    ],
)
def test_kinds(text: str, kind: str) -> None:
    assert read(text, "disqualifier" if kind in ("student", "partner") else "fit").kind == kind


def test_details_of_a_reading() -> None:
    assert read("Are they currently using Zendesk?").values == ["zendesk"]
    assert read("Did they move off Zendesk recently?").tense == "past"
    assert read("Is the plant located in the EU, the UK or the US?").scope == "facility"
    assert set(read("Is the support team based in a country we support?").values) >= {"DE", "FR", "GB", "IE"}
    assert read("Within the next three months, will they go live?").window_days == pytest.approx(91.32)
    assert read("Looked at pricing at least three times in the last 7 days?", "intent").values == [
        "pricing_page_view:3"
    ]
    assert read("Do their agents need a language other than the ones we offer?").operator == "not_in"
    assert read("Is the prospect part of a franchise network?", "custom").kind == "text"


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("Do they order from more than 10 different suppliers?", "suppliers"),
        ("Do they run at least 3 restaurant locations?", "locations"),
        ("Do they have at least 5 support agents working in one team?", "agents"),
        ("Does the hospital have more than 200 beds?", "beds"),
        ("Do they have more than 40 claims handlers?", "handlers"),
        ("Do they have at least 10 charging points at their depots?", "charging points"),  # -ing names the kind
        ("Do they have more than 5 agents working nights?", "agents"),  # -ing after the noun starts a new phrase
    ],
)
def test_the_counted_noun_is_the_head_of_its_phrase(text: str, subject: str) -> None:
    spec = read(text)
    assert (spec.kind, spec.subject) == ("named_count", subject)


def test_a_list_of_named_products_is_a_technology_question_whatever_the_tool_is_called() -> None:
    spec = read("Is their POS Toast, Square, Lightspeed or Revel?")
    assert spec.kind == "technology"
    assert spec.values == ["Toast", "Square", "Lightspeed", "Revel"]
    assert read("Is the business a bakery, butcher or catering company?").kind == "industry"


def test_places_offline() -> None:
    assert country_code("Deutschland") == "DE" and country_code("Lyon") == "FR" and country_code("CA") == "CA"
    assert {p.text: sorted(p.countries) for p in find_places("Plant in Bavaria, HQ in Ontario")} == {
        "Bavaria": ["DE"],
        "Ontario": ["CA"],
    }
    assert region_codes(["DACH"]) == {"DE", "AT", "CH"} and "NO" in region_codes(["EEA"])
    assert not find_places("it is what it is, we do IT and AP")  # lower-case words and capitals are not countries


def test_a_question_the_seller_profile_cannot_support_fails_sync(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "library/data/ledgerly"
    for f in source.glob("*.yaml"):
        (tmp_path / f.name).write_text(f.read_text())
    (tmp_path / "disqualifiers.yaml").write_text("disqualifiers: {}\n")
    questions = yaml.safe_load((tmp_path / "questions.yaml").read_text())
    questions["questions"].append(
        {
            "id": "lang_fit",
            "text": "Do they need a language other than the ones we offer?",
            "category": "fit",
            "weight": 2,
            "fit_type": "bad",
        }
    )
    (tmp_path / "questions.yaml").write_text(yaml.safe_dump(questions))
    with pytest.raises(LibraryValidationError) as info:
        load_library(tmp_path)
    text = str(info.value)
    assert "questions.yaml" in text and "lang_fit" in text and "seller.languages" in text


def test_the_library_can_override_a_reading(tmp_path: Path) -> None:
    question = QualifyingQuestion(
        id="q2",
        text="Big enough for us?",
        category="fit",
        weight=5,
        fit_type="good",
        reading={"kind": "company_size", "operator": "gte", "low": 500},
    )  # type: ignore[arg-type]
    spec = read_question(question, SELLER, RIVALS)
    assert (spec.kind, spec.source, spec.low) == ("company_size", "library", 500)
    assert "500" in spec.words


def test_a_group_of_the_staff_and_the_kinds_a_count_names_in_brackets() -> None:
    spec = read("Do they have at least 50 clinical staff (nurses, doctors, carers) working shifts?")
    assert (spec.kind, spec.subject, spec.values) == ("named_count", "clinical staff", ["nurses", "doctors", "carers"])
    sites = read("Do they run more than 2 sites (hospitals, clinics or care homes) that would use the rota?")
    assert sites.kind == "named_count" and sites.values == ["hospitals", "clinics", "care homes"]
    assert read("Do they have at least 50 full-time staff?").kind == "company_size"


def test_what_an_industry_question_rules_out_is_not_one_of_its_terms() -> None:
    spec = read("Is the organisation a hospital, clinic or care home itself, rather than a supplier or insurer?")
    assert spec.kind == "industry"
    assert spec.values == ["hospital", "clinic", "care home"]


def test_named_roles_keep_their_function() -> None:
    spec = read(
        "Can this contact approve buying it themselves, e.g. a director of nursing, COO, HR director or the owner?",
        "authority",
    )
    assert spec.values == ["director of nursing", "coo", "hr director", "owner"]
    assert "chief claims officer" in read("Is this the Chief Claims Officer or the CFO?", "authority").values


def test_a_city_name_large_cities_share_names_all_their_countries_and_a_subdivision_does_not_hide_a_big_city() -> None:
    assert [sorted(p.countries) for p in find_places("Valencia")] == [["ES", "VE"]]
    assert [sorted(p.countries) for p in find_places("London")] == [["GB"]]  # London, Ontario is far smaller
    assert [sorted(p.countries) for p in find_places("Manchester")] == [["GB"]]  # not Jamaica's parish
    assert [sorted(p.countries) for p in find_places("Ontario")] == [["CA"]]  # the province, not the Californian city


def test_a_deadline_keeps_its_year_after_a_month() -> None:
    question = QualifyingQuestion(
        id="golive", text="Do they want it live before the end of June 2027?", category="timeline", weight=5
    )
    spec = read_question(question, Seller(name="S", product="P", description="A product."), [])
    assert spec.deadline == "the end of June 2027"
    assert "June 2027" in spec.words


def test_compass_words_and_subdivision_names_several_countries_share() -> None:
    from library.geo import find_inflected

    # "South" is a region of Cameroon, and Florida a department of Uruguay as well as the US state
    [florida] = find_places("7 restaurants in South Florida")
    assert florida.text == "Florida" and florida.countries == {"US", "UY"}
    # Polish and Czech case forms of a city of the company's own country
    assert [p.text for p in find_inflected("Zakład w Gdańsku, 420 osób", "PL")] == ["Gdańsku"]
    assert [p.countries for p in find_inflected("Sklad v Ostravě", "CZ")] == [{"CZ"}]
    assert find_inflected("Zakład w Gdańsku", "DE") == []  # only the company's own country is looked in
    assert find_inflected("Nasza Firma Produkcyjna", "PL") == []


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("Do they have at least 40 staff who work shifts?", "staff who work shifts"),
        ("Are at least 40 employees scheduled in shifts?", "employees scheduled in shifts"),
        ("Do they have 20 or more people working in the field?", "people working in the field"),
    ],
)
def test_a_qualified_count_of_people_is_a_part_of_the_workforce(text: str, subject: str) -> None:
    question = QualifyingQuestion(id="count_q", text=text, category="fit", weight=5)
    spec = read_question(question, Seller(name="S", product="P", description="A product."), [])
    assert spec.kind == "named_count" and spec.subject == subject, spec
    plain = QualifyingQuestion(id="plain_q", text="Do they have at least 40 employees?", category="fit", weight=5)
    assert read_question(plain, Seller(name="S", product="P", description="A product."), []).kind == "company_size"


def test_big_cities_are_found_by_their_names_in_other_languages() -> None:
    found = {p.text: sorted(p.countries) for p in find_places("Team in München, Büro in Lisboa, Werk bei Praha")}
    assert found == {"München": ["DE"], "Lisboa": ["PT"], "Praha": ["CZ"]}
    assert country_code("Warszawa") == "PL" and country_code("Milano") == "IT"
    assert not find_places("Esse sistema funciona. Bella idea.")  # everyday words are no city


def test_a_question_about_several_kinds_of_non_buyer_says_each_in_its_words() -> None:
    spec = read(
        "Is this person a student, a job hunter, or someone pitching their own services to us?", "disqualifier", "bad"
    )
    assert set(spec.values) == {"student", "job_seeker", "vendor_pitch"}
    assert spec.words == (
        "the contact is a student or academic or the contact is looking for a job or a vendor pitching its own services"
    )
    assert read("Is the contact a student?", "disqualifier", "bad").words == "the contact is a student or academic"


def test_a_place_question_is_said_by_the_groups_it_names_not_by_every_country() -> None:
    spec = read("Is the company based in Europe or North America?")
    assert spec.words == "the business is in EUROPE or NORTH AMERICA"
    spec = read("Is the company based in the EU, Switzerland or Norway?")
    assert spec.words == "the business is in EU or CH or NO"


def test_a_window_of_one_unit_said_without_a_number() -> None:
    spec = read("Did they look at our pricing page several times in the week before the lead came in?", "intent")
    assert spec.kind == "intent" and spec.window_days == 7, spec
    assert read("Did they request a demo in the past month?", "intent").window_days == 30.44
    assert read("Did they request a demo in the last 14 days?", "intent").window_days == 14


def test_industry_terms_are_said_without_stray_spaces() -> None:
    assert "  " not in read("Do they already have electric vehicles in their fleet?").words


@pytest.mark.parametrize(
    ("text", "operator", "low", "subject"),
    [
        ("Do they run 30 hotels or fewer?", "lte", 30, "hotels"),
        ("Do they have 50 field technicians or more?", "gte", 50, "technicians"),
    ],
)
def test_a_comparison_after_the_counted_noun(text: str, operator: str, low: float, subject: str) -> None:
    spec = read(text)
    assert (spec.kind, spec.operator, spec.low) == ("named_count", operator, low)
    assert spec.subject is not None and spec.subject.endswith(subject)


def test_a_role_word_in_the_name_of_a_kind_of_system_is_not_an_authority_question() -> None:
    spec = read("Do they already run a property-management system or a channel manager?")
    assert spec.kind == "technology"
    assert read("Is the contact the general manager or the owner?").kind == "authority"


def test_a_timeline_about_the_sellers_kind_of_tool_is_not_a_pricing_page_visit() -> None:
    spec = read("Do they want to start using a new pricing tool within the next 3 months?", "timeline")
    assert (spec.kind, spec.window_days) == ("timeline", pytest.approx(91.31, abs=0.1))
    assert read("Did they look at pricing in the last 14 days?", "intent").kind == "intent"


def test_several_kinds_of_non_buyer_with_a_competitors_employee_are_all_read() -> None:
    spec = read(
        "Is the contact a student, a job seeker, or someone who works for a competing vendor?", "disqualifier", "bad"
    )
    assert set(spec.values) == {"student", "job_seeker", "competitor_employee"}
    assert "competitor" in (spec.words or "") and "student" in (spec.words or "")


def test_a_need_question_naming_pricing_is_a_pain_not_a_pricing_page_visit() -> None:
    assert read("Are they struggling with pricing today?", "need").kind == "pain"
    assert read("Did they look at pricing in the last 14 days?", "intent").kind == "intent"


def test_single_words_before_a_kind_with_a_head_noun_are_its_modifiers() -> None:
    spec = read("Do they have at least 100 frontline workers (shift, warehouse or driving staff without a desk)?")
    assert spec.values == ["shift staff", "warehouse staff", "driving staff"]
    # plural nouns are kinds of their own, whatever the last one's head
    assert read("Do they have at least 2 sites (hospitals, clinics or care homes)?").values == [
        "hospitals",
        "clinics",
        "care homes",
    ]


def test_an_organisation_that_is_a_school_or_a_reseller_reads_both() -> None:
    text = "Is the organisation a school, a university, or a training company that wants to resell courses to its own clients?"
    assert set(read(text, "disqualifier", "bad").values) == {"student", "partner"}
    employee = read(
        "Is the person a student, a job seeker, or an employee of one of our competitors?", "disqualifier", "bad"
    )
    assert "competitor_employee" in employee.values
