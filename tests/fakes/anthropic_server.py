"""A strict fake of the Anthropic Messages API, served over real HTTP on 127.0.0.1.

Tests (and benchmarks) point the real SDK at it with ``ANTHROPIC_BASE_URL``, so everything between the
generator and the wire — request building, streaming, timeouts, status-code exceptions, response
parsing — is the code that runs in production. A test scripts what the server answers, call by call:

    fake.enqueue(overloaded(), answer(grounded_report()))   # 529, then a valid structured answer
    fake.always(rate_limited())                             # every (further) call: 429

and inspects what it received: ``fake.calls``, ``fake.requests[0].body["output_config"]``, ...

**Strict.** Before any script is consulted, every request is checked against what the documentation
says the real API rejects (``check_request``; each rule cites its page). A rejected request gets the
API's own error (400 ``invalid_request_error``, 404 ``not_found_error``, 413 ``request_too_large``) and is
listed in ``fake.rejections``; the ``fake_anthropic`` fixture fails the test at teardown if any request
was rejected that the test did not expect (``fake.expect_rejections()``), so a request the real API would
refuse fails the test that sends it — even if the code under test swallowed the error.

**Token accounting.** A scripted ``answer`` is rendered per request: its text is counted with
``estimate_tokens``, thinking tokens (when the request or the model's default turns thinking on) count
toward ``max_tokens`` as the docs describe, and an answer that does not fit is cut off with
``stop_reason: "max_tokens"`` exactly where the budget runs out. **Timing:** an answer can stream
(SSE, when the request says ``stream: true``) at a set output rate after a set time to first token.

Only ``POST /v1/messages`` is served. A call with nothing scripted gets a 500 whose message says so.
"""

from __future__ import annotations

import itertools
import json
import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAKE_API_KEY = "sk-ant-fake-key-0123456789-DO-NOT-LEAK"
FAKE_MODEL = "claude-sonnet-5-5"

# --- what the documentation says ---------------------------------------------------------------------

ERRORS_DOC = "https://platform.claude.com/docs/en/api/errors"
#: https://platform.claude.com/docs/en/api/errors#request-size-limits — Messages API: 32 MB.
MAX_REQUEST_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class FakeModel:
    """What the docs say one model accepts.

    * ``max_output`` — the model overview pages ("Max output"; e.g.
      https://platform.claude.com/docs/en/models/sonnet-5-5/overview: 128K; the 4.5 models: 64K).
    * ``thinking_types`` / ``thinking_on_by_default`` — the table "Thinking support, defaults, and
      rejected configurations by model" of
      https://platform.claude.com/docs/en/build-with-claude/thinking-troubleshooting: the 4.5 models
      have only ``enabled`` (extended thinking); Claude 4.7 and later reject ``enabled``; always-on
      models (Opus 5.5, Fable 5.1+) reject ``disabled``; only Sonnet 5.5 accepts ``between_tools``,
      and uses it instead of ``disabled``.
    * ``forced_tool_choice`` — "Forced tool use returns an error" on Sonnet 5.5
      (https://platform.claude.com/docs/en/models/sonnet-5-5/whats-new-sonnet-5-5#forced-tool-use-is-not-supported),
      likewise Opus 5.5 and Fable 5.1 (their what's-new pages).
    * ``sampling`` — non-default ``temperature``/``top_p``/``top_k`` return 400 on Sonnet 5 and later
      (https://platform.claude.com/docs/en/models/sonnet-5/migration-guide).
    * ``prefill`` — a final assistant turn returns 400 on the 5.5 models, Opus 5 and Fable 5.1
      (https://platform.claude.com/docs/en/api/errors#prefill-not-supported).
    * ``effort`` — ``output_config.effort`` (https://platform.claude.com/docs/en/build-with-claude/effort)
      is for models with adaptive thinking; ``default_effort`` from the overview tables.
    * ``newer_tokenizer`` — Claude 4.7 and later count ~30 % more tokens for the same text
      (https://platform.claude.com/docs/en/models/sonnet-5/migration-guide, "New tokenizer").
    """

    max_output: int
    thinking_types: frozenset[str]
    thinking_on_by_default: bool
    forced_tool_choice: bool = True
    sampling: bool = True
    prefill: bool = True
    effort: bool = True
    default_effort: str = "high"
    newer_tokenizer: bool = True


