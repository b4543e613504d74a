"""Each scripted endpoint fault ends in its documented outcome, and attempts never exceed the budget."""

from __future__ import annotations

import socket

import pytest

from agent.budget import BudgetConfig, SpendTracker
from agent.errors import BudgetExceededError, PermanentJudgeError, RetryableJudgeError
from agent.llm import METHODS as LLM_METHODS
from agent.llm import ContextLengthExceeded
from tests.agent.llm import factory as f
from tests.fakes.openai_server import (
    FakeOpenAIServer,
    Reply,
    answer,
    error,
    hang,
    output_schema,
    rate_limited,
    raw_text,
    refusal,
)

METHODS = list(LLM_METHODS)


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


@pytest.mark.parametrize(
    "first",
    [rate_limited("0"), rate_limited(), error(500), error(503), error(408)],
    ids=["429-retry-after", "429-no-header", "500", "503", "408"],
)
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


@pytest.mark.parametrize(
    ("status", "error_class"), [(401, "authentication_error"), (403, "permission_denied"), (404, "not_found")]
)
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
@pytest.mark.parametrize(
    "bad",
    [
        raw_text('{"answers": [{"question_id": "bud'),
        answer({"answers": [{**f.BUDGET_YES, "answer": "maybe"}]}),
        raw_text('{"answers": []', finish_reason="length"),
        refusal(),
    ],
    ids=["malformed", "schema-invalid", "length", "refusal"],
)
async def test_bad_output_gets_one_repair_request(method: str, bad: Reply) -> None:
    with FakeOpenAIServer([bad, answer(f.ALL_GOOD)], profile=f.honouring(method)) as server:
        result = await f.judge(server.base_url, structured_output_method=method).judge(f.request())
        server.assert_complete()
    assert [a.answer for a in result.answers] == ["yes", "yes", "yes"]
    assert result.usage.llm_calls == 2 and "judge_repair" in result.prompt_hashes
    repair = server.requests[1].messages[-1]["content"]
    assert repair.startswith("Your previous output could not be accepted")


async def test_valid_answers_with_an_extra_top_level_field_need_no_repair() -> None:
    with FakeOpenAIServer([answer({**f.ALL_GOOD, "comment": "extra top-level field"})]) as server:
        result = await f.judge(server.base_url).judge(f.request())
        server.assert_complete()
    assert [a.answer for a in result.answers] == ["yes", "yes", "yes"] and result.usage.llm_calls == 1


async def test_the_repair_asks_only_for_the_failed_answers_with_the_invalid_fragment_and_a_small_cap() -> None:
    bad_timeline = {**f.ALL_GOOD["answers"][1], "answer": "maybe", "reasoning": "MARKER-OF-THE-BAD-ITEM"}
    good_budget = f.ALL_GOOD["answers"][0]
    first = answer({"answers": [good_budget, bad_timeline, f.ALL_GOOD["answers"][2]]})
    fixed = answer({"answers": [f.ALL_GOOD["answers"][1]]})
    with FakeOpenAIServer([first, fixed]) as server:
        result = by_id(await f.judge(server.base_url).judge(f.request()))
        server.assert_complete()
    repair = server.requests[1]
    text = repair.messages[-1]["content"]
    assert "MARKER-OF-THE-BAD-ITEM" in text and good_budget["reasoning"] not in text  # the fragment, not the output
    assert repair.body["max_completion_tokens"] <= 64 + 256  # one question's worth, not the 2,048 default
    schema = output_schema(repair)
    assert schema["$defs"]["QuestionVerdict"]["properties"]["question_id"]["enum"] == ["timeline"]
    assert result["timeline"].answer == "yes" and result["budget"].answer == "yes"


@pytest.mark.parametrize(
    "bad",
    [raw_text("not json"), raw_text('{"answers": [', finish_reason="length"), refusal()],
    ids=["malformed", "length", "refusal"],
)
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


async def test_context_overflow_until_the_budget_is_spent_is_permanent() -> None:
    overflow = error(400, "maximum context length exceeded", code="context_length_exceeded")
    with FakeOpenAIServer([overflow, overflow, overflow]) as server:
        with pytest.raises(ContextLengthExceeded) as caught:
            await f.judge(server.base_url, max_attempts=3).judge(f.request())
        server.assert_complete()
    assert isinstance(caught.value, PermanentJudgeError) and caught.value.attempts == 3
    sizes = [len(r.message_text("user")) for r in server.requests]
    assert sizes[0] > sizes[1] > sizes[2]  # each retry sends less evidence
    assert caught.value.error_class == "context_length_exceeded"


async def test_a_known_small_context_is_trimmed_before_anything_is_sent() -> None:
    long_notes = "Unrelated chatter about the weather. " * 400 + "They want to go live next quarter."
    with FakeOpenAIServer([answer(f.ALL_GOOD)]) as server:
        await f.judge(server.base_url, context_tokens=5000, max_completion_tokens=1000).judge(
            f.request(f.lead(notes=long_notes))
        )
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


