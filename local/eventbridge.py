"""Local EventBridge: "Step Functions Execution Status Change" events, delivered to the projector.

Shape, as AWS documents it (https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html,
"Step Functions event examples"; EventBridge envelope: EventBridge User Guide, "Amazon EventBridge
events"): ``version "0"``, ``id``, ``detail-type``, ``source "aws.states"``, ``account``, ``time``
(ISO-8601, seconds), ``region``, ``resources [execution ARN]``, and ``detail`` with the
DescribeExecution fields: ``executionArn, stateMachineArn, name, status, startDate, stopDate`` (epoch
milliseconds), ``input``/``output`` (JSON strings; ``output`` null unless SUCCEEDED),
``inputDetails``/``outputDetails`` ``{"included": true}``, ``error``, ``cause`` and the redrive fields.

Delivery as EventBridge → Lambda does it: asynchronously (a worker thread, never inside the execution),
only events matching the rule (this state machine, ``PROJECTED_STATUSES`` of ``stacks/registry.py``,
the CDK rule's pattern), and an event whose invocation keeps failing after Lambda's two async retries
goes to a dead-letter list (the DLQ on AWS).
"""

from __future__ import annotations

import functools
import json
import logging
import queue
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from stacks.registry import PROJECTED_STATUSES  # the rule's ``detail.status`` filter, as on AWS

DETAIL_TYPE = "Step Functions Execution Status Change"
ASYNC_RETRIES = 2  # Lambda retries a failed asynchronous invocation twice


def _millis(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp() * 1000)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def status_change_event(execution: Any, account: str, region: str) -> dict[str, Any]:
    """The event EventBridge would carry for a moto (parser backend) execution's current status."""
    status = getattr(execution.exec_status, "value", execution.exec_status)
    succeeded = status == "SUCCEEDED"
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": DETAIL_TYPE,
        "source": "aws.states",
        "account": account,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [execution.exec_arn],
        "detail": {
            "executionArn": execution.exec_arn,
            "stateMachineArn": execution.state_machine_arn,
            "name": execution.name,
            "status": status,
            "startDate": _millis(execution.start_date),
            "stopDate": _millis(execution.stop_date),
            "input": _json(execution.input_data),
            "inputDetails": {"included": True},
            "output": _json(execution.output) if succeeded else None,
            "outputDetails": {"included": True} if succeeded else None,
            "error": execution.error,
            "cause": execution.cause,
            "redriveCount": 0,
            "redriveDate": None,
            "redriveStatus": "NOT_REDRIVABLE" if succeeded else "REDRIVABLE",
            "redriveStatusReason": "Execution is SUCCEEDED and cannot be redriven" if succeeded else None,
        },
    }


class StatusChangeBus:
    """The rule and its Lambda target: matching events go, one at a time, to ``deliver``."""

    def __init__(
        self, state_machine_arn: str, deliver: Callable[[dict[str, Any]], Any], account: str, region: str
    ) -> None:
        self.state_machine_arn = state_machine_arn
        self.deliver = deliver
        self.account = account
        self.region = region
        self.dead_letters: list[dict[str, Any]] = []
        self.delivered = 0
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._worker: threading.Thread | None = None

    def matches(self, event: dict[str, Any]) -> bool:
        detail = event["detail"]
        return (
            event["source"] == "aws.states"
            and event["detail-type"] == DETAIL_TYPE
            and detail["stateMachineArn"] == self.state_machine_arn
            and detail["status"] in PROJECTED_STATUSES
        )

    def publish(self, event: dict[str, Any]) -> None:
        if self.matches(event):
            self._queue.put(event)

    def start(self) -> None:
        global _active_bus
        self._worker = threading.Thread(target=self._run, name="local-eventbridge", daemon=True)
        self._worker.start()
        _install_hook()
        _active_bus = self

    def stop(self) -> None:
        global _active_bus
        if _active_bus is self:
            _active_bus = None
        self._queue.put(None)
        if self._worker is not None:
            self._worker.join(timeout=5)

    def drain(self, timeout: float = 10.0) -> None:
        """Wait until every published event was delivered (tests)."""
        import time

        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)

    def _run(self) -> None:
        while True:
            event = self._queue.get()
            try:
                if event is None:
                    return
                for _attempt in range(1 + ASYNC_RETRIES):
                    try:
                        self.deliver(event)
                        self.delivered += 1
                        break
                    except Exception:  # Lambda's async retry, then the DLQ
                        logging.getLogger(__name__).warning("Projector failed", exc_info=True)
                else:
                    self.dead_letters.append(event)
            finally:
                self._queue.task_done()


_active_bus: StatusChangeBus | None = None


def _install_hook() -> None:
    """Publish when moto's interpreter ends an execution (its one place that sets the final status)."""
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

    original = BaseExecutionWorkerCommunication.terminated
    if getattr(original, "_vpr_events", False):
        return

    @functools.wraps(original)
    def terminated(self: Any) -> None:
        original(self)
        bus = _active_bus
        if bus is not None:
            bus.publish(status_change_event(self.execution, bus.account, bus.region))

    terminated._vpr_events = True  # type: ignore[attr-defined]
    BaseExecutionWorkerCommunication.terminated = terminated  # type: ignore[method-assign]
