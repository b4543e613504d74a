"""Example-phrasing refinement (judge 1.0): for questions whose library gives yes/no example phrasings, evidence units
ranked by embedding similarity and read against those examples with negation and hedging cues and the question's
threshold. The answer engine decides everything else; this path never needs examples to exist."""

from __future__ import annotations

import hashlib
import time
from datetime import datetime

import numpy as np

from agent.checks import evaluate
from agent.deps import Embedder
from agent.evidence import EvidenceChecker, SourceText, lead_sources, units
from agent.judges.base import JudgeRequest, JudgeResult, ReviewedExample, keep_newest
from agent.judges.cues import negated
from agent.judges.votes import QuestionVectors, Tuning, Unit, Vote, decide, keyword_patterns, relevance, vote
from agent.schemas import Answer, Enrichment, Lead, QuestionAnswer, Usage

from agent.text import strip_hidden
from library.schemas import QualifyingQuestion


class ExampleJudge:
    """Answers questions from a lead's own words with a small sentence-embedding model and explicit cues."""

    name = "local-examples"
    version = "1.0.0"

    def __init__(
        self,
        embedder: Embedder,
        *,
        tuning: Tuning | None = None,
        top_k: int = 3,
        reviewed: list[ReviewedExample] | None = None,
    ):
        self.embedder = embedder
        self.tuning = tuning or Tuning()
        self.top_k = top_k
        self._reviewed: dict[str, list[ReviewedExample]] = {}
        self._revision: dict[str, int] = {}  # per question, bumped by every change to its reviewed examples
        self._vectors: dict[str, QuestionVectors] = {}  # keyed by question id + content hash + revision
        self._keys: dict[str, np.ndarray] = {}  # form question vectors: the same form asks the same questions
        for example in reviewed or []:
            self.learn(example)

    def learn(self, example: ReviewedExample) -> None:
        """Remember a reviewed answer; the question's later judgments use it as an example (a re-review of the same
        lead's answer replaces the earlier one)."""
        keep_newest(self._reviewed.setdefault(example.question_id, []), example)
        self._revision[example.question_id] = self._revision.get(example.question_id, 0) + 1

    def forget(self, question_id: str, lead_id: str) -> None:
        """Drop the example reviewed from this lead's answer (its newest review left nothing to learn from)."""
        pool = self._reviewed.get(question_id, [])
        pool[:] = [e for e in pool if e.lead_id != lead_id]
        self._revision[question_id] = self._revision.get(question_id, 0) + 1

    def reviewed(self, question_id: str) -> list[ReviewedExample]:
        """The reviewed answers learned for a question, oldest first."""
        return list(self._reviewed.get(question_id, []))

    async def judge(self, request: JudgeRequest) -> JudgeResult:
        """Answer every question; every answer's quotes are verified against the lead before it is returned."""
        started = time.perf_counter()
        answers = self.answer(request.lead, request.enrichment, request.questions, request.now)
        return JudgeResult(answers=answers, usage=Usage(latency_ms=round((time.perf_counter() - started) * 1000, 3)))

    def answer(
        self,
        lead: Lead,
        enrichment: Enrichment,
        questions: list[QualifyingQuestion],
        now: datetime,
        *,
        sources: list[SourceText] | None = None,
    ) -> list[QuestionAnswer]:
        """The synchronous core of `judge` (benchmarks call it directly); `sources` replaces the lead's own text
        (the relevant part of a text too long to read whole)."""
        sources = sources if sources is not None else lead_sources(lead, enrichment)
        checker = EvidenceChecker(sources)
        text_questions = [q for q in questions if q.check is None]
        lead_units = self._embed_units(units(sources)) if text_questions else []
        ref = lead.received_at or now
        offset = float((ref.date() - now.date()).days)
        out = []
        for q in questions:
            if q.check is not None:
                answer = evaluate(q, lead, enrichment, now)
            else:
                answer = self._answer_text(q, lead_units, ref, offset)
            out.append(checker.verify(answer))
        return out

    def _answer_text(
        self, q: QualifyingQuestion, lead_units: list[Unit], ref: datetime, offset: float
    ) -> QuestionAnswer:
        qv = self._question_vectors(q)
        scored = sorted(((*relevance(q, qv, u, self.tuning, ref), u) for u in lead_units), key=lambda x: -x[0])
        votes: list[Vote] = [
            vote(q, qv, u, rel, key_sim, ref, offset, self.tuning)
            for rel, key_sim, u in scored[: self.top_k]
            if rel >= self.tuning.relevance_cut
        ]
        return decide(q.id, votes)

    def _embed_units(self, found: list[SourceText]) -> list[Unit]:
        texts, hidden = [], []
        for s in found:
            clean, was_hidden = strip_hidden(s.text)
            hidden.append(was_hidden)
            # A bare enrichment value ("Student") says little; its field name gives it meaning for retrieval.
            texts.append(f"{s.ref.replace('.', ' ').replace('_', ' ')}: {clean}" if s.source == "enrichment" else clean)
        new_keys = sorted({s.ref for s in found if s.source == "form" and s.ref not in self._keys})
        if not texts:
            return []
        vectors = self.embedder.embed(texts + new_keys)  # one batch per lead
        for key, vector in zip(new_keys, vectors[len(texts) :], strict=True):
            if len(self._keys) > 4096:
                self._keys.clear()
            self._keys[key] = vector
        return [
            Unit(s, vectors[i], self._keys.get(s.ref) if s.source == "form" else None, hidden[i])
            for i, s in enumerate(found)
        ]

    def _question_vectors(self, q: QualifyingQuestion) -> QuestionVectors:
        reviewed = self._reviewed.get(q.id, [])
        digest = hashlib.sha256(q.model_dump_json().encode()).hexdigest()[:16]
        key = f"{q.id}:{digest}:{self._revision.get(q.id, 0)}"
        cached = self._vectors.get(key)
        if cached is not None:
            return cached
        texts = [*q.yes_examples, *q.no_examples, *(r.text for r in reviewed)]
        yes: list[Answer] = ["yes"]
        no: list[Answer] = ["no"]
        labels = yes * len(q.yes_examples) + no * len(q.no_examples) + [r.answer for r in reviewed]
        learned = [False] * (len(q.yes_examples) + len(q.no_examples)) + [True] * len(reviewed)
        vectors = self.embedder.embed([q.text, *texts])
        self._vectors = {k: v for k, v in self._vectors.items() if not k.startswith(f"{q.id}:")}
        qv = QuestionVectors(
            text=vectors[0],
            examples=vectors[1:],
            labels=labels,
            example_texts=texts,
            learned=learned,
            negations=np.array([negated(t) for t in texts], dtype=bool),
            keywords=keyword_patterns(q.keywords),
        )
        self._vectors[key] = qv
        return qv
