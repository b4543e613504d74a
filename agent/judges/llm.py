"""The LLM judge: answers a lead's qualifying questions through any OpenAI-compatible endpoint.

Flow per lead (or per question, `per_question=True`): structured checks answered locally first in `hybrid` mode →
one structured call → validate each answer and verify its quotes in code → on any failure ONE repair request for the
failed questions only, carrying the errors and the invalid fragments (never the whole prior output) with a small output
cap → answers still invalid become unknown with `model_output_invalid`, unverifiable ones `evidence_unverified`.
A context overflow (any server's wording, agent/llm.py) halves the evidence by relevance and retries while the
budget lasts. ONE retry budget
(`max_attempts`) covers the whole chain: first call, its retries, the trimmed retry and the repair. Endpoint failures
propagate as the core's RetryableJudgeError / PermanentJudgeError / BudgetExceededError with the lead's attempts counted.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator, model_validator

from agent import checks
from agent.budget import estimate_tokens
from agent.errors import JudgeError, RetryableJudgeError
from agent.evidence import EvidenceChecker, SourceText
from agent.judges.base import JudgeRequest, JudgeResult, ReviewedExample, keep_newest
from agent.judges.llm_prompting import (
    LeadData,
    boundary,
    lead_data,
    select_items,
    similar_examples,
    spec_of,
    system_context,
    trim_by_relevance,
    user_context,
)
from agent.llm import ContextLengthExceeded, StructuredLLM, StructuredReply
from agent.schemas import Answer, Enrichment, Evidence, Lead, QuestionAnswer, Usage
from library.schemas import Competitor, Persona, QualifyingQuestion, Seller
from prompts import render
from prompts.contexts import DataItem, RepairContext

Mode = Literal["llm", "hybrid"]
MAX_REVIEWED_PER_QUESTION = 50  # reviewed examples remembered per question (the newest)
EXAMPLES_PER_QUESTION = 2  # shown with a prompt: the most similar to the lead's text
# Kinds of question the embedded answer engine settles from the lead's structured facts (a headcount, a country, a
# revenue figure, languages, engagement events) as well as a model would: in hybrid mode a yes or no of the engine on
# them is kept and the model is not asked. Everything read from the lead's free text goes to the model.
FACT_KINDS = frozenset({"company_size", "revenue", "location", "language", "intent"})
CUT_RATIO = 0.8  # a server reporting fewer prompt tokens than this share of our estimate cut the prompt silently
CUT_MIN_TOKENS = 512  # below this, tokenizers differ too much from the 4-characters estimate to tell
REPAIR_TOKENS_PER_QUESTION = 256  # one answer with reasoning and two quotes is ~150 tokens
REPAIR_FRAGMENT_CHARS = 2000  # the invalid fragment quoted back, at most (~500 tokens)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelEvidence(_Strict):
    source: Literal["form", "notes", "enrichment", "event", "transcript"] = Field(description="The item's source label")
    ref: str = Field(description="The item's ref label, copied exactly")
    quote: str = Field(description="A short span copied verbatim from that item")

    @field_validator("quote")
    @classmethod
    def _not_blank(cls, value: str) -> str:  # a validator, not minLength: strict json_schema servers reject keywords
        if not value.strip():
            raise ValueError("a quote cannot be empty")
        return value


class _ModelAnswerBase(_Strict):
    @field_validator("confidence", check_fields=False)
    @classmethod
    def _unit_interval(cls, value: float) -> float:
        if not 0 <= value <= 1:
            raise ValueError("confidence must be between 0 and 1")
        return value

    @model_validator(mode="after")
    def _evidence_for_decided(self) -> Any:
        # `answer` and `evidence` are declared by create_model() in output_model(), not on this base (declaring them
        # here would move them ahead of `reasoning` in the schema the model fills).
        if self.answer != "unknown" and not self.evidence:  # type: ignore[attr-defined]
            raise ValueError("a yes or no answer needs at least one evidence quote; answer unknown when there is none")
        return self


@lru_cache(maxsize=256)  # building a model and its schema costs ~10 ms: once per question set, not once per lead
def output_model(question_ids: tuple[str, ...]) -> type[BaseModel]:
    """The answer schema for these questions: reasoning before answer, closed literals, every field required."""
    answer_model = create_model(
        "QuestionVerdict",
        __base__=_ModelAnswerBase,
        # A Literal over ids known only at run time: valid for pydantic, not expressible to a static checker.
        question_id=(Literal[tuple(question_ids)], Field(description="The question's id")),  # type: ignore[arg-type]
        reasoning=(str, Field(description="First: one sentence on what the data says")),
        answer=(Answer, Field(description="yes or no with evidence; unknown when the data does not say")),
        confidence=(float, Field(description="0 to 1")),
        evidence=(list[ModelEvidence], Field(description="Verbatim quotes; empty when unknown")),
    )
    return create_model(
        "SubmitAnswers",
        __base__=_Strict,
        answers=(list[answer_model], Field(description="One per question id")),  # type: ignore[valid-type]  # a class made at run time
    )


@lru_cache(maxsize=256)
def _schema_json(model: type[BaseModel]) -> str:
    return json.dumps(_untitled(model.model_json_schema()))


def _untitled(node: Any) -> Any:
    """The schema without pydantic's generated `title` keywords (annotations a server or model does not need: tokens
    in every request). A property named "title" would be kept: only the keyword beside `type` is dropped."""
    if isinstance(node, dict):
        return {k: _untitled(v) for k, v in node.items() if not (k == "title" and isinstance(v, str))}
    if isinstance(node, list):
        return [_untitled(v) for v in node]
    return node


def tool_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema sent to the endpoint (a fresh copy: callers may not mutate the cached one)."""
    schema = json.loads(_schema_json(model))
    qid = schema["$defs"]["QuestionVerdict"]["properties"]["question_id"]
    if "const" in qid:  # a one-question schema: `enum` is understood by more servers than `const`
        qid["enum"] = [qid.pop("const")]
    schema.update(title="submit_answers", description="Submit one answer for every qualifying question.")
    return schema


