"""Local EventBridge: "Step Functions Execution Status Change" events, delivered to the projector.

Shape, as AWS documents it (https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html,
"Step Functions event examples"; EventBridge envelope: EventBridge User Guide, "Amazon EventBridge
events"): ``version "0"``, ``id``, ``detail-type``, ``source "aws.states"``, ``account``, ``time``
(ISO-8601, seconds), ``region``, ``resources [execution ARN]``, and ``detail`` with the
DescribeExecution fields: ``executionArn, stateMachineArn, name, status, startDate, stopDate`` (epoch
milliseconds), ``input``/``output`` (JSON strings; ``output`` null unless SUCCEEDED),
``inputDetails``/``outputDetails`` ``{"included": true}``, ``error``, ``cause`` and the redrive fields.

Delivery as EventBridge → Lambda does it: asynchronously (a worker thread, never inside the execution),
only events matching the rule (this state machine; a terminal status, or RUNNING after a redrive —
``status_change_detail`` of ``stacks/registry.py``, the CDK rule's pattern), and an event whose
invocation keeps failing after Lambda's two async retries goes to a dead-letter list (the DLQ on AWS).

Events are published when moto's interpreter ends an execution, and by ``local.sfn_lifecycle`` when
StopExecution ends one and when RedriveExecution restarts one (RUNNING, ``redriveCount`` > 0).
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

from stacks.registry import status_change_detail  # the rule's pattern, as on AWS

DETAIL_TYPE = "Step Functions Execution Status Change"
ASYNC_RETRIES = 2  # Lambda retries a failed asynchronous invocation twice


def matches_pattern(pattern: dict[str, Any], detail: dict[str, Any]) -> bool:
    """EventBridge matching for the operators the rule's pattern uses: value lists (any equal),
    ``{"numeric": [">", n]}`` and ``$or`` (any branch matches); every other field must match (AND)."""
    for field, condition in pattern.items():
        if field == "$or":
            if not any(matches_pattern(branch, detail) for branch in condition):
                return False
            continue
        value = detail.get(field)
        if not any(_matches_value(expected, value) for expected in condition):
            return False
    return True


def _matches_value(expected: Any, value: Any) -> bool:
    if isinstance(expected, dict) and "numeric" in expected:
        operator, bound = expected["numeric"]
        if operator != ">":  # pragma: no cover - the only numeric operator the rule uses
            raise ValueError(f"numeric operator {operator!r} is not emulated")
        return isinstance(value, int | float) and not isinstance(value, bool) and value > bound
    return expected == value


def _millis(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp() * 1000)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def status_change_event(execution: Any, account: str, region: str) -> dict[str, Any]:
    """The event EventBridge would carry for a moto (parser backend) execution's current status."""
    from local.sfn_lifecycle import redrive_fields

    status = getattr(execution.exec_status, "value", execution.exec_status)
    succeeded = status == "SUCCEEDED"
    redrive = redrive_fields(execution)
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
            "redriveCount": redrive["redriveCount"],
            "redriveDate": _millis(redrive["redriveDate"]),
            "redriveStatus": redrive["redriveStatus"],
            "redriveStatusReason": redrive["redriveStatusReason"],
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
        return (
            event["source"] == "aws.states"
            and event["detail-type"] == DETAIL_TYPE
            and matches_pattern(status_change_detail(self.state_machine_arn), event["detail"])
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


def publish_status_change(execution: Any) -> None:
    """Send the execution's current status to the active bus (which delivers it if the rule matches)."""
    bus = _active_bus
    if bus is not None:
        bus.publish(status_change_event(execution, bus.account, bus.region))


def _install_hook() -> None:
    """Publish when moto's interpreter ends an execution (its one place that sets the final status), and
    when the local StopExecution or RedriveExecution changes one (``local.sfn_lifecycle``)."""
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

    from local import sfn_lifecycle

    sfn_lifecycle.sfn_state.status_changed = publish_status_change

    original = BaseExecutionWorkerCommunication.terminated
    if getattr(original, "_vpr_events", False):
        return

    @functools.wraps(original)
    def terminated(self: Any) -> None:
        ends = sfn_lifecycle.ends_the_execution(
            self
        )  # not after StopExecution (it published), nor a replaced worker
        original(self)
        if ends:
            publish_status_change(self.execution)

    terminated._vpr_events = True  # type: ignore[attr-defined]
    BaseExecutionWorkerCommunication.terminated = terminated  # type: ignore[method-assign]
