"""The ``claude`` generator: the report written by Claude through the anthropic SDK.

This is the only module that imports ``anthropic`` (about a second of cold start), and only the
Generate function imports this module (``vpr.generation.get_generator`` does it lazily).

What one call sends (``ClaudeGenerator.structured_call``, the one place a request is built):

* **Structured output through the API**: ``output_config.format`` with the JSON schema of a pydantic
  model, made strict-mode compatible by the SDK's own ``anthropic.transform_schema`` (constraints strict
  mode cannot enforce — list lengths, string lengths — move into the schema's descriptions). The answer
  is JSON text that the API guarantees parses against that schema; pydantic then checks what the schema
  could not express (5–7 talking points, non-empty sections). No tool, so no ``tool_choice`` to force
  (Claude Sonnet 5.5 rejects a forced one).
* **Thinking and effort**: models with adaptive thinking get ``thinking: {"type": "adaptive"}`` and
  ``output_config.effort`` (``VPR_CLAUDE_EFFORT``, default ``medium``); the 4.5 models, which only have
  manual extended thinking, get neither (no thinking). Thinking tokens count toward ``max_tokens``.
* **Budgets**: ``max_tokens`` = ``VPR_CLAUDE_MAX_TOKENS`` (32,000) capped at the model's limit; see
  ``MAX_TOKENS_RATIONALE``.
* **Streaming**: every call streams (``messages.stream``), so no connection sits idle for minutes, the
  stall timeout can stay short, and the deadline is checked at every event.
* **Time**: every call has a deadline — the earlier of ``VPR_CLAUDE_TIMEOUT_SECONDS`` from now and the
  budget the Generate handler passes (the function's remaining time minus a margin). Retries of the call
  (``VPR_CLAUDE_MAX_RETRIES``: 408/409/429/5xx/connection errors, honouring ``retry-after``) run here
  rather than in the SDK (whose loop would sleep any ``retry-after`` and restart the full timeout), and
  only when they can finish before the deadline. A call still running at its deadline is abandoned and
  ``ClaudeTimeout`` raised (the state machine retries it): the function never dies of a Lambda timeout.

How one report is produced: one write; if the answer is not a valid report (schema problems, or cut off
at ``max_tokens``) one repair round-trip, then ``GenerationInvalidOutput`` — a truncated report is never
returned. A refusal (``stop_reason: "refusal"``) is ``ClaudeRefused`` at once: asking again would not
help. A valid report goes through the grounding check (``vpr.grounding``); if it names employers, titles,
certifications or figures absent from the inputs, one best-effort regeneration with that feedback.

Errors are mapped from SDK exception classes and the API's error ``type`` (``map_api_error``), never from
message wording. Messages and log lines carry status codes, error types and request ids only — never the
key, the prompt or CV text (the SDK's DEBUG log contains whole request bodies, so its logger is held at
INFO).
"""

from __future__ import annotations

import contextvars
import json
import logging
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import anthropic
from pydantic import BaseModel, ValidationError

from vpr.errors import (
    ClaudeOverloaded,
    ClaudeRateLimited,
    ClaudeRefused,
    ClaudeRequestRejected,
    ClaudeServerError,
    ClaudeTimeout,
    GenerationInvalidOutput,
    VprError,
)
from vpr.generation import prompt
from vpr.generation.base import GenerationResult, assemble_report
from vpr.generation.claude_models import ModelProfile, profile_for
from vpr.generation.guard import before_model_call
from vpr.grounding import verify_report
from vpr.models import Application, ReportContent, TokenUsage, Verification
from vpr.models.problems import field_problems
from vpr.models.report import GeneratorInfo
from vpr.pricing import UnknownModelError, usage_with_cost
from vpr.settings import Settings

GENERATOR_NAME = "claude"
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
#: Retried statuses, as the SDK's own policy (``_base_client._should_retry``) retries them.
_RETRY_STATUSES = frozenset({408, 409, 429})


# --- errors ----------------------------------------------------------------------------------------


def _status_detail(error: anthropic.APIStatusError) -> str:
    request_id = getattr(error, "request_id", None)
    return f" (HTTP {error.status_code}" + (f", request {request_id})" if request_id else ")")


#: 429s that waiting does not clear: the SDK's classes for ``error.details.error_code`` values of
#: ``rate_limit_error`` (https://platform.claude.com/docs/en/api/errors#http-errors: "429 — ... reached
#: the monthly spend cap of its usage tier"; those carry no ``retry-after``).
_SPEND_LIMIT_ERRORS: tuple[type[anthropic.APIStatusError], ...] = (
    anthropic.EnforcedSpendLimitReachedError,
    anthropic.ContractSpendLimitReachedError,
)


