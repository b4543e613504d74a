"""The embedded (offline) extractor: a call answered by the same answer engine as a lead — the lead's own questions and
the scorecard template's call fields — with quotes, speakers and times verified against the transcript.

Only prospect statements are evidence of the prospect's situation: a rep's "so you have budget?" is the context a bare
"yes" is read in, never evidence itself. Retracted or joking sentences never count; hedged statements stay unknown; the
most recent explicit statement wins a conflict, and the reasoning says so (agent.facts, agent.judges.engine).
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import datetime, time, timezone
from typing import Protocol

import numpy as np

from agent.deps import Embedder
from agent.evidence import EvidenceChecker, SourceText
from agent.judges.local import LocalJudge
from agent.schemas import Lead, Person, QuestionAnswer
from agent.text import sentences
from agent.transcripts.calls import call_fields
from agent.transcripts.models import Transcript
from library.schemas import Library, QualifyingQuestion

EXTRACTOR_NAME = "transcript-engine"
EXTRACTOR_VERSION = "1.0.0"


def prospect_sources(transcript: Transcript) -> tuple[list[SourceText], dict[str, str], dict[str, str]]:
    """The prospect's utterances as quotable sources; for each, the seller's question (or last remark) just before it,
    and that seller utterance whole."""
    sources, prompts, proposals = [], {}, {}
    previous = None
    for u in transcript.utterances:
        if u.role == "prospect":
            sources.append(SourceText("transcript", u.id, u.text, u.start, u.speaker))
            if previous is not None and previous.role == "seller":
                said = sentences(previous.text)
                asked = [x for x in said if x.rstrip().endswith("?")]
                prompts[u.id] = (asked or said or [previous.text])[-1]
                proposals[u.id] = previous.text
        previous = u
    return sources, prompts, proposals


def all_sources(transcript: Transcript) -> list[SourceText]:
    """Every utterance as a quotable source (the evidence checker's view of the call)."""
    return [SourceText("transcript", u.id, u.text, u.start, u.speaker) for u in transcript.utterances]


class EmbeddedExtractor:
    """Offline extractor: the lead's questions and the call fields, decided by the answer engine over the call."""

    name = EXTRACTOR_NAME
    version = EXTRACTOR_VERSION

    def __init__(
        self,
        library: Library,
        embedder: Embedder | None = None,
        default_currency: str = "USD",
        judge: LocalJudge | None = None,
        meaning: Embedder | None = None,
    ):
        if embedder is None and judge is None:
            from library.embeddings import get_embedder, get_multilingual  # the bundled offline models

            embedder = get_embedder()
            meaning = meaning or get_multilingual()
        self.library, self.default_currency = library, default_currency
        # embedder is set above when judge is None
        self.judge = judge or LocalJudge(embedder, meaning=meaning)  # type: ignore[arg-type]
        self.embedder = self.judge.embedder
        self._use_case_vectors: np.ndarray | None = None

    def extract(
        self, transcript: Transcript, questions: Sequence[QualifyingQuestion] | None = None, contact: str | None = None
    ) -> list[QuestionAnswer]:
        """One answer per applicable question (data-checked ones skipped) plus the call.* fields, quotes verified."""
        questions = [q for q in (questions if questions is not None else self.library.questions) if q.check is None]
        sources, prompts, proposals = prospect_sources(transcript)
        day = transcript.call_date or datetime.now(timezone.utc).date()
        ref = datetime.combine(day, time(12), tzinfo=timezone.utc)
        contact = contact or _main_prospect(transcript)
        lead = Lead(person=Person(name=contact or "prospect"), received_at=ref)
        ctx = self.judge.read(
            sources,
            ref,
            lead=lead,
            seller=self.library.seller,
            competitors=self.library.competitors,
            prompts=prompts,
            focus=[*(q.text for q in questions), *_FIELD_TOPICS],
        )
        answers = [self.judge.calibrated(self.judge.decide(q, ctx)) for q in questions]
        answers += call_fields(
            ctx,
            self.library,
            contact,
            currency=self.default_currency,
            embed_use_cases=self._use_cases,
            proposals=proposals,
        )
        answers = _not_the_buyers_word(answers)
        checker = EvidenceChecker(all_sources(transcript))
        return [checker.verify(self.judge.flagged(a, ctx)) for a in answers]

    def _use_cases(self, library: Library) -> np.ndarray:
        if self._use_case_vectors is None:
            texts = [t for u in library.use_cases for t in (u.name, u.description, *u.pains)]
            self._use_case_vectors = self.embedder.embed(texts) if texts else np.zeros((0, 1))
        return self._use_case_vectors


_OUTSIDERS = ("student", "job_seeker")
# What the call fields are about, for keeping the relevant part of a call too long to read whole.
_FIELD_TOPICS = (
    "budget price cost spend approved",
    "decide sign approve owner director",
    "problem pain slow manual",
    "live launch deadline quarter month week",
    "competitor vendor demo trial",
    "today currently using tool",
    "call meeting demo next week monday tuesday wednesday thursday friday",
    "student job hiring partner",
)
_KEEP = ("call.disqualifier", "call.next_step")


def _not_the_buyers_word(answers: list[QuestionAnswer]) -> list[QuestionAnswer]:
    """A participant who says they are a student or a job seeker speaks for no buyer: answers resting only on what
    that person said become unknown. Everyone else's statements on the call still count."""
    flagged = next(
        (a for a in answers if a.question_id == "call.disqualifier" and a.answer == "yes" and a.value in _OUTSIDERS),
        None,
    )
    if flagged is None:
        return answers
    who = {e.speaker for e in flagged.evidence if e.speaker}
    if not who:
        return answers
    out = []
    for a in answers:
        if (
            a.question_id not in _KEEP
            and a.answer != "unknown"
            and a.evidence
            and all(e.speaker in who for e in a.evidence)
        ):
            a = QuestionAnswer(
                question_id=a.question_id,
                answer="unknown",
                confidence=0.6,
                reasoning=f"Unknown: only {', '.join(sorted(who))} said so, who is a "
                f'{str(flagged.value).replace("_", " ")}, not a buyer ("{a.evidence[0].quote[:80]}").',
            )
        out.append(a)
    return out


def _main_prospect(transcript: Transcript) -> str | None:
    """The prospect who speaks most: the contact when the caller does not name one."""
    words: dict[str, int] = {}
    for u in transcript.utterances:
        if u.role == "prospect":
            words[u.speaker] = words.get(u.speaker, 0) + len(u.text.split())
    return max(words, key=lambda k: words[k]) if words else None


class TranscriptExtractor(Protocol):
    """What evals and ingestion need from an extractor (embedded here; an LLM one can satisfy it too)."""

    name: str
    version: str

    def extract(
        self, transcript: Transcript, questions: Sequence[QualifyingQuestion] | None = None, contact: str | None = None
    ) -> list[QuestionAnswer] | Awaitable[list[QuestionAnswer]]:
        """The embedded extractor answers at once; the LLM one returns an awaitable."""
        ...
