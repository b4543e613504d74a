"""A scripted OpenAI-compatible Chat Completions server: real HTTP on 127.0.0.1, a random port, a background thread.

It answers `tools` (function calling) and `response_format` (json_schema / json_object) requests alike: a scripted payload
comes back as the forced tool call's arguments or as the message content. Faults are scripted replies too (latency, hang,
429 with or without Retry-After, 5xx, 401, malformed JSON, `finish_reason: length`, a refusal). Every request is
recorded, and `assert_complete()` fails when a scripted reply was never used or a request arrived with no reply
scripted for it. Probe requests (`qualify doctor`, start-up: schema title `submit_probe`) are answered from the profile
without using the script and recorded in `probes`.

Server profiles reproduce what each server does with the parts of the protocol that differ (`PROFILES`):

- `openai` — accepts `response_format` json_schema (strict) and json_object, `tool_choice` "required" and the named
  object `{"type": "function", "function": {"name": …}}`. Overflow: HTTP 400, `code: context_length_exceeded`,
  "This model's maximum context length is N tokens. However, your messages resulted in M tokens." (OpenAI API
  reference, error codes; Azure OpenAI returns the same code and wording.)
- `llamacpp` — `llama-server --jinja`: json_schema works (strict, `$defs`/`$ref`, converted to a grammar); `tool_choice`
  must be a string ("auto" | "none" | "required"): an object is answered with HTTP 200, logged as
  "Wrong type supplied for parameter 'tool_choice' ... type must be string, but is object" and treated as "auto", so a
  small model may answer in prose (measured here, /work/shared/CONVENTIONS.md; llama.cpp tools/server README, "tool_choice").
  Overflow: HTTP 400 `{"error": {"code": 400, "type": "exceed_context_size_error", "message": "the request exceeds the
  available context size. try increasing the context size or enable context shift", "n_prompt_tokens": …, "n_ctx": …}}`
  (ggml-org/llama.cpp PR #15780 added the type; oobabooga/textgen#7257 shows the 400 body). Prompt processing on a CPU
  runs at roughly 80 tokens/s (`prompt_tokens_per_second`).
- `vllm` — json_schema through guided decoding, `tool_choice` "required" and the named object both honoured (vLLM
  docs, "Tool Calling": named function calling and `required`). Overflow: HTTP 400 `{"object": "error", "type":
  "BadRequestError", "code": 400, "message": "This model's maximum context length is N tokens. However, you requested M
  tokens (… in the messages, … in the completion). Please reduce the length of the messages or completion."}`
  (vllm-project/vllm#20409, ogx-ai/ogx#4534).
- `ollama` — `/v1/chat/completions` accepts `response_format` json_schema (structured outputs) and tools, but does not
  support `tool_choice` (Ollama's OpenAI-compatibility docs list it as unsupported), so the model may answer in prose
  either way. An oversized prompt is NOT an error: Ollama truncates it to `num_ctx` with HTTP 200 and logs
  "truncating input prompt" (ollama/ollama#3839, #10368); the fake reports `prompt_tokens == context_tokens` then.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Reply:
    """One scripted reply: a payload (or raw text) on 200, or an error status."""

    payload: dict[str, Any] | None = None
    text: str | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    error_message: str = ""
    error_code: str | None = None
    error_type: str = "fake_error"
    finish_reason: str | None = None
    refusal: str | None = None
    latency: float = 0.0
    hang: bool = False


def answer(payload: dict[str, Any], *, latency: float = 0.0) -> Reply:
    return Reply(payload=payload, latency=latency)


def raw_text(text: str, *, finish_reason: str | None = None) -> Reply:
    """Output text sent as is: malformed or truncated JSON."""
    return Reply(text=text, finish_reason=finish_reason)


def error(
    status: int, message: str = "error", *, code: str | None = None, headers: dict[str, str] | None = None
) -> Reply:
    return Reply(status=status, error_message=message, error_code=code, headers=headers or {})


def rate_limited(retry_after: str | None = None) -> Reply:
    return error(
        429,
        "Rate limit reached",
        code="rate_limit_exceeded",
        headers={"Retry-After": retry_after} if retry_after is not None else {},
    )


def refusal(text: str = "I'm sorry, I can't help with that.") -> Reply:
    return Reply(refusal=text)


def hang() -> Reply:
    """Accept the request and never answer (until the server stops)."""
    return Reply(hang=True)


@dataclass(frozen=True)
class Profile:
    """What one kind of server accepts and how it fails (see the module docstring for the sources)."""

    name: str
    tool_choice_object: (
        bool  # a named-function tool_choice object is honoured (else ignored: the model may write prose)
    )
    tool_choice_required: bool  # tool_choice "required" is honoured
    json_schema: bool = True  # response_format json_schema is honoured (else HTTP 400)
    json_object: bool = True  # response_format json_object accepted (else HTTP 400)
    tools: bool = True  # `tools` accepted (llama-server without --jinja: HTTP 500 "tools param requires --jinja flag")
    overflow_status: int | None = 400  # None: the prompt is silently truncated (HTTP 200)

    def rejection(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        """The error a server without support for this request's structured-output parameters answers."""
        fmt = (body.get("response_format") or {}).get("type")
        if fmt == "json_schema" and not self.json_schema:
            return 400, {
                "error": {
                    "code": 400,
                    "type": "invalid_request_error",
                    "message": "Unsupported response_format type: json_schema",
                }
            }
        if fmt == "json_object" and not self.json_object:
            return 400, {
                "error": {
                    "code": 400,
                    "type": "invalid_request_error",
                    "message": "Unsupported response_format type: json_object",
                }
            }
        if body.get("tools") and not self.tools:
            return 500, {"error": {"code": 500, "type": "server_error", "message": "tools param requires --jinja flag"}}
        return None

    def overflow_body(self, prompt_tokens: int, n_ctx: int) -> dict[str, Any]:
        if self.name == "llamacpp":
            return {
                "error": {
                    "code": 400,
                    "type": "exceed_context_size_error",
                    "n_prompt_tokens": prompt_tokens,
                    "n_ctx": n_ctx,
                    "message": "the request exceeds the available context size. try "
                    "increasing the context size or enable context shift",
                }
            }
        if self.name == "vllm":
            return {
                "object": "error",
                "type": "BadRequestError",
                "param": None,
                "code": 400,
                "message": f"This model's maximum context length is {n_ctx} tokens. However, you requested "
                f"{prompt_tokens} tokens ({prompt_tokens} in the messages, 0 in the completion). Please "
                "reduce the length of the messages or completion.",
            }
        return {
            "error": {
                "type": "invalid_request_error",
                "param": "messages",
                "code": "context_length_exceeded",
                "message": f"This model's maximum context length is {n_ctx} tokens. However, your messages "
                f"resulted in {prompt_tokens} tokens. Please reduce the length of the messages.",
            }
        }


