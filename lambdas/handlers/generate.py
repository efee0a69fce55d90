"""Workflow task Generate: write the report (the only function that may load the anthropic SDK)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers import progress
from handlers.budget import time_budget
from handlers.observability import add_report_metrics, log_invocation, log_metrics, logger, metrics, tracer
from vpr.generation import ReportGenerator, get_generator
from vpr.generation.guard import checked_model_calls
from vpr.pipeline import generate_report
from vpr.settings import Settings, get_settings


@lru_cache(maxsize=2)
def _generator(settings: Settings) -> ReportGenerator:
    generator = get_generator(settings)  # reused across warm invocations: keeps the HTTP client's connections
    if metrics.default_dimensions.get("generator") != generator.name:
        metrics.set_default_dimensions(generator=generator.name)
    return generator


@log_invocation(correlation_id_path="job_id")
@tracer.capture_lambda_handler
@log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    progress.entering("Generate", event)
    budget = time_budget(context)
    check = progress.liveness_check(event)
    with checked_model_calls(check):
        check()
        result = generate_report(event["state"], _generator(get_settings()), time_budget_seconds=budget)
    usage = result.token_usage
    add_report_metrics(usage, result.report.word_count)
    logger.info("Report generated", extra={"word_count": result.report.word_count, "model": usage.model})
    return result.model_dump(mode="json", exclude_none=True)
