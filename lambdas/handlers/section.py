"""Workflow task WriteSection (one Map item): write one section of the report."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers import progress
from handlers.budget import time_budget
from handlers.observability import log_invocation, logger, tracer
from vpr.sections.steps import write_section_step
from vpr.sections.writers import CheckedSectionWriter, SectionWriter, get_section_writer
from vpr.settings import Settings, get_settings


@lru_cache(maxsize=2)
def section_writer(settings: Settings) -> SectionWriter:
    """Reused across warm invocations (keeps the SDK client's connections); shared with Assemble."""
    return get_section_writer(settings)


@log_invocation(correlation_id_path="job_id")
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    progress.entering("WriteSections", event)
    timeout = time_budget(context)
    writer = CheckedSectionWriter(section_writer(get_settings()), progress.liveness_check(event))
    result = write_section_step(event["state"], event["section"], writer, timeout=max(1.0, timeout))
    progress.section_written(event, result)
    logger.info("Section written", extra={"section": result["id"], "usage": result["token_usage"]})
    return result
