"""Powertools logging, tracing and metrics shared by all handlers (service name and namespace from env).

Per-invocation log keys (function, request id, correlation id, job id) are kept in Powertools'
thread-safe (context-variable) keys and cleared at the start and end of every invocation:

- Keys added with ``append_keys`` live on the shared formatter and survive into the next warm
  invocation, so a line could name an earlier request's job.
- Locally every function runs in one process, on many threads, with this one logger: global keys
  would make one function's lines carry another function's name.

``tracer`` and ``metrics`` are created on first use (PEP 562 module ``__getattr__``): the Tracer
imports the X-Ray SDK (~0.3 s of cold start), which the API functions do not load. They still run
with Lambda active tracing (the invocation segment); only the workflow tasks add SDK subsegments.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

if TYPE_CHECKING:
    from vpr.models.usage import TokenUsage

logger = Logger()

_cold_start = True

Handler = Callable[[dict[str, Any], Any], Any]


@functools.cache
def _make(name: str) -> Any:
    if name == "tracer":
        from aws_lambda_powertools import Tracer

        return Tracer()
    from aws_lambda_powertools import Metrics

    return Metrics()


def __getattr__(name: str) -> Any:
    if name in {"tracer", "metrics"}:
        return _make(name)
    raise AttributeError(name)


def log_invocation(correlation_id_path: str | None = None) -> Callable[[Handler], Handler]:
    """Like ``Logger.inject_lambda_context``, with keys that belong to this invocation (and thread) only."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def run(event: dict[str, Any], context: Any) -> Any:
            global _cold_start
            cold_start, _cold_start = _cold_start, False
            logger.thread_safe_clear_keys()
            logger.thread_safe_append_keys(
                function_name=getattr(context, "function_name", None),
                function_request_id=getattr(context, "aws_request_id", None),
                cold_start=cold_start,
            )
            if correlation_id_path:
                from aws_lambda_powertools.utilities import jmespath_utils

                correlation_id = jmespath_utils.query(envelope=correlation_id_path, data=event)
                logger.thread_safe_append_keys(correlation_id=correlation_id)
            try:
                return handler(event, context)
            finally:
                logger.thread_safe_clear_keys()

        return run

    return decorate


def log_metrics(handler: Handler) -> Handler:
    """``Metrics.log_metrics``, and with ``POWERTOOLS_METRICS_DISABLED`` (locally) the metrics dropped.

    Disabled, Powertools keeps every value (memory grows per job) and prints the whole set as EMF JSON
    once 100 values piled up, into the terminal of ``make run``.
    """
    published = _make("metrics").log_metrics(handler)

    @functools.wraps(handler)
    def run(event: dict[str, Any], context: Any) -> Any:
        from aws_lambda_powertools.metrics.functions import is_metrics_disabled

        try:
            return published(event, context)
        finally:
            if is_metrics_disabled():
                _make("metrics").clear_metrics()

    return run


def add_report_metrics(usage: TokenUsage, word_count: int) -> None:
    """The CareerVP/Vpr metrics of one written report: tokens, cost and length (Generate, Assemble)."""
    from aws_lambda_powertools.metrics import MetricUnit

    metrics = _make("metrics")
    metrics.add_metric(name="InputTokens", unit=MetricUnit.Count, value=usage.input_tokens)
    metrics.add_metric(name="OutputTokens", unit=MetricUnit.Count, value=usage.output_tokens)
    metrics.add_metric(
        name="CacheReadInputTokens", unit=MetricUnit.Count, value=usage.cache_read_input_tokens
    )
    metrics.add_metric(name="CostUsd", unit=MetricUnit.NoUnit, value=usage.cost_usd)
    metrics.add_metric(name="ReportWords", unit=MetricUnit.Count, value=word_count)


def log_keys(**keys: object) -> None:
    """Add keys to this invocation's log lines (never to later invocations')."""
    logger.thread_safe_append_keys(**keys)