class LocalAnswerer(Protocol):
    """The embedded judge's synchronous core (agent.judges.local.LocalJudge.answer)."""

    def answer(
        self,
        lead: Lead,
        enrichment: Enrichment,
        questions: list[QualifyingQuestion],
        now: datetime,
        *,
        seller: Seller | None = None,
        competitors: list[Competitor] | None = None,
    ) -> list[QuestionAnswer]: ...


@dataclass
class _Outcome:
    answers: dict[str, QuestionAnswer] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    prompts: dict[str, str] = field(default_factory=dict)


class LLMJudge:
    """A `Judge` backed by an OpenAI-compatible endpoint (see agent/llm.py for configuration)."""

    name = "llm"
    version = "1"

    def __init__(
        self,
        llm: StructuredLLM,
        *,
        mode: Mode = "llm",
        per_question: bool = False,
        personas: Sequence[Persona] = (),
        local: LocalAnswerer | None = None,
    ):
        self.llm = llm
        self.mode = mode
        self.per_question = per_question
        self.personas = list(personas)
        self.local = local  # hybrid: the embedded engine, for questions its facts settle (FACT_KINDS)
        self._reviewed: dict[str, list[ReviewedExample]] = {}
        if mode == "hybrid":
            self.name = "hybrid"

    def learn(self, example: ReviewedExample) -> None:
        """Remember a reviewer's answer: the most similar ones are shown with later prompts for that question (as data,
        in their own delimited section), and the embedded engine of hybrid mode learns it too."""
        kept = self._reviewed.setdefault(example.question_id, [])
        keep_newest(kept, example)  # a re-review of the same lead's answer replaces the earlier one
        del kept[:-MAX_REVIEWED_PER_QUESTION]
        learn = getattr(self.local, "learn", None)
        if learn is not None:
            learn(example)

    def forget(self, question_id: str, lead_id: str) -> None:
        """Drop the example reviewed from this lead's answer (its newest review left nothing to learn from)."""
        pool = self._reviewed.get(question_id, [])
        pool[:] = [e for e in pool if e.lead_id != lead_id]
        forget = getattr(self.local, "forget", None)
        if forget is not None:
            forget(question_id, lead_id)

    def reviewed(self, question_id: str) -> list[ReviewedExample]:
        """The reviewed answers that can be shown with prompts for a question, oldest first."""
        return list(self._reviewed.get(question_id, []))

    async def judge(self, request: JudgeRequest) -> JudgeResult:
        """Answer every question: in hybrid mode locally where a check exists or the engine's facts settle it, the rest
        in one call to the model."""
        local: dict[str, QuestionAnswer] = {}
        remote: list[QualifyingQuestion] = []
        for q in request.questions:
            if self.mode == "hybrid" and q.check is not None:
                local[q.id] = checks.evaluate(q, request.lead, request.enrichment, request.now)
            else:
                remote.append(q)
        if self.mode == "hybrid" and self.local is not None:
            settled = self._settled_by_facts(request, remote)
            local.update(settled)
            remote = [q for q in remote if q.id not in settled]
        outcome = _Outcome()
        if remote:
            data = lead_data(request)
            groups = [[q] for q in remote] if self.per_question else [remote]
            tasks = [asyncio.ensure_future(self._judge_group(request, g, data)) for g in groups]
            try:
                parts = await asyncio.gather(*tasks)
            except BaseException:
                for task in tasks:  # one question failing fails the lead: stop spending on the others
                    task.cancel()
                raise
            for part in parts:
                outcome.answers.update(part.answers)
                outcome.usage += part.usage
                outcome.prompts.update(part.prompts)
        answers = [local.get(q.id) or outcome.answers[q.id] for q in request.questions]
        return JudgeResult(
            answers=answers,
            model=self.llm.config.model if remote else None,
            prompt_hashes=outcome.prompts,
            usage=outcome.usage,
            llm_method=self.llm.config.structured_output_method if remote else None,
        )

    def _settled_by_facts(
        self, request: JudgeRequest, questions: list[QualifyingQuestion]
    ) -> dict[str, QuestionAnswer]:
        """The engine's yes or no on fact-kind questions (FACT_KINDS); its unknowns go to the model."""
        factual = [q for q in questions if spec_of(q, request).kind in FACT_KINDS]
        if not factual or self.local is None:
            return {}
        answers = self.local.answer(
            request.lead,
            request.enrichment,
            factual,
            request.now,
            seller=request.seller,
            competitors=request.competitors,
        )
        return {a.question_id: a for a in answers if a.answer != "unknown" and "evidence_unverified" not in a.flags}

    async def judge_data(
        self, request: JudgeRequest, questions: Sequence[QualifyingQuestion], data: LeadData
    ) -> JudgeResult:
        """Answer questions from given data items (a call's utterances) with the same schema, checks and repair."""
        out = await self._judge_group(request, list(questions), data)
        return JudgeResult(
            answers=[out.answers[q.id] for q in questions],
            model=self.llm.config.model,
            prompt_hashes=out.prompts,
            usage=out.usage,
            llm_method=self.llm.config.structured_output_method,
        )

    async def _judge_group(
        self, request: JudgeRequest, questions: list[QualifyingQuestion], data: LeadData
    ) -> _Outcome:
        out = _Outcome()
        system = render("judge_system", system_context(request, questions, self.personas))
        out.prompts[system.name] = system.hash
        model = output_model(tuple(q.id for q in questions))
        schema = tool_schema(model)
        # DataItem.source is a plain str in the prompt context; the items were built from SourceText values.
        checker = EvidenceChecker([SourceText(i.source, i.ref, i.text) for i in data.items])  # type: ignore[arg-type]
        items = select_items(data.items, questions, request)
        try:
            while True:
                try:
                    messages, reply = await self._ask(out, schema, system.text, items, questions)
                    break
                except ContextLengthExceeded:
                    if self._budget_left(out) < 1:
                        raise
                    items = trim_by_relevance(items, questions)  # never the same request twice: half the evidence
            good, errors, fragments = _validate(reply, model, checker)
            unverified = {i for i, a in good.items() if not all(checker.is_verbatim(e) for e in a.evidence)}
            failed = [q for q in questions if q.id not in good or q.id in unverified]
            if errors and failed and self._budget_left(out) >= 1:
                ids = [q.id for q in failed]
                fragment = "\n".join(fragments)[:REPAIR_FRAGMENT_CHARS]
                repair = render(
                    "judge_repair",
                    RepairContext(
                        boundary=boundary([DataItem(source="output", ref="previous", text=fragment)]),
                        errors=errors,
                        previous_output=fragment,
                        question_ids=ids,
                    ),
                )
                out.prompts[repair.name] = repair.hash
                repair_model = output_model(tuple(ids))
                try:
                    second = await self._call(
                        out,
                        tool_schema(repair_model),
                        [*messages, ("user", repair.text)],
                        max_completion_tokens=self._repair_cap(len(ids)),
                    )
                    fixed, _, _ = _validate(second, repair_model, checker)
                    good.update(fixed)
                except (ContextLengthExceeded, RetryableJudgeError):
                    pass  # no room or no budget left for a repair: the affected answers degrade below
        except JudgeError as exc:
            exc.attempts = max(exc.attempts, out.usage.llm_calls)
            raise
        for q in questions:
            out.answers[q.id] = _finish(good.get(q.id), q, checker, data)
        return out

    async def _ask(
        self,
        out: _Outcome,
        schema: dict[str, Any],
        system: str,
        items: list[DataItem],
        questions: list[QualifyingQuestion],
    ) -> tuple[list[tuple[Any, str]], StructuredReply]:
        user = render(
            "judge_user",
            user_context(items, questions, similar_examples(self._reviewed, items, questions, EXAMPLES_PER_QUESTION)),
        )
        out.prompts[user.name] = user.hash
        messages: list[tuple[Any, str]] = [("system", system), ("user", user.text)]
        reply = await self._call(out, schema, messages)
        sent = estimate_tokens(system + user.text)
        if sent >= CUT_MIN_TOKENS and 0 < reply.usage.prompt_tokens < CUT_RATIO * sent:
            # Ollama answers 200 after cutting a prompt longer than num_ctx from the front (instructions first): the
            # answers rest on part of the data, without the rules. Treated as an overflow: trimmed and sent again.
            raise ContextLengthExceeded(
                f"the server read {reply.usage.prompt_tokens} prompt tokens of ~{sent} sent: it cut the prompt "
                "(Ollama truncates to num_ctx; raise it or set QUALIFY_LLM_CONTEXT_TOKENS)",
                attempts=0,
                error_class="context_length_exceeded",
            )
        return messages, reply

    def _budget_left(self, out: _Outcome) -> int:
        return self.llm.config.max_attempts - out.usage.llm_calls

    def _repair_cap(self, n_questions: int) -> int:
        """A repair re-sends only the failed answers: a few hundred tokens each, never the full output cap."""
        return min(self.llm.config.max_completion_tokens, 64 + REPAIR_TOKENS_PER_QUESTION * n_questions)

    async def _call(
        self,
        out: _Outcome,
        schema: dict[str, Any],
        messages: list[tuple[Any, str]],
        *,
        max_completion_tokens: int | None = None,
    ) -> StructuredReply:
        try:
            reply = await self.llm.call(
                schema, messages, max_attempts=self._budget_left(out), max_completion_tokens=max_completion_tokens
            )
        except JudgeError as exc:
            out.usage += Usage(llm_calls=exc.attempts)
            exc.attempts = out.usage.llm_calls
            raise
        u = reply.usage
        out.usage += Usage(
            llm_calls=u.calls,
            prompt_tokens=u.prompt_tokens,
            completion_tokens=u.completion_tokens,
            cost_usd=u.cost_usd,
            latency_ms=u.latency_ms,
        )
        return reply


