"""Workflow task Assemble: executive summary, merge, grounding check, regeneration of flagged sections."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers import progress
from handlers.observability import log_invocation, log_metrics, logger, metrics, tracer
from handlers.section import RESERVED_SECONDS, section_writer
from vpr.sections.steps import assemble_step
from vpr.settings import get_settings


@log_invocation(correlation_id_path="job_id")
@tracer.capture_lambda_handler
@log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    progress.entering("Assemble", event)
    budget = context.get_remaining_time_in_millis() / 1000 - RESERVED_SECONDS
    result = assemble_step(event["state"], section_writer(get_settings()), time_budget_seconds=budget)
    usage, report = result["token_usage"], result["report"]
    metrics.add_metric(name="InputTokens", unit=MetricUnit.Count, value=usage["input_tokens"])
    metrics.add_metric(name="OutputTokens", unit=MetricUnit.Count, value=usage["output_tokens"])
    metrics.add_metric(
        name="CacheReadInputTokens", unit=MetricUnit.Count, value=usage["cache_read_input_tokens"]
    )
    metrics.add_metric(name="CostUsd", unit=MetricUnit.NoUnit, value=usage["cost_usd"])
    metrics.add_metric(name="ReportWords", unit=MetricUnit.Count, value=report["word_count"])
    logger.info("Report assembled", extra={"word_count": report["word_count"], "model": usage["model"]})
    return result
