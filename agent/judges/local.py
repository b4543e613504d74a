"""The embedded judge: offline, no key. Each question's typed reading (library.reading) is decided from the lead's
clause-level facts (agent.facts) by the answer engine (agent.judges.engine); a question with an explicit structured
`check` is answered from data. Example phrasings and reviewed answers are refinements: a clause very close to one
settles a question the engine left unknown."""

from __future__ import annotations

import re
import time
from datetime import datetime

import numpy as np

from agent.checks import evaluate
from agent.deps import Embedder
from agent.evidence import EvidenceChecker, SourceText, lead_sources
from agent.facts.clauses import Clause, keep_relevant, read_facts
from agent.judges.calibration import ConfidenceMap
from agent.judges.base import JudgeRequest, JudgeResult, ReviewedExample, keep_newest
from agent.judges.examples import ExampleJudge
from agent.judges.cues import bare_reply
from agent.judges.engine import DECIDERS, Context, _by_meaning, resolve
from agent.schemas import Answer, AnswerFlag, Enrichment, Evidence, Lead, QuestionAnswer, Usage
from library.reading import read_question
from library.schemas import Competitor, QualifyingQuestion, QuestionSpec, Seller

EXAMPLE_MATCH = 0.82
NEAR_DUPLICATE = 0.92  # cosine at which a clause says what a reviewed answer's text says: the reviewer's answer wins
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
MAX_CLAUSES = 150  # clauses read per lead or call; a 50,000-character note has ~4,000 (read: the 150 most relevant)
FORM_MATCH = 0.6  # cosine at which a form field (or a seller's question on a call) asks the same thing as a question


_DEFAULT_SELLER = Seller(name="the seller", product="the product", description="")


# Question kinds that ask whether the lead says something of itself; numbers, places, tools, dates and events are
# read by their typed deciders in every language they know, never by meaning alone.
_STATEMENT_KINDS = frozenset(
    {
        "pain",
        "industry",
        "partner",
        "job_seeker",
        "vendor_pitch",
        "student",
        "existing_customer",
        "competitor_employee",
        "text",
    }
)
STATEMENT_MATCH = (
    0.5  # cross-language cosine (on the English model's scale) at which a clause says what a question asks
)


