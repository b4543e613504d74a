"""Evidence verification after parsing, the hybrid and per-question modes, and the in-flight bound."""

from __future__ import annotations

import asyncio

from agent.judges.llm import LLMJudge
from agent.llm import StructuredLLM
from agent.judges.base import JudgeRequest
from agent.schemas import EnrichedValue
from library.schemas import QualifyingQuestion
from tests.agent.llm import factory as f
from tests.fakes.openai_server import FakeOpenAIServer, all_unknown, answer, output_schema

FABRICATED = f.ans("budget", "yes", quotes=[("form", "What is your budget?", "We have $90k approved by the CFO")])


async def test_a_fabricated_quote_is_downgraded_to_unknown_with_a_flag() -> None:
    reply = f.verdict(FABRICATED, f.TIMELINE_YES, f.SIZE_YES)
    with FakeOpenAIServer([answer(reply), answer(reply)]) as server:
        result = {a.question_id: a for a in (await f.judge(server.base_url).judge(f.request())).answers}
        server.assert_complete()
    assert (result["budget"].answer, result["budget"].flags, result["budget"].evidence) == (
        "unknown",
        ["evidence_unverified"],
        [],
    )
    assert result["timeline"].answer == "yes" and result["timeline"].flags == []  # a correct quote is kept
    repair = server.requests[1].messages[-1]["content"]
    assert "the answer to budget has quote(s) 0 that are not verbatim" in repair


async def test_the_repair_can_fix_a_fabricated_quote() -> None:
    with FakeOpenAIServer([answer(f.verdict(FABRICATED, f.TIMELINE_YES, f.SIZE_YES)), answer(f.ALL_GOOD)]) as server:
        result = await f.judge(server.base_url).judge(f.request())
    assert [a.answer for a in result.answers] == ["yes", "yes", "yes"]
    assert all(a.flags == [] for a in result.answers)


async def test_hybrid_answers_checked_questions_locally_and_sends_only_the_rest() -> None:
    with FakeOpenAIServer([answer(f.verdict(f.BUDGET_YES, f.TIMELINE_YES))]) as server:
        result = await f.judge(server.base_url, mode="hybrid").judge(f.request())
        server.assert_complete()
    size = next(a for a in result.answers if a.question_id == "size_200")
    assert size.answer == "yes" and size.flags == ["structured_check"]
    enum = output_schema(server.requests[0])["$defs"]["QuestionVerdict"]["properties"]["question_id"]["enum"]
    assert enum == ["budget", "timeline"] and "size_200" not in server.requests[0].message_text("system")


async def test_hybrid_with_only_checked_questions_makes_no_call() -> None:
    with FakeOpenAIServer([]) as server:
        result = await f.judge(server.base_url, mode="hybrid").judge(f.request(questions=[f.QUESTIONS[2]]))
    assert server.requests == [] and result.usage.llm_calls == 0 and result.model is None
    assert result.answers[0].answer == "yes"


async def test_per_question_mode_makes_one_call_per_question() -> None:
    with FakeOpenAIServer(responder=all_unknown) as server:
        result = await f.judge(server.base_url, per_question=True).judge(f.request())
    enums = sorted(
        tuple(output_schema(r)["$defs"]["QuestionVerdict"]["properties"]["question_id"]["enum"])
        for r in server.requests
    )
    assert enums == [("budget",), ("size_200",), ("timeline",)] and result.usage.llm_calls == 3


async def test_in_flight_calls_never_exceed_the_concurrency_setting() -> None:
    with FakeOpenAIServer(responder=all_unknown, latency=0.15) as server:
        judge = f.judge(server.base_url, concurrency=2)
        await asyncio.gather(*(judge.judge(f.request()) for _ in range(6)))
    assert len(server.requests) == 6 and server.max_in_flight == 2


SIZE_TEXT = QualifyingQuestion(
    id="size_text", text="Does the company have at least 200 employees?", category="fit", weight=4, fit_type="good"
)
EUROPE = QualifyingQuestion(
    id="in_europe", text="Is the company based in Germany or France?", category="fit", weight=2, fit_type="good"
)


def _country(req: JudgeRequest, code: str) -> JudgeRequest:
    """The lead's country as the pipeline's enrichment carries it (the lead provider copies the lead's own fields)."""
    req.enrichment.fields["company.country"] = EnrichedValue(value=code, source="lead", fetched_at=f.NOW, confidence=1)
    return req


def _hybrid(base_url: str) -> LLMJudge:
    from agent.judges.local import LocalJudge
    from tests.fakes.embedder import HashingEmbedder

    return LLMJudge(
        StructuredLLM(f.config(base_url)), mode="hybrid", personas=f.PERSONAS, local=LocalJudge(HashingEmbedder())
    )


async def test_hybrid_lets_the_engine_settle_fact_questions_without_a_call() -> None:
    """A headcount and a country are facts: the engine's yes and no stand, and the model is not asked."""
    with FakeOpenAIServer([]) as server:
        result = await _hybrid(server.base_url).judge(_country(f.request(questions=[SIZE_TEXT, EUROPE]), "US"))
    assert server.requests == [] and result.usage.llm_calls == 0
    assert [a.answer for a in result.answers] == ["yes", "no"]
    assert result.answers[0].evidence and "350" in result.answers[0].evidence[0].quote


async def test_hybrid_sends_the_model_only_what_the_facts_leave_open() -> None:
    lead = f.lead(company={"name": "Acme Corp", "domain": "acmecorp.com", "country": "US"})  # no headcount anywhere
    req = f.request(lead, [SIZE_TEXT, EUROPE, f.QUESTIONS[0]])
    req.enrichment.fields.clear()
    _country(req, "US")
    with FakeOpenAIServer(responder=all_unknown) as server:
        result = await _hybrid(server.base_url).judge(req)
    enum = output_schema(server.requests[0])["$defs"]["QuestionVerdict"]["properties"]["question_id"]["enum"]
    assert enum == ["size_text", "budget"] and result.usage.llm_calls == 1
    assert next(a for a in result.answers if a.question_id == "in_europe").answer == "no"