PROFILES: dict[str, Profile] = {
    "openai": Profile("openai", tool_choice_object=True, tool_choice_required=True),
    "llamacpp": Profile("llamacpp", tool_choice_object=False, tool_choice_required=True),
    "vllm": Profile("vllm", tool_choice_object=True, tool_choice_required=True),
    "ollama": Profile("ollama", tool_choice_object=False, tool_choice_required=False, overflow_status=None),
}
DEFAULT_PROFILE = ["openai"]  # tests/conftest.py parametrizes this over PROFILES for the LLM tests


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    def message_text(self, role: str) -> str:
        return "\n".join(str(m.get("content") or "") for m in self.messages if m.get("role") == role)


Responder = Callable[[RecordedRequest], Reply]


def output_schema(request: RecordedRequest) -> dict[str, Any]:
    """The JSON schema the client asked for, whichever structured-output method it used."""
    if request.body.get("tools"):
        return request.body["tools"][0]["function"]["parameters"]
    fmt = request.body["response_format"]
    if fmt.get("type") == "json_object":  # JSON mode: the client put the schema at the end of its system message
        system = request.message_text("system")
        return json.loads(system[system.rindex("JSON schema:\n") + len("JSON schema:\n") :])
    return fmt["json_schema"]["schema"]


def _question_ids(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        prop = schema.get("properties", {}).get("question_id")
        if isinstance(prop, dict) and "enum" in prop:
            return list(prop["enum"])
        for value in schema.values():
            found = _question_ids(value)
            if found:
                return found
    if isinstance(schema, list):
        for value in schema:
            found = _question_ids(value)
            if found:
                return found
    return []


def all_unknown(request: RecordedRequest) -> Reply:
    """A responder answering unknown to every question id the request's schema allows."""
    ids = _question_ids(output_schema(request))
    return answer(
        {
            "answers": [
                {
                    "question_id": q,
                    "reasoning": "The data does not say.",
                    "answer": "unknown",
                    "confidence": 0.0,
                    "evidence": [],
                }
                for q in ids
            ]
        }
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 drops connections when many clients connect at once


class FakeOpenAIServer:
    """Start with `with FakeOpenAIServer([...]) as server:`; point clients at `server.base_url`."""

    def __init__(
        self,
        script: Iterable[Reply] = (),
        *,
        responder: Responder | None = None,
        latency: float = 0.0,
        profile: str | None = None,
        context_tokens: int | None = None,
        prompt_tokens_per_second: float | None = None,
        json_schema: bool | None = None,
        tools: bool | None = None,
        json_object: bool | None = None,
    ):
        self.profile = PROFILES[profile or DEFAULT_PROFILE[0]]
        support = {
            k: v
            for k, v in dict(json_schema=json_schema, tools=tools, json_object=json_object).items()
            if v is not None
        }
        if support:  # a server started without that support
            self.profile = replace(self.profile, **support)
        self.context_tokens = context_tokens  # the model's window: longer prompts overflow the profile's way
        self.prompt_tokens_per_second = prompt_tokens_per_second  # slow prompt processing (a CPU server: ~80)
        self.probes: list[RecordedRequest] = []
        self._script: deque[Reply] = deque(script)
        self._responder = responder
        self._latency = latency
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.requests: list[RecordedRequest] = []
        self.unscripted = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self._httpd = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-openai", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def push(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def __enter__(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def assert_complete(self) -> None:
        """Every scripted reply was consumed and no request went unanswered by the script."""
        with self._lock:
            left, unscripted = len(self._script), self.unscripted
        assert left == 0, f"{left} scripted repl{'y' if left == 1 else 'ies'} never requested"
        assert unscripted == 0, f"{unscripted} request(s) arrived with no scripted reply"

    # --- serving ----------------------------------------------------------------------------------------------------

    def _next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self._script:
                return self._script.popleft()
            if self._responder is None:
                self.unscripted += 1
                return error(500, "fake server: no scripted reply left")
        return self._responder(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # One buffered write per response and no Nagle: otherwise delayed ACKs add ~40 ms to every call.
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                parts = urlsplit(self.path)
                request = RecordedRequest(
                    "POST",
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    json.loads(raw or b"{}"),
                )
                if not parts.path.endswith("/chat/completions"):
                    return self._send(404, {"error": {"message": f"no route {parts.path}", "type": "not_found"}}, {})
                with server._lock:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    self._answer(request)
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def _answer(self, request: RecordedRequest) -> None:
                profile, prompt_tokens = server.profile, _prompt_tokens(request.body)
                if server.prompt_tokens_per_second:
                    server._stopping.wait(prompt_tokens / server.prompt_tokens_per_second)
                if server.context_tokens is not None and prompt_tokens > server.context_tokens:
                    if profile.overflow_status is not None:
                        with server._lock:
                            server.requests.append(request)
                        return self._send(
                            profile.overflow_status, profile.overflow_body(prompt_tokens, server.context_tokens), {}
                        )
                rejected = profile.rejection(request.body)
                if rejected is not None and _is_probe(request):
                    with server._lock:
                        server.probes.append(request)
                    return self._send(*rejected, {})
                if rejected is not None:
                    with server._lock:
                        server.requests.append(request)
                    return self._send(*rejected, {})
                if _is_probe(request):
                    with server._lock:
                        server.probes.append(request)
                    return self._send(200, _completion(request, Reply(payload={"ok": True}), 0, server), {})
                reply = server._next_reply(request)
                if reply.hang:
                    server._stopping.wait(120)
                    return
                if server._latency + reply.latency:
                    server._stopping.wait(server._latency + reply.latency)
                if reply.status != 200:
                    body = {
                        "error": {"message": reply.error_message, "type": reply.error_type, "code": reply.error_code}
                    }
                    return self._send(reply.status, body, reply.headers)
                self._send(200, _completion(request, reply, len(server.requests), server), reply.headers)

            def _send(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout): nothing to do
                    pass

        return Handler


def _prompt_tokens(body: dict[str, Any]) -> int:
    return len(json.dumps(body.get("messages", []))) // 4


def _is_probe(request: RecordedRequest) -> bool:
    try:
        return output_schema(request).get("title") == "submit_probe" or "submit_probe" in json.dumps(
            request.body.get("tools") or request.body.get("response_format") or {}
        )
    except (KeyError, IndexError, TypeError):
        return False


def forced_tool(body: dict[str, Any], profile: Profile) -> bool:
    """Whether this profile makes a tool call for the request (else the model answers in prose)."""
    if not body.get("tools"):
        return False
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        return profile.tool_choice_object
    if choice == "required":
        return profile.tool_choice_required
    return False  # "auto" or absent: a small model is free to write prose


def _completion(request: RecordedRequest, reply: Reply, serial: int, server: FakeOpenAIServer) -> dict[str, Any]:
    """A Chat Completions response carrying the reply the way the request asked for structured output."""
    body, profile = request.body, server.profile
    output = reply.text if reply.text is not None else json.dumps(reply.payload or {})
    message: dict[str, Any] = {"role": "assistant", "content": None}
    finish = reply.finish_reason
    if reply.refusal is not None:
        if "response_format" in body:
            message["refusal"] = reply.refusal
        else:
            message["content"] = reply.refusal
        finish = finish or "stop"
    elif body.get("tools") and not forced_tool(body, profile):
        # tool_choice ignored: the model writes its answer as prose around the JSON, no tool call
        message["content"] = f"Sure! Here is my assessment of the lead: {output}"
        finish = finish or "stop"
    elif body.get("tools"):
        name = body["tools"][0]["function"]["name"]
        message["tool_calls"] = [
            {"id": f"call_{serial}", "type": "function", "function": {"name": name, "arguments": output}}
        ]
        finish = finish or "tool_calls"
    else:
        message["content"] = output
        finish = finish or "stop"
    prompt_tokens = _prompt_tokens(body)
    if server.context_tokens is not None and profile.overflow_status is None:
        prompt_tokens = min(prompt_tokens, server.context_tokens)  # Ollama: silently truncated
    completion_tokens = len(reply.refusal or output) // 4
    return {
        "id": f"chatcmpl-fake-{serial}",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
