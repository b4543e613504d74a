"""The start-up / `qualify doctor` probe chooses what each server really accepts, and fails in one line when nothing works."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from agent.llm import LLMConfig, StructuredLLM
from api.llm_wiring import EndpointUnusable, choose_method, probe_sync
from tests.agent.llm import factory as f
from tests.fakes.openai_server import FakeOpenAIServer, answer


def probe(server: FakeOpenAIServer, every_method: bool = True):  # noqa: ANN201
    return probe_sync(
        StructuredLLM(LLMConfig(model="m", base_url=server.base_url, timeout=2.0, max_attempts=3)),
        every_method=every_method,
    )


EXPECTED = {  # what each profile honours, in probe order: json_schema, tool_required, function_calling, json_mode
    "openai": [True, True, True, True],
    "llamacpp": [True, True, False, True],  # an object tool_choice is ignored: the model writes prose
    "vllm": [True, True, True, True],
    "ollama": [True, False, False, True],  # tool_choice is not supported at all
}


def test_every_method_is_tried_and_judged_by_what_came_back(server_profile: str) -> None:
    with FakeOpenAIServer() as server:
        results = probe(server)
    assert [r.method for r in results] == ["json_schema", "tool_required", "function_calling", "json_mode"]
    assert [r.ok for r in results] == EXPECTED[server_profile]
    assert choose_method(results) == "json_schema" and server.requests == []  # probes never use the script


@pytest.mark.parametrize(
    ("profile", "expected"),
    [("openai", "tool_required"), ("llamacpp", "tool_required"), ("vllm", "tool_required"), ("ollama", "json_mode")],
)
def test_without_json_schema_the_accepted_tool_choice_or_json_mode_is_chosen(profile: str, expected: str) -> None:
    with FakeOpenAIServer(profile=profile, json_schema=False) as server:
        results = probe(server, every_method=False)
    assert choose_method(results) == expected
    assert "json_schema" in results[0].method and not results[0].ok and "HTTP 400" in results[0].detail


def test_the_chosen_method_answers_a_lead_on_a_server_without_json_schema(server_profile: str) -> None:
    import asyncio

    with FakeOpenAIServer([answer(f.ALL_GOOD)], json_schema=False) as server:
        llm = StructuredLLM(f.config(server.base_url))
        llm.use(choose_method(probe_sync(llm)))
        from agent.judges.llm import LLMJudge

        result = asyncio.run(LLMJudge(llm).judge(f.request()))
        server.assert_complete()
    assert [a.answer for a in result.answers] == ["yes", "yes", "yes"] and result.usage.llm_calls == 1
    assert result.llm_method == llm.config.structured_output_method != "json_schema"


def test_a_server_accepting_nothing_fails_in_one_line_naming_what_it_rejected() -> None:
    with FakeOpenAIServer(profile="llamacpp", json_schema=False, tools=False, json_object=False) as server:
        results = probe(server)
    assert not any(r.ok for r in results)
    with pytest.raises(EndpointUnusable) as caught:
        choose_method(results)
    message = str(caught.value)
    assert "\n" not in message and "tools param requires --jinja flag" in message
    assert all(f"{m}: " in message for m in ("json_schema", "tool_required", "function_calling", "json_mode"))


def _doctor(monkeypatch: pytest.MonkeyPatch, tmp_path, base_url: str):  # noqa: ANN001, ANN202
    from api.cli import app
    from api.settings import get_settings

    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    monkeypatch.setenv("QUALIFY_JUDGE", "llm")
    monkeypatch.setenv("QUALIFY_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()  # settings are read once per process
    try:
        return CliRunner().invoke(app, ["doctor"])
    finally:
        get_settings.cache_clear()


def test_doctor_prints_what_works_and_the_chosen_method(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # noqa: ANN001
    with FakeOpenAIServer(profile="llamacpp") as server:
        out = _doctor(monkeypatch, tmp_path, server.base_url)
    assert out.exit_code == 0, out.output
    assert "ok  json_schema" in out.output and "no  function_calling" in out.output
    assert "method: json_schema" in out.output


def test_doctor_exits_non_zero_when_nothing_works(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # noqa: ANN001
    with FakeOpenAIServer(profile="llamacpp", json_schema=False, tools=False, json_object=False) as server:
        out = _doctor(monkeypatch, tmp_path, server.base_url)
    assert out.exit_code == 1
    assert "accepted no structured-output method" in out.output
