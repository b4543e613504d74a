"""Call template fields from the answer engine: speakers, dates of next steps, money in other languages, scoping."""

from __future__ import annotations

from datetime import date

import pytest

from agent.facts.amounts import meeting_day, money
from agent.facts.clauses import read_facts
from agent.evidence import SourceText
from agent.transcripts import EmbeddedExtractor, RoleHints, read_transcript
from library.schemas import (
    Competitor,
    Disqualifiers,
    Library,
    Persona,
    QualifyingQuestion,
    Segment,
    Seller,
    Thresholds,
    UseCase,
)
from tests.fakes.embedder import HashingEmbedder

WED = date(2026, 11, 18)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Le jeudi 3 décembre dans l'après-midi, ça vous irait ?", date(2026, 12, 3)),
        ("He's free next Tuesday, the 24th, in the afternoon.", date(2026, 11, 24)),
        ("Let's book the pilot kickoff for Monday the 7th.", date(2026, 12, 7)),
        ("¿Puede ser el jueves de la próxima semana?", date(2026, 11, 26)),
        ("On se reparle mardi dans deux semaines.", date(2026, 12, 1)),
        ("Let's do the Tuesday after Thanksgiving.", date(2026, 12, 1)),
        ("Let's pencil in a call on the 12th of January.", date(2027, 1, 12)),
        ("Friday works for me.", date(2026, 11, 20)),
        ("We have 22 engineers.", None),
    ],
)
def test_meeting_days_in_the_words_people_use(text: str, day: date | None) -> None:
    assert meeting_day(text, WED) == day


@pytest.mark.parametrize(
    ("text", "low", "period", "currency"),
    [
        ("Uns dois mil euros por mês.", 2000, 30.44, "EUR"),
        ("zweitausend Euro im Monat", 2000, 30.44, "EUR"),
        ("15.000 € pro Jahr", 15000, 365.25, "EUR"),
        ("sixty-five euros per agent per month, for the fourteen of us", 910, 30.44, "EUR"),
    ],
)
def test_money_in_other_languages_with_period_and_currency(text: str, low: float, period: float, currency: str) -> None:
    [m] = money(text)
    assert (m.low, m.period_days, m.currency) == (low, period, currency)


def test_a_bare_amount_is_money_only_when_the_clause_is_about_money() -> None:
    assert money("We set aside eighteen thousand for the year") == []
    assert money("We set aside eighteen thousand for the year", assume_money=True)[0].low == 18000


def test_a_retraction_drops_what_its_speaker_just_said() -> None:
    facts = read_facts([SourceText("notes", "n", "Budget is a million dollars. Just kidding, it is forty grand.")])
    assert [c.text for c in facts.clauses] == ["it is forty grand."]


def _library() -> Library:
    return Library(
        name="dialo",
        seller=Seller(
            name="Dialo",
            product="Dialo Dialer",
            description="A power dialer for SDR teams",
            category="sales dialer software",
            regions=["US", "CA"],
        ),
        segments=[
            Segment(id="smb", name="S", description="s", thresholds=Thresholds(sql_ready=60, needs_discovery=40))
        ],
        personas=[
            Persona(
                id="vp_sales", name="VP Sales", role="decision_maker", fit="good", description="x", titles=["VP Sales"]
            )
        ],
        use_cases=[
            UseCase(
                id="connect_rates",
                name="Connect rates",
                description="Reach more prospects per hour",
                pains=["Our reps barely reach anyone, connect rates are terrible."],
            )
        ],
        competitors=[Competitor(id="nooks", name="Nooks")],
        disqualifiers=Disqualifiers(),
        questions=[
            QualifyingQuestion(
                id="seats", text="Do they have at least 10 SDRs?", category="fit", weight=5, fit_type="good"
            )
        ],
    )


def _call(text: str) -> dict:
    if not text.startswith("[00:01] Sam Rep"):
        text = "[00:01] Sam Rep: Thanks for making the time.\n" + text  # a known rep makes the others prospects
    t = read_transcript(text, call_date=WED, roles=RoleHints(seller_names=["Sam Rep"]))
    return {a.question_id: a for a in EmbeddedExtractor(_library(), HashingEmbedder()).extract(t, contact="Ana Ruiz")}


def test_call_fields_with_speakers_values_and_dates() -> None:
    a = _call(
        "[00:01] Sam Rep: How do you dial today?\n"
        "[00:05] Ana Ruiz: We use Nooks with HubSpot. We set aside about two thousand dollars a month for it.\n"
        "[00:20] Ana Ruiz: It's my call, I sign off on tools like this.\n"
        "[00:30] Ana Ruiz: We want to be live by the end of next quarter.\n"
        "[00:40] Sam Rep: Shall we do a demo next Tuesday, the 24th?\n"
        "[00:44] Ana Ruiz: Works for me.\n"
    )
    assert (a["call.budget"].answer, a["call.budget"].value) == ("yes", "24000 USD")
    assert (a["call.decision_maker"].answer, a["call.decision_maker"].value) == ("yes", "yes")
    assert (a["call.competitors"].answer, a["call.competitors"].value) == ("yes", "nooks")
    assert a["call.current_solution"].answer == "yes" and "HubSpot" in (a["call.current_solution"].value or "")
    assert (a["call.timeline"].answer, a["call.timeline"].value) == ("yes", "2027-03-31")
    assert (a["call.next_step"].answer, a["call.next_step"].value) == ("yes", "2026-11-24")
    assert a["call.next_step"].evidence[0].quote == "Works for me."  # the prospect's agreement, not the rep's words
    assert all(e.speaker == "Ana Ruiz" for ans in a.values() for e in ans.evidence)


def test_one_participant_disowning_a_topic_is_about_that_person_only() -> None:
    a = _call(
        "[00:05] Ben Ode: Budget isn't my area, not my call.\n"
        "[00:10] Ana Ruiz: I sign off on this. We set aside about two thousand dollars a month.\n"
    )
    assert (a["call.decision_maker"].answer, a["call.decision_maker"].value) == ("yes", "yes")
    assert a["call.budget"].answer == "yes"  # Ben's remark blanks nothing Ana said


def test_someone_else_signing_names_who() -> None:
    a = _call("[00:10] Ana Ruiz: Our CFO, Mr Albers, decides and signs the contract.\n")
    assert (a["call.decision_maker"].answer, a["call.decision_maker"].value) == ("no", "Mr Albers (CFO)")


def test_a_student_speaks_for_no_buyer_but_others_still_count() -> None:
    a = _call(
        "[00:05] Ana Ruiz: I'm a student writing my thesis. We set aside about two thousand dollars a month.\n"
        "[00:10] Ben Ode: We use Nooks today.\n"
    )
    assert a["call.disqualifier"].value == "student"
    assert a["call.budget"].answer == "unknown"  # only the student said it
    assert a["call.competitors"].answer == "yes"  # Ben's words still count


def test_a_monthly_amount_is_twelve_months_and_before_a_holiday_is_the_day_before() -> None:
    from agent.facts.amounts import annualise, dates

    assert annualise(money("1,500 euros a month")[0], 365.25) == (18000, 18000)
    assert annualise(money("18k a year")[0], 30.44) == (1500, 1500)
    assert [w.end for w in dates("Queria trocar antes do Natal", WED)] == [date(2026, 12, 24)]
    assert [w.end for w in dates("live by Christmas", WED)] == [date(2026, 12, 25)]