_LEGACY = FakeModel(
    64_000, frozenset({"enabled", "disabled"}), False, effort=False, newer_tokenizer=False, default_effort=""
)
_OPUS_4_5 = FakeModel(64_000, frozenset({"enabled", "disabled"}), False, newer_tokenizer=False)
_4_6 = FakeModel(128_000, frozenset({"enabled", "adaptive", "disabled"}), False, newer_tokenizer=False)
_4_7 = FakeModel(128_000, frozenset({"adaptive", "disabled"}), False)
_5 = FakeModel(128_000, frozenset({"adaptive", "disabled"}), True, sampling=False)
_ALWAYS_ON = FakeModel(
    128_000, frozenset({"adaptive"}), True, forced_tool_choice=False, sampling=False, prefill=False
)
_SONNET_5_5 = FakeModel(
    128_000,
    frozenset({"adaptive", "between_tools"}),
    True,
    forced_tool_choice=False,
    sampling=False,
    prefill=False,
)
_HAIKU_5_5 = FakeModel(
    128_000, frozenset({"adaptive", "disabled"}), True, sampling=False, prefill=False, default_effort="medium"
)

MODELS: dict[str, FakeModel] = {
    "claude-sonnet-4-5": _LEGACY,
    "claude-sonnet-4-5-20250929": _LEGACY,
    "claude-haiku-4-5": _LEGACY,
    "claude-haiku-4-5-20251001": _LEGACY,
    "claude-opus-4-5": _OPUS_4_5,
    "claude-opus-4-5-20251101": _OPUS_4_5,
    "claude-opus-4-6": _4_6,
    "claude-sonnet-4-6": _4_6,
    "claude-mythos-preview": _4_6,
    "claude-opus-4-7": _4_7,
    "claude-opus-4-8": _4_7,
    "claude-sonnet-5": _5,
    "claude-opus-5": FakeModel(
        128_000, frozenset({"adaptive", "disabled"}), True, sampling=False, prefill=False
    ),
    "claude-fable-5": _5,
    "claude-mythos-5": _5,
    "claude-sonnet-5-5": _SONNET_5_5,
    "claude-haiku-5-5": _HAIKU_5_5,
    "claude-opus-5-5": FakeModel(
        128_000,
        frozenset({"adaptive"}),
        True,
        forced_tool_choice=False,
        sampling=False,
        prefill=False,
        default_effort="medium",
    ),
    "claude-fable-5-1": _ALWAYS_ON,
    "claude-mythos-5-1": _ALWAYS_ON,
    "claude-fable-5-2": _ALWAYS_ON,
    "claude-mythos-5-2": _ALWAYS_ON,
}

#: Top-level fields of a Messages request (the API reference: https://platform.claude.com/docs/en/api/messages).
REQUEST_FIELDS = frozenset(
    {
        "model", "max_tokens", "messages", "system", "metadata", "stop_sequences", "stream", "temperature",
        "top_p", "top_k", "tools", "tool_choice", "thinking", "output_config", "service_tier",
        "cache_control", "container", "diagnostics", "inference_geo", "speed",
    }
)  # fmt: skip
EFFORTS = ("low", "medium", "high", "xhigh", "max")
#: https://platform.claude.com/docs/en/build-with-claude/structured-outputs#json-schema-limitations:
#: strict mode (``output_config.format`` and ``strict: true`` tools) rejects numeric and string
#: constraints, ``maxItems``, ``minItems`` other than 0 or 1, object size constraints, and needs
#: ``additionalProperties: false`` on every object. (The SDK's ``transform_schema`` moves exactly these
#: into descriptions.)
UNSUPPORTED_SCHEMA_KEYWORDS = frozenset(
    {
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength",
        "maxLength", "maxItems", "minProperties", "maxProperties", "patternProperties",
    }
)  # fmt: skip
SUPPORTED_STRING_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"}
)
#: Thinking tokens a model spends by effort when the script does not say (a model of the docs' "higher
#: effort, more thinking", not a measurement).
THINKING_BY_EFFORT = {"low": 1_000, "medium": 3_000, "high": 6_000, "xhigh": 10_000, "max": 16_000}


