"""The only module that imports LangChain or OpenAI: structured calls to any OpenAI-compatible endpoint.

One retry budget for the whole chain: the SDK's and LangChain's own retries are off (max_retries=0) and `StructuredLLM`
retries itself, so `max_attempts` is the real number of HTTP requests a call may make. Errors map to the core's tree:

    connection error, timeout, 408/409/429, 5xx  → RetryableJudgeError (429 waits for Retry-After, bounded)
    401, 403, 404, other 4xx                      → PermanentJudgeError
    context overflow (any server's wording)       → ContextLengthExceeded (the judge trims evidence and retries)
    a spend cap reached                           → BudgetExceededError (raised before the request is sent)

Structured-output methods, chosen per server by `probe()` (`qualify doctor`, and start-up with QUALIFY_LLM_METHOD=auto):

    json_schema        response_format {"type": "json_schema", strict}: OpenAI, Azure, vLLM, Ollama, llama.cpp --jinja
    tool_required      a tool with tool_choice "required" (llama.cpp accepts only a string tool_choice)
    function_calling   a tool with tool_choice {"type": "function", "function": {"name": …}} (OpenAI, Azure, vLLM)
    json_mode          response_format {"type": "json_object"} with the schema in the system message, validated here

The per-call timeout is `timeout + timeout_per_1k_tokens × prompt tokens / 1000`: a CPU server reads ~80 prompt
tokens/s (12.5 s per 1k tokens), so one fixed 30 s fails every long prompt there.
"""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from typing import Any, Literal

import httpx
import openai
from langchain_core.exceptions import ContextOverflowError
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_openai import AzureChatOpenAI, ChatOpenAI
from langsmith import tracing_context

from agent.budget import DEFAULT_PRICES, PriceTable, SpendTracker, cost_usd, estimate_tokens
from agent.errors import JudgeError, PermanentJudgeError, RetryableJudgeError

Method = Literal["json_schema", "tool_required", "function_calling", "json_mode"]
METHODS: tuple[Method, ...] = ("json_schema", "tool_required", "function_calling", "json_mode")  # probe order
Role = Literal["system", "user"]
_NO_KEY = "not-needed"  # self-hosted servers (vLLM, Ollama, llama.cpp) ignore the key but the SDK insists on one


@dataclass(frozen=True)
class LLMConfig:
    """How to reach the endpoint; built by api/settings.py, never from the environment here."""

    model: str
    base_url: str = "https://api.openai.com/v1"
    api_key: str | None = field(default=None, repr=False)
    api_version: str | None = None  # set for Azure OpenAI: base_url is then the resource endpoint, model the deployment
    temperature: float = 0.0
    timeout: float = 30.0  # seconds per call, plus the per-1k-token allowance below
    timeout_per_1k_tokens: float = 15.0  # prompt processing on a CPU server (~80 tokens/s) with a margin
    max_attempts: int = 3
    structured_output_method: Method = "function_calling"
    max_completion_tokens: int = 2048
    # Also send the legacy max_tokens (some self-hosted servers ignore max_completion_tokens). None: every endpoint but
    # OpenAI's and Azure's, whose reasoning models reject max_tokens with HTTP 400.
    send_max_tokens: bool | None = None
    concurrency: int = 4
    max_retry_after: float = 20.0  # a longer Retry-After gives up at once (the lead is retried later)
    backoff_seconds: float = 1.0  # first wait between attempts without Retry-After; doubles each time
    context_tokens: int | None = None  # the model's window when known: oversized prompts fail before being sent
    prices: PriceTable = field(default_factory=lambda: dict(DEFAULT_PRICES))


class ContextLengthExceeded(PermanentJudgeError):
    """The prompt does not fit the model's context: send less evidence, never the same request again."""


# How each server says "the prompt does not fit" (lower-cased substrings of the error code, type or message).
OVERFLOW_SIGNATURES: tuple[tuple[str, str], ...] = (
    ("openai/azure", "context_length_exceeded"),  # error.code; message "This model's maximum context length is …"
    ("openai/vllm", "maximum context length"),  # vLLM: "This model's maximum context length is N tokens. However, …"
    ("vllm", "is longer than the maximum model length"),  # vLLM: "The decoder prompt (length N) is longer than …"
    ("llama.cpp", "exceed_context_size_error"),  # error.type, HTTP 400 (older builds: code 500 in the body)
    ("llama.cpp", "exceeds the available context size"),  # "the request exceeds the available context size. …"
    ("ollama", "input length exceeds the context length"),  # Ollama with truncation off; by default it truncates
    ("ollama", "exceeds maximum context length"),
)


