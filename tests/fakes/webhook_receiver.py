"""A webhook receiver on 127.0.0.1, as a customer would write one: it verifies the signature and the timestamp window
(api/events/signing.verify, the code docs/webhooks.md shows), drops duplicates by event id, and can be scripted to fail.

`fail(envelope, attempt_no) -> int | None` returns an HTTP status to answer instead of 200 (None: accept). With
`fail_after_store=True` (or a function of the envelope and attempt saying so) a failure is answered *after* the event
was stored, the hardest case for at-least-once (the sender must retry, the receiver must dedupe).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from api.events.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, SignatureError, verify


@dataclass
class Received:
    envelope: dict[str, Any]
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class WebhookReceiver:
    secret: str | None = None
    fail: Callable[[dict[str, Any], int], int | None] | None = None
    fail_after_store: bool | Callable[[dict[str, Any], int], bool] = False
    delay: float = 0.0  # seconds to wait before answering (a slow receiver; sends stay in flight longer)
    requests: list[Received] = field(default_factory=list)  # every request, duplicates and failures included
    accepted: list[Received] = field(default_factory=list)  # first receipt of each event id, in arrival order
    rejected_signatures: int = 0
    duplicates: int = 0
    failures: int = 0

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: set[str] = set()
        self.attempts: dict[str, int] = {}
        self.arrived = threading.Condition(self.lock)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = receiver._handle(dict(self.headers.items()), body)
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def start(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handle(self, headers: dict[str, str], body: bytes) -> int:
        envelope = json.loads(body)
        with self.lock:
            self.attempts[envelope["id"]] = n = self.attempts.get(envelope["id"], 0) + 1
            self.requests.append(Received(envelope, headers, body, time.time()))
            if self.secret is not None:
                try:
                    verify(
                        self.secret,
                        body,
                        headers.get(TIMESTAMP_HEADER, ""),
                        headers.get(SIGNATURE_HEADER, ""),
                        time.time(),
                    )
                except SignatureError:
                    self.rejected_signatures += 1
                    return 401
            status = self.fail(envelope, n) if self.fail else None
            after = self.fail_after_store(envelope, n) if callable(self.fail_after_store) else self.fail_after_store
            if status is not None and not after:
                self.failures += 1
                return status
            if envelope["id"] in self.seen:
                self.duplicates += 1
            else:
                self.seen.add(envelope["id"])
                self.accepted.append(Received(envelope, headers, body, time.time()))
                self.arrived.notify_all()
            if status is not None:
                self.failures += 1
                return status
            return 200

    def wait_for(self, predicate: Callable[[list[Received]], bool], timeout: float = 20.0) -> list[Received]:
        """Block until `predicate(accepted)` holds; raises AssertionError after `timeout` seconds."""
        end = time.monotonic() + timeout
        with self.lock:
            while not predicate(self.accepted):
                left = end - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"webhooks not received in {timeout} s: have {[r.envelope['type'] for r in self.accepted]}"
                    )
                self.arrived.wait(left)
            return list(self.accepted)