class LocalJudge:
    """Answers questions from a lead's own words: typed readings, clause facts, a small sentence-embedding model."""

    name = "local"
    version = "2.0.0"

    def __init__(
        self,
        embedder: Embedder,
        *,
        reviewed: list[ReviewedExample] | None = None,
        max_clauses: int = MAX_CLAUSES,
        confidence: ConfidenceMap | None = None,
        meaning: Embedder | None = None,
    ):
        self.embedder = embedder
        self.meaning = meaning  # a cross-language model for meaning (library.embeddings.MultilingualEmbedder), optional
        self._meaning_topics: dict[str, np.ndarray] = {}
        self.confidence = confidence if confidence is not None else ConfidenceMap.load()
        self.max_clauses = max_clauses
        self._examples = ExampleJudge(embedder)
        self._reviewed: dict[str, list[ReviewedExample]] = {}
        self._topic_vectors: dict[str, np.ndarray] = {}
        self._example_vectors: dict[str, tuple[np.ndarray, list[Answer], list[str]]] = {}
        self._reviewed_vectors: dict[str, np.ndarray] = {}
        for example in reviewed or []:
            self.learn(example)

    def learn(self, example: ReviewedExample) -> None:
        """Remember a reviewed answer; the question's later judgments use it as an example (a re-review of the same
        lead's answer replaces the earlier one)."""
        keep_newest(self._reviewed.setdefault(example.question_id, []), example)
        self._example_vectors.pop(example.question_id, None)
        self._reviewed_vectors.pop(example.question_id, None)
        self._examples.learn(example)

    def forget(self, question_id: str, lead_id: str) -> None:
        """Drop the example reviewed from this lead's answer (its newest review left nothing to learn from)."""
        pool = self._reviewed.get(question_id, [])
        pool[:] = [e for e in pool if e.lead_id != lead_id]
        self._example_vectors.pop(question_id, None)
        self._reviewed_vectors.pop(question_id, None)
        self._examples.forget(question_id, lead_id)

    def reviewed(self, question_id: str) -> list[ReviewedExample]:
        """The reviewed answers this judge has learned for a question, oldest first."""
        return list(self._reviewed.get(question_id, []))

    async def judge(self, request: JudgeRequest) -> JudgeResult:
        """Answer every question; every answer's quotes are verified against the lead before it is returned."""
        started = time.perf_counter()
        answers = self.answer(
            request.lead,
            request.enrichment,
            request.questions,
            request.now,
            seller=request.seller,
            competitors=request.competitors,
        )
        return JudgeResult(answers=answers, usage=Usage(latency_ms=round((time.perf_counter() - started) * 1000, 3)))

    def answer(
        self,
        lead: Lead,
        enrichment: Enrichment,
        questions: list[QualifyingQuestion],
        now: datetime,
        *,
        seller: Seller | None = None,
        competitors: list[Competitor] | None = None,
    ) -> list[QuestionAnswer]:
        """The synchronous core of `judge` (benchmarks call it directly)."""
        sources = lead_sources(lead, enrichment)
        checker = EvidenceChecker(sources)
        ctx = self.read(
            sources,
            lead.received_at or now,
            lead=lead,
            enrichment=enrichment,
            seller=seller,
            competitors=competitors,
            focus=[q.text for q in questions],
        )
        # Questions whose library wrote example phrasings (the sample library does) are read by judge 1.0 in one pass.
        with_examples = [q for q in questions if q.check is None and q.yes_examples and q.no_examples]
        kept = list(dict.fromkeys(c.unit for c in ctx.facts.clauses)) if ctx.facts.truncated else None
        by_examples = (
            {a.question_id: a for a in self._examples.answer(lead, enrichment, with_examples, now, sources=kept)}
            if with_examples
            else {}
        )
        out = []
        for q in questions:
            if q.check is not None:
                answer = evaluate(q, lead, enrichment, now)
            elif q.id in by_examples:
                answer = by_examples[q.id]
            else:
                answer = self.decide(q, ctx)
            if q.check is None:
                answer = self.reviewed_override(q, ctx, answer)
            out.append(checker.verify(self.flagged(self.calibrated(answer), ctx)))
        return out

    def calibrated(self, answer: QuestionAnswer) -> QuestionAnswer:
        """The engine's confidence as the rate such answers were right on the benchmark (structured checks and
        reviewer-set answers keep theirs)."""
        if "structured_check" in answer.flags or "reviewer_override" in answer.flags:
            return answer
        return answer.model_copy(update={"confidence": self.confidence(answer.answer, answer.confidence)})

    def read(
        self,
        sources: list[SourceText],
        ref: datetime,
        *,
        lead: Lead,
        enrichment: Enrichment | None = None,
        seller: Seller | None = None,
        competitors: list[Competitor] | None = None,
        prompts: dict[str, str] | None = None,
        focus: list[str] | None = None,
    ) -> Context:
        """Text → the context the engine decides from: clause facts of `sources` read against the reference date.
        A lead's own fields, notes and events, or a call's prospect utterances (`prompts`: the question each answers).
        Text too long to read within the per-lead budget keeps its MAX_CLAUSES clauses most relevant to `focus` (the
        questions asked) and every answer is flagged `text_truncated`."""
        facts = keep_relevant(read_facts(sources, year=ref.year, prompts=prompts), focus or [], self.max_clauses)
        return Context(
            lead,
            enrichment or Enrichment(),
            facts,
            ref,
            seller or _DEFAULT_SELLER,
            competitors or [],
            self.embedder.embed,
            self._topic,
            self.meaning.embed if self.meaning is not None else None,
            self._meaning_topic if self.meaning is not None else None,
        )

    def decide(self, q: QualifyingQuestion, ctx: Context) -> QuestionAnswer:
        """One question from the context: its reading decided by the engine; a bare yes or no to a question asking the
        same thing, or a clause saying what an example says, settles what the engine left unknown."""
        spec = q.reading or read_question(q, ctx.seller, ctx.competitors)
        answer = resolve(q.id, spec, DECIDERS[spec.kind](spec, ctx))
        if answer.answer == "unknown":
            answer = self._form_reply(q, ctx.lead) or self._bare_reply(q, ctx) or self._from_examples(q, ctx) or answer
        if answer.answer == "unknown" and not answer.flags and spec.kind in _STATEMENT_KINDS:
            answer = self._said_across(q, spec, ctx) or answer
        return answer

    @staticmethod
    def _said_across(q: QualifyingQuestion, spec: QuestionSpec, ctx: Context) -> QuestionAnswer | None:
        """A question about what the lead says of itself (a partner asking for clients, a student, a pain, an industry)
        that the typed reading left unknown, when a clause in a language the cue lists cannot read says what the
        question asks, by the cross-language model. Only a yes: silence and 'not the case' need the typed reading."""
        # what the question rules out ("… rather than for software") is not what it asks: its words never match
        asked = _RULED_OUT.split(q.text)[0].strip() or q.text
        found = [f for f in _by_meaning(asked, ctx, min_sim=STATEMENT_MATCH, across=True) if f.answer == "yes"]
        return resolve(q.id, spec, found) if found else None

    @staticmethod
    def flagged(answer: QuestionAnswer, ctx: Context) -> QuestionAnswer:
        raised: tuple[tuple[AnswerFlag, bool], ...] = (
            ("instruction_text_ignored", bool(ctx.facts.injected)),
            ("hidden_content", ctx.facts.hidden),
            ("text_truncated", bool(ctx.facts.truncated)),
        )
        flags = [f for f, on in raised if on]
        missing = [f for f in flags if f not in answer.flags]
        return answer.model_copy(update={"flags": [*answer.flags, *missing]}) if missing else answer

    def _bare_reply(self, q: QualifyingQuestion, ctx: Context) -> QuestionAnswer | None:
        """A call's bare 'Yes, that's me' to a seller question that asks the question itself; the latest one wins."""
        for c in sorted(
            (c for c in ctx.facts.clauses if c.unit.source == "transcript" and c.context), key=lambda c: -c.order
        ):
            reply = bare_reply(c.text)
            if reply is None or c.hedge or float(self._topic(c.context) @ self._topic(q.text)) < FORM_MATCH:
                continue
            return QuestionAnswer(
                question_id=q.id,
                answer=reply,
                confidence=0.75,
                reasoning=f"Read as: {q.reading.words if q.reading else q.text}. {reply.capitalize()}: "
                f'asked "{c.context[:80]}", {c.unit.speaker or "the prospect"} said '
                f'"{c.text[:60]}".',
                evidence=[_evidence(c)],
            )
        return None

    def _form_reply(self, q: QualifyingQuestion, lead: Lead) -> QuestionAnswer | None:
        """A form field that asks the question itself, answered with a bare yes or no ('No, first time looking')."""
        for key, value in lead.form_answers.items():
            reply = bare_reply(value)
            if reply is None or float(self._topic(key) @ self._topic(q.text)) < FORM_MATCH:
                continue
            return QuestionAnswer(
                question_id=q.id,
                answer=reply,
                confidence=0.75,
                reasoning=f"Read as: {q.reading.words if q.reading else q.text}. {reply.capitalize()}: "
                f'the form asked "{key[:80]}" and the answer was "{value[:60]}".',
                evidence=[Evidence(source="form", ref=key, quote=value)],
            )
        return None

    def _topic(self, text: str) -> np.ndarray:
        found = self._topic_vectors.get(text)
        if found is None:
            if len(self._topic_vectors) > 4096:
                self._topic_vectors.clear()
            found = self._topic_vectors[text] = self.embedder.embed([text])[0]
        return found

    def _meaning_topic(self, text: str) -> np.ndarray:
        found = self._meaning_topics.get(text)
        if found is None:
            assert self.meaning is not None
            if len(self._meaning_topics) > 4096:
                self._meaning_topics.clear()
            found = self._meaning_topics[text] = self.meaning.embed([text])[0]
        return found

    def _from_examples(self, q: QualifyingQuestion, ctx: Context) -> QuestionAnswer | None:
        """A clause that says what a library example or a reviewed answer says settles an otherwise unknown answer."""
        texts = [*q.yes_examples, *q.no_examples, *(r.text for r in self._reviewed.get(q.id, []))]
        if not texts or not ctx.facts.clauses:
            return None
        yes: list[Answer] = ["yes"]
        no: list[Answer] = ["no"]
        labels = yes * len(q.yes_examples) + no * len(q.no_examples) + [r.answer for r in self._reviewed.get(q.id, [])]
        cached = self._example_vectors.get(q.id)
        if cached is None or len(cached[1]) != len(labels):
            cached = (self.embedder.embed(texts), labels, texts)
            self._example_vectors[q.id] = cached
        sims = ctx.clause_vectors() @ cached[0].T
        i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
        c = ctx.facts.clauses[i]
        if float(sims[i, j]) < EXAMPLE_MATCH or cached[1][j] == "unknown" or c.hedge:
            return None
        if _figures(c.text) != _figures(cached[2][j]):
            # "demo request on 2026-09-21" reads like "demo request on 2026-11-14" but is outside the window: an example
            # transfers its answer only to a clause that says the same thing, its figures and dates included.
            return None
        flags: list[AnswerFlag] = ["learned"] if j >= len(q.yes_examples) + len(q.no_examples) else []
        return QuestionAnswer(
            question_id=q.id,
            answer=cached[1][j],
            confidence=0.7,
            flags=flags,
            reasoning=f"Read as: {q.reading.words if q.reading else q.text}. {cached[1][j].capitalize()}: the lead says "
            f'what the example "{cached[2][j][:80]}" says.',
            evidence=[_evidence(c)],
        )

    def reviewed_override(self, q: QualifyingQuestion, ctx: Context, answer: QuestionAnswer) -> QuestionAnswer:
        """A clause that is a near-duplicate of a reviewed answer's text, its figures and dates included, takes the
        reviewer's answer even over the engine's: a correction is not made again on the next lead that says the same
        thing (the closest such example wins; on a tie, the newest)."""
        reviewed = self._reviewed.get(q.id)
        if not reviewed or not ctx.facts.clauses:
            return answer
        vectors = self._reviewed_vectors.get(q.id)
        if vectors is None:
            vectors = self._reviewed_vectors[q.id] = self.embedder.embed([r.text for r in reviewed])
        sims = ctx.clause_vectors() @ vectors.T
        pairs = sorted(zip(*np.nonzero(sims >= NEAR_DUPLICATE), strict=True), key=lambda p: (-sims[p], -p[1]))
        for i, j in pairs:
            c, example = ctx.facts.clauses[i], reviewed[j]
            if c.hedge or _figures(c.text) != _figures(example.text):
                continue
            if example.answer == answer.answer:
                return answer
            if answer.evidence and not any(e.quote in c.text or c.text in e.quote for e in answer.evidence):
                return answer  # the engine's answer rests on other words of the lead, not on what was corrected
            reading = f"Read as: {q.reading.words if q.reading else q.text}."
            said = f'the lead says what a reviewed answer says ("{example.text[:80]}")'
            if example.answer == "unknown":
                return QuestionAnswer(
                    question_id=q.id,
                    answer="unknown",
                    confidence=0.6,
                    flags=["learned"],
                    reasoning=f"{reading} Unknown: {said}, which a reviewer judged not to answer the question.",
                )
            return QuestionAnswer(
                question_id=q.id,
                answer=example.answer,
                confidence=0.75,
                flags=["learned"],
                reasoning=f"{reading} {example.answer.capitalize()}: {said}.",
                evidence=[_evidence(c)],
            )
        return answer


_RULED_OUT = re.compile(r"\b(?:rather than|instead of|as opposed to|other than|but not)\b", re.I)


def _evidence(c: Clause) -> Evidence:
    """The clause as quoted evidence, with where and when it was said."""
    return Evidence(
        source=c.unit.source, ref=c.unit.ref, quote=c.text, timestamp=c.unit.timestamp, speaker=c.unit.speaker
    )


def _figures(text: str) -> list[str]:
    """The numbers and dates of a text, in order, separators dropped ("4,000" and "4000" are the same figure)."""
    return [re.sub(r"[.,]", "", m) for m in _FIGURE.findall(text)]
