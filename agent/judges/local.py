"""The embedded judge: offline, no key. Each question's typed reading (library.reading) is decided from the lead's
clause-level facts (agent.facts) by the answer engine (agent.judges.engine); a question with an explicit structured
`check` is answered from data. Example phrasings and reviewed answers are refinements: a clause very close to one
settles a question the engine left unknown."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from agent.checks import evaluate
from agent.deps import Embedder
from agent.evidence import EvidenceChecker, lead_sources
from agent.facts.clauses import read_facts
from agent.judges.base import JudgeRequest, JudgeResult
from agent.judges.cues import bare_reply
from agent.judges.engine import DECIDERS, Context, resolve
from agent.schemas import Answer, AnswerFlag, Enrichment, Evidence, Lead, QuestionAnswer, Usage
from library.reading import read_question
from library.schemas import Competitor, QualifyingQuestion, Seller

EXAMPLE_MATCH = 0.82
FORM_MATCH = 0.6  # cosine at which a form field asks the same thing as a question  # cosine at which a clause counts as saying what an example says


@dataclass(frozen=True)
class ReviewedExample:
    """A reviewer's answer to a question for one unit of text: an extra example for that question."""

    question_id: str
    text: str
    answer: Answer


_DEFAULT_SELLER = Seller(name="the seller", product="the product", description="")


class LocalJudge:
    """Answers questions from a lead's own words: typed readings, clause facts, a small sentence-embedding model."""

    name = "local"
    version = "2.0.0"

    def __init__(self, embedder: Embedder, *, reviewed: list[ReviewedExample] | None = None):
        self.embedder = embedder
        from agent.judges.examples import ExampleJudge

        self._examples = ExampleJudge(embedder)
        self._reviewed: dict[str, list[ReviewedExample]] = {}
        self._topic_vectors: dict[str, np.ndarray] = {}
        self._example_vectors: dict[str, tuple[np.ndarray, list[Answer], list[str]]] = {}
        for example in reviewed or []:
            self.learn(example)

    def learn(self, example: ReviewedExample) -> None:
        """Remember a reviewed answer; the question's later judgments use it as an example."""
        self._reviewed.setdefault(example.question_id, []).append(example)
        self._example_vectors.pop(example.question_id, None)
        self._examples.learn(example)

    async def judge(self, request: JudgeRequest) -> JudgeResult:
        """Answer every question; every answer's quotes are verified against the lead before it is returned."""
        started = time.perf_counter()
        answers = self.answer(request.lead, request.enrichment, request.questions, request.now,
                              seller=request.seller, competitors=request.competitors)
        return JudgeResult(answers=answers, usage=Usage(latency_ms=round((time.perf_counter() - started) * 1000, 3)))

    def answer(self, lead: Lead, enrichment: Enrichment, questions: list[QualifyingQuestion], now: datetime, *,
               seller: Seller | None = None, competitors: list[Competitor] | None = None) -> list[QuestionAnswer]:
        """The synchronous core of `judge` (benchmarks call it directly)."""
        seller = seller or _DEFAULT_SELLER
        competitors = competitors or []
        sources = lead_sources(lead, enrichment)
        checker = EvidenceChecker(sources)
        ref = lead.received_at or now
        facts = read_facts(sources, year=ref.year)
        ctx = Context(lead, enrichment, facts, ref, seller, competitors, self.embedder.embed, self._topic)
        # Questions whose library wrote example phrasings (the sample library does) are read by judge 1.0 in one pass.
        with_examples = [q for q in questions if q.check is None and q.yes_examples and q.no_examples]
        by_examples = {a.question_id: a for a in self._examples.answer(lead, enrichment, with_examples, now)} \
            if with_examples else {}
        flags: list[AnswerFlag] = [f for f, on in (("instruction_text_ignored", bool(facts.injected)),
                                                   ("hidden_content", facts.hidden)) if on]
        out = []
        for q in questions:
            if q.check is not None:
                answer = evaluate(q, lead, enrichment, now)
            elif q.id in by_examples:
                answer = by_examples[q.id]
            else:
                spec = q.reading or read_question(q, seller, competitors)
                answer = resolve(q, spec, DECIDERS[spec.kind](spec, ctx))
                if answer.answer == "unknown":
                    answer = self._form_reply(q, lead) or self._from_examples(q, ctx) or answer
            missing = [f for f in flags if f not in answer.flags]
            if missing:
                answer = answer.model_copy(update={"flags": [*answer.flags, *missing]})
            out.append(checker.verify(answer))
        return out

    def _form_reply(self, q: QualifyingQuestion, lead: Lead) -> QuestionAnswer | None:
        """A form field that asks the question itself, answered with a bare yes or no ('No, first time looking')."""
        for key, value in lead.form_answers.items():
            reply = bare_reply(value)
            if reply is None or float(self._topic(key) @ self._topic(q.text)) < FORM_MATCH:
                continue
            return QuestionAnswer(question_id=q.id, answer=reply, confidence=0.75,  # type: ignore[arg-type]
                                  reasoning=f"Read as: {q.reading.words if q.reading else q.text}. {reply.capitalize()}: "
                                            f"the form asked \"{key[:80]}\" and the answer was \"{value[:60]}\".",
                                  evidence=[Evidence(source="form", ref=key, quote=value)])
        return None

    def _topic(self, text: str) -> np.ndarray:
        found = self._topic_vectors.get(text)
        if found is None:
            if len(self._topic_vectors) > 4096:
                self._topic_vectors.clear()
            found = self._topic_vectors[text] = self.embedder.embed([text])[0]
        return found

    def _from_examples(self, q: QualifyingQuestion, ctx: Context) -> QuestionAnswer | None:
        """A clause that says what a library example or a reviewed answer says settles an otherwise unknown answer."""
        texts = [*q.yes_examples, *q.no_examples, *(r.text for r in self._reviewed.get(q.id, []))]
        if not texts or not ctx.facts.clauses:
            return None
        labels: list[Answer] = (["yes"] * len(q.yes_examples) + ["no"] * len(q.no_examples)
                                + [r.answer for r in self._reviewed.get(q.id, [])])
        cached = self._example_vectors.get(q.id)
        if cached is None or len(cached[1]) != len(labels):
            cached = (self.embedder.embed(texts), labels, texts)
            self._example_vectors[q.id] = cached
        sims = ctx.clause_vectors() @ cached[0].T
        i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
        if float(sims[i, j]) < EXAMPLE_MATCH or cached[1][j] == "unknown" or ctx.facts.clauses[i].hedge:
            return None
        c = ctx.facts.clauses[i]
        flags = ["learned"] if j >= len(q.yes_examples) + len(q.no_examples) else []
        return QuestionAnswer(
            question_id=q.id, answer=cached[1][j], confidence=0.7, flags=flags,  # type: ignore[arg-type]
            reasoning=f"Read as: {q.reading.words if q.reading else q.text}. {cached[1][j].capitalize()}: the lead says "
                      f"what the example \"{cached[2][j][:80]}\" says.",
            evidence=[Evidence(source=c.unit.source, ref=c.unit.ref, quote=c.text, timestamp=c.unit.timestamp,
                               speaker=c.unit.speaker)])

