"""EventBridge "Step Functions Execution Status Change" → the job view.

The rule delivers this state machine's FAILED, TIMED_OUT and ABORTED events (no task runs to record
those) and SUCCEEDED as a backstop for Store's own write. EventBridge delivers at least once and in no
guaranteed order, so the write is conditional on the view's sequence number (``vpr.aws.jobview``): a
duplicate or an older event changes nothing. An exception makes Lambda retry the asynchronous event,
then park it in the dead-letter queue (alarmed).

Event shape: https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html — ``detail`` holds the
DescribeExecution fields, dates in epoch milliseconds, ``input``/``output`` as JSON strings or null
when over 248 KB (``inputDetails.included`` false).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from handlers.observability import log_invocation, logger
from handlers.wiring import job_view
from vpr.aws.workflow import Execution
from vpr.status import view_update

DETAIL_TYPE = "Step Functions Execution Status Change"


def execution_from_event(detail: dict[str, Any]) -> Execution:
    """The execution an event describes, in the shape the status mapping already reads."""

    def date(name: str) -> datetime | None:
        millis = detail.get(name)
        return datetime.fromtimestamp(millis / 1000, tz=UTC) if isinstance(millis, int | float) else None

    return Execution(
        arn=detail["executionArn"],
        name=detail.get("name") or detail["executionArn"].rsplit(":", 1)[-1],
        status=detail["status"],
        input=detail.get("input") or "{}",
        output=detail.get("output"),
        start_date=date("startDate") or datetime.now(UTC),
        stop_date=date("stopDate"),
        error=detail.get("error"),
        cause=detail.get("cause"),
    )


@log_invocation()
def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    if event.get("source") != "aws.states" or event.get("detail-type") != DETAIL_TYPE:
        logger.warning(
            "Not a Step Functions status-change event", extra={"detail_type": event.get("detail-type")}
        )
        return {"applied": False}
    view = job_view()
    if view is None:
        raise RuntimeError("VPR_JOB_VIEW_TABLE is not set")
    detail = event["detail"]
    execution = execution_from_event(detail)
    update = view_update(execution, redrive_count=int(detail.get("redriveCount") or 0))
    applied = view.apply(execution.arn, update) if update is not None else False
    logger.info(
        "Status change projected",
        extra={"job_id": execution.arn, "status": execution.status, "applied": applied},
    )
    return {"applied": applied}
