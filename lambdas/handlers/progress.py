"""What the workflow tasks tell the job view (the stage each enters, and Store's completed result), and
what they ask it: whether their job is still running (``liveness_check``), before each Claude call.

Best effort by design: the view only serves reads, so a failed view write is logged and the task goes
on. Failing the task would route a DynamoDB hiccup to JobFailed, turning a read-model problem into a
lost report; the projector's terminal event and the status handler's fallback correct the view later.
For the same reason a failed liveness read lets the call go ahead.

Every write carries the attempt's redrive count (``redrive_count`` in the task's input, from
``$$.Execution.RedriveCount``), so a redriven execution's writes outrank the failure they replace.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from handlers.observability import logger
from handlers.wiring import job_view
from vpr.aws.jobview import SEQ_STORED, completed_update
from vpr.errors import JobStopped
from vpr.generation.guard import Check
from vpr.sections.progress import planned_sections, ready_entry


def redrive_count(event: dict[str, Any]) -> int:
    """The attempt a task runs in: 0, or how many times its execution was redriven (retried)."""
    count = event.get("redrive_count")
    return count if isinstance(count, int) and count >= 0 else 0


def entering(stage: str, event: dict[str, Any]) -> None:
    """Called first thing by a task handler: the job is now in ``stage`` (a task state's name)."""
    view, job_id = job_view(), event.get("job_id")
    if view is None or not isinstance(job_id, str):
        return
    try:
        view.enter_stage(job_id, stage, redrive_count(event))
    except (ClientError, BotoCoreError) as error:
        logger.warning("Job view not updated", extra={"stage": stage, "error_type": type(error).__name__})


def section_written(event: dict[str, Any], result: dict[str, Any]) -> None:
    """A WriteSection item finished: "n of m sections written", and its text if it is grounded."""
    view, job_id = job_view(), event.get("job_id")
    planned = planned_sections(((event.get("state") or {}).get("plan") or {}).get("sections") or [])
    if view is None or not isinstance(job_id, str) or not planned:
        return
    try:
        view.section_written(
            job_id, result["id"], planned, ready_entry(result, planned), redrive_count(event)
        )
    except (ClientError, BotoCoreError) as error:
        logger.warning(
            "Job view not updated", extra={"stage": "WriteSection", "error_type": type(error).__name__}
        )


def completed(event: dict[str, Any], result: dict[str, Any]) -> None:
    """Store's result: the status can say COMPLETED before the execution's SUCCEEDED event arrives."""
    view, job_id = job_view(), event.get("job_id")
    if view is None or not isinstance(job_id, str):
        return
    seq = redrive_count(event) * 1000 + SEQ_STORED
    try:
        view.apply(job_id, completed_update(result, datetime.now(UTC), seq))
    except (ClientError, BotoCoreError) as error:
        logger.warning("Job view not updated", extra={"stage": "Store", "error_type": type(error).__name__})


#: A cancelled job's StopExecution lands within this (the cancel asks for it right after its request).
CANCEL_LANDING_SECONDS = 10.0
_POLL_SECONDS = 0.1


def liveness_check(event: dict[str, Any]) -> Check:
    """The check a Claude-calling task runs before each call: ``JobStopped`` once its job has ended.

    One consistent GetItem of three attributes (nothing when no view is configured). A job whose cancel
    was asked for but whose stop has not landed yet is waited for, not failed: a task failing first
    would end the job FAILED ``JobStopped`` instead of cancelled (its Catch runs before the stop).
    """
    view, job_id, attempt = job_view(), event.get("job_id"), redrive_count(event)

    def check() -> None:
        if view is None or not isinstance(job_id, str):
            return
        deadline = time.monotonic() + CANCEL_LANDING_SECONDS
        while True:
            try:
                state = view.attempt_state(job_id, attempt)
            except (ClientError, BotoCoreError) as error:
                logger.warning("Job view not read", extra={"error_type": type(error).__name__})
                return
            if state == "running":
                return
            if state == "ended" or time.monotonic() > deadline:
                logger.info("Job no longer running; no Claude call started", extra={"job_state": state})
                raise JobStopped()
            time.sleep(_POLL_SECONDS)  # cancelling: no call starts; the stop is about to end the job

    return check