def is_context_overflow(status: int | None, text: str) -> bool:
    """Whether an error response means the prompt is too long for the model's context (table above)."""
    if status is not None and status not in (400, 413, 422, 500):
        return False
    lowered = text.lower()
    return any(signature in lowered for _, signature in OVERFLOW_SIGNATURES)


@dataclass(frozen=True)
class CallUsage:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0


@dataclass(frozen=True)
class StructuredReply:
    """What one structured call produced: the JSON object, or why there is none."""

    payload: dict[str, Any] | None  # tool-call arguments or message content, parsed as JSON (not yet validated)
    error: str | None  # why the output is unusable as it stands (parse error, refusal, truncation)
    output_text: str  # the raw output, quoted back to the model in a repair request
    finish_reason: str | None
    usage: CallUsage
    attempts: int


PROBE_SCHEMA: dict[str, Any] = {
    "title": "submit_probe",
    "description": "Confirm that structured output works.",
    "type": "object",
    "properties": {"ok": {"type": "boolean", "description": "Always true"}},
    "required": ["ok"],
    "additionalProperties": False,
}
PROBE_MESSAGES: tuple[tuple[Role, str], ...] = (
    ("system", "You are a connectivity check. Submit the structured output with ok set to true."),
    ("user", "Submit ok: true."),
)


@dataclass(frozen=True)
class ProbeResult:
    """What one structured-output method did on the configured server."""

    method: Method
    ok: bool
    detail: str  # why it was rejected, or what came back


def sends_max_tokens(config: LLMConfig) -> bool:
    """Whether requests carry max_tokens next to max_completion_tokens."""
    if config.send_max_tokens is not None:
        return config.send_max_tokens
    host = httpx.URL(config.base_url).host
    return not (config.api_version or host == "api.openai.com" or host.endswith(".openai.azure.com"))


@dataclass
class _LoopState:
    model: Any
    semaphore: asyncio.Semaphore
    runnables: dict[str, Any] = field(default_factory=dict)


