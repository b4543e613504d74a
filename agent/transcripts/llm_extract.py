"""The LLM transcript extractor: the LLM judge's plumbing (schema, one repair, evidence check, data section) over a call.

Utterances become data items labelled `u<N> · speaker · role · m:ss`, in chunks with overlap so a long call is never cut
short. The model may quote anyone, but code keeps only quotes from the prospect's own utterances (a rep's question is not
evidence), fills speaker and timestamp from the utterance rather than trusting the model, and merges the chunks: the
latest decided statement wins, and opposite answers in different parts of the call become unknown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, time

from agent.evidence import EvidenceChecker, SourceText
from agent.judges.base import JudgeRequest, Matches
from agent.judges.llm import LLMJudge
from agent.judges.llm_prompting import LeadData
from agent.schemas import Enrichment, Evidence, Lead, Person, QuestionAnswer, Usage
from agent.text import strip_hidden
from agent.transcripts.models import Transcript, Utterance
from library.schemas import QualifyingQuestion, Seller
from prompts.contexts import DataItem

CHUNK_UTTERANCES = 120
OVERLAP = 10


def _label(u: Utterance) -> str:
    when = f"{int(u.start // 60)}:{int(u.start % 60):02d}" if u.start is not None else "?"
    return f"{u.id} · {' '.join(u.speaker.split())} · {u.role} · {when}"


def chunks(
    utterances: Sequence[Utterance], size: int = CHUNK_UTTERANCES, overlap: int = OVERLAP
) -> list[list[Utterance]]:
    """Consecutive windows covering every utterance, each sharing `overlap` utterances with the previous one."""
    if len(utterances) <= size:
        return [list(utterances)]
    step = size - overlap
    return [list(utterances[i : i + size]) for i in range(0, len(utterances) - overlap, step)]


class LLMExtractor:
    """Implements the TranscriptExtractor protocol through an `LLMJudge`."""

    name = "llm-transcript"
    version = "1"

    def __init__(self, judge: LLMJudge, seller: Seller, chunk_size: int = CHUNK_UTTERANCES):
        self.judge, self.seller, self.chunk_size = judge, seller, chunk_size
        self.prompt_hashes: dict[str, str] = {}
        self.usage = Usage()

    async def extract(
        self, transcript: Transcript, questions: Sequence[QualifyingQuestion] | None = None, contact: str | None = None
    ) -> list[QuestionAnswer]:
        """One answer per question without a structured check, from the prospect's own words."""
        asked = [q for q in (questions or []) if q.check is None]
        if not asked:
            return []
        day = transcript.call_date or datetime.now(UTC).date()
        request = JudgeRequest(
            lead=Lead(person=Person(name=contact or "prospect")),
            enrichment=Enrichment(),
            questions=asked,
            matches=Matches(segment=None, persona=None),
            seller=self.seller,
            now=datetime.combine(day, time(12), tzinfo=UTC),
        )
        windows = chunks(transcript.utterances, self.chunk_size, min(OVERLAP, self.chunk_size // 4))
        parts = await asyncio.gather(*(self._chunk(request, asked, w) for w in windows))
        by_id = {u.id: u for u in transcript.utterances}
        return [_combine(q.id, [p[q.id] for p in parts], by_id) for q in asked]

    async def _chunk(
        self, request: JudgeRequest, questions: list[QualifyingQuestion], utterances: list[Utterance]
    ) -> dict[str, QuestionAnswer]:
        items, hidden = [], set()
        for u in utterances:
            text, had_hidden = strip_hidden(u.text)
            items.append(DataItem(source="transcript", ref=_label(u), text=text))
            if had_hidden:
                hidden.add(("transcript", _label(u)))
        result = await self.judge.judge_data(request, questions, LeadData(items, frozenset(hidden)))
        self.prompt_hashes.update(result.prompt_hashes)
        self.usage += result.usage
        return {a.question_id: a for a in result.answers}


def _prospect_only(answer: QuestionAnswer, by_id: dict[str, Utterance]) -> QuestionAnswer:
    """Keep quotes from the prospect's utterances, re-pointed at the utterance id with its speaker and time."""
    kept = []
    for e in answer.evidence:
        u = by_id.get(e.ref.split(" · ", 1)[0])
        if u is not None and u.role == "prospect":
            kept.append(Evidence(source="transcript", ref=u.id, quote=e.quote, timestamp=u.start, speaker=u.speaker))
    if len(kept) == len(answer.evidence):
        return answer.model_copy(update={"evidence": kept})
    flags = list(dict.fromkeys([*answer.flags, "evidence_unverified"]))
    if kept or answer.answer == "unknown":
        return answer.model_copy(update={"evidence": kept, "flags": flags})
    return answer.model_copy(
        update={
            "answer": "unknown",
            "confidence": 0.0,
            "evidence": [],
            "flags": flags,
            "reasoning": answer.reasoning + " [Only the prospect's own words count.]",
        }
    )


def _combine(question_id: str, answers: list[QuestionAnswer], by_id: dict[str, Utterance]) -> QuestionAnswer:
    """The latest decided answer across chunks; opposite decided answers are a conflict, hence unknown."""
    cleaned = [_prospect_only(a, by_id) for a in answers]
    decided = [a for a in cleaned if a.answer != "unknown"]
    if not decided:
        return cleaned[-1]
    if len({a.answer for a in decided}) > 1:
        quotes = [e for a in decided for e in a.evidence][:2]
        return QuestionAnswer(
            question_id=question_id,
            answer="unknown",
            confidence=0.0,
            evidence=quotes,
            flags=["conflicting_evidence"],
            reasoning="Different parts of the call point both ways: "
            + " / ".join(a.reasoning[:120] for a in decided[:2]),
        )
    checker = EvidenceChecker([SourceText("transcript", u.id, u.text) for u in by_id.values()])
    return checker.verify(decided[-1])
