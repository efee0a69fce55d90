"""The three workflow steps as plain functions: Validate, Generate, Store.

Each takes the state the previous step left (a dict, as Step Functions passes it) and returns the next.
Errors are the named errors of ``vpr.errors``: their class names are what Retry/Catch match on.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from vpr.aws.profiles import ProfileStore
from vpr.aws.results import ResultStore
from vpr.errors import CvNotFound, StatePayloadTooLarge, ValidationFailed
from vpr.generation import GenerationResult, ReportGenerator
from vpr.models import Application, VprRequest
from vpr.models.problems import describe, field_problems
from vpr.models.usage import TokenUsage
from vpr.render import render_markdown

#: Step Functions' payload limit is 256 KiB; keep headroom for the state's other fields.
MAX_STATE_BYTES = 240 * 1024


def validate_application(state: dict[str, Any], profiles: ProfileStore) -> Application:
    """Re-check the request (an execution can be started by hand in the console) and attach the CV."""
    try:
        request = VprRequest.model_validate(state)
    except ValidationError as error:
        problems = describe(field_problems(error.errors()))
        raise ValidationFailed(f"The application is not valid: {problems}") from error
    if request.user_id is None:
        raise ValidationFailed("The application is not valid: user_id: Field required")
    cv = request.cv or profiles.get(request.user_id)
    if cv is None:
        raise CvNotFound()
    return Application.model_validate({**request.model_dump(), "cv": cv.model_dump()})


def generate_report(
    state: dict[str, Any], generator: ReportGenerator, time_budget_seconds: float | None = None
) -> GenerationResult:
    application = Application.model_validate(state)
    result = generator.generate(application, time_budget_seconds=time_budget_seconds)
    size = len(json.dumps(state).encode()) + len(result.model_dump_json().encode())
    if size > MAX_STATE_BYTES:
        raise StatePayloadTooLarge()
    return result


def store_report(state: dict[str, Any], results: ResultStore, job_id: str | None = None) -> dict[str, Any]:
    """Write the report under a new version. Safe to retry: the report comes from the state, not Claude,
    and a version this job (``job_id``, the execution ARN) already wrote is returned, not duplicated."""
    generation = GenerationResult.model_validate(state["generation"])
    report = generation.report

    def render(version: int) -> tuple[str, str]:
        versioned = report.model_copy(update={"version": version})
        return versioned.model_dump_json(indent=2), render_markdown(versioned)

    key, version = results.store(report.user_id, report.application_id, render, job_id)
    usage: TokenUsage = generation.token_usage
    return {
        "result_key": key,
        "vpr_version": version,
        "word_count": report.word_count,
        "token_usage": usage.model_dump(mode="json"),
        "generator": report.generator.model_dump(mode="json"),
        "grounded": report.verification.grounded if report.verification else None,
    }
