"""How a job reads as a status (PENDING, PROCESSING, COMPLETED, FAILED).

Two sources, one vocabulary: a Step Functions execution (``job_status``, the fallback path) and the
job view's item (``view_status``, the normal path); ``view_update`` turns an execution into the view's
write, for the projector and for the status handler's repair of a missing item.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from vpr.aws.jobview import (
    RUNNING_REMOVES,
    SEQ_TERMINAL,
    STAGE_SEQ,
    JobRecord,
    Update,
    completed_update,
    failed_update,
)
from vpr.aws.workflow import Execution
from vpr.errors import (
    CANCELLED,
    EXECUTION_ABORTED,
    INTERNAL_ERROR_MESSAGE,
    STATES_TIMEOUT,
    SYSTEM_ERROR_MESSAGES,
    all_error_classes,
    is_transient,
)
from vpr.models.responses import JobState, JobStatusResponse, PlannedSection, ReadySection
from vpr.models.usage import TokenUsage
from vpr.sections.progress import SECTION_PROGRESS_STATES, SectionProgress, in_plan_order

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


@dataclass(frozen=True)
class ReportLinks:
    """Presigned GETs of one stored report version: its JSON and its Markdown, expiring together."""

    json_url: str
    markdown_url: str | None
    expires_at: datetime


Presigner = Callable[[str], ReportLinks]
"""The links to the report stored at a JSON key; None where the answer carries no link (submit's)."""


def _link_fields(presign: Presigner | None, result_key: str) -> dict[str, Any]:
    if presign is None:
        return {}
    links = presign(result_key)
    return {
        "result_url": links.json_url,
        "result_markdown_url": links.markdown_url,
        "result_expires_at": links.expires_at,
    }


def job_error(execution: Execution) -> tuple[str, str]:
    """The error a user sees: the Step Functions error name, and a message that is safe to show."""
    if execution.status == "TIMED_OUT":
        return STATES_TIMEOUT, SYSTEM_ERROR_MESSAGES[STATES_TIMEOUT]
    if execution.status == "ABORTED":  # StopExecution: the owner's cancel names itself in ``error``
        code = CANCELLED if execution.error == CANCELLED else EXECUTION_ABORTED
        return code, SYSTEM_ERROR_MESSAGES[code]
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
    presign: Presigner | None,
    progress: SectionProgress | None = None,
) -> JobStatusResponse:
    common = {
        "job_id": execution.arn,
        "application_id": execution.input_json().get("application_id"),
        "created_at": execution.start_date,
    }
    if execution.status == "SUCCEEDED":
        output = json.loads(execution.output or "{}")
        return JobStatusResponse(
            **common,
            status=JobState.COMPLETED,
            completed_at=execution.stop_date,
            **_link_fields(presign, output["result_key"]),
            vpr_version=output["vpr_version"],
            word_count=output["word_count"],
            token_usage=TokenUsage.model_validate(output["token_usage"]),
        )
    if execution.status in {"FAILED", "TIMED_OUT", "ABORTED"}:
        code, message = job_error(execution)
        return _failed(common, execution.stop_date, code, message)
    if execution.status == "RUNNING" and current_state in PENDING_STATES:
        return JobStatusResponse(**common, status=JobState.PENDING, stage=STAGES[current_state])
    # RUNNING past Validate, or PENDING_REDRIVE (a redriven execution resumes where it failed).
    stage = STAGES.get(current_state, "finishing") if execution.status == "RUNNING" else "redriving"
    sections = _section_fields(progress) if progress else {}
    return JobStatusResponse(
        **common, status=JobState.PROCESSING, stage=stage, started_at=execution.start_date, **sections
    )


def _failed(
    common: dict[str, Any], completed_at: datetime | None, code: str, message: str
) -> JobStatusResponse:
    """A FAILED answer: the user-safe message, the error name, and whether a retry could resume it."""
    return JobStatusResponse(
        **common,
        status=JobState.FAILED,
        completed_at=completed_at,
        error=message,
        error_code=code,
        retryable=is_transient(code),
    )


