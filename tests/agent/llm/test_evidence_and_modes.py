"""Evidence verification after parsing, the hybrid and per-question modes, and the in-flight bound."""

from __future__ import annotations

import asyncio

from tests.agent.llm import factory as f
from tests.fakes.openai_server import FakeOpenAIServer, all_unknown, answer, output_schema

FABRICATED = f.ans("budget", "yes", quotes=[("form", "What is your budget?", "We have $90k approved by the CFO")])


async def test_a_fabricated_quote_is_downgraded_to_unknown_with_a_flag() -> None:
    reply = f.verdict(FABRICATED, f.TIMELINE_YES, f.SIZE_YES)
    with FakeOpenAIServer([answer(reply), answer(reply)]) as server:
        result = {a.question_id: a for a in (await f.judge(server.base_url).judge(f.request())).answers}
        server.assert_complete()
    assert (result["budget"].answer, result["budget"].flags, result["budget"].evidence) == (
        "unknown", ["evidence_unverified"], [])
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
    enums = sorted(tuple(output_schema(r)["$defs"]["QuestionVerdict"]["properties"]["question_id"]["enum"])
                   for r in server.requests)
    assert enums == [("budget",), ("size_200",), ("timeline",)] and result.usage.llm_calls == 3


async def test_in_flight_calls_never_exceed_the_concurrency_setting() -> None:
    with FakeOpenAIServer(responder=all_unknown, latency=0.15) as server:
        judge = f.judge(server.base_url, concurrency=2)
        await asyncio.gather(*(judge.judge(f.request()) for _ in range(6)))
    assert len(server.requests) == 6 and server.max_in_flight == 2
