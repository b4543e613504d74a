"""A scripted judge satisfying the real Judge protocol: replies per question id, and a record of every request."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.errors import JudgeError
from agent.judges.base import JudgeRequest, JudgeResult
from agent.schemas import QuestionAnswer, Usage


@dataclass
class ScriptedJudge:
    answers: dict[str, QuestionAnswer] = field(default_factory=dict)
    fail_with: list[JudgeError] = field(default_factory=list)  # raised in order, one per call, before answering
    name: str = "scripted"
    version: str = "test"
    requests: list[JudgeRequest] = field(default_factory=list)

    async def judge(self, request: JudgeRequest) -> JudgeResult:
        self.requests.append(request)
        if self.fail_with:
            raise self.fail_with.pop(0)
        wanted = {q.id for q in request.questions}
        return JudgeResult(
            answers=[a for qid, a in self.answers.items() if qid in wanted],
            model="scripted-model",
            prompt_hashes={"qualify": "abc123"},
            usage=Usage(llm_calls=1, prompt_tokens=10),
        )
