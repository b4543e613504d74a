"""Merging call answers into a new scorecard revision, and the diff a rep reviews."""

from __future__ import annotations

from datetime import UTC, datetime

from agent.schemas import (
    DiscoveryQuestion,
    Enrichment,
    Evidence,
    Provenance,
    QuestionAnswer,
    ScorecardDraft,
)
from agent.transcripts import TranscriptMeta, merge_transcript

T0 = datetime(2026, 11, 1, tzinfo=UTC)
T1 = datetime(2026, 11, 12, tzinfo=UTC)
META = TranscriptMeta(transcript_id="tr-1", extractor="transcript-embedded", extractor_version="0.1.0")


def _form(qid: str, answer: str, quote: str = "form says so", flags: list | None = None) -> QuestionAnswer:
    evidence = [Evidence(source="form", ref=qid, quote=quote)] if answer != "unknown" else []
    return QuestionAnswer(
        question_id=qid,
        reasoning="pre-call",
        answer=answer,
        confidence=0.7,  # type: ignore[arg-type]
        evidence=evidence,
        flags=flags or [],
    )


def _call(qid: str, answer: str, value: str | None = None, quote: str = "said on the call") -> QuestionAnswer:
    evidence = [Evidence(source="transcript", ref="u3", quote=quote, timestamp=12.0, speaker="Dana")]
    return QuestionAnswer(
        question_id=qid,
        reasoning="call",
        answer=answer,
        confidence=0.8,  # type: ignore[arg-type]
        evidence=evidence if answer != "unknown" else [],
        value=value,
    )


def _draft() -> ScorecardDraft:
    return ScorecardDraft(
        lead_id="lead-1",
        revision=2,
        created_at=T0,
        tier="needs_discovery",
        route="sdr_discovery",
        score=50,
        fit_score=60,
        answers=[
            _form("budget", "no"),
            _form("timeline", "unknown"),
            _form("need", "yes", "we key invoices by hand"),
            _form("authority", "no", flags=["reviewer_override"]),
            _form("fit", "yes"),
        ],
        unknowns=["timeline"],
        discovery_questions=[DiscoveryQuestion(question_id="timeline", ask="When?")],
        enrichment=Enrichment(),
        provenance=Provenance(
            library="ledgerly", library_snapshot="abc", judge="local", judge_version="1", pipeline_version="0.1"
        ),
    )


def test_call_answers_outrank_older_ones_and_only_changes_go_to_review() -> None:
    calls = [
        _call("budget", "yes", "40000 USD"),
        _call("timeline", "yes", "2027-Q1"),
        _call("need", "yes"),
        _call("authority", "yes"),
        _call("fit", "unknown"),
        _call("call.next_step", "yes", "2026-11-19"),
    ]
    new, diff = merge_transcript(_draft(), calls, META, now=lambda: T1)
    assert (new.revision, new.created_at, new.lead_id) == (3, T1, "lead-1")
    kinds = {c.question_id: c.kind for c in diff.changes}
    assert kinds == {
        "budget": "call_outranks_previous",
        "timeline": "new_from_call",
        "need": "unchanged",
        "authority": "conflicts_with_reviewer",
        "fit": "kept_previous",
        "call.next_step": "new_from_call",
    }
    assert {c.question_id for c in diff.for_review()} == {"budget", "timeline", "authority", "call.next_step"}
    assert new.answer("budget").answer == "yes" and new.answer("budget").value == "40000 USD"
    assert new.answer("authority").answer == "no"  # a reviewer's decision is not silently overruled
    assert new.answer("fit").answer == "yes"  # an unknown from the call does not erase what was known
    assert [e.source for e in new.answer("need").evidence] == [
        "form",
        "transcript",
    ]  # agreeing evidence is kept together
    assert new.unknowns == [] and new.discovery_questions == []
    before = next(c for c in diff.changes if c.question_id == "budget")
    assert before.before.answer == "no" and before.after.answer == "yes"
    assert (diff.from_revision, diff.to_revision) == (2, 3)


def test_the_original_draft_is_untouched_and_rescoring_is_injected() -> None:
    draft = _draft()
    seen: list[int] = []

    def rescore(d: ScorecardDraft) -> ScorecardDraft:
        seen.append(d.revision)
        return d.model_copy(update={"score": 77.0, "tier": "sql_ready"})

    new, _ = merge_transcript(draft, [_call("budget", "yes", "40000 USD")], META, rescore=rescore, now=lambda: T1)
    assert seen == [3] and (new.score, new.tier) == (77.0, "sql_ready")
    assert draft.revision == 2 and draft.answer("budget").answer == "no"


def test_no_call_answers_means_a_revision_with_nothing_to_review() -> None:
    new, diff = merge_transcript(_draft(), [_call("budget", "unknown")], META, now=lambda: T1)
    assert new.answer("budget").answer == "no" and diff.for_review() == []
