"""One structured Claude call, and one repair: the request, the stream, the deadline, the retries.

What one call sends (``ClaudeClient.structured_call``, the one place a request is built) and how it
ends are described in ``vpr.generation.claude``. This module also reads the API key (``ANTHROPIC_API_KEY``
locally, Secrets Manager on AWS) and keeps the SDK's DEBUG log (which holds whole request bodies) quiet.
"""

from __future__ import annotations

import contextvars
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import anthropic
from pydantic import BaseModel, ValidationError

from vpr.errors import ClaudeRefused, ClaudeRequestRejected, ClaudeTimeout, GenerationInvalidOutput, VprError
from vpr.generation import prompt
from vpr.generation.claude.errors import map_api_error, retry_wait
from vpr.generation.claude_models import ModelProfile, profile_for
from vpr.generation.guard import before_model_call
from vpr.models import TokenUsage
from vpr.models.problems import field_problems
from vpr.pricing import UnknownModelError, usage_with_cost
from vpr.settings import Settings

#: Secrets Manager values are cached this long (Powertools Parameters), so a rotated key is picked up.
SECRET_MAX_AGE_SECONDS = 300
#: Below this much time left in the budget, no repair or regeneration call is started.
MIN_CALL_SECONDS = 20.0
#: A retry is made only if at least this much time is left after its wait.
MIN_ATTEMPT_SECONDS = 5.0
#: Longest wait for the next byte of a stream. The API sends ``ping`` events while the model thinks
#: (https://platform.claude.com/docs/en/build-with-claude/streaming#event-types), so a silent minute is
#: a dead connection, not a slow model.
STALL_SECONDS = 60.0
CONNECT_SECONDS = 5.0

MAX_TOKENS_RATIONALE = """
Why ``max_tokens`` is 32,000 (``VPR_CLAUDE_MAX_TOKENS``), from the fake API's token accounting
(``tests/fakes/anthropic_server.estimate_tokens``: calibrated to the legacy tokenizer's measured 3,050
tokens for a 1,750-word English report and ~9,000 for Hebrew, plus the ~30 % more of the tokenizer of
Claude 4.7 and later). The longest report we promise, 2,000 words in Hebrew (2,056 in the test, every
section at its upper budget), is 13,979 output tokens as JSON
(``tests/unit/test_claude_generator.py::test_hebrew_2000_word_report_fits_the_budgets``). Adaptive
thinking at ``medium`` effort comes on top and counts toward ``max_tokens``; the test gives it 12,000
tokens (four times the fake's medium-effort default) and the report still ends with ``end_turn``:
25,979 of 32,000, a 19 % margin. The previous 16,000 cuts that report off (the next test shows it). A
cut-off answer is re-asked once, then fails as ``GenerationInvalidOutput``; it is never stored.
"""

logger = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)

_TRUNCATED = frozenset({"max_tokens", "model_context_window_exceeded"})


# --- the API key -----------------------------------------------------------------------------------


def _key_from_secret(value: str) -> str:
    """A secret holds the bare key, or a JSON object with it under a conventional name."""
    value = value.strip()
    if value.startswith("{"):
        try:
            data = json.loads(value)
        except json.JSONDecodeError:
            return ""
        for name in ("ANTHROPIC_API_KEY", "anthropic_api_key", "api_key", "apiKey", "key"):
            if isinstance(data.get(name), str):
                return data[name].strip()
        return ""
    return value


def resolve_api_key(settings: Settings) -> str:
    """``ANTHROPIC_API_KEY`` locally; on AWS the Secrets Manager secret named by its ARN, cached 300 s.

    The key is never put in the environment or logged. Missing → ClaudeRequestRejected (permanent).
    """
    if settings.anthropic_api_key:
        return settings.anthropic_api_key
    if settings.anthropic_secret_arn:
        from aws_lambda_powertools.utilities.parameters import get_secret  # boto3: only when needed
        from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

        try:
            secret = get_secret(settings.anthropic_secret_arn, max_age=SECRET_MAX_AGE_SECONDS)
        except GetParameterError:
            raise ClaudeRequestRejected(
                "The writing service is not configured: the API key could not be read."
            ) from None
        key = _key_from_secret(secret if isinstance(secret, str) else secret.decode())
        if key:
            return key
    raise ClaudeRequestRejected("The writing service is not configured: no API key is available.")