class RejectedError(Exception):
    """A request the real API would refuse: the status, error type and message it would answer."""

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message


def _check_schema(schema: Any, where: str) -> None:
    """Strict-mode schema rules (see ``UNSUPPORTED_SCHEMA_KEYWORDS``)."""
    if not isinstance(schema, dict):
        return
    for keyword in UNSUPPORTED_SCHEMA_KEYWORDS & set(schema):
        raise RejectedError(
            400, "invalid_request_error", f"{where}: '{keyword}' is not supported in strict mode"
        )
    if schema.get("minItems") not in (None, 0, 1):
        raise RejectedError(
            400, "invalid_request_error", f"{where}: 'minItems' values other than 0 or 1 are not supported"
        )
    if schema.get("type") == "object" and schema.get("additionalProperties") is not False:
        raise RejectedError(
            400, "invalid_request_error", f"{where}: 'additionalProperties' must be explicitly set to false"
        )
    if (
        schema.get("type") == "string"
        and "format" in schema
        and schema["format"] not in SUPPORTED_STRING_FORMATS
    ):
        raise RejectedError(
            400, "invalid_request_error", f"{where}: string format {schema['format']!r} is not supported"
        )
    for key, value in schema.items():
        if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
            for name, sub in value.items():
                _check_schema(sub, f"{where}.{key}.{name}")
        elif key in ("items", "not", "additionalProperties"):
            _check_schema(value, f"{where}.{key}")
        elif key in ("anyOf", "allOf", "oneOf") and isinstance(value, list):
            for i, sub in enumerate(value):
                _check_schema(sub, f"{where}.{key}[{i}]")


def thinking_active(body: dict[str, Any], model: FakeModel) -> bool:
    kind = (body.get("thinking") or {}).get("type")
    if kind is None:
        return model.thinking_on_by_default
    return kind in ("adaptive", "enabled")  # between_tools: no up-front thinking (no tools here)