class StructuredLLM:
    """Structured-output calls with one retry budget, a bound on in-flight calls and spend control."""

    def __init__(self, config: LLMConfig, spend: SpendTracker | None = None):
        if config.max_attempts < 1 or config.concurrency < 1:
            raise ValueError("max_attempts and concurrency must be at least 1")
        self.config = config
        self.spend = spend
        # Chat models hold an httpx client and semaphores bind to a loop: one of each per running event loop.
        self._per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopState] = weakref.WeakKeyDictionary()

    def chat_model(self) -> ChatOpenAI | AzureChatOpenAI:
        """The configured LangChain chat model (OpenAI or Azure OpenAI), no retries of its own."""
        c = self.config
        common: dict[str, Any] = dict(
            model=c.model,
            api_key=c.api_key or _NO_KEY,
            temperature=c.temperature,
            timeout=c.timeout,
            max_retries=0,
            max_completion_tokens=c.max_completion_tokens,
            extra_body={"max_tokens": c.max_completion_tokens} if sends_max_tokens(c) else None,
            http_async_client=httpx.AsyncClient(timeout=c.timeout, trust_env=False),
            http_client=httpx.Client(timeout=c.timeout, trust_env=False),
        )
        if c.api_version:
            return AzureChatOpenAI(
                azure_endpoint=c.base_url, azure_deployment=c.model, api_version=c.api_version, **common
            )
        return ChatOpenAI(base_url=c.base_url, organization=None, **common)

    def _loop_state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        state = self._per_loop.get(loop)
        if state is None:
            state = _LoopState(self.chat_model(), asyncio.Semaphore(self.config.concurrency))
            self._per_loop[loop] = state
        return state

    def use(self, method: Method) -> None:
        """Switch the structured-output method (after a probe)."""
        self.config = replace(self.config, structured_output_method=method)

    def timeout_for(self, prompt_tokens: int) -> float:
        """Seconds allowed for one call with a prompt of this size."""
        return self.config.timeout + self.config.timeout_per_1k_tokens * prompt_tokens / 1000

    def _bound(self, state: _LoopState, schema: dict[str, Any], method: Method, timeout: float, max_tokens: int) -> Any:
        """The chat model bound to one request's structured-output parameters, output cap and timeout."""
        extra: dict[str, Any] = dict(timeout=timeout, max_completion_tokens=max_tokens)
        if sends_max_tokens(self.config):
            extra["extra_body"] = {"max_tokens": max_tokens}
        if method in ("function_calling", "tool_required"):
            choice = "required" if method == "tool_required" else schema["title"]
            return state.model.bind_tools([schema], tool_choice=choice, parallel_tool_calls=False, **extra)
        if method == "json_schema":
            body = {
                "name": schema["title"],
                "description": schema.get("description", ""),
                "schema": schema,
                "strict": True,
            }
            return state.model.bind(response_format={"type": "json_schema", "json_schema": body}, **extra)
        return state.model.bind(response_format={"type": "json_object"}, **extra)

    async def call(
        self,
        schema: dict[str, Any],
        messages: Sequence[tuple[Role, str]],
        *,
        max_attempts: int | None = None,
        max_completion_tokens: int | None = None,
        method: Method | None = None,
        charge: bool = True,
    ) -> StructuredReply:
        """Send one structured request (schema: a JSON schema with title and description), retrying within the budget.

        max_attempts: what is left of the caller's budget (default: the whole configured budget). The payload comes
        back unvalidated: the caller validates it, so it can name each failure in a repair request.
        """
        c = self.config
        method = method or c.structured_output_method
        budget = c.max_attempts if max_attempts is None else max_attempts
        max_tokens = max_completion_tokens or c.max_completion_tokens
        if budget < 1:
            raise RetryableJudgeError("the retry budget is spent", attempts=0, error_class="budget_spent")
        if method == "json_mode":  # the server cannot be told the schema: the system message says it
            messages = [*messages]
            role, text = messages[0]
            messages[0] = (
                role,
                f"{text}\n\nReply with one JSON object that matches this JSON schema:\n{json.dumps(schema)}",
            )
        prompt_tokens = estimate_tokens("".join(text for _, text in messages))
        if c.context_tokens is not None and prompt_tokens + max_tokens > c.context_tokens:
            raise ContextLengthExceeded(
                f"prompt of ~{prompt_tokens} tokens does not fit a {c.context_tokens}-token context",
                attempts=0,
                error_class="context_length_exceeded",
            )
        timeout = self.timeout_for(prompt_tokens)
        state = self._loop_state()
        semaphore, runnable = state.semaphore, self._bound(state, schema, method, timeout, max_tokens)
        lc_messages: list[BaseMessage] = [SystemMessage(t) if r == "system" else HumanMessage(t) for r, t in messages]
        attempt = 0
        while True:
            reservation = (
                self.spend.reserve(cost_usd(c.prices, c.model, prompt_tokens, max_tokens))
                if self.spend and charge
                else None
            )
            attempt += 1
            started = time.perf_counter()
            try:
                async with semaphore:
                    started = time.perf_counter()  # latency of the call itself, not of waiting for a slot
                    with tracing_context(enabled=False):  # never ship lead data to a tracing service
                        raw = await asyncio.wait_for(runnable.ainvoke(lc_messages), timeout=timeout * 2 + 5)
            except (openai.APIError, ContextOverflowError, asyncio.TimeoutError) as exc:
                if reservation and self.spend is not None:  # a reservation is only ever made by a tracker
                    self.spend.settle(reservation, 0.0)
                delay = self._retry_delay(exc, attempt, budget)  # raises when the failure is final
                await asyncio.sleep(delay)
                continue
            except (openai.LengthFinishReasonError, openai.ContentFilterFinishReasonError) as exc:
                # The SDK raises these while parsing a response that did arrive: an output problem, not a transport one.
                tokens = _usage_of(exc.completion.usage if exc.completion is not None else None)
                error: str | None = (
                    "the output was cut off (finish_reason: length); answer more briefly"
                    if isinstance(exc, openai.LengthFinishReasonError)
                    else "the output was filtered"
                )
                return self._reply(None, error, "", _finish_of(exc), tokens, started, attempt, reservation)
            payload, output_text, error = _payload_of(raw, method)
            finish = raw.response_metadata.get("finish_reason")
            if finish == "length":
                payload, error = None, "the output was cut off (finish_reason: length); answer more briefly"
            return self._reply(
                payload, error, output_text, finish, _usage_of(raw.usage_metadata), started, attempt, reservation
            )

    async def probe(self, *, every_method: bool = False) -> list[ProbeResult]:
        """Try each method in METHODS order with one tiny request each; stop at the first that works unless asked not to."""
        results: list[ProbeResult] = []
        for method in METHODS:
            try:
                reply = await self.call(
                    PROBE_SCHEMA, PROBE_MESSAGES, max_attempts=1, max_completion_tokens=64, method=method, charge=False
                )  # a few tokens: not held to the spend caps
            except JudgeError as exc:
                results.append(ProbeResult(method, False, str(exc)[:300]))
                continue
            payload = reply.payload or {}
            ok = isinstance(payload.get("ok"), bool) and set(payload) == {"ok"}
            detail = "structured output as asked" if ok else (reply.error or f"unexpected output {reply.output_text!r}")
            results.append(ProbeResult(method, ok, detail[:300]))
            if ok and not every_method:
                break
        return results

    def _reply(
        self,
        payload: dict[str, Any] | None,
        error: str | None,
        output_text: str,
        finish: str | None,
        tokens: tuple[int, int],
        started: float,
        attempts: int,
        reservation: Any,
    ) -> StructuredReply:
        latency = (time.perf_counter() - started) * 1000
        cost = cost_usd(self.config.prices, self.config.model, *tokens)
        if reservation and self.spend is not None:
            self.spend.settle(reservation, cost)
        usage = CallUsage(attempts, tokens[0], tokens[1], cost, latency)
        return StructuredReply(payload, error, output_text, finish, usage, attempts)

    def _retry_delay(self, exc: BaseException, attempt: int, budget: int) -> float:
        """Seconds to wait before the next attempt; raises the mapped error when there must be none."""
        c = self.config
        if isinstance(exc, ContextOverflowError):
            raise ContextLengthExceeded(str(exc), attempts=attempt, error_class="context_length_exceeded") from exc
        status = getattr(exc, "status_code", None)
        error_class = _error_class(exc, status)
        message = f"{error_class} after {attempt} attempt(s): {_describe(exc)}"
        if status is not None and is_context_overflow(status, f"{_describe(exc)} {getattr(exc, 'body', '')}"):
            raise ContextLengthExceeded(
                f"context_length_exceeded: {_describe(exc)}", attempts=attempt, error_class="context_length_exceeded"
            ) from exc
        if status is not None and status not in (408, 409, 429) and status < 500:
            raise PermanentJudgeError(message, attempts=attempt, error_class=error_class) from exc
        if attempt >= budget:
            raise RetryableJudgeError(message, attempts=attempt, error_class=error_class) from exc
        retry_after = _retry_after(exc)
        if retry_after is not None and retry_after > c.max_retry_after:
            raise RetryableJudgeError(
                f"{message} (Retry-After {retry_after:.0f}s is beyond the {c.max_retry_after:.0f}s bound)",
                attempts=attempt,
                error_class=error_class,
            )
        return retry_after if retry_after is not None else c.backoff_seconds * 2 ** (attempt - 1)