def _quiet_sdk_logs() -> None:
    """The SDK logs whole request bodies (prompt, CV) at DEBUG: never let that through."""
    for name in ("anthropic", "httpx2", "httpx", "httpcore"):
        sdk_logger = logging.getLogger(name)
        if sdk_logger.level == logging.NOTSET or sdk_logger.level < logging.INFO:
            sdk_logger.setLevel(logging.INFO)


def output_schema(schema: type[BaseModel] | dict[str, Any]) -> dict[str, Any]:
    """``output_config.format`` for ``schema``: the SDK makes it strict-mode compatible."""
    return {"type": "json_schema", "schema": anthropic.transform_schema(schema)}


# --- one answer ------------------------------------------------------------------------------------


@dataclass
class StructuredAnswer(Generic[T]):
    """One response, read: the validated value, or why it is not one (and how to ask again)."""

    message: Any
    usage: TokenUsage
    value: T | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        return self.message.stop_reason in _TRUNCATED

    @property
    def text(self) -> str:
        return "".join(b.text for b in self.message.content if getattr(b, "type", None) == "text")

    def assistant_turn(self) -> dict[str, Any]:
        """This answer as the assistant turn of a follow-up request, blocks passed back unchanged.

        Thinking blocks go back exactly as they came: the API checks they belong to this model and this
        conversation (https://platform.claude.com/docs/en/models/sonnet-5-5/whats-new-sonnet-5-5).
        """
        blocks: list[dict[str, Any]] = []
        for block in self.message.content:
            kind = getattr(block, "type", None)
            if kind == "text":
                if block.text:
                    blocks.append({"type": "text", "text": block.text})
            elif kind == "thinking":
                blocks.append({"type": "thinking", "thinking": block.thinking, "signature": block.signature})
            elif kind == "redacted_thinking":
                blocks.append({"type": "redacted_thinking", "data": block.data})
        return {"role": "assistant", "content": blocks or [{"type": "text", "text": "{}"}]}


def _read(message: Any, schema: type[T], usage: TokenUsage) -> StructuredAnswer[T]:
    answer: StructuredAnswer[T] = StructuredAnswer(message=message, usage=usage)
    if answer.truncated:
        answer.problems = ["the answer was cut off at the output token limit"]
        return answer
    try:
        raw = json.loads(answer.text)
    except json.JSONDecodeError as error:
        answer.problems = [f"the answer is not valid JSON ({error.msg} at position {error.pos})"]
        return answer
    try:
        answer.value = schema.model_validate(raw)
    except ValidationError as error:
        answer.problems = [f"{f}: {m}" for f, m in field_problems(error.errors(), whole="(answer)")]
    return answer


# --- the client ------------------------------------------------------------------------------------