def check_request(body: Any, signatures: set[str]) -> FakeModel:
    """Raise ``RejectedError`` for a request the documented API rejects; return the model it asks for."""
    bad = "invalid_request_error"
    if not isinstance(body, dict):
        raise RejectedError(400, bad, "The request body is not valid JSON.")
    for name in body:
        if name not in REQUEST_FIELDS:
            raise RejectedError(400, bad, f"{name}: Extra inputs are not permitted")
    model_id = body.get("model")
    if not isinstance(model_id, str):
        raise RejectedError(400, bad, "model: Field required")
    model = MODELS.get(model_id)
    if model is None:  # errors page: 404 not_found_error
        raise RejectedError(404, "not_found_error", f"model: {model_id}")
    max_tokens = body.get("max_tokens")
    # max_tokens: required; 0 only pre-warms the cache; at most the model's max output (overview pages).
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 0:
        raise RejectedError(400, bad, "max_tokens: Input should be a valid integer >= 0")
    if max_tokens > model.max_output:
        raise RejectedError(
            400,
            bad,
            f"max_tokens: {max_tokens} > {model.max_output}, which is the maximum allowed for {model_id}",
        )
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RejectedError(400, bad, "messages: at least one message is required")
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            raise RejectedError(400, bad, f"messages.{i}.role: Input should be 'user' or 'assistant'")
        content = message.get("content")
        if not isinstance(content, str | list) or not content:
            raise RejectedError(
                400, bad, f"messages.{i}.content: must be a non-empty string or list of blocks"
            )
        for j, block in enumerate(content if isinstance(content, list) else []):
            # Thinking blocks are tied to the model and the conversation that produced them
            # (https://platform.claude.com/docs/en/models/sonnet-5-5/whats-new-sonnet-5-5).
            if block.get("type") in ("thinking", "redacted_thinking") and (
                message["role"] != "assistant"
                or (block.get("type") == "thinking" and block.get("signature") not in signatures)
            ):
                raise RejectedError(
                    400, bad, f"messages.{i}.content.{j}: Invalid `signature` in `thinking` block"
                )
    if messages[0].get("role") != "user":
        raise RejectedError(400, bad, "messages: first message must use the user role")
    if messages[-1].get("role") == "assistant" and not model.prefill:
        raise RejectedError(
            400,
            bad,
            "This model does not support assistant message prefill; end the conversation with a user turn.",
        )
    thinking = body.get("thinking")
    if thinking is not None:
        kind = thinking.get("type") if isinstance(thinking, dict) else None
        if kind not in model.thinking_types:
            raise RejectedError(400, bad, f"thinking.type: {kind!r} is not supported for {model_id}")
        if kind == "enabled":
            budget = thinking.get("budget_tokens")
            if not isinstance(budget, int) or budget < 1024 or budget >= max_tokens:
                raise RejectedError(
                    400, bad, "thinking.budget_tokens: must be >= 1024 and less than max_tokens"
                )
    for name, default in (("temperature", 1.0), ("top_p", None), ("top_k", None)):
        if name in body and not model.sampling and body[name] != default:
            raise RejectedError(
                400, bad, f"{name}: non-default sampling parameters are not supported for {model_id}"
            )
    tool_choice = body.get("tool_choice") or {}
    if tool_choice.get("type") in ("any", "tool"):
        if not model.forced_tool_choice:
            raise RejectedError(400, bad, f"tool_choice: forced tool use is not supported for {model_id}")
        if thinking_active(body, model):
            # https://platform.claude.com/docs/en/build-with-claude/extended-thinking#extended-thinking-with-tool-use:
            # with thinking only tool_choice "auto" or "none".
            raise RejectedError(400, bad, "Thinking may not be enabled when tool_choice forces tool use.")
    for i, tool in enumerate(body.get("tools") or []):
        if (
            tool.get("strict") is True
        ):  # https://platform.claude.com/docs/en/agents-and-tools/tool-use/strict-tool-use
            _check_schema(tool.get("input_schema"), f"tools.{i}.input_schema")
    output_config = body.get("output_config") or {}
    effort = output_config.get("effort")
    if effort is not None:
        if effort not in EFFORTS:
            raise RejectedError(
                400, bad, f"output_config.effort: Input should be one of {', '.join(EFFORTS)}"
            )
        if not model.effort:
            raise RejectedError(400, bad, f"output_config.effort: not supported for {model_id}")
        if (thinking or {}).get("type") == "between_tools" and effort in ("xhigh", "max"):
            raise RejectedError(
                400, bad, f"output_config.effort: {effort!r} is not supported with between_tools"
            )
    fmt = output_config.get("format")
    if fmt is not None:
        if (
            not isinstance(fmt, dict)
            or fmt.get("type") != "json_schema"
            or not isinstance(fmt.get("schema"), dict)
        ):
            raise RejectedError(
                400, bad, "output_config.format: expected {type: 'json_schema', schema: {...}}"
            )
        _check_schema(fmt["schema"], "output_config.format.schema")
    return model


# --- token accounting --------------------------------------------------------------------------------