def _validate(
    reply: StructuredReply, model: type[BaseModel], checker: EvidenceChecker
) -> tuple[dict[str, QuestionAnswer], list[str], list[str]]:
    """The answers that passed schema and evidence checks, a description of every failure (no lead text in it) and
    the invalid fragments of the output (each failed item, or the start of an unparseable output)."""
    if reply.payload is None:
        return {}, [reply.error or "no output"], [reply.output_text[:REPAIR_FRAGMENT_CHARS]]
    items = reply.payload.get("answers")
    extra = sorted(set(reply.payload) - {"answers"})
    errors = [f"unexpected top-level field(s): {', '.join(extra)}"] if extra else []
    if not isinstance(items, list):
        return {}, [*errors, "the output needs an 'answers' list"], [reply.output_text[:REPAIR_FRAGMENT_CHARS]]
    # output_model() always declares `answers` as list[<answer model>], so the annotation is never None.
    answer_model = model.model_fields["answers"].annotation.__args__[0]  # type: ignore[union-attr]
    good: dict[str, QuestionAnswer] = {}
    fragments: list[str] = []
    allowed = answer_model.model_fields["question_id"].annotation.__args__
    for n, item in enumerate(items):
        try:
            parsed = answer_model.model_validate(item)
        except ValidationError as exc:
            where = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'answer'}: {e['msg']}" for e in exc.errors())
            errors.append(f"answers[{n}] is invalid: {where}")
            fragments.append(f"answers[{n}]: {json.dumps(item, ensure_ascii=False)[:800]}")
            continue
        if parsed.question_id in good:
            errors.append(f"answers[{n}] repeats question {parsed.question_id}")
            continue
        answer = QuestionAnswer(
            question_id=parsed.question_id,
            reasoning=parsed.reasoning,
            answer=parsed.answer,
            confidence=parsed.confidence,
            evidence=[Evidence(source=e.source, ref=e.ref, quote=e.quote) for e in parsed.evidence],
        )
        bad = [k for k, e in enumerate(answer.evidence) if not checker.is_verbatim(e)]
        if bad:
            errors.append(
                f"the answer to {parsed.question_id} has quote(s) {', '.join(str(k) for k in bad)} that are not "
                "verbatim text of the item named by their source and ref"
            )
            fragments.append(f"answers[{n}]: {json.dumps(item, ensure_ascii=False)[:800]}")
        good[parsed.question_id] = answer
    missing = [q for q in allowed if q not in good]
    if missing:
        errors.append(f"no valid answer for: {', '.join(missing)}")
    return good, errors, fragments


def _finish(
    answer: QuestionAnswer | None, question: QualifyingQuestion, checker: EvidenceChecker, data: LeadData
) -> QuestionAnswer:
    """Verify quotes (downgrading fabricated ones), mark hidden content, or stand in unknown for a missing answer."""
    if answer is None:
        return QuestionAnswer(
            question_id=question.id,
            answer="unknown",
            confidence=0.0,
            flags=["model_output_invalid"],
            reasoning="The model's output for this question failed validation twice.",
        )
    answer = checker.verify(answer)
    if any((e.source, e.ref) in data.hidden for e in answer.evidence):
        answer = answer.model_copy(update={"flags": list(dict.fromkeys([*answer.flags, "hidden_content"]))})
    return answer
