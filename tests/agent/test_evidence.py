"""The evidence checker: quotes must be verbatim (normalised) spans of the source they name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.evidence import EvidenceChecker, lead_sources, render_event, units
from agent.schemas import EngagementEvent, EnrichedValue, Enrichment, Evidence, Lead, QuestionAnswer

NOW = datetime(2026, 11, 20, tzinfo=UTC)
LEAD = Lead(
    person={"email": "dana@acme.io"},
    form_answers={"What is your budget?": "We set aside “$40k” for this — approved by the CFO."},
    notes="Spoke with Dana.  No budget until next fiscal year?\nActually they might have some.",
    events=[EngagementEvent(type="pricing_page_view", timestamp=NOW, detail="/pricing")],
)
ENRICHMENT = Enrichment(
    fields={"company.employees": EnrichedValue(value=450, source="directory", fetched_at=NOW, confidence=0.9)}
)
CHECKER = EvidenceChecker(lead_sources(LEAD, ENRICHMENT))


def answer(*evidence: Evidence, value: str = "yes") -> QuestionAnswer:
    return QuestionAnswer(question_id="budget", reasoning="r", answer=value, confidence=0.8, evidence=list(evidence))


@pytest.mark.parametrize(
    ("source", "ref", "quote", "ok"),
    [
        (
            "form",
            "What is your budget?",
            'We set aside "$40k" for this - approved',
            True,
        ),  # curly quotes and dash folded
        ("form", "What is your budget?", "we SET   aside", True),  # case and white space folded
        ("notes", "notes", "No budget until next fiscal year", True),
        ("notes", "notes", "No budget until next year", False),  # paraphrase
        ("form", "notes", "We set aside", False),  # right text, wrong source
        ("form", "Another question", "We set aside", False),  # unknown ref
        ("event", "0", "pricing page view on 2026-11-20: /pricing", True),
        ("enrichment", "company.employees", "450", True),
        ("enrichment", "company.employees", "4500", False),
    ],
)
def test_verbatim_spans(source: str, ref: str, quote: str, ok: bool) -> None:
    assert CHECKER.is_verbatim(Evidence(source=source, ref=ref, quote=quote)) is ok


def test_fabricated_quote_downgrades_to_unknown_with_flag() -> None:
    result = CHECKER.verify(answer(Evidence(source="notes", ref="notes", quote="They have a signed budget of $1M")))
    assert result.answer == "unknown" and result.evidence == [] and "evidence_unverified" in result.flags
    assert result.confidence == 0


def test_partly_fabricated_keeps_the_good_quote_and_flags() -> None:
    good = Evidence(source="notes", ref="notes", quote="No budget until next fiscal year")
    bad = Evidence(source="notes", ref="notes", quote="budget is 2M")
    result = CHECKER.verify(answer(good, bad, value="no"))
    assert result.answer == "no" and result.evidence == [good] and result.flags == ["evidence_unverified"]


def test_verified_answer_is_untouched() -> None:
    original = answer(Evidence(source="notes", ref="notes", quote="might have some"))
    assert CHECKER.verify(original) == original


def test_hidden_characters_do_not_defeat_the_check() -> None:
    lead = Lead(notes="Budget is appro\u200bved")
    checker = EvidenceChecker(lead_sources(lead))
    assert checker.is_verbatim(Evidence(source="notes", ref="notes", quote="Budget is approved"))


def test_units_are_verbatim_sentences_of_their_source() -> None:
    parts = units(lead_sources(LEAD, ENRICHMENT))
    notes = [u.text for u in parts if u.source == "notes"]
    assert notes == ["Spoke with Dana.", "No budget until next fiscal year?", "Actually they might have some."]
    assert all(CHECKER.is_verbatim(Evidence(source=u.source, ref=u.ref, quote=u.text)) for u in parts)


def test_event_rendering() -> None:
    assert render_event(EngagementEvent(type="demo_request", timestamp=NOW)) == "demo request on 2026-11-20"


def test_a_stop_after_an_abbreviation_or_a_day_of_the_month_ends_no_sentence() -> None:
    from agent.text import sentences

    assert sentences("Rund 900 Mio. Euro Beiträge. Budget ist da.") == [
        "Rund 900 Mio. Euro Beiträge.",
        "Budget ist da.",
    ]
    assert sentences("Go-live am 1. März 2027. Danach Rollout.") == ["Go-live am 1. März 2027.", "Danach Rollout."]
    assert sentences("ca. 40 Leute, z.B. im Lager. Ok.") == ["ca. 40 Leute, z.B. im Lager.", "Ok."]
    # a number that ends a sentence still ends it
    assert sentences("We have 45. The owner signs.") == ["We have 45.", "The owner signs."]
