"""Workflow task Validate: check the application and attach the candidate's CV."""

from __future__ import annotations

from typing import Any

from handlers import progress
from handlers.observability import log_invocation, tracer
from handlers.wiring import profile_store
from vpr.pipeline import validate_application


@log_invocation(correlation_id_path="job_id")
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    progress.entering("Validate", event)
    application = validate_application(event["state"], profile_store())
    return application.model_dump(mode="json", exclude_none=True)