class ClaudeClient:
    """Structured Claude calls within a deadline. One instance per process: one SDK client (and its pool).

    ``structured_call`` (one call) and ``structured_with_repair`` (a call and at most one repair) are the
    building blocks for any structured Claude output: the whole report (``ClaudeGenerator``) or one of
    its sections (``vpr.sections.writers.ClaudeSectionWriter``).
    """

    def __init__(self, settings: Settings) -> None:
        try:
            self._profile: ModelProfile = profile_for(settings.model)
        except UnknownModelError:
            logger.error("Unknown Claude model configured", extra={"model": settings.model})
            raise ClaudeRequestRejected(
                f"The writing service is not configured: model {settings.model!r} is not one this service "
                "knows (VPR_MODEL)."
            ) from None
        self._settings = settings
        self._client: anthropic.Anthropic | None = None
        self._client_key: str | None = None

    def _get_client(self) -> anthropic.Anthropic:
        """Created on first use (not at import); rebuilt only when the key changes (secret rotation).

        ``base_url`` is not passed: the SDK reads ``ANTHROPIC_BASE_URL`` itself (tests point it at a fake).
        ``max_retries=0``: ``_run`` retries within the call's deadline instead.
        """
        key = resolve_api_key(self._settings)
        if self._client is None or key != self._client_key:
            _quiet_sdk_logs()
            self._client = anthropic.Anthropic(api_key=key, max_retries=0)
            self._client_key = key
        return self._client

    # --- one call ----------------------------------------------------------------------------------

    def call_deadline(self, budget_deadline: float | None) -> float:
        """The deadline of a call started now: ``VPR_CLAUDE_TIMEOUT_SECONDS`` or the budget, if earlier."""
        own = time.monotonic() + self._settings.claude_timeout_seconds
        return own if budget_deadline is None else min(own, budget_deadline)

    def request_params(
        self,
        schema: type[BaseModel],
        messages: list[dict[str, Any]],
        *,
        system: list[dict[str, Any]] | None = None,
        max_tokens: int | None = None,
    ) -> dict[str, Any]:
        """The body of one structured call (without ``stream``, which the SDK's helper sets)."""
        limit = min(max_tokens or self._settings.claude_max_tokens, self._profile.max_output)
        output_config: dict[str, Any] = {"format": output_schema(prompt.described_schema(schema))}
        params: dict[str, Any] = {
            "model": self._settings.model,
            "max_tokens": limit,
            "system": system if system is not None else prompt.system_blocks(),
            "messages": messages,
        }
        if self._profile.adaptive:
            params["thinking"] = {"type": "adaptive"}
            output_config["effort"] = self._settings.claude_effort
        params["output_config"] = output_config
        return params

    def structured_call(
        self,
        schema: type[T],
        messages: list[dict[str, Any]],
        *,
        purpose: str,
        deadline: float,
        system: list[dict[str, Any]] | None = None,
        max_tokens: int | None = None,
    ) -> StructuredAnswer[T]:
        """ONE structured Claude call: ``schema``'s JSON schema as ``output_config.format``, ``messages``
        as the conversation, streamed, retried only within ``deadline`` (a ``time.monotonic()`` value).

        Returns the answer read against ``schema`` (``value`` or ``problems``; ``truncated`` if cut off at
        ``max_tokens``). Raises ``ClaudeRefused`` on a refusal, ``ClaudeTimeout`` if the deadline passes,
        and the other typed errors of ``map_api_error`` for API errors.
        """
        params = self.request_params(schema, messages, system=system, max_tokens=max_tokens)
        started = time.monotonic()
        try:
            message = self._run(params, deadline)
        except VprError as mapped:
            logger.warning(
                "Claude call failed",
                extra={
                    "purpose": purpose,
                    "error": mapped.code,
                    "duration_s": round(time.monotonic() - started, 3),
                },
            )
            raise
        usage = message.usage
        call_usage = usage_with_cost(
            self._settings.model,
            input_tokens=usage.input_tokens or 0,
            output_tokens=usage.output_tokens or 0,
            cache_creation_input_tokens=usage.cache_creation_input_tokens or 0,
            cache_read_input_tokens=usage.cache_read_input_tokens or 0,
        )
        logger.info(
            "Claude call finished",
            extra={
                "purpose": purpose,
                "stop_reason": message.stop_reason,
                "input_tokens": call_usage.input_tokens,
                "output_tokens": call_usage.output_tokens,
                "cache_read_input_tokens": call_usage.cache_read_input_tokens,
                "cache_creation_input_tokens": call_usage.cache_creation_input_tokens,
                "cost_usd": call_usage.cost_usd,
                "request_id": getattr(message, "_request_id", None),
                "duration_s": round(time.monotonic() - started, 3),
            },
        )
        if message.stop_reason == "refusal":
            raise ClaudeRefused()
        return _read(message, schema, call_usage)

    def _run(self, params: dict[str, Any], deadline: float) -> Any:
        """Stream ``params`` to completion, retrying within ``deadline``; typed errors only."""
        client = self._get_client()
        attempt = 0
        while True:
            before_model_call()  # a cancelled job starts no new call, first attempt or retry
            try:
                return self._stream_once(client, params, deadline)
            except Exception as error:  # every failure leaves as a typed workflow error
                if isinstance(error, _StreamDeadlineError):
                    raise ClaudeTimeout(
                        "The writing service could not finish the report in the time available."
                    ) from None
                if isinstance(error, VprError):
                    raise
                wait = retry_wait(error, attempt) if attempt < self._settings.claude_max_retries else None
                if wait is None or time.monotonic() + wait + MIN_ATTEMPT_SECONDS > deadline:
                    logger.warning(
                        "Claude attempt failed",
                        extra={
                            "status_code": getattr(error, "status_code", None),
                            "api_error_type": getattr(error, "type", None),
                            "api_error_code": getattr(error, "error_code", None),
                            "request_id": getattr(error, "request_id", None),
                            "retries": attempt,
                        },
                    )
                    raise map_api_error(error) from None  # the SDK error's text may quote the request
                time.sleep(wait)
                attempt += 1

    @staticmethod
    def _stream_once(client: anthropic.Anthropic, params: dict[str, Any], deadline: float) -> Any:
        """One streamed attempt, abandoned at ``deadline`` even if the connection hangs.

        The stream is read on a worker thread so the caller can stop waiting at the deadline whatever
        the socket does; the worker notices at its next event (or the stall timeout) and closes it.
        """
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _StreamDeadlineError()
        timeout = anthropic.Timeout(remaining, connect=min(CONNECT_SECONDS, remaining), read=STALL_SECONDS)
        outcome: dict[str, Any] = {}
        abandon = threading.Event()

        def work() -> None:
            try:
                with client.messages.stream(**params, timeout=timeout) as stream:
                    for _event in stream:
                        if abandon.is_set() or time.monotonic() > deadline:
                            raise _StreamDeadlineError()
                    outcome["message"] = stream.get_final_message()
            except BaseException as error:  # handed to the caller's thread
                outcome["error"] = error

        # The worker runs in a copy of this context: the invocation's log keys (context variables) and,
        # locally, the function it runs for go with it.
        worker = threading.Thread(
            target=contextvars.copy_context().run, args=(work,), name="claude-call", daemon=True
        )
        worker.start()
        worker.join(max(0.0, deadline - time.monotonic()))
        if worker.is_alive():
            abandon.set()
            raise _StreamDeadlineError()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["message"]

    # --- one call and one repair --------------------------------------------------------------------

    def structured_with_repair(
        self,
        schema: type[T],
        messages: list[dict[str, Any]],
        *,
        purpose: str,
        budget_deadline: float | None,
        fresh_request: list[dict[str, Any]],
        system: list[dict[str, Any]] | None = None,
    ) -> tuple[StructuredAnswer[T], list[dict[str, Any]], TokenUsage]:
        """``structured_call``, and one repair round-trip if the answer is invalid.

        A cut-off answer cannot be continued: ``fresh_request`` (the conversation asking again, more
        concisely) is sent instead. Still invalid → ``GenerationInvalidOutput``. Returns the valid answer,
        the conversation that produced it, and the usage of both calls.
        """
        answer = self.structured_call(
            schema, messages, purpose=purpose, deadline=self.call_deadline(budget_deadline), system=system
        )
        usage = answer.usage
        if answer.value is not None:
            return answer, messages, usage
        if answer.truncated:
            conversation = fresh_request
        else:
            conversation = [
                *messages,
                answer.assistant_turn(),
                {"role": "user", "content": prompt.repair_feedback(answer.problems)},
            ]
        self._require_time(budget_deadline)
        second = self.structured_call(
            schema,
            conversation,
            purpose=f"{purpose}-repair",
            deadline=self.call_deadline(budget_deadline),
            system=system,
        )
        usage += second.usage
        if second.value is None:
            raise GenerationInvalidOutput()
        return second, conversation, usage

    @staticmethod
    def _require_time(budget_deadline: float | None) -> None:
        if budget_deadline is not None and budget_deadline - time.monotonic() < MIN_CALL_SECONDS:
            raise ClaudeTimeout("The writing service could not finish the report in the time available.")

    # --- the report ---------------------------------------------------------------------------------


class _StreamDeadlineError(Exception):
    """The call's deadline passed while its stream was still running."""
