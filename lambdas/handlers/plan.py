"""Workflow task Plan: choose the generation mode and split the report into section jobs."""

from __future__ import annotations

from typing import Any

from handlers import progress
from handlers.observability import log_invocation, logger, tracer
from vpr.sections.steps import plan_step
from vpr.settings import get_settings


@log_invocation(correlation_id_path="job_id")
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    progress.entering("Plan", event)
    plan = plan_step(event["state"], get_settings())
    logger.info("Report planned", extra={"mode": plan["mode"], "sections": len(plan["sections"])})
    return plan