def estimate_tokens(text: str, *, newer_tokenizer: bool = True) -> int:
    """Tokens of ``text``: ~3.4 characters per token for Latin script and ~1.17 for Hebrew, calibrated to
    the legacy tokenizer's counts for this service's prompt (README: a 1,750-word English report ≈ 3,050
    tokens, Hebrew ≈ 9,000), times 1.3 for the tokenizer of Claude 4.7 and later."""
    hebrew = sum(1 for c in text if "\u0590" <= c <= "\u05ff")
    other = len(text) - hebrew
    tokens = other / 3.4 + hebrew / 1.17
    return max(1, math.ceil(tokens * (1.3 if newer_tokenizer else 1.0))) if text else 0


def _request_text(body: dict[str, Any]) -> str:
    return json.dumps(
        [body.get("system"), body.get("messages"), body.get("tools"), body.get("output_config")],
        ensure_ascii=False,
    )


# --- scripted responses -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeResponse:
    """One scripted raw answer: an HTTP status and JSON body, optionally after a delay (seconds)."""

    status: int = 200
    body: Any = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FakeAnswer:
    """One scripted model answer, rendered against the request that receives it.

    ``text``: the answer text (structured output: JSON); ``thinking_tokens``: how much the model thinks
    when thinking is on (None: ``THINKING_BY_EFFORT`` of the request's effort); ``stop_reason``:
    ``end_turn`` or ``refusal``; ``tokens_per_second``/``time_to_first_token``: streaming pace (None: as
    fast as possible).
    """

    text: str
    thinking_tokens: int | None = None
    stop_reason: str = "end_turn"
    tokens_per_second: float | None = None
    time_to_first_token: float = 0.0
    usage: dict[str, int] | None = None
    model: str | None = None


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
        """All text of the request's messages (user data, instructions, feedback)."""
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


@dataclass
class Rendered:
    """An answer as the API would send it for one request."""

    message: dict[str, Any]
    thinking_tokens: int
    text_tokens: int


