"""Intent questions: events inside the window say yes; a lead saying it wants no demo or trial says no; else unknown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent.judges.local import LocalJudge
from agent.schemas import EngagementEvent, Enrichment, Lead
from library.schemas import QualifyingQuestion, Seller
from tests.fakes.embedder import HashingEmbedder

NOW = datetime(2026, 11, 18, 12, tzinfo=UTC)
Q = QualifyingQuestion(
    id="intent",
    text="Did they request a demo or start a trial in the last 14 days?",
    category="intent",
    weight=5,
    fit_type="good",
)
SELLER = Seller(name="F", product="F", description="dispatch software")


def _answer(**lead: object) -> str:
    [a] = LocalJudge(HashingEmbedder()).answer(
        Lead(person={"name": "Irene"}, received_at=NOW, **lead), Enrichment(), [Q], NOW, seller=SELLER
    )
    return a.answer


def test_saying_no_demo_is_a_no_and_silence_is_unknown() -> None:
    assert (
        _answer(form_answers={"What are you looking for?": "Just a brochure - please no demo or trial for now."})
        == "no"
    )
    assert _answer(notes="He doesn't want a demo or a trial right now.") == "no"
    assert _answer(notes="Asked for a brochure.") == "unknown"


def test_an_event_in_the_window_outweighs_words() -> None:
    event = EngagementEvent(type="demo_request", timestamp=NOW - timedelta(days=2))
    assert _answer(events=[event], notes="No demo needed, he said at first.") == "yes"


def test_no_vendor_in_play_is_a_no() -> None:
    from library.schemas import Competitor

    q = QualifyingQuestion(
        id="rival",
        text="Are Vanta or Drata in the picture right now, either in use or being evaluated?",
        category="competition",
        weight=3,
        fit_type="good",
    )
    lead = Lead(
        person={"name": "Ella"},
        received_at=NOW,
        form_answers={
            "Are you evaluating other tools?": "No, not talking to any other vendors, and nothing in place today"
        },
    )
    [a] = LocalJudge(HashingEmbedder()).answer(
        lead,
        Enrichment(),
        [q],
        NOW,
        seller=SELLER,
        competitors=[Competitor(id="vanta", name="Vanta"), Competitor(id="drata", name="Drata")],
    )
    assert a.answer == "no"


def test_running_without_problems_is_no_pain_in_other_languages() -> None:
    q = QualifyingQuestion(
        id="pain",
        text="Is payroll causing them errors or extra work today?",
        category="need",
        weight=3,
        fit_type="good",
    )
    lead = Lead(
        person={"name": "Ralf"},
        received_at=NOW,
        notes="Die Lohnabrechnung läuft problemlos, wir wollen nur Preise vergleichen.",
    )
    [a] = LocalJudge(HashingEmbedder()).answer(
        lead,
        Enrichment(),
        [q],
        NOW,
        seller=Seller(name="P", product="P", description="payroll software", category="payroll software"),
    )
    assert a.answer != "yes"  # contentment is never read as a pain
    from agent.facts import lexicon as lx

    for said in (
        "läuft problemlos",
        "sans problème",
        "sin problemas",
        "senza problemi",
        "bez problemów",
        "without any issues",
    ):
        assert lx.CONTENT.search(said), said
