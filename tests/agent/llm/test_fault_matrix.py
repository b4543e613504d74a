"""Each scripted endpoint fault ends in its documented outcome, and attempts never exceed the budget."""

from __future__ import annotations

import socket

import pytest

from agent.budget import BudgetConfig, SpendTracker
from agent.errors import BudgetExceededError, PermanentJudgeError, RetryableJudgeError
from agent.llm import ContextLengthExceeded
from tests.agent.llm import factory as f
from tests.fakes.openai_server import FakeOpenAIServer, Reply, answer, error, hang, rate_limited, raw_text, refusal

METHODS = ["function_calling", "json_schema"]


def by_id(result):  # noqa: ANN001, ANN201
    return {a.question_id: a for a in result.answers}


async def test_success_counts_usage_and_stamps_prompts() -> None:
    with FakeOpenAIServer([answer(f.ALL_GOOD)]) as server:
        result = await f.judge(server.base_url).judge(f.request())
        server.assert_complete()
    assert [a.answer for a in result.answers] == ["yes", "yes", "yes"]
    assert result.usage.llm_calls == 1 and result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0
    assert result.usage.cost_usd > 0  # gpt-4o-mini is in the default price table
    assert set(result.prompt_hashes) == {"judge_system", "judge_user"} and result.model == "gpt-4o-mini"


@pytest.mark.parametrize("first", [rate_limited("0"), rate_limited(), error(500), error(503), error(408)],
                         ids=["429-retry-after", "429-no-header", "500", "503", "408"])
async def test_a_transient_failure_is_retried_then_succeeds(first: Reply) -> None:
    with FakeOpenAIServer([first, answer(f.ALL_GOOD)]) as server:
        result = await f.judge(server.base_url).judge(f.request())
        server.assert_complete()
    assert len(server.requests) == 2 and result.usage.llm_calls == 2
    assert by_id(result)["budget"].answer == "yes"


@pytest.mark.parametrize(("fault", "error_class"), [(rate_limited(), "rate_limited"), (error(500), "server_error")])
async def test_repeated_transient_failures_stop_at_the_budget(fault: Reply, error_class: str) -> None:
    with FakeOpenAIServer([fault] * 3) as server:
        with pytest.raises(RetryableJudgeError) as caught:
            await f.judge(server.base_url, max_attempts=3).judge(f.request())
        server.assert_complete()
    assert len(server.requests) == 3 and caught.value.attempts == 3
    assert caught.value.error_class == error_class


async def test_retry_after_beyond_the_bound_gives_up_at_once() -> None:
    with FakeOpenAIServer([rate_limited("3600")]) as server:
        with pytest.raises(RetryableJudgeError) as caught:
            await f.judge(server.base_url).judge(f.request())
        server.assert_complete()
    assert len(server.requests) == 1 and caught.value.attempts == 1 and "Retry-After" in str(caught.value)


async def test_retry_after_is_waited_for() -> None:
    import time

    with FakeOpenAIServer([rate_limited("0.4"), answer(f.ALL_GOOD)]) as server:
        started = time.perf_counter()
        await f.judge(server.base_url, backoff_seconds=0.0).judge(f.request())
    assert time.perf_counter() - started >= 0.4


@pytest.mark.parametrize(("status", "error_class"),
                         [(401, "authentication_error"), (403, "permission_denied"), (404, "not_found")])
async def test_permanent_errors_are_not_retried(status: int, error_class: str) -> None:
    with FakeOpenAIServer([error(status)]) as server:
        with pytest.raises(PermanentJudgeError) as caught:
            await f.judge(server.base_url).judge(f.request())
        server.assert_complete()
    assert len(server.requests) == 1 and caught.value.attempts == 1 and caught.value.error_class == error_class


async def test_a_hanging_endpoint_times_out_within_the_budget() -> None:
    with FakeOpenAIServer([hang(), hang()]) as server:
        with pytest.raises(RetryableJudgeError) as caught:
            await f.judge(server.base_url, timeout=0.3, max_attempts=2).judge(f.request())
    assert len(server.requests) == 2 and caught.value.error_class == "timeout" and caught.value.attempts == 2


async def test_latency_below_the_timeout_is_fine() -> None:
    with FakeOpenAIServer([answer(f.ALL_GOOD, latency=0.2)]) as server:
        result = await f.judge(server.base_url, timeout=2.0).judge(f.request())
    assert result.usage.latency_ms >= 200


async def test_endpoint_down_is_retryable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    with pytest.raises(RetryableJudgeError) as caught:
        await f.judge(f"http://127.0.0.1:{port}/v1", max_attempts=2).judge(f.request())
    assert caught.value.error_class == "connection_error" and caught.value.attempts == 2


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("bad", [raw_text('{"answers": [{"question_id": "bud'),
                                 answer({"answers": [{**f.BUDGET_YES, "answer": "maybe"}]}),
                                 answer({**f.ALL_GOOD, "comment": "extra top-level field"}),
                                 raw_text('{"answers": []', finish_reason="length"), refusal()],
                         ids=["malformed", "schema-invalid", "extra-field", "length", "refusal"])
