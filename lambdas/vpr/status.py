"""How a Step Functions execution reads as a job status (PENDING, PROCESSING, COMPLETED, FAILED)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from vpr.aws.workflow import Execution
from vpr.errors import (
    EXECUTION_ABORTED,
    INTERNAL_ERROR_MESSAGE,
    STATES_TIMEOUT,
    SYSTEM_ERROR_MESSAGES,
    all_error_classes,
)
from vpr.models.responses import JobState, JobStatusResponse
from vpr.models.usage import TokenUsage
from vpr.sections.progress import SectionProgress

#: Workflow state → the stage a client sees. Generate not yet entered means the job is still PENDING.
STAGES = {
    None: "queued",
    "Validate": "validating",
    "Generate": "generating",
    "Store": "storing",
    # sections mode (issue 9): planning and writing the sections, then assembling them, is "generating"
    "Plan": "generating",
    "ChooseMode": "generating",
    "WriteSections": "generating",
    "WriteSection": "generating",
    "Assemble": "generating",
}
PENDING_STATES = {None, "Validate"}

Presigner = Callable[[str], tuple[str, datetime]]


def job_error(execution: Execution) -> tuple[str, str]:
    """The error a user sees: the Step Functions error name, and a message that is safe to show."""
    if execution.status == "TIMED_OUT":
        return STATES_TIMEOUT, SYSTEM_ERROR_MESSAGES[STATES_TIMEOUT]
    if execution.status == "ABORTED":
        return EXECUTION_ABORTED, SYSTEM_ERROR_MESSAGES[EXECUTION_ABORTED]
    code = execution.error or "States.Runtime"
    known = all_error_classes().get(code)
    if known is None:
        # Causes of other errors (KeyError, Lambda.Unknown, ...) may hold stack traces: never shown.
        return code, SYSTEM_ERROR_MESSAGES.get(code, INTERNAL_ERROR_MESSAGE)
    return code, _error_message(execution.cause) or known.default_message


def _error_message(cause: str | None) -> str | None:
    """Lambda puts ``{"errorMessage", "errorType", "stackTrace"}`` in the cause: keep only the message."""
    if not cause:
        return None
    try:
        payload = json.loads(cause)
    except ValueError:
        return None
    message = payload.get("errorMessage") if isinstance(payload, dict) else None
    return message if isinstance(message, str) and message else None


def just_started(job_id: str, application_id: str, started_at: datetime) -> JobStatusResponse:
    """A job StartExecution has just accepted: queued. Asking Step Functions again would say the same."""
    return JobStatusResponse(
        job_id=job_id,
        status=JobState.PENDING,
        stage=STAGES[None],
        application_id=application_id,
        created_at=started_at,
    )


def job_status(
    execution: Execution,
    current_state: str | None,
    presign: Presigner,
    progress: SectionProgress | None = None,
) -> JobStatusResponse:
    common = {
        "job_id": execution.arn,
        "application_id": execution.input_json().get("application_id"),
        "created_at": execution.start_date,
    }
    if execution.status == "SUCCEEDED":
        output = json.loads(execution.output or "{}")
        url, expires_at = presign(output["result_key"])
        return JobStatusResponse(
            **common,
            status=JobState.COMPLETED,
            completed_at=execution.stop_date,
            result_url=url,
            result_expires_at=expires_at,
            vpr_version=output["vpr_version"],
            word_count=output["word_count"],
            token_usage=TokenUsage.model_validate(output["token_usage"]),
        )
    if execution.status in {"FAILED", "TIMED_OUT", "ABORTED"}:
        code, message = job_error(execution)
        return JobStatusResponse(
            **common,
            status=JobState.FAILED,
            completed_at=execution.stop_date,
            error=message,
            error_code=code,
        )
    if execution.status == "RUNNING" and current_state in PENDING_STATES:
        return JobStatusResponse(**common, status=JobState.PENDING, stage=STAGES[current_state])
    # RUNNING past Validate, or PENDING_REDRIVE (a redriven execution resumes where it failed).
    stage = STAGES.get(current_state, "finishing") if execution.status == "RUNNING" else "redriving"
    sections = {"sections_done": progress.done, "sections_total": progress.total} if progress else {}
    return JobStatusResponse(
        **common, status=JobState.PROCESSING, stage=stage, started_at=execution.start_date, **sections
    )