def _section_fields(progress: SectionProgress) -> dict[str, Any]:
    """``sections_done``/``_total`` and, once known, the plan and the sections ready to show."""
    fields: dict[str, Any] = {
        "sections_done": min(progress.done, progress.total),  # never more than there are
        "sections_total": progress.total,
    }
    if progress.planned:
        fields["sections_planned"] = [PlannedSection.model_validate(p) for p in progress.planned]
        ready = []
        for entry in in_plan_order(progress.ready):
            try:
                ready.append(ReadySection.model_validate(entry))
            except ValidationError:  # not a section this version can show (the report will have it)
                continue
        fields["sections_ready"] = ready
    return fields


def view_status(record: JobRecord, presign: Presigner | None) -> JobStatusResponse:
    """The status response from the job view's item (the same fields ``job_status`` derives)."""
    common = {
        "job_id": record.job_id,
        "application_id": record.application_id,
        "created_at": record.created_at,
    }
    if record.status == "SUCCEEDED" and record.result_key:  # else: answers_status is False
        return JobStatusResponse(
            **common,
            status=JobState.COMPLETED,
            completed_at=record.completed_at,
            **_link_fields(presign, record.result_key),
            vpr_version=record.vpr_version,
            word_count=record.word_count,
            token_usage=TokenUsage.model_validate(record.token_usage) if record.token_usage else None,
        )
    if record.status in {"FAILED", "TIMED_OUT", "ABORTED"}:
        message = record.error_message or INTERNAL_ERROR_MESSAGE
        return _failed(common, record.completed_at, record.error_code or "States.Runtime", message)
    if record.stage in PENDING_STATES:
        return JobStatusResponse(**common, status=JobState.PENDING, stage=STAGES[record.stage])
    stage = STAGES.get(record.stage, "finishing")
    sections = {}
    if record.sections_total and record.stage in SECTION_PROGRESS_STATES:
        progress = SectionProgress(
            record.sections_done or 0, record.sections_total, record.sections_planned, record.sections_ready
        )
        sections = _section_fields(progress)
    return JobStatusResponse(
        **common, status=JobState.PROCESSING, stage=stage, started_at=record.created_at, **sections
    )


def view_update(
    execution: Execution, current_state: str | None = None, redrive_count: int = 0
) -> Update | None:
    """The job view's write for what Step Functions says of an execution (None: nothing to record)."""
    base = redrive_count * 1000
    try:
        execution_input = execution.input_json() if execution.input else {}
    except ValueError:
        execution_input = {}
    fill = {
        name: value
        for name, value in (
            ("owner", execution_input.get("user_id")),
            ("application_id", execution_input.get("application_id")),
            ("created_at", execution.start_date),
        )
        if isinstance(value, str | datetime)
    }
    stopped_at = execution.stop_date or execution.start_date
    if execution.status == "SUCCEEDED":
        output = json.loads(execution.output or "{}")
        update = completed_update(output, stopped_at, base + SEQ_TERMINAL)
    elif execution.status in {"FAILED", "TIMED_OUT", "ABORTED"}:
        code, message = job_error(execution)
        update = failed_update(execution.status, code, message, stopped_at, base + SEQ_TERMINAL)
    elif execution.status == "RUNNING":  # also a redriven execution: its earlier failure no longer holds
        seq = base + STAGE_SEQ.get(current_state or "", 0)
        update = Update(seq=seq, status="RUNNING", stage=current_state, remove=RUNNING_REMOVES)
    else:  # PENDING_REDRIVE: the last terminal write stands until the redrive runs
        return None
    return Update(
        seq=update.seq,
        status=update.status,
        stage=update.stage,
        values=update.values,
        fill=fill,
        remove=update.remove,
    )