class FakeAnthropicServer:
    """A threaded loopback HTTP server answering ``/v1/messages`` from a script, strictly."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.rejections: list[RejectedError] = []
        self.rendered: list[Rendered] = []
        self._expect_rejections = False
        self._queue: deque[FakeResponse | FakeAnswer] = deque()
        self._default: FakeResponse | FakeAnswer | None = None
        self._signatures: set[str] = set()
        self._cached_prefixes: set[str] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- scripting ---------------------------------------------------------------------------------
    def enqueue(self, *responses: FakeResponse | FakeAnswer) -> FakeAnthropicServer:
        """Answer the next (valid) calls with these, in order."""
        with self._lock:
            self._queue.extend(responses)
        return self

    def always(self, response: FakeResponse | FakeAnswer) -> FakeAnthropicServer:
        """Answer every valid call the queue does not cover with this."""
        with self._lock:
            self._default = response
        return self

    def expect_rejections(self) -> FakeAnthropicServer:
        """This test sends requests the real API rejects on purpose (the fixture will not fail it)."""
        self._expect_rejections = True
        return self

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self._default = None
            self.requests.clear()
            self.rejections.clear()
            self.rendered.clear()

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

    def unexpected_rejections(self) -> list[RejectedError]:
        return [] if self._expect_rejections else list(self.rejections)

    # --- lifecycle ---------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeAnthropicServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                if length > MAX_REQUEST_BYTES:  # errors page: 413 request_too_large
                    fake._record(RecordedRequest("POST", self.path, headers, None))
                    rejection = RejectedError(
                        413, "request_too_large", "Request exceeds the maximum allowed number of bytes."
                    )
                    fake._reject(rejection)
                    self._send_json(FakeResponse(413, _error_body(rejection.kind, rejection.message)))
                    return
                try:
                    body = json.loads(raw) if raw else None
                except json.JSONDecodeError:
                    body = raw.decode(errors="replace")
                fake._record(RecordedRequest("POST", self.path, headers, body))
                if not self.path.startswith("/v1/messages"):
                    self._send_json(
                        FakeResponse(404, _error_body("not_found_error", f"fake: no route {self.path}"))
                    )
                    return
                try:
                    model = check_request(body, fake._signatures_snapshot())
                except RejectedError as rejection:
                    fake._reject(rejection)
                    self._send_json(
                        FakeResponse(rejection.status, _error_body(rejection.kind, rejection.message))
                    )
                    return
                scripted = fake._next()
                if isinstance(scripted, FakeResponse):
                    self._send_json(scripted, requested_model=body["model"])
                    return
                rendered = fake._render(scripted, body, model)
                if body.get("stream"):
                    self._send_stream(scripted, rendered)
                else:
                    seconds = scripted.time_to_first_token + (
                        (rendered.thinking_tokens + rendered.text_tokens) / scripted.tokens_per_second
                        if scripted.tokens_per_second
                        else 0.0
                    )
                    self._send_json(FakeResponse(200, rendered.message, delay=seconds))

            def do_GET(self) -> None:
                self._send_json(
                    FakeResponse(404, _error_body("not_found_error", "fake: only POST /v1/messages"))
                )

            def _send_json(self, response: FakeResponse, requested_model: str | None = None) -> None:
                if response.delay and fake._stopping.wait(response.delay):
                    self.close_connection = True
                    return  # the server is shutting down: drop the slow answer
                body = response.body
                if isinstance(body, dict) and body.get("type") == "message" and body.get("model") is None:
                    body = {**body, "model": requested_model or FAKE_MODEL}
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

            def _event(self, kind: str, data: dict[str, Any]) -> None:
                chunk = f"event: {kind}\ndata: {json.dumps(data)}\n\n".encode()
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.flush()

            def _pause(self, seconds: float) -> bool:
                """Wait, sending ``ping`` events each second as the API does; False if shutting down."""
                end = time.monotonic() + seconds
                while (left := end - time.monotonic()) > 0:
                    if fake._stopping.wait(min(left, 1.0)):
                        self.close_connection = True
                        return False
                    if end - time.monotonic() > 0:
                        self._event("ping", {"type": "ping"})
                return True

            def _send_stream(self, scripted: FakeAnswer, rendered: Rendered) -> None:
                """SSE as https://platform.claude.com/docs/en/build-with-claude/streaming#event-types
                describes: message_start, content blocks (start, deltas, stop), message_delta with the
                stop reason and cumulative usage, message_stop; ping events in between."""
                message = rendered.message
                rate = scripted.tokens_per_second
                try:
                    self.send_response(200)
                    self.send_header("content-type", "text/event-stream")
                    self.send_header("transfer-encoding", "chunked")
                    self.send_header("request-id", f"req_fake_{next(fake._ids):04d}")
                    self.end_headers()
                    start = {**message, "content": [], "stop_reason": None, "stop_sequence": None}
                    start["usage"] = {**message["usage"], "output_tokens": 1}
                    self._event("message_start", {"type": "message_start", "message": start})
                    if not self._pause(scripted.time_to_first_token):
                        return
                    for index, block in enumerate(message["content"]):
                        if block["type"] == "thinking":
                            self._event(
                                "content_block_start",
                                {"type": "content_block_start", "index": index,
                                 "content_block": {"type": "thinking", "thinking": "", "signature": ""}},
                            )  # fmt: skip
                            if rate and not self._pause(rendered.thinking_tokens / rate):
                                return
                            self._event(
                                "content_block_delta",
                                {"type": "content_block_delta", "index": index,
                                 "delta": {"type": "thinking_delta", "thinking": block["thinking"]}},
                            )  # fmt: skip
                            self._event(
                                "content_block_delta",
                                {"type": "content_block_delta", "index": index,
                                 "delta": {"type": "signature_delta", "signature": block["signature"]}},
                            )  # fmt: skip
                        else:
                            self._event(
                                "content_block_start",
                                {"type": "content_block_start", "index": index,
                                 "content_block": {"type": "text", "text": ""}},
                            )  # fmt: skip
                            text = block["text"]
                            pieces = max(1, min(200, rendered.text_tokens // 20))
                            size = math.ceil(len(text) / pieces) or 1
                            for offset in range(0, len(text), size):
                                if rate and not self._pause(rendered.text_tokens / pieces / rate):
                                    return
                                self._event(
                                    "content_block_delta",
                                    {"type": "content_block_delta", "index": index,
                                     "delta": {"type": "text_delta", "text": text[offset : offset + size]}},
                                )  # fmt: skip
                        self._event("content_block_stop", {"type": "content_block_stop", "index": index})
                    self._event(
                        "message_delta",
                        {"type": "message_delta",
                         "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                         "usage": {"output_tokens": message["usage"]["output_tokens"]}},
                    )  # fmt: skip
                    self._event("message_stop", {"type": "message_stop"})
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass

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

    def _reject(self, rejection: RejectedError) -> None:
        with self._lock:
            self.rejections.append(rejection)

    def _signatures_snapshot(self) -> set[str]:
        with self._lock:
            return set(self._signatures)

    def _next(self) -> FakeResponse | FakeAnswer:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            if self._default is not None:
                return self._default
        return FakeResponse(500, _error_body("api_error", "fake: no scripted response left"))

    def _render(self, answer: FakeAnswer, body: dict[str, Any], model: FakeModel) -> Rendered:
        """The message the API would send: thinking first, then text, cut off at ``max_tokens``.

        Thinking tokens count toward ``max_tokens`` (https://platform.claude.com/docs/en/build-with-claude/thinking:
        "max_tokens ... is a hard limit on total output, thinking plus response text").
        """
        max_tokens = body["max_tokens"]
        effort = (body.get("output_config") or {}).get("effort") or model.default_effort or "high"
        thinking = 0
        if thinking_active(body, model):
            thinking = (
                answer.thinking_tokens if answer.thinking_tokens is not None else THINKING_BY_EFFORT[effort]
            )
            budget = (body.get("thinking") or {}).get("budget_tokens")
            if budget:
                thinking = min(thinking, budget)
        thinking = min(thinking, max_tokens)
        text = answer.text
        text_tokens = estimate_tokens(text, newer_tokenizer=model.newer_tokenizer)
        stop_reason = answer.stop_reason
        if thinking + text_tokens > max_tokens:
            room = max_tokens - thinking
            text = text[: int(len(text) * room / text_tokens)] if text_tokens else ""
            text_tokens, stop_reason = room, "max_tokens"
        content: list[dict[str, Any]] = []
        if thinking:
            signature = f"sig_fake_{next(self._ids):06d}"
            with self._lock:
                self._signatures.add(signature)
            content.append({"type": "thinking", "thinking": "(thinking)", "signature": signature})
        if text:
            content.append({"type": "text", "text": text})
        usage = answer.usage or self._input_usage(body, model)
        usage = {**usage, "output_tokens": thinking + text_tokens}
        message = {
            "id": f"msg_fake_{next(self._ids):06d}",
            "type": "message",
            "role": "assistant",
            "model": answer.model or body["model"],
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": usage,
        }
        rendered = Rendered(message, thinking, text_tokens)
        with self._lock:
            self.rendered.append(rendered)
        return rendered

    def _input_usage(self, body: dict[str, Any], model: FakeModel) -> dict[str, int]:
        """Input tokens, with the ``cache_control``-marked system prompt written once, then read."""
        total = estimate_tokens(_request_text(body), newer_tokenizer=model.newer_tokenizer)
        system = body.get("system")
        cached = 0
        prefix = json.dumps(system, ensure_ascii=False)
        if isinstance(system, list) and any("cache_control" in b for b in system):
            cached = min(total, estimate_tokens(prefix, newer_tokenizer=model.newer_tokenizer))
        with self._lock:
            seen = prefix in self._cached_prefixes
            self._cached_prefixes.add(prefix)
        return {
            "input_tokens": total - cached,
            "cache_creation_input_tokens": 0 if seen else cached,
            "cache_read_input_tokens": cached if seen else 0,
        }


# --- response builders -----------------------------------------------------------------------------


def _error_body(kind: str, message: str, error_code: str | None = None) -> dict[str, Any]:
    """The error shape of https://platform.claude.com/docs/en/api/errors#error-shapes."""
    error: dict[str, Any] = {"type": kind, "message": message}
    if error_code:
        error["details"] = {"error_code": error_code}
    return {"type": "error", "error": error}


