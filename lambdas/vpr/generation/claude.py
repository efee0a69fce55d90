"""The ``claude`` generator: the report written by Claude through the anthropic SDK.

This is the only module that imports ``anthropic`` (about a second of cold start), and only the
Generate function imports this module (``vpr.generation.get_generator`` does it lazily).

How one report is produced — at most three calls, so three per-call timeouts fit the Lambda timeout:

1. One call with the cached system prompt, the report tool (``tool_choice`` auto: see
   ``prompt.tool_choice`` for why it is not forced) and the application as delimited data. The
   tool's input is validated by the pydantic ``ReportContent`` model.
2. If the output is not a valid report — schema errors, no tool call, or an answer cut off at
   ``max_tokens`` — one repair round-trip (the validation errors go back as the tool's error result; a
   truncated answer is re-asked from scratch with a request to stay within the budgets: a cut-off tool
   call cannot be continued). Still invalid → ``GenerationInvalidOutput``. A truncated report is never
   returned.
3. A valid report goes through the grounding check (``vpr.grounding``). If it names employers, titles,
   certifications or figures the inputs do not contain, one regeneration with those claims as feedback.
   The better of the two reports is kept and its ``verification`` records what the check found. The
   regeneration is best effort: if that call fails, the first valid report is kept.

Errors: SDK exceptions become the typed errors of ``vpr.errors`` in ``map_api_error`` (their class names
are the Step Functions error names that Retry/Catch match). The SDK's own retries stay small
(``VPR_CLAUDE_MAX_RETRIES``): the state machine does the long, jittered backoff. Messages and log lines
carry status codes, error types and request ids only — never the key, the prompt or CV text (the SDK's
DEBUG log contains whole request bodies, so its logger is held at INFO).
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import TYPE_CHECKING, Any

import anthropic
from pydantic import ValidationError

from vpr.errors import (
    ClaudeOverloaded,
    ClaudeRateLimited,
    ClaudeRequestRejected,
    ClaudeServerError,
    ClaudeTimeout,
    GenerationInvalidOutput,
    VprError,
)
from vpr.generation import prompt
from vpr.generation.base import GenerationResult, assemble_report
from vpr.grounding import verify_report
from vpr.models import Application, ReportContent, TokenUsage, Verification
from vpr.models.problems import field_problems
from vpr.models.report import GeneratorInfo
from vpr.pricing import usage_with_cost
from vpr.settings import Settings

if TYPE_CHECKING:  # sections mode (issue 9)
    from vpr.sections.prompt import SectionRequest
    from vpr.sections.writers import SectionDraft

GENERATOR_NAME = "claude"
#: Secrets Manager values are cached this long (Powertools Parameters), so a rotated key is picked up.
SECRET_MAX_AGE_SECONDS = 300
#: Below this much time left in the budget, no repair or regeneration call is started.
MIN_CALL_SECONDS = 20.0

logger = logging.getLogger(__name__)

#: ``error.details.error_code`` values (SDK 2.x) of a 429 that will not clear by waiting.
_SPEND_LIMIT_CODES = frozenset(
    {
        "contract_spend_limit_reached",
        "enforced_spend_limit_reached",
        "linked_organization_spend_limit_reached",
    }
)
#: Older/other wordings of the same: "You have reached your specified API usage limits", "spend limit".
_SPEND_LIMIT_MESSAGE = re.compile(
    r"\b(spend(ing)?|usage|billing|credit)\b[\w\s'-]{0,30}?\b(limits?|balance|cap)\b", re.IGNORECASE
)
_TRUNCATED = frozenset({"max_tokens", "model_context_window_exceeded"})


# --- errors ----------------------------------------------------------------------------------------


def _status_detail(error: anthropic.APIStatusError) -> str:
    request_id = getattr(error, "request_id", None)
    return f" (HTTP {error.status_code}" + (f", request {request_id})" if request_id else ")")


def _is_spend_limit(error: anthropic.APIStatusError) -> bool:
    code = getattr(error, "error_code", None)
    kind = getattr(error, "type", None)
    message = getattr(error, "api_message", None) or ""
    return code in _SPEND_LIMIT_CODES or kind == "billing_error" or bool(_SPEND_LIMIT_MESSAGE.search(message))


def map_api_error(error: anthropic.AnthropicError) -> VprError:
    """The typed workflow error for an SDK exception (the one place this mapping lives).

    429 → ClaudeRateLimited, except a spend/usage-limit 429 → ClaudeRequestRejected (permanent: waiting
    does not help); 529 or ``overloaded_error`` → ClaudeOverloaded; other 5xx → ClaudeServerError;
    timeouts and connection failures → ClaudeTimeout; 400/401/403/404/413 and any other 4xx →
    ClaudeRequestRejected. The message says what happened without the API's own text (which may quote
    the request).
    """
    if isinstance(error, anthropic.APIStatusError):
        status, detail = error.status_code, _status_detail(error)
        if status == 429:
            if _is_spend_limit(error):
                return ClaudeRequestRejected(
                    "The writing service's spend limit for this account has been reached; the report can be "
                    f"generated again once the limit is raised{detail}."
                )
            return ClaudeRateLimited(ClaudeRateLimited.default_message + detail)
        if status == 529 or getattr(error, "type", None) == "overloaded_error":
            return ClaudeOverloaded(ClaudeOverloaded.default_message + detail)
        if status >= 500:
            return ClaudeServerError(ClaudeServerError.default_message + detail)
        if status == 408:
            return ClaudeTimeout(ClaudeTimeout.default_message + detail)
        if status in (401, 403):
            return ClaudeRequestRejected(
                f"The writing service did not accept the service's credentials{detail}; an operator must "
                "check the API key."
            )
        return ClaudeRequestRejected(ClaudeRequestRejected.default_message + detail)
    if isinstance(error, anthropic.APIConnectionError):  # APITimeoutError is a subclass
        return ClaudeTimeout()
    if isinstance(error, anthropic.APIResponseValidationError):
        return ClaudeServerError("The writing service sent a response the client could not read.")
    return ClaudeRequestRejected("The writing service client is not configured correctly.")


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


# --- reading an answer -----------------------------------------------------------------------------


class _Answer:
    """One response, read: a valid report, or why it is not one and how to ask again."""

    def __init__(self, message: Any) -> None:
        self.message = message
        self.content: ReportContent | None = None
        self.problems: list[str] = []
        self.tool_calls = [b for b in message.content if getattr(b, "type", None) == "tool_use"]
        self.truncated = message.stop_reason in _TRUNCATED
        if self.truncated:
            self.problems = ["the answer was cut off at the output token limit"]
            return
        calls = [b for b in self.tool_calls if b.name == prompt.TOOL_NAME]
        if not calls:
            self.problems = [f"the answer did not call {prompt.TOOL_NAME}"]
            return
        raw = calls[0].input
        if isinstance(raw, str):  # defensive: the API sends an object, a proxy or fake may not
            try:
                raw = json.loads(raw)
            except json.JSONDecodeError as error:
                self.problems = [f"the tool input is not valid JSON ({error.msg} at position {error.pos})"]
                return
        try:
            self.content = ReportContent.model_validate(raw)
        except ValidationError as error:
            self.problems = [f"{f}: {m}" for f, m in field_problems(error.errors(), whole="(report)")]

    def assistant_turn(self) -> dict[str, Any]:
        """This answer as the assistant turn of a follow-up request, blocks passed back unchanged.

        Thinking blocks must go back as they came (models with adaptive thinking check them); a tool
        call whose input was not an object goes back with an empty one (the API accepts only objects).
        """
        blocks: list[dict[str, Any]] = []
        for block in self.message.content:
            kind = getattr(block, "type", None)
            if kind == "text":
                if block.text:
                    blocks.append({"type": "text", "text": block.text})
            elif kind == "tool_use":
                data = block.input if isinstance(block.input, dict) else {}
                blocks.append({"type": "tool_use", "id": block.id, "name": block.name, "input": data})
            elif kind == "thinking":
                blocks.append({"type": "thinking", "thinking": block.thinking, "signature": block.signature})
            elif kind == "redacted_thinking":
                blocks.append({"type": "redacted_thinking", "data": block.data})
            else:
                blocks.append(block.model_dump(mode="json", exclude_none=True))
        return {"role": "assistant", "content": blocks}

    def tool_error_turn(self, feedback: str) -> dict[str, Any]:
        """The user turn answering every tool call of this answer with an error result."""
        return {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": call.id, "is_error": True, "content": feedback}
                for call in self.tool_calls
            ],
        }


# --- the generator ---------------------------------------------------------------------------------


class ClaudeGenerator:
    """Writes the report with Claude. One instance per process: it keeps one SDK client (and its pool)."""

    name = GENERATOR_NAME

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: anthropic.Anthropic | None = None
        self._client_key: str | None = None

    def _get_client(self) -> anthropic.Anthropic:
        """Created on first use (not at import); rebuilt only when the key changes (secret rotation).

        ``base_url`` is not passed: the SDK reads ``ANTHROPIC_BASE_URL`` itself (tests point it at a fake).
        """
        key = resolve_api_key(self._settings)
        if self._client is None or key != self._client_key:
            _quiet_sdk_logs()
            self._client = anthropic.Anthropic(
                api_key=key,
                timeout=self._settings.claude_timeout_seconds,
                max_retries=self._settings.claude_max_retries,
            )
            self._client_key = key
        return self._client

    def _call(
        self, messages: list[dict[str, Any]], purpose: str, timeout: float
    ) -> tuple[_Answer, TokenUsage]:
        client = self._get_client()
        model = self._settings.model
        started = time.monotonic()
        try:
            message = client.messages.create(
                model=model,
                max_tokens=self._settings.claude_max_tokens,
                system=prompt.system_blocks(),
                tools=[prompt.report_tool()],
                tool_choice=prompt.tool_choice(),
                messages=messages,
                timeout=timeout,
            )
        except anthropic.AnthropicError as error:
            mapped = map_api_error(error)
            logger.warning(
                "Claude call failed",
                extra={
                    "purpose": purpose,
                    "error": mapped.code,
                    "status_code": getattr(error, "status_code", None),
                    "api_error_type": getattr(error, "type", None),
                    "api_error_code": getattr(error, "error_code", None),
                    "request_id": getattr(error, "request_id", None),
                    "duration_s": round(time.monotonic() - started, 3),
                },
            )
            raise mapped from None  # the SDK error's text may quote the request: not part of the chain
        usage = message.usage
        call_usage = usage_with_cost(
            model,
            input_tokens=usage.input_tokens or 0,
            output_tokens=usage.output_tokens or 0,
            cache_creation_input_tokens=usage.cache_creation_input_tokens or 0,
            cache_read_input_tokens=usage.cache_read_input_tokens or 0,
        )
        answer = _Answer(message)
        logger.info(
            "Claude call finished",
            extra={
                "purpose": purpose,
                "stop_reason": message.stop_reason,
                "valid": answer.content is not None,
                "problems": len(answer.problems),
                "input_tokens": call_usage.input_tokens,
                "output_tokens": call_usage.output_tokens,
                "cache_read_input_tokens": call_usage.cache_read_input_tokens,
                "cache_creation_input_tokens": call_usage.cache_creation_input_tokens,
                "cost_usd": call_usage.cost_usd,
                "request_id": getattr(message, "_request_id", None),
                "duration_s": round(time.monotonic() - started, 3),
            },
        )
        return answer, call_usage

    def generate(
        self, application: Application, *, time_budget_seconds: float | None = None
    ) -> GenerationResult:
        """Write, validate (one repair), ground-check (one regeneration) and assemble the report.

        ``time_budget_seconds`` (optional; e.g. the Lambda's remaining time minus a margin) caps every
        call's timeout and skips a repair or regeneration that could not finish in time.
        """
        deadline = None if time_budget_seconds is None else time.monotonic() + time_budget_seconds

        def timeout_for(purpose: str) -> float:
            configured = self._settings.claude_timeout_seconds
            if deadline is None:
                return configured
            left = deadline - time.monotonic()
            if left < MIN_CALL_SECONDS and purpose != "write":
                raise ClaudeTimeout("The writing service could not finish the report in the time available.")
            return max(1.0, min(configured, left))

        usage = TokenUsage(model=self._settings.model)
        conversation = [prompt.user_message(application)]
        answer, call_usage = self._call(conversation, "write", timeout_for("write"))
        usage += call_usage

        if answer.content is None:  # one repair round-trip
            conversation = self._repair(application, conversation, answer)
            answer, call_usage = self._call(conversation, "repair", timeout_for("repair"))
            usage += call_usage
            if answer.content is None:
                raise GenerationInvalidOutput()

        content: ReportContent = answer.content
        verification = verify_report(content, application)
        if not verification.grounded:  # one regeneration with the unsupported claims as feedback
            try:
                content, verification, call_usage = self._regenerate(
                    application, conversation, answer, verification, timeout_for("regenerate")
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

    @staticmethod
    def _repair(
        application: Application, conversation: list[dict[str, Any]], answer: _Answer
    ) -> list[dict[str, Any]]:
        """The follow-up request for an invalid answer."""
        if answer.truncated:  # a cut-off tool call cannot be continued: ask again, more concisely
            return [prompt.user_message(application, extra=prompt.truncated_retry_note())]
        if not answer.tool_calls:
            return [prompt.user_message(application, extra=prompt.no_tool_call_note())]
        return [
            *conversation,
            answer.assistant_turn(),
            answer.tool_error_turn(prompt.repair_feedback(answer.problems)),
        ]

    def _regenerate(
        self,
        application: Application,
        conversation: list[dict[str, Any]],
        answer: _Answer,
        verification: Verification,
        timeout: float,
    ) -> tuple[ReportContent, Verification, TokenUsage]:
        """Ask once more without the unsupported claims; keep whichever report has fewer of them."""
        assert answer.content is not None
        follow_up = [
            *conversation,
            answer.assistant_turn(),
            answer.tool_error_turn(prompt.grounding_feedback(list(verification.unsupported_claims))),
        ]
        second, call_usage = self._call(follow_up, "regenerate", timeout)
        if second.content is None:
            return answer.content, verification, call_usage
        second_verification = verify_report(second.content, application)
        if len(second_verification.unsupported_claims) <= len(verification.unsupported_claims):
            return second.content, second_verification, call_usage
        return answer.content, verification, call_usage

    # --- sections mode (issue 9): one section per call --------------------------------------------
    # Self-contained on purpose (the request comes from ``vpr.sections.prompt``): it reuses the client,
    # ``map_api_error``, ``usage_with_cost`` and ``_Answer``'s turn builders, and nothing else here.

    def write_section(self, request: SectionRequest, *, timeout: float | None = None) -> SectionDraft:
        """Write one section through its tool; one repair round-trip, then ``GenerationInvalidOutput``.

        Errors map to the same typed errors as ``generate`` (the Map item's Retry matches on them).
        """
        from vpr.sections.writers import SectionDraft  # sections mode only

        client = self._get_client()
        model = self._settings.model
        usage = TokenUsage(model=model)
        messages = list(request.messages)
        for purpose in ("section", "section-repair"):
            started = time.monotonic()
            try:
                message = client.messages.create(
                    model=model,
                    max_tokens=self._settings.claude_max_tokens,
                    system=request.system,
                    tools=request.tools,
                    tool_choice=prompt.tool_choice(),
                    messages=messages,
                    timeout=timeout or self._settings.claude_timeout_seconds,
                )
            except anthropic.AnthropicError as error:
                mapped = map_api_error(error)
                logger.warning(
                    "Claude call failed",
                    extra={"purpose": purpose, "section": request.job.id, "error": mapped.code},
                )
                raise mapped from None
            u = message.usage
            usage += usage_with_cost(
                model,
                input_tokens=u.input_tokens or 0,
                output_tokens=u.output_tokens or 0,
                cache_creation_input_tokens=u.cache_creation_input_tokens or 0,
                cache_read_input_tokens=u.cache_read_input_tokens or 0,
            )
            content, problems = request.read(message)
            logger.info(
                "Claude call finished",
                extra={
                    "purpose": purpose,
                    "section": request.job.id,
                    "stop_reason": message.stop_reason,
                    "valid": content is not None,
                    "output_tokens": u.output_tokens,
                    "duration_s": round(time.monotonic() - started, 3),
                },
            )
            if content is not None:
                return SectionDraft(content, usage, getattr(message, "model", None) or model)
            answer = _Answer(message)
            if message.stop_reason in _TRUNCATED or not answer.tool_calls:  # ask again from scratch
                messages = [*request.messages]
            else:
                messages = [
                    *messages,
                    answer.assistant_turn(),
                    answer.tool_error_turn(request.repair_feedback(problems)),
                ]
        raise GenerationInvalidOutput(
            f"The report's {request.job.id} section was not valid, even after a repair."
        )
