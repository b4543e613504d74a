"""A note too long to read whole: its most relevant clauses are read, every answer says so, nothing crashes."""

from __future__ import annotations

from datetime import UTC, datetime

from agent.evidence import SourceText
from agent.facts.clauses import keep_relevant, read_facts
from agent.judges.local import LocalJudge
from agent.schemas import Enrichment, Lead
from library.schemas import QualifyingQuestion, Seller
from tests.fakes.embedder import HashingEmbedder

NOW = datetime(2026, 11, 12, tzinfo=UTC)
FILLER = "We chatted about the weather and the football results for a while. "


def test_the_relevant_clauses_of_a_long_text_are_kept_in_order() -> None:
    text = FILLER * 300 + "Our budget for dispatch software is 20k a year. " + FILLER * 300
    facts = read_facts([SourceText("notes", "notes", text)])
    kept = keep_relevant(facts, ["Do they have a budget for dispatch software?"], 50)
    assert len(kept.clauses) == 50 and kept.truncated == len(facts.clauses) - 50
    assert any("budget for dispatch" in c.text for c in kept.clauses)
    assert [c.position for c in kept.clauses] == sorted(c.position for c in kept.clauses)
    assert keep_relevant(facts, [], len(facts.clauses)) is facts  # short enough: untouched


def test_a_50000_character_note_is_answered_and_flagged() -> None:
    note = (FILLER * 800)[:49_900] + " We set aside 40k a year for it."
    lead = Lead(person={"name": "Dana"}, notes=note[:50_000], received_at=NOW)
    q = QualifyingQuestion(
        id="budget",
        text="Is there a budget of at least $15k a year for dispatch software?",
        category="budget",
        weight=5,
        fit_type="good",
    )
    [a] = LocalJudge(HashingEmbedder()).answer(
        lead,
        Enrichment(),
        [q],
        NOW,
        seller=Seller(name="F", product="F", description="dispatch software", category="dispatch software"),
    )
    assert "text_truncated" in a.flags
    assert a.answer == "yes" and "40k" in a.evidence[0].quote  # the last sentence of the note was still read