def answer(
    value: dict[str, Any] | str,
    *,
    thinking_tokens: int | None = None,
    tokens_per_second: float | None = None,
    time_to_first_token: float = 0.0,
    usage: dict[str, int] | None = None,
) -> FakeAnswer:
    """A structured-output answer: ``value`` as the JSON text (a str is sent as is)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return FakeAnswer(
        text,
        thinking_tokens=thinking_tokens,
        tokens_per_second=tokens_per_second,
        time_to_first_token=time_to_first_token,
        usage=usage,
    )


def refusal(text: str = "") -> FakeAnswer:
    """``stop_reason: "refusal"`` (https://platform.claude.com/docs/en/build-with-claude/handling-stop-reasons#refusal):
    the safety classifiers declined; the content may hold a partial answer."""
    return FakeAnswer(text, stop_reason="refusal", thinking_tokens=0)


def usage(
    input_tokens: int = 1_200,
    output_tokens: int = 2_600,
    cache_creation_input_tokens: int = 0,
    cache_read_input_tokens: int = 2_400,
) -> dict[str, int]:
    """Input-side usage for ``answer(usage=...)`` (``output_tokens`` is always the fake's own count)."""
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_creation_input_tokens": cache_creation_input_tokens,
        "cache_read_input_tokens": cache_read_input_tokens,
    }


def error_response(
    status: int,
    kind: str,
    message: str,
    *,
    error_code: str | None = None,
    headers: dict[str, str] | None = None,
) -> FakeResponse:
    return FakeResponse(status, _error_body(kind, message, error_code), headers=headers or {})


def overloaded(retry_after: str = "0") -> FakeResponse:
    """529 ``overloaded_error`` (errors page)."""
    return error_response(529, "overloaded_error", "Overloaded", headers={"retry-after": retry_after})


def rate_limited(retry_after: str = "0") -> FakeResponse:
    """429 ``rate_limit_error`` with ``retry-after`` (https://platform.claude.com/docs/en/api/rate-limits)."""
    return error_response(
        429,
        "rate_limit_error",
        "This request would exceed the rate limit for your organization of 40,000 input tokens per minute.",
        headers={"retry-after": retry_after},
    )


def spend_limited(
    message: str = "You have reached your specified API usage limits. You will regain access on 2030-01-01.",
    *,
    error_code: str = "enforced_spend_limit_reached",
) -> FakeResponse:
    """429 ``rate_limit_error`` for a spend cap, named by ``error.details.error_code`` and without
    ``retry-after`` (errors page, 429). The wording is the API's and may change; the code is stable."""
    return error_response(429, "rate_limit_error", message, error_code=error_code)


def bad_request(message: str = "messages: at least one message is required") -> FakeResponse:
    return error_response(400, "invalid_request_error", message)


def server_error(status: int = 500, retry_after: str | None = None) -> FakeResponse:
    """A 5xx ``api_error`` (optionally with ``retry-after``)."""
    return error_response(
        status,
        "api_error",
        "Internal server error",
        headers={"retry-after": retry_after} if retry_after else {},
    )
