"""The ``claude`` generator: the report written by Claude through the anthropic SDK.

Its parts: ``client`` (one structured call within a deadline, one repair; the API key), ``errors`` (SDK
errors as typed workflow errors, and which to retry), ``report`` (the single-mode report).

This is the only module that imports ``anthropic`` (about a second of cold start), and only the
Generate function imports this module (``vpr.generation.get_generator`` does it lazily).

What one call sends (``ClaudeClient.structured_call``, the one place a request is built):

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

from vpr.generation.claude.client import (
    MAX_TOKENS_RATIONALE,
    ClaudeClient,
    StructuredAnswer,
    output_schema,
    resolve_api_key,
)
from vpr.generation.claude.errors import map_api_error
from vpr.generation.claude.report import GENERATOR_NAME, ClaudeGenerator

__all__ = [
    "GENERATOR_NAME",
    "MAX_TOKENS_RATIONALE",
    "ClaudeClient",
    "ClaudeGenerator",
    "StructuredAnswer",
    "map_api_error",
    "output_schema",
    "resolve_api_key",
]
