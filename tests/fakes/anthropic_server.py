"""A small fake of the Anthropic Messages API, served over real HTTP on 127.0.0.1.

Tests point the real SDK at it with ``ANTHROPIC_BASE_URL``, so everything between the generator and the
wire — the SDK's request building, retries, timeouts, status-code exceptions and response parsing — is
the code that runs in production. A test scripts what the server answers, call by call:

    fake.enqueue(overloaded(), report_response(grounded_report()))   # 529, then a valid report
    fake.always(rate_limited())                                      # every (further) call: 429

and inspects what it received: ``fake.calls``, ``fake.requests[0].body["system"]``, ...

Only ``POST /v1/messages`` is served. A call with nothing scripted gets a 500 whose message says so,
which makes a missing script fail loudly instead of hanging.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from vpr.generation.prompt import TOOL_NAME

FAKE_API_KEY = "sk-ant-fake-key-0123456789-DO-NOT-LEAK"
FAKE_MODEL = "claude-sonnet-4-5-20250929"


@dataclass(frozen=True)
class FakeResponse:
    """One scripted answer: an HTTP status and JSON body, optionally after a delay (seconds)."""

    status: int = 200
    body: Any = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordedRequest:
    """A request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any

    @property
    def system(self) -> list[dict[str, Any]]:
        system = self.body.get("system", [])
        return [{"type": "text", "text": system}] if isinstance(system, str) else system

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.body.get("messages", [])

    def user_text(self) -> str:
        """All text of the request's messages (user data, instructions, tool results)."""
        parts: list[str] = []
        for message in self.messages:
            content = message["content"]
            if isinstance(content, str):
                parts.append(content)
                continue
            for block in content:
                if block.get("type") == "text":
                    parts.append(block["text"])
                elif block.get("type") == "tool_result":
                    result = block.get("content")
                    parts.append(result if isinstance(result, str) else json.dumps(result))
        return "\n".join(parts)


class FakeAnthropicServer:
    """A threaded loopback HTTP server answering ``/v1/messages`` from a script."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._queue: deque[FakeResponse] = deque()
        self._default: FakeResponse | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- scripting ---------------------------------------------------------------------------------
    def enqueue(self, *responses: FakeResponse) -> FakeAnthropicServer:
        """Answer the next calls with these, in order."""
        with self._lock:
            self._queue.extend(responses)
        return self

    def always(self, response: FakeResponse) -> FakeAnthropicServer:
        """Answer every call the queue does not cover with this."""
        with self._lock:
            self._default = response
        return self

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self._default = None
            self.requests.clear()

    @property
    def calls(self) -> int:
        """Number of Messages API calls received."""
        with self._lock:
            return sum(1 for r in self.requests if r.path.startswith("/v1/messages"))

    @property
    def pending(self) -> int:
        """Scripted responses not used yet."""
        with self._lock:
            return len(self._queue)

    # --- lifecycle ---------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeAnthropicServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except json.JSONDecodeError:
                    body = raw.decode(errors="replace")
                fake._record(
                    RecordedRequest("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                if not self.path.startswith("/v1/messages"):
                    self._send(
                        FakeResponse(404, _error_body("not_found_error", f"fake: no route {self.path}"))
                    )
                    return
                self._send(
                    fake._next(), requested_model=body.get("model") if isinstance(body, dict) else None
                )

            def do_GET(self) -> None:
                self._send(FakeResponse(404, _error_body("not_found_error", "fake: only POST /v1/messages")))

            def _send(self, response: FakeResponse, requested_model: str | None = None) -> None:
                if response.delay and fake._stopping.wait(response.delay):
                    return  # the server is shutting down: drop the slow answer
                body = response.body
                if isinstance(body, dict) and body.get("type") == "message" and body.get("model") is None:
                    body = {**body, "model": requested_model or FAKE_MODEL}  # answers as the model asked
                payload = body if isinstance(body, bytes | str) else json.dumps(body)
                data = payload.encode() if isinstance(payload, str) else payload
                try:
                    self.send_response(response.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.send_header("request-id", f"req_fake_{next(fake._ids):04d}")
                    for name, value in response.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test): nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fake-anthropic",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeAnthropicServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- internals ---------------------------------------------------------------------------------
    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _next(self) -> FakeResponse:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            if self._default is not None:
                return self._default
        return FakeResponse(500, _error_body("api_error", "fake: no scripted response left"))


# --- response builders -----------------------------------------------------------------------------


def _error_body(kind: str, message: str, error_code: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"type": kind, "message": message}
    if error_code:
        error["details"] = {"error_code": error_code}
    return {"type": "error", "error": error}


def usage(
    input_tokens: int = 1_200,
    output_tokens: int = 2_600,
    cache_creation_input_tokens: int = 0,
    cache_read_input_tokens: int = 2_400,
) -> dict[str, int]:
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_creation_input_tokens": cache_creation_input_tokens,
        "cache_read_input_tokens": cache_read_input_tokens,
    }


def message_body(
    content: list[dict[str, Any]],
    *,
    stop_reason: str = "end_turn",
    usage_: dict[str, int] | None = None,
    model: str | None = None,
) -> dict[str, Any]:
    """A Messages API answer; ``model`` None means "the model the request asked for"."""
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": usage_ or usage(),
    }


def report_response(
    report: dict[str, Any] | str,
    *,
    stop_reason: str = "tool_use",
    usage_: dict[str, int] | None = None,
    tool_name: str = TOOL_NAME,
    delay: float = 0.0,
) -> FakeResponse:
    """A 200 whose answer calls the report tool with ``report`` (a dict, or a string: raw/invalid JSON)."""
    block = {"type": "tool_use", "id": "toolu_fake_01", "name": tool_name, "input": report}
    return FakeResponse(200, message_body([block], stop_reason=stop_reason, usage_=usage_), delay=delay)


def text_response(text: str, *, stop_reason: str = "end_turn") -> FakeResponse:
    """A 200 whose answer is plain text (no tool call)."""
    return FakeResponse(200, message_body([{"type": "text", "text": text}], stop_reason=stop_reason))


def error_response(
    status: int,
    kind: str,
    message: str,
    *,
    error_code: str | None = None,
    headers: dict[str, str] | None = None,
) -> FakeResponse:
    return FakeResponse(status, _error_body(kind, message, error_code), headers=headers or {})


def overloaded() -> FakeResponse:
    return error_response(529, "overloaded_error", "Overloaded")


def rate_limited() -> FakeResponse:
    return error_response(
        429,
        "rate_limit_error",
        "This request would exceed the rate limit for your organization of 40,000 input tokens per minute.",
        headers={"retry-after": "0"},
    )


def spend_limited(*, with_code: bool = False) -> FakeResponse:
    """A 429 the API sends when the account's spend/usage limit is reached (optionally with its code)."""
    return error_response(
        429,
        "rate_limit_error",
        "You have reached your specified API usage limits. You will regain access on 2030-01-01.",
        error_code="enforced_spend_limit_reached" if with_code else None,
        headers={"retry-after": "0"},
    )


def bad_request(message: str = "messages: at least one message is required") -> FakeResponse:
    return error_response(400, "invalid_request_error", message)


def server_error() -> FakeResponse:
    return error_response(500, "api_error", "Internal server error")
