"""Workflow task Assemble: executive summary, merge, grounding check, regeneration of flagged sections."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers import progress
from handlers.budget import time_budget
from handlers.observability import add_report_metrics, log_invocation, log_metrics, logger, tracer
from handlers.section import section_writer
from vpr.models.usage import TokenUsage
from vpr.sections.steps import assemble_step
from vpr.sections.writers import CheckedSectionWriter
from vpr.settings import get_settings


@log_invocation(correlation_id_path="job_id")
@tracer.capture_lambda_handler
@log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    progress.entering("Assemble", event)
    budget = time_budget(context)
    writer = CheckedSectionWriter(section_writer(get_settings()), progress.liveness_check(event))
    result = assemble_step(event["state"], writer, time_budget_seconds=budget)
    usage, report = TokenUsage.model_validate(result["token_usage"]), result["report"]
    add_report_metrics(usage, report["word_count"])
    logger.info("Report assembled", extra={"word_count": report["word_count"], "model": usage.model})
    return result
