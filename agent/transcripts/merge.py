"""Merging a call's answers into a new scorecard revision, with the per-question before/after diff.

Scoring is not imported here: the caller injects `rescore` so this stays a pure data step.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.schemas import QuestionAnswer, ScorecardDraft
from agent.transcripts.calls import CALL_PREFIX

ChangeKind = Literal["unchanged", "new_from_call", "call_outranks_previous", "kept_previous", "conflicts_with_reviewer"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TranscriptMeta(_Model):
    """Which call the answers came from."""

    transcript_id: str | None = None
    call_date: date | None = None
    extractor: str
    extractor_version: str


class AnswerChange(_Model):
    question_id: str
    before: QuestionAnswer | None
    after: QuestionAnswer
    kind: ChangeKind
    needs_review: bool = Field(description="True only when the post-call answer differs from the pre-call one")


class MergeDiff(_Model):
    lead_id: str
    from_revision: int
    to_revision: int
    source: TranscriptMeta
    changes: list[AnswerChange]

    def for_review(self) -> list[AnswerChange]:
        """The changes a rep must confirm."""
        return [c for c in self.changes if c.needs_review]


def _decided(a: QuestionAnswer | None) -> bool:
    return a is not None and a.answer != "unknown" and bool(a.evidence)


def _same(a: QuestionAnswer, b: QuestionAnswer) -> bool:
    return a.answer == b.answer and (a.value or None) == (b.value or None)


def merge_answer(before: QuestionAnswer | None, call: QuestionAnswer) -> tuple[QuestionAnswer, ChangeKind]:
    """The answer the new revision holds for one question, and why."""
    if not _decided(call):
        return (before, "kept_previous") if before is not None else (call, "unchanged")
    if before is None or before.answer == "unknown":
        return call, "new_from_call"
    if _same(before, call):
        evidence = before.evidence + [e for e in call.evidence if e not in before.evidence]
        return before.model_copy(update={"evidence": evidence}), "unchanged"
    if "reviewer_override" in before.flags:
        return before, "conflicts_with_reviewer"  # a person decided it; the call does not silently overrule them
    return call, "call_outranks_previous"


def merge_transcript(
    draft: ScorecardDraft,
    answers: list[QuestionAnswer],
    transcript_meta: TranscriptMeta,
    *,
    rescore: Callable[[ScorecardDraft], ScorecardDraft] | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> tuple[ScorecardDraft, MergeDiff]:
    """A new draft (revision + 1) holding the call's answers where they outrank the old ones, and the diff."""
    by_id = {a.question_id: a for a in draft.answers}
    merged: dict[str, QuestionAnswer] = dict(by_id)
    changes: list[AnswerChange] = []
    for call in answers:
        before = by_id.get(call.question_id)
        after, kind = merge_answer(before, call)
        merged[call.question_id] = after
        review = kind in ("new_from_call", "call_outranks_previous", "conflicts_with_reviewer")
        changes.append(
            AnswerChange(question_id=call.question_id, before=before, after=after, kind=kind, needs_review=review)
        )
    final = list(merged.values())
    questions = [a for a in final if not a.question_id.startswith(CALL_PREFIX)]
    unknowns = [a.question_id for a in questions if a.answer == "unknown"]
    new = draft.model_copy(
        update={
            "revision": draft.revision + 1,
            "created_at": now(),
            "answers": final,
            "unknowns": unknowns,
            "discovery_questions": [d for d in draft.discovery_questions if d.question_id in unknowns],
        }
    )
    new = ScorecardDraft.model_validate(new.model_dump())  # re-run the draft's validators on the merged content
    if rescore is not None:
        new = rescore(new)
    diff = MergeDiff(
        lead_id=draft.lead_id,
        from_revision=draft.revision,
        to_revision=new.revision,
        source=transcript_meta,
        changes=changes,
    )
    return new, diff