async def test_bad_output_gets_one_repair_request(method: str, bad: Reply) -> None:
    with FakeOpenAIServer([bad, answer(f.ALL_GOOD)]) as server:
        result = await f.judge(server.base_url, structured_output_method=method).judge(f.request())
        server.assert_complete()
    assert [a.answer for a in result.answers] == ["yes", "yes", "yes"]
    assert result.usage.llm_calls == 2 and "judge_repair" in result.prompt_hashes
    repair = server.requests[1].messages[-1]["content"]
    assert repair.startswith("Your previous output could not be accepted")


@pytest.mark.parametrize("bad", [raw_text("not json"), raw_text('{"answers": [', finish_reason="length"), refusal()],
                         ids=["malformed", "length", "refusal"])
async def test_output_bad_twice_becomes_unknown_flagged(bad: Reply) -> None:
    with FakeOpenAIServer([bad, bad]) as server:
        result = await f.judge(server.base_url).judge(f.request())
        server.assert_complete()
    assert len(server.requests) == 2  # one repair, never more
    for a in result.answers:
        assert (a.answer, a.flags) == ("unknown", ["model_output_invalid"])


async def test_one_invalid_answer_only_affects_that_question() -> None:
    bad = f.verdict(f.BUDGET_YES, {**f.TIMELINE_YES, "answer": "probably"}, f.SIZE_YES)
    with FakeOpenAIServer([answer(bad), answer(bad)]) as server:
        result = by_id(await f.judge(server.base_url).judge(f.request()))
    assert result["budget"].answer == "yes" and result["size_200"].answer == "yes"
    assert (result["timeline"].answer, result["timeline"].flags) == ("unknown", ["model_output_invalid"])
    assert "answers[1] is invalid: answer" in server.requests[1].messages[-1]["content"]


async def test_a_yes_without_evidence_is_rejected_by_the_schema() -> None:
    bad = f.verdict(f.BUDGET_YES, f.ans("timeline", "yes"), f.SIZE_YES)
    with FakeOpenAIServer([answer(bad), answer(bad)]) as server:
        result = by_id(await f.judge(server.base_url).judge(f.request()))
    assert (result["timeline"].answer, result["timeline"].flags) == ("unknown", ["model_output_invalid"])


async def test_context_overflow_trims_the_evidence_and_retries_once() -> None:
    long_notes = "Our office dog is called Rex. " * 200 + "They want to go live next quarter."
    overflow = error(400, "This model's maximum context length is 8192 tokens.", code="context_length_exceeded")
    with FakeOpenAIServer([overflow, answer(f.ALL_GOOD)]) as server:
        result = by_id(await f.judge(server.base_url).judge(f.request(f.lead(notes=long_notes))))
        server.assert_complete()
    first, second = (r.message_text("user") for r in server.requests)
    assert len(second) < 0.65 * len(first) and "go live next quarter" in second
    assert result["timeline"].answer == "yes"  # the quote is still checked against the full, untrimmed notes


async def test_context_overflow_twice_is_permanent() -> None:
    overflow = error(400, "maximum context length exceeded", code="context_length_exceeded")
    with FakeOpenAIServer([overflow, overflow]) as server:
        with pytest.raises(ContextLengthExceeded) as caught:
            await f.judge(server.base_url).judge(f.request())
    assert isinstance(caught.value, PermanentJudgeError) and caught.value.attempts == 2
    assert caught.value.error_class == "context_length_exceeded"


async def test_a_known_small_context_is_trimmed_before_anything_is_sent() -> None:
    long_notes = "Unrelated chatter about the weather. " * 400 + "They want to go live next quarter."
    with FakeOpenAIServer([answer(f.ALL_GOOD)]) as server:
        await f.judge(server.base_url, context_tokens=5000, max_completion_tokens=1000).judge(
            f.request(f.lead(notes=long_notes)))
        server.assert_complete()
    assert len(server.requests) == 1


async def test_the_spend_cap_stops_calls_before_sending() -> None:
    spend = SpendTracker(BudgetConfig(per_run_usd=0.0001))
    with FakeOpenAIServer([]) as server:
        with pytest.raises(BudgetExceededError) as caught:
            await f.judge(server.base_url, spend=spend).judge(f.request())
    assert server.requests == [] and caught.value.error_class == "budget_exceeded"


async def test_the_spend_cap_lets_calls_through_until_it_is_reached() -> None:
    spend = SpendTracker(BudgetConfig(per_day_usd=0.0025))  # room for about one worst-case call of 2048 tokens
    with FakeOpenAIServer([answer(f.ALL_GOOD), answer(f.ALL_GOOD)]) as server:
        judge = f.judge(server.base_url, spend=spend)
        await judge.judge(f.request())
        assert spend.spent_today > 0
        spend.spent_today = 0.0024
        with pytest.raises(BudgetExceededError):
            await judge.judge(f.request())
    assert len(server.requests) == 1
