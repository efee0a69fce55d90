"""StopExecution as AWS documents it, on moto's interpreter (see ``local.sfn_lifecycle`` for what moto
does and what this changes): ABORTED at once, the ``error``/``cause`` kept, the history closed."""

from __future__ import annotations

import datetime
import functools
import time
from collections.abc import Callable
from typing import Any

from local import sfn_state

#: How long a StopExecution waits for an execution whose program just ended to show its final status.
SETTLE_SECONDS = 5.0


def stop(execution: Any, error: str | None, cause: str | None) -> datetime.datetime | None:
    """End a running execution now (ABORTED); an ended one is left as it is. Returns its stop date."""
    from moto.stepfunctions.parser.api import ExecutionStatus

    env = execution.exec_worker.env if execution.exec_worker is not None else None
    with sfn_state.lock:
        if env is None:
            return execution.stop_date
        with env._state_mutex:  # the interpreter ends programs under this lock: no half-ended state
            running = env.is_running()
            if running:
                stopped_at = sfn_state.now()
                env.set_stop(stop_date=stopped_at, cause=cause, error=error)
                sfn_state.lifecycle(execution).stopped_by_api = True
                execution.exec_status = ExecutionStatus.ABORTED
                execution.stop_date = stopped_at
                execution.error = error or None
                execution.cause = cause or None
    if running:
        close_history(env.event_manager, error, cause)
        sfn_state.status_changed(execution)
        return execution.stop_date
    # The program has just ended: wait (briefly) for its final status, so a read after this sees it.
    deadline = time.monotonic() + SETTLE_SECONDS
    while sfn_state.status(execution) == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.005)
    return execution.stop_date


def ends_the_execution(communication: Any) -> bool:
    """Whether an interpreter worker ending now ends the execution: not after StopExecution ended it
    (AWS ignores what a stopped execution's Lambdas return), nor a worker a redrive has replaced."""
    state = sfn_state.lifecycle(communication.execution)
    current = state.current_worker
    return not state.stopped_by_api and (current is None or current._execution_communication is communication)


def close_history(manager: Any, error: str | None, cause: str | None) -> None:
    """Record ``ExecutionAborted`` now, then nothing more: the stopped program's later events are dropped."""
    from moto.stepfunctions.parser.api import ExecutionAbortedEventDetails, HistoryEventType
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventHistoryContext

    details = ExecutionAbortedEventDetails(error=error or None, cause=cause or None)
    manager.add_event(
        context=EventHistoryContext(previous_event_id=0),
        event_type=HistoryEventType.ExecutionAborted,
        event_details=EventDetails(executionAbortedEventDetails=details),
    )
    manager.vpr_closed = True


def closed_history_records_nothing(original: Callable[..., int]) -> Callable[..., int]:
    @functools.wraps(original)
    def add_event(self: Any, *args: Any, **kwargs: Any) -> int:
        if getattr(self, "vpr_closed", False):
            return 0
        return original(self, *args, **kwargs)

    return add_event


def keep_the_stop(original: Callable[[Any], None]) -> Callable[[Any], None]:
    """The interpreter's own end of an execution StopExecution already ended changes nothing."""

    @functools.wraps(original)
    def reflect(self: Any) -> None:
        state = sfn_state.lifecycle(self.execution)
        if not ends_the_execution(self):
            return
        original(self)
        if sfn_state.status(self.execution) == "SUCCEEDED":
            state.iteration_outputs = None  # nothing left to redrive

    return reflect


def stays_stopped(original: Callable[..., None]) -> Callable[..., None]:
    """A stopped program stays stopped: moto's Map turns its aborted iterations into an error."""
    from moto.stepfunctions.parser.asl.eval.program_state import ProgramStopped

    @functools.wraps(original)
    def set_error(self: Any, error: Any) -> None:
        if isinstance(self._program_state, ProgramStopped):
            return
        original(self, error)

    return set_error


def stop_execution_response(self: Any) -> Any:
    from moto.core.responses import ActionResult

    execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
    stopped_at = stop(execution, self._get_param("error"), self._get_param("cause"))
    return ActionResult({"stopDate": stopped_at} if stopped_at is not None else {})
