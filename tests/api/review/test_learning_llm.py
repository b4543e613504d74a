"""Reviewers teach the LLM judge too: a second edit of the same answer replaces its few-shot example, at once and when
the examples are loaded again at start-up (against the fake OpenAI-compatible server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from agent.judges.base import ReviewedExample
from agent.judges.llm import LLMJudge
from api.runtime import Runtime, build_runtime
from api.settings import Settings
from tests.api.review.conftest import People, card, new_lead
from tests.api.review.test_learning import _edit
from tests.fakes.openai_server import FakeOpenAIServer, all_unknown


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(responder=all_unknown) as fake:
        yield fake


@pytest.fixture(scope="module")
def runtime(server: FakeOpenAIServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("qualify-llm"),
        judge="llm",
        OPENAI_BASE_URL=server.base_url,
        OPENAI_API_KEY="sk-test",
        model="gpt-4o-mini",
        llm_max_attempts=2,
        llm_timeout=5,
    )  # type: ignore[arg-type]
    rt = build_runtime(settings)
    yield rt
    rt.engine.dispose()


def test_a_second_edit_replaces_the_llm_judges_example_and_the_prompt_shows_only_the_newest(
    api: TestClient, runtime: Runtime, people: People, server: FakeOpenAIServer
) -> None:
    judge = runtime.deps.judge
    assert isinstance(judge, LLMJudge)
    lead_id = new_lead(api, runtime, people)
    question = card(api, people, lead_id)["answers"][0]["question_id"]
    _edit(api, people, lead_id, question, "no", "Processing 4,000 invoices a month by hand")
    _edit(api, people, lead_id, question, "yes", "Wants to go live next quarter")
    assert judge.reviewed(question) == [ReviewedExample(question, "Wants to go live next quarter", "yes")]

    new_lead(api, runtime, people)  # the next lead's prompt carries the newest review only
    prompt = server.requests[-1].body["messages"][-1]["content"]
    examples = prompt[prompt.index("BEGIN REVIEWED EXAMPLES") :]
    assert f"[{question}: yes]" in examples and "Wants to go live next quarter" in examples
    assert f"[{question}: no]" not in examples and "Processing 4,000 invoices" not in examples

    restarted = build_runtime(runtime.settings)
    try:
        assert restarted.deps.judge.reviewed(question) == judge.reviewed(question)  # type: ignore[attr-defined]
    finally:
        restarted.engine.dispose()
