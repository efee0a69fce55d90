"""Workflow task Store: write the report's JSON and Markdown under a new version."""

from __future__ import annotations

from typing import Any

from handlers import progress
from handlers.observability import log_invocation, logger, tracer
from handlers.wiring import result_store
from vpr.pipeline import store_report


@log_invocation(correlation_id_path="job_id")
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    progress.entering("Store", event)
    result = store_report(event["state"], result_store(), event.get("job_id"))
    progress.completed(event, result)
    logger.info("Report stored", extra={"vpr_version": result["vpr_version"]})
    return result