# Each server's own overflow body (cited in tests/fakes/openai_server.py): every one is trimmed and retried.
OVERFLOWS = {
    "openai": error(
        400,
        "This model's maximum context length is 8192 tokens. However, your messages resulted in 9001 tokens.",
        code="context_length_exceeded",
    ),
    "azure": error(
        400,
        "This model's maximum context length is 4096 tokens, however you requested 5000 tokens.",
        code="context_length_exceeded",
    ),
    "vllm": error(
        400,
        "This model's maximum context length is 4096 tokens. However, you requested 5120 tokens (4096 in "
        "the messages, 1024 in the completion). Please reduce the length of the messages or completion.",
    ),
    "llamacpp": Reply(
        status=400,
        error_message="the request exceeds the available context size. try increasing the "
        "context size or enable context shift",
        error_type="exceed_context_size_error",
    ),
    "ollama": error(400, "input length exceeds the context length"),
}


@pytest.mark.parametrize("overflow", list(OVERFLOWS.values()), ids=list(OVERFLOWS))
async def test_every_servers_overflow_wording_is_trimmed_and_retried(overflow: Reply) -> None:
    long_notes = "Our office dog is called Rex. " * 200 + "They want to go live next quarter."
    with FakeOpenAIServer([overflow, answer(f.ALL_GOOD)]) as server:
        result = by_id(await f.judge(server.base_url).judge(f.request(f.lead(notes=long_notes))))
        server.assert_complete()
    first, second = (r.message_text("user") for r in server.requests)
    assert len(second) < 0.65 * len(first) and result["timeline"].answer == "yes"


async def test_a_plain_bad_request_is_not_mistaken_for_an_overflow() -> None:
    with FakeOpenAIServer([error(400, "Invalid value for 'temperature'", code="invalid_value")]) as server:
        with pytest.raises(PermanentJudgeError) as caught:
            await f.judge(server.base_url).judge(f.request())
    assert len(server.requests) == 1 and not isinstance(caught.value, ContextLengthExceeded)


async def test_one_budget_covers_retries_and_repair() -> None:
    # a 500 then malformed output: with a budget of 2 there is no third request for a repair
    with FakeOpenAIServer([error(500), raw_text("not json")]) as server:
        result = await f.judge(server.base_url, max_attempts=2).judge(f.request())
        server.assert_complete()
    assert len(server.requests) == 2 and result.usage.llm_calls == 2
    assert all((a.answer, a.flags) == ("unknown", ["model_output_invalid"]) for a in result.answers)


async def test_the_overflow_retry_and_repair_share_the_budget() -> None:
    overflow = OVERFLOWS["llamacpp"]
    with FakeOpenAIServer([overflow, raw_text("not json"), answer(f.ALL_GOOD)]) as server:
        result = await f.judge(server.base_url, max_attempts=3).judge(f.request())
        server.assert_complete()
    assert len(server.requests) == 3 and [a.answer for a in result.answers] == ["yes", "yes", "yes"]
    with FakeOpenAIServer([overflow, raw_text("not json")]) as server:
        result = await f.judge(server.base_url, max_attempts=2).judge(f.request())
        server.assert_complete()
    assert len(server.requests) == 2 and all(a.answer == "unknown" for a in result.answers)


async def test_the_timeout_grows_with_the_prompt() -> None:
    # ~2.6k tokens in the lead's own form answers (long notes would be cut to their relevant part before sending)
    long_form = {
        "What is your budget?": "We have $40k budgeted for AP automation this year.",
        **{f"Comment {k}": "They want to go live next quarter. " * 30 for k in range(10)},
    }
    with FakeOpenAIServer([answer(f.ALL_GOOD, latency=0.8)]) as server:  # slower than the 0.3 s base timeout
        result = await f.judge(server.base_url, timeout=0.3, timeout_per_1k_tokens=0.5, max_attempts=1).judge(
            f.request(f.lead(form_answers=long_form))
        )
        server.assert_complete()
    assert result.usage.llm_calls == 1 and by_id(result)["budget"].answer == "yes"
    with FakeOpenAIServer([hang()]) as server:  # the same allowance on a short prompt is not enough
        with pytest.raises(RetryableJudgeError):
            await f.judge(server.base_url, timeout=0.3, timeout_per_1k_tokens=0.5, max_attempts=1).judge(
                f.request(f.lead(notes="short"))
            )


async def test_a_prompt_beyond_the_servers_window_is_trimmed_or_silently_truncated(server_profile: str) -> None:
    # ~2k tokens in form answers, which are sent whole (long notes are cut to their relevant part before sending)
    long_form = {
        "What is your budget?": "We have $40k budgeted for AP automation this year.",
        **{f"Comment {k}": "Our office dog is called Rex. " * 25 for k in range(8)},
    }
    script = [answer(f.ALL_GOOD)] * (2 if server_profile == "ollama" else 1)  # Ollama answers the cut prompt too
    with FakeOpenAIServer(script, context_tokens=1500) as server:  # the whole lead is ~2k tokens, trimmed ~1.2k
        result = by_id(
            await f.judge(server.base_url).judge(
                f.request(f.lead(form_answers=long_form, notes="They want to go live next quarter."))
            )
        )
        server.assert_complete()
    assert result["timeline"].answer == "yes"
    # The server's own overflow body was recognised — or, on Ollama, which cuts the prompt to num_ctx and answers 200,
    # the reported prompt tokens fell short of what was sent — and the evidence was trimmed until the retry fitted.
    assert len(server.requests) in (2, 3)
    assert len(server.requests[-1].message_text("user")) < 0.65 * len(server.requests[0].message_text("user"))
