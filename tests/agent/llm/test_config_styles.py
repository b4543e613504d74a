"""OpenAI, Azure OpenAI and self-hosted (vLLM, Ollama, llama.cpp) configurations, asserted on what the server got."""

from __future__ import annotations

import pytest

from agent.errors import RetryableJudgeError

from tests.agent.llm import factory as f
from tests.fakes.openai_server import FakeOpenAIServer, RecordedRequest, answer


async def _one_request(base_url_of, profile: str | None = None, **config) -> RecordedRequest:  # noqa: ANN001
    with FakeOpenAIServer([answer(f.ALL_GOOD)], profile=profile) as server:
        await f.judge(base_url_of(server), **config).judge(f.request())
        server.assert_complete()
    return server.requests[0]


async def test_openai_style() -> None:
    sent = await _one_request(
        lambda s: s.base_url,
        f.honouring("function_calling"),
        api_key="sk-live-123",
        model="gpt-4o-mini",
        structured_output_method="function_calling",
    )
    assert (sent.method, sent.path) == ("POST", "/v1/chat/completions")
    assert sent.headers["authorization"] == "Bearer sk-live-123" and "api-key" not in sent.headers
    body = sent.body
    assert body["model"] == "gpt-4o-mini" and body["temperature"] == 0
    assert body["max_completion_tokens"] == 2048 and body["max_tokens"] == 2048  # both: some servers read only one
    assert body["tools"][0]["function"]["name"] == "submit_answers"
    assert body["tool_choice"] == {"type": "function", "function": {"name": "submit_answers"}}
    assert "response_format" not in body


async def test_tool_required_style() -> None:  # what llama.cpp accepts: tool_choice must be a string
    sent = await _one_request(
        lambda s: s.base_url, f.honouring("tool_required"), structured_output_method="tool_required"
    )
    assert sent.body["tool_choice"] == "required" and sent.body["tools"][0]["function"]["name"] == "submit_answers"


async def test_json_mode_style_puts_the_schema_in_the_system_message() -> None:
    sent = await _one_request(lambda s: s.base_url, structured_output_method="json_mode")
    assert sent.body["response_format"] == {"type": "json_object"} and "tools" not in sent.body
    assert '"title": "submit_answers"' in sent.message_text("system")
    assert "$40k budgeted" not in sent.message_text("system")  # the lead's text stays in the user message's data
    assert "$40k budgeted" in sent.message_text("user")


async def test_json_schema_style() -> None:
    sent = await _one_request(lambda s: s.base_url, structured_output_method="json_schema")
    fmt = sent.body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True and "tools" not in sent.body
    required = fmt["json_schema"]["schema"]["$defs"]["QuestionVerdict"]["required"]
    assert required == ["question_id", "reasoning", "answer", "confidence", "evidence"]  # reasoning before answer


async def test_azure_style() -> None:
    sent = await _one_request(lambda s: s.url, api_key="azure-key", model="qualify-gpt4o", api_version="2024-10-21")
    assert sent.path == "/openai/deployments/qualify-gpt4o/chat/completions"
    assert sent.query["api-version"] == ["2024-10-21"]
    assert sent.headers["api-key"] == "azure-key" and "authorization" not in sent.headers
    assert sent.body["max_completion_tokens"] == 2048 and "max_tokens" not in sent.body  # reasoning models reject it


@pytest.mark.parametrize(
    ("base_url", "api_version", "override", "expected"),
    [
        ("https://api.openai.com/v1", None, None, False),
        ("https://res.openai.azure.com", "2024-10-21", None, False),
        ("http://127.0.0.1:8000/v1", None, None, True),
        ("http://gpu-box:11434/v1", None, None, True),
        ("https://api.openai.com/v1", None, True, True),
        ("http://127.0.0.1:8080/v1", None, False, False),
    ],
)
def test_which_endpoints_also_get_max_tokens(
    base_url: str, api_version: str | None, override: bool | None, expected: bool
) -> None:
    from agent.llm import LLMConfig, sends_max_tokens

    config = LLMConfig(model="m", base_url=base_url, api_version=api_version, send_max_tokens=override)
    assert sends_max_tokens(config) is expected


@pytest.mark.parametrize("path", ["/v1"], ids=["vllm-ollama-llamacpp"])
async def test_self_hosted_style_without_a_key(path: str) -> None:
    sent = await _one_request(lambda s: s.url + path, api_key=None, model="qwen2.5-7b-instruct")
    assert sent.path == "/v1/chat/completions" and sent.body["model"] == "qwen2.5-7b-instruct"
    assert sent.headers["authorization"] == "Bearer not-needed"  # servers without auth ignore it; the SDK needs one


async def test_sdk_retries_are_off_so_the_budget_is_ours() -> None:
    from tests.fakes.openai_server import error

    with FakeOpenAIServer([error(500)]) as server:
        with pytest.raises(RetryableJudgeError):
            await f.judge(server.base_url, max_attempts=1).judge(f.request())
    assert len(server.requests) == 1 and "x-stainless-retry-count" in server.requests[0].headers
    assert server.requests[0].headers["x-stainless-retry-count"] == "0"
