"""What the workflow tasks tell the job view: the stage each enters, and Store's completed result.

Best effort by design: the view only serves reads, so a failed view write is logged and the task goes
on. Failing the task would route a DynamoDB hiccup to JobFailed, turning a read-model problem into a
lost report; the projector's terminal event and the status handler's fallback correct the view later.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from handlers.observability import logger
from handlers.wiring import job_view
from vpr.aws.jobview import SEQ_STORED, completed_update
from vpr.sections.progress import planned_sections, ready_entry


def entering(stage: str, event: dict[str, Any]) -> None:
    """Called first thing by a task handler: the job is now in ``stage`` (a task state's name)."""
    view, job_id = job_view(), event.get("job_id")
    if view is None or not isinstance(job_id, str):
        return
    try:
        view.enter_stage(job_id, stage)
    except (ClientError, BotoCoreError) as error:
        logger.warning("Job view not updated", extra={"stage": stage, "error_type": type(error).__name__})


def section_written(event: dict[str, Any], result: dict[str, Any]) -> None:
    """A WriteSection item finished: "n of m sections written", and its text if it is grounded."""
    view, job_id = job_view(), event.get("job_id")
    planned = planned_sections(((event.get("state") or {}).get("plan") or {}).get("sections") or [])
    if view is None or not isinstance(job_id, str) or not planned:
        return
    try:
        view.section_written(job_id, result["id"], planned, ready_entry(result, planned))
    except (ClientError, BotoCoreError) as error:
        logger.warning(
            "Job view not updated", extra={"stage": "WriteSection", "error_type": type(error).__name__}
        )


def completed(event: dict[str, Any], result: dict[str, Any]) -> None:
    """Store's result: the status can say COMPLETED before the execution's SUCCEEDED event arrives."""
    view, job_id = job_view(), event.get("job_id")
    if view is None or not isinstance(job_id, str):
        return
    try:
        view.apply(job_id, completed_update(result, datetime.now(UTC), SEQ_STORED))
    except (ClientError, BotoCoreError) as error:
        logger.warning("Job view not updated", extra={"stage": "Store", "error_type": type(error).__name__})