def map_api_error(error: BaseException) -> VprError:
    """The typed workflow error for an SDK exception (the one place this mapping lives).

    By class and the API's error ``type``, never by message wording (the SDK: "Its wording can change,
    so don't match on it"). 429 → ClaudeRateLimited, except the spend-limit classes → ClaudeRequestRejected
    (permanent: waiting does not help); 402 / ``billing_error`` → ClaudeRequestRejected; 529 or
    ``overloaded_error`` → ClaudeOverloaded; other 5xx → ClaudeServerError; 408, timeouts and connection
    failures → ClaudeTimeout; 401/403 → ClaudeRequestRejected naming the credentials; any other 4xx →
    ClaudeRequestRejected. The message never carries the API's own text (which may quote the request).
    """
    if isinstance(error, anthropic.APIStatusError):
        detail = _status_detail(error)
        kind = getattr(error, "type", None)
        if isinstance(error, _SPEND_LIMIT_ERRORS):
            return ClaudeRequestRejected(
                "The writing service's spend limit for this account has been reached; the report can be "
                f"generated again once the limit is raised{detail}."
            )
        if isinstance(error, anthropic.PaymentRequiredError) or kind == "billing_error":
            return ClaudeRequestRejected(
                f"The writing service refused the request for a billing reason{detail}; an operator must "
                "check the account."
            )
        if isinstance(error, anthropic.RateLimitError) or kind == "rate_limit_error":
            return ClaudeRateLimited(ClaudeRateLimited.default_message + detail)
        if isinstance(error, anthropic.OverloadedError) or kind == "overloaded_error":
            return ClaudeOverloaded(ClaudeOverloaded.default_message + detail)
        if isinstance(error, anthropic.RequestTimeoutError) or kind == "timeout_error":
            return ClaudeTimeout(ClaudeTimeout.default_message + detail)
        if isinstance(error, anthropic.InternalServerError) or error.status_code >= 500:
            return ClaudeServerError(ClaudeServerError.default_message + detail)
        if isinstance(error, anthropic.AuthenticationError | anthropic.PermissionDeniedError):
            return ClaudeRequestRejected(
                f"The writing service did not accept the service's credentials{detail}; an operator must "
                "check the API key."
            )
        return ClaudeRequestRejected(ClaudeRequestRejected.default_message + detail)
    if _is_transport_error(error):
        return ClaudeTimeout()
    if isinstance(error, anthropic.APIResponseValidationError):
        return ClaudeServerError("The writing service sent a response the client could not read.")
    return ClaudeRequestRejected("The writing service client is not configured correctly.")


def _is_transport_error(error: BaseException) -> bool:
    """A connection that failed or went silent: the SDK's connection errors before a response, or the
    HTTP client's own errors while a stream is read (the SDK does not wrap those)."""
    if isinstance(error, anthropic.APIConnectionError):  # APITimeoutError is a subclass
        return True
    return type(error).__module__.split(".")[0] in ("httpx", "httpx2", "httpcore") or isinstance(
        error, OSError
    )


def _retry_wait(error: BaseException, attempt: int) -> float | None:
    """Seconds to wait before retrying ``error``, or None if it is not retried (the SDK's policy)."""
    response = getattr(error, "response", None)
    if isinstance(error, anthropic.APIStatusError):
        if not map_api_error(error).retryable:
            return None  # e.g. a spend-limit 429: no wait clears it
        should = error.response.headers.get("x-should-retry")
        if should == "false" or (
            should != "true" and error.status_code not in _RETRY_STATUSES and error.status_code < 500
        ):
            return None
    elif not _is_transport_error(error):
        return None
    headers = response.headers if response is not None else {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            value = float(headers.get(name)) * scale
        except (TypeError, ValueError):
            continue
        if value >= 0:
            return value
    return min(0.5 * 2**attempt, 8.0) * (1 - 0.25 * random.random())  # the SDK's backoff  # noqa: S311


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


# --- the generator ---------------------------------------------------------------------------------


class ClaudeGenerator:
    """Writes the report with Claude. One instance per process: it keeps one SDK client (and its pool).

    ``structured_call`` (one call) and ``structured_with_repair`` (a call and at most one repair) are the
    building blocks for any structured Claude output, e.g. one section of a report.
    """

    name = GENERATOR_NAME

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
                wait = _retry_wait(error, attempt) if attempt < self._settings.claude_max_retries else None
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

    def generate(
        self, application: Application, *, time_budget_seconds: float | None = None
    ) -> GenerationResult:
        """Write, validate (one repair), ground-check (one regeneration) and assemble the report.

        ``time_budget_seconds`` (the Lambda's remaining time minus a margin) bounds every call, retries
        included; past it the step raises ``ClaudeTimeout``.
        """
        budget = None if time_budget_seconds is None else time.monotonic() + time_budget_seconds
        first = [prompt.user_message(application)]
        fresh = [prompt.user_message(application, extra=prompt.truncated_retry_note())]
        answer, conversation, usage = self.structured_with_repair(
            ReportContent, first, purpose="write", budget_deadline=budget, fresh_request=fresh
        )
        content: ReportContent = answer.value  # type: ignore[assignment]
        verification = verify_report(content, application)
        if not verification.grounded:  # one regeneration with the unsupported claims as feedback
            try:
                self._require_time(budget)
                content, verification, call_usage = self._regenerate(
                    application, conversation, answer, verification, budget
                )
                usage += call_usage
            except VprError as error:  # best effort: the first valid report stands, with its verification
                logger.warning(
                    "Regeneration skipped or failed; keeping the first report", extra={"error": error.code}
                )

        model = getattr(answer.message, "model", None) or self._settings.model
        report = assemble_report(
            content, application, GeneratorInfo(name=GENERATOR_NAME, model=model), verification
        )
        return GenerationResult(report=report, token_usage=usage)

    def _regenerate(
        self,
        application: Application,
        conversation: list[dict[str, Any]],
        answer: StructuredAnswer[ReportContent],
        verification: Verification,
        budget: float | None,
    ) -> tuple[ReportContent, Verification, TokenUsage]:
        """Ask once more without the unsupported claims; keep whichever report has fewer of them."""
        assert answer.value is not None
        follow_up = [
            *conversation,
            answer.assistant_turn(),
            {"role": "user", "content": prompt.grounding_feedback(list(verification.unsupported_claims))},
        ]
        second = self.structured_call(
            ReportContent, follow_up, purpose="regenerate", deadline=self.call_deadline(budget)
        )
        if second.value is None:
            return answer.value, verification, second.usage
        second_verification = verify_report(second.value, application)
        if len(second_verification.unsupported_claims) <= len(verification.unsupported_claims):
            return second.value, second_verification, second.usage
        return answer.value, verification, second.usage


class _StreamDeadlineError(Exception):
    """The call's deadline passed while its stream was still running."""