def _error_class(exc: BaseException, status: int | None) -> str:
    if isinstance(exc, (openai.APITimeoutError, asyncio.TimeoutError)):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "connection_error"
    return {401: "authentication_error", 403: "permission_denied", 404: "not_found", 429: "rate_limited"}.get(
        status or 0, "server_error" if (status or 0) >= 500 else f"http_{status}"
    )


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    if ms := headers.get("retry-after-ms"):
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _payload_of(raw: AIMessage, method: Method) -> tuple[dict[str, Any] | None, str, str | None]:
    """The JSON object the model produced, its raw text, and an error when there is no usable object."""
    if method in ("function_calling", "tool_required"):
        if raw.tool_calls:
            args = raw.tool_calls[0]["args"]
            return args, json.dumps(args, ensure_ascii=False), None
        if raw.invalid_tool_calls:
            bad = raw.invalid_tool_calls[0]
            return None, str(bad.get("args") or ""), f"the tool-call arguments are not valid JSON: {bad.get('error')}"
        text = raw.text if isinstance(raw.text, str) else str(raw.content)
        return None, text, f"no tool call was made; the model wrote instead: {text[:300]!r}"
    refusal = raw.additional_kwargs.get("refusal")
    if refusal:
        return None, "", f"the model refused: {refusal[:300]}"
    content = raw.content if isinstance(raw.content, str) else json.dumps(raw.content)
    try:
        value = json.loads(content)
    except json.JSONDecodeError as exc:
        return None, content, f"the output is not valid JSON: {exc}"
    if not isinstance(value, dict):
        return None, content, "the output is not a JSON object"
    return value, content, None


def _usage_of(usage: Any) -> tuple[int, int]:
    if usage is None:
        return 0, 0
    if isinstance(usage, dict):
        return int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))
    return int(getattr(usage, "prompt_tokens", 0) or 0), int(getattr(usage, "completion_tokens", 0) or 0)


def _finish_of(exc: BaseException) -> str | None:
    if isinstance(exc, openai.LengthFinishReasonError):
        return "length"
    if isinstance(exc, openai.ContentFilterFinishReasonError):
        return "content_filter"
    return None


def _describe(exc: BaseException | str) -> str:
    if isinstance(exc, str):
        return exc[:1000]
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}: {exc.message}"[:1000]
    return f"{type(exc).__name__}: {exc}"[:1000]
