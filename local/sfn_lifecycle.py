"""StopExecution and RedriveExecution as AWS documents them, on moto's Step Functions interpreter.

What moto 5.2.5 does, measured (a job held in its Map, StopExecution, then the held Lambdas released):

- StopExecution ignores ``error`` and ``cause``, answers without a ``stopDate``, and the execution stays
  RUNNING until its running Lambdas return; then a Map's aborted iterations trip an AttributeError and
  the execution ends **FAILED** ``States.Runtime``, not ABORTED, and the status-change event says
  FAILED. (Its pending Map iterations do not start: that part is right.)
- RedriveExecution is not implemented (HTTP 500 ``NotImplementedError``); DescribeExecution has no
  ``redriveCount``; the Context object has no ``$$.Execution.RedriveCount``.

What this module makes the local engine do instead (AWS Step Functions API Reference, StopExecution,
RedriveExecution and DescribeExecution, as botocore's service model carries them; Developer Guide,
"Restarting state machine executions with redrive in Step Functions", "Redriving Map Runs" and
"Accessing execution data from the Context object"):

- **StopExecution** ends a running execution at once: ABORTED, with the ``stopDate`` returned and the
  given ``error``/``cause`` kept (DescribeExecution and the ABORTED status-change event carry them).
  Step Functions schedules nothing more; a Lambda already running runs on, and whatever it returns is
  ignored. On an execution that has already ended it changes nothing.
- **RedriveExecution** restarts an unsuccessful (FAILED, TIMED_OUT, ABORTED) execution from its
  unsuccessful state — a state with an ``Entered`` event and no ``Exited`` one — with that state's
  input, same ARN; the states that finished are not run again, and in an inline Map only the
  iterations that did not succeed run again (the others keep their output). ``redriveCount`` grows by
  one, the status is RUNNING again (a RUNNING status-change event with ``redriveCount`` is sent), the
  history goes on after an ``ExecutionRedriven`` event, and the execution timeout starts afresh. Refused
  with ``ExecutionNotRedrivable`` while RUNNING, once SUCCEEDED, 14 days after the execution stopped,
  one year after it started, or with 24,999 history events. A ``clientToken`` seen in the last 15
  minutes (the last 10) returns the same redrive instead of another.
- ``$$.Execution.RedriveCount`` (0 until redriven) and, after a redrive, ``$$.Execution.RedriveTime``.

Also measured: a stop that lands while moto is evaluating a state leaves its evaluation stack
misaligned, and it records garbage (a ``LambdaFunctionScheduled`` whose ``timeoutInSeconds`` is the state
input, which then breaks GetExecutionHistory with HTTP 500). Here the history of a stopped execution ends
with its ``ExecutionAborted`` event, recorded at the stop: what the interpreter does afterwards is not
recorded, as nothing happens in a stopped execution on AWS.

Executions do not survive a restart of the local service, so neither do redrives.
"""

from __future__ import annotations

import copy
import datetime
import functools
import json
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: RedriveExecution's limits (API Reference, RedriveExecution: "You can redrive executions if ...").
REDRIVABLE_PERIOD = datetime.timedelta(days=14)
MAX_OPEN_TIME = datetime.timedelta(days=365)
MAX_HISTORY_EVENTS = 24_999
#: "The API will return idempotent responses for the last 10 client tokens used to successfully redrive
#: the execution. These client tokens are valid for up to 15 minutes after they are first used."
CLIENT_TOKENS_KEPT = 10
CLIENT_TOKEN_LIFETIME = datetime.timedelta(minutes=15)
#: How long a StopExecution waits for an execution whose program just ended to show its final status.
SETTLE_SECONDS = 5.0


def _no_listener(_execution: Any) -> None:
    return None


#: Called with an execution whose status this module has just changed (StopExecution ended it,
#: RedriveExecution restarted it). ``local.eventbridge`` sets it when its bus starts, to send the
#: status-change event (so this module needs no import of it).
status_changed: Callable[[Any], None] = _no_listener

_lock = threading.RLock()  # one redrive or stop at a time: a check and its change are atomic
_executions: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()  # ARN -> execution


@dataclass
class _Lifecycle:
    """What the local engine keeps about an execution beyond what moto keeps."""

    redrive_count: int = 0
    redrive_date: datetime.datetime | None = None
    stopped_by_api: bool = False  # StopExecution ended it: the interpreter's later outcome is ignored
    current_worker: Any = None  # after a redrive: the only worker whose end is the execution's end
    #: (Map state name, iteration index) -> (attempt, output) of an iteration that succeeded
    iteration_outputs: dict[tuple[str, int], tuple[int, Any]] | None = None
    client_tokens: dict[str, datetime.datetime] | None = None


def lifecycle(execution: Any) -> _Lifecycle:
    found = getattr(execution, "vpr_lifecycle", None)
    if found is None:
        found = _Lifecycle()
        execution.vpr_lifecycle = found
    return found


def _now() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.UTC)


def _status(execution: Any) -> str:
    return getattr(execution.exec_status, "value", execution.exec_status)


# --- what DescribeExecution and the status-change event say about redrives -----------------------------
def redrive_fields(execution: Any) -> dict[str, Any]:
    """``redriveCount``, ``redriveDate``, ``redriveStatus`` and its reason, as DescribeExecution has them."""
    state = lifecycle(execution)
    reason = _not_redrivable_reason(execution)
    return {
        "redriveCount": state.redrive_count,
        "redriveDate": state.redrive_date,
        "redriveStatus": "NOT_REDRIVABLE" if reason else "REDRIVABLE",
        "redriveStatusReason": reason,
    }


def _not_redrivable_reason(execution: Any) -> str | None:
    """DescribeExecution's ``redriveStatusReason`` wording for the conditions RedriveExecution checks."""
    status = _status(execution)
    if status in ("RUNNING", "SUCCEEDED"):
        return f"Execution is {status} and cannot be redriven"
    now = _now()
    if execution.stop_date is not None and now - execution.stop_date > REDRIVABLE_PERIOD:
        return "Execution redrivable period exceeded"
    if now - execution.start_date > MAX_OPEN_TIME:
        return "Execution has exceeded the max execution time"
    if execution.exec_worker is None or execution.exec_worker.env is None:
        return "Execution is RUNNING and cannot be redriven"  # started, not yet evaluating
    # (the list's length, not get_event_history(): that deep-copies the whole history on every describe)
    if len(execution.exec_worker.env.event_manager._history_event_list) >= MAX_HISTORY_EVENTS:
        return "Execution history event limit exceeded"
    return None


# --- StopExecution --------------------------------------------------------------------------------------
def stop(execution: Any, error: str | None, cause: str | None) -> datetime.datetime | None:
    """End a running execution now (ABORTED); an ended one is left as it is. Returns its stop date."""
    from moto.stepfunctions.parser.api import ExecutionStatus

    env = execution.exec_worker.env if execution.exec_worker is not None else None
    with _lock:
        if env is None:
            return execution.stop_date
        with env._state_mutex:  # the interpreter ends programs under this lock: no half-ended state
            running = env.is_running()
            if running:
                stopped_at = _now()
                env.set_stop(stop_date=stopped_at, cause=cause, error=error)
                lifecycle(execution).stopped_by_api = True
                execution.exec_status = ExecutionStatus.ABORTED
                execution.stop_date = stopped_at
                execution.error = error or None
                execution.cause = cause or None
    if running:
        _close_history(env.event_manager, error, cause)
        status_changed(execution)
        return execution.stop_date
    # The program has just ended: wait (briefly) for its final status, so a read after this sees it.
    deadline = time.monotonic() + SETTLE_SECONDS
    while _status(execution) == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.005)
    return execution.stop_date


def ends_the_execution(communication: Any) -> bool:
    """Whether an interpreter worker ending now ends the execution: not after StopExecution ended it
    (AWS ignores what a stopped execution's Lambdas return), nor a worker a redrive has replaced."""
    state = lifecycle(communication.execution)
    current = state.current_worker
    return not state.stopped_by_api and (current is None or current._execution_communication is communication)


def _close_history(manager: Any, error: str | None, cause: str | None) -> None:
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


def _closed_history_records_nothing(original: Callable[..., int]) -> Callable[..., int]:
    @functools.wraps(original)
    def add_event(self: Any, *args: Any, **kwargs: Any) -> int:
        if getattr(self, "vpr_closed", False):
            return 0
        return original(self, *args, **kwargs)

    return add_event


def _continued_history(previous: Any) -> Any:
    """A new event manager holding ``previous``'s events, numbering on: a redrive's own history (a
    stopped attempt's late events stay in the closed one)."""
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager

    manager = EventManager(cloud_watch_logging_session=previous._cloud_watch_logging_session)
    manager._history_event_list.extend(previous.get_event_history())
    manager._event_id_gen._next_id = previous._event_id_gen._next_id
    return manager


def _keep_the_stop(original: Callable[[Any], None]) -> Callable[[Any], None]:
    """The interpreter's own end of an execution StopExecution already ended changes nothing."""

    @functools.wraps(original)
    def reflect(self: Any) -> None:
        state = lifecycle(self.execution)
        if not ends_the_execution(self):
            return
        original(self)
        if _status(self.execution) == "SUCCEEDED":
            state.iteration_outputs = None  # nothing left to redrive

    return reflect


def _stays_stopped(original: Callable[..., None]) -> Callable[..., None]:
    """A stopped program stays stopped: moto's Map turns its aborted iterations into an error."""
    from moto.stepfunctions.parser.asl.eval.program_state import ProgramStopped

    @functools.wraps(original)
    def set_error(self: Any, error: Any) -> None:
        if isinstance(self._program_state, ProgramStopped):
            return
        original(self, error)

    return set_error


# --- RedriveExecution -----------------------------------------------------------------------------------
class RedriveRefusedError(Exception):
    """``ExecutionNotRedrivable``: the reason, in DescribeExecution's ``redriveStatusReason`` wording."""


def redrive(execution: Any, client_token: str | None) -> datetime.datetime:
    """Restart ``execution`` from its unsuccessful state (see the module docstring). Returns redriveDate."""
    from moto.stepfunctions.parser.api import ExecutionStatus

    with _lock:
        state = lifecycle(execution)
        tokens = state.client_tokens or {}
        now = _now()
        tokens = {t: at for t, at in tokens.items() if now - at <= CLIENT_TOKEN_LIFETIME}
        if client_token is not None and client_token in tokens and state.redrive_date is not None:
            return state.redrive_date  # the same request again: the same redrive
        reason = _not_redrivable_reason(execution)
        if reason is not None:
            raise RedriveRefusedError(reason)
        previous_env = execution.exec_worker.env
        history = previous_env.event_manager.get_event_history()
        definition = json.loads(execution.state_machine.definition)
        start_at, state_input = unsuccessful_state(definition, history, execution.input_data)

        state.redrive_count += 1
        state.redrive_date = now
        state.stopped_by_api = False
        if client_token is not None:
            tokens[client_token] = now
        state.client_tokens = dict(sorted(tokens.items(), key=lambda kv: kv[1])[-CLIENT_TOKENS_KEPT:])
        execution.exec_status = ExecutionStatus.RUNNING
        execution.stop_date = None
        execution.error = execution.cause = execution.output = None
        worker = _redrive_worker(execution, definition, start_at, state_input, previous_env, history)
        execution.exec_worker = state.current_worker = worker
        worker.start()
    status_changed(execution)
    return now


def unsuccessful_state(
    definition: dict[str, Any], history: list[dict[str, Any]], execution_input: Any
) -> tuple[str, Any]:
    """Where a redrive starts, and with what input: the top-level state entered and never exited.

    ("A parent workflow redrives unsuccessful states if there's no <stateType>Exited event corresponding
    to the <stateType>Entered event for a state", Developer Guide, "Redriving Map Runs".) A Fail state
    is never exited: an execution that ended in one fails there again. If every state entered was
    exited (stopped between two states), the next state runs, with the last one's output.
    """
    states = definition["States"]
    unfinished: tuple[str, Any] | None = None
    last_exit: tuple[str, Any] | None = None
    for event in sorted(history, key=lambda e: e["id"]):
        kind = event["type"]
        if kind.endswith("StateEntered"):
            details = event["stateEnteredEventDetails"]
            if details["name"] in states:
                unfinished = (details["name"], json.loads(details.get("input") or "null"))
        elif kind.endswith("StateExited"):
            details = event["stateExitedEventDetails"]
            if details["name"] in states:
                unfinished = None
                last_exit = (details["name"], json.loads(details.get("output") or "null"))
    if unfinished is not None:
        return unfinished
    if last_exit is not None and states[last_exit[0]].get("Next"):
        return states[last_exit[0]]["Next"], last_exit[1]
    return definition["StartAt"], execution_input


def _redrive_worker(
    execution: Any,
    definition: dict[str, Any],
    start_at: str,
    state_input: Any,
    previous_env: Any,
    history: list[dict[str, Any]],
) -> Any:
    """moto's execution worker, evaluating from ``start_at`` and appending to the existing history."""
    from moto.stepfunctions.parser.api import ExecutionRedrivenEventDetails, HistoryEventType
    from moto.stepfunctions.parser.asl.eval.evaluation_details import EvaluationDetails
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventHistoryContext
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    class RedriveWorker(ExecutionWorker):
        def _get_evaluation_entrypoint(self) -> Any:
            return AmazonStateLanguageParser.parse(json.dumps({**definition, "StartAt": start_at}))[0]

        def _get_evaluation_environment(self) -> Any:
            env = super()._get_evaluation_environment()
            env.event_manager = _continued_history(previous_env.event_manager)  # goes on where it stopped
            last_id = max((e["id"] for e in history), default=0)
            env.event_history_context = EventHistoryContext(previous_event_id=last_id)
            env.states.reset(input_value=state_input)
            return env

        def _execution_logic(self) -> None:
            program = self._get_evaluation_entrypoint()
            self.env = self._get_evaluation_environment()
            count = lifecycle(execution).redrive_count
            self.env.event_manager.add_event(
                context=self.env.event_history_context,
                event_type=HistoryEventType.ExecutionRedriven,
                event_details=EventDetails(
                    executionRedrivenEventDetails=ExecutionRedrivenEventDetails(redriveCount=count)
                ),
            )
            program.eval(self.env)
            self._execution_communication.terminated()

    return RedriveWorker(
        evaluation_details=EvaluationDetails(
            aws_execution_details=execution._get_start_aws_execution_details(),
            execution_details=execution.get_start_execution_details(),
            state_machine_details=execution.get_start_state_machine_details(),
        ),
        exec_comm=execution._get_start_execution_worker_comm(),
        cloud_watch_logging_session=execution._cloud_watch_logging_session,
        activity_store=execution._activity_store,
    )


# --- the Context object and the Map's iterations ----------------------------------------------------------
def _with_redrive_context(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``$$.Execution.RedriveCount`` (and ``RedriveTime`` once redriven), as AWS's Context object has."""

    @functools.wraps(original)
    def environment(self: Any) -> Any:
        env = original(self)
        execution = self._execution_communication.execution
        _executions[execution.exec_arn] = execution
        state = lifecycle(execution)
        data = env.states.context_object.context_object_data["Execution"]
        data["RedriveCount"] = state.redrive_count
        if state.redrive_date is not None:
            data["RedriveTime"] = state.redrive_date.isoformat().replace("+00:00", "Z")
        return env

    return environment


def _iterations_kept_on_redrive(original: Callable[..., None]) -> Callable[..., None]:
    """An inline Map iteration that succeeded keeps its output; a redrive runs only the others."""

    @functools.wraps(original)
    def eval_job(self: Any, env: Any, job: Any) -> None:
        arn = env.states.context_object.context_object_data["Execution"]["Id"]
        execution = _executions.get(arn)
        if execution is None:  # not an execution this module has seen start
            original(self, env, job)
            return
        state = lifecycle(execution)
        key, attempt = (self._work_name, job.job_index), state.redrive_count
        earlier = (state.iteration_outputs or {}).get(key)
        if earlier is not None and earlier[0] < attempt:  # succeeded in an earlier attempt: not rerun
            job.job_output = copy.deepcopy(earlier[1])
            return
        original(self, env, job)
        if not isinstance(job.job_output, Exception):
            with _lock:
                kept = state.iteration_outputs if state.iteration_outputs is not None else {}
                kept[key] = (attempt, copy.deepcopy(job.job_output))
                state.iteration_outputs = kept

    return eval_job


# --- the API (moto's response class) --------------------------------------------------------------------
def _stop_execution(self: Any) -> Any:
    from moto.core.responses import ActionResult

    execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
    stopped_at = stop(execution, self._get_param("error"), self._get_param("cause"))
    return ActionResult({"stopDate": stopped_at} if stopped_at is not None else {})


def _redrive_execution(self: Any) -> Any:
    from moto.core.exceptions import AWSError
    from moto.core.responses import ActionResult

    class ExecutionNotRedrivable(AWSError):  # noqa: N818 - the AWS error name
        TYPE = "ExecutionNotRedrivable"
        STATUS = 400

    execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
    try:
        redriven_at = redrive(execution, self._get_param("clientToken"))
    except RedriveRefusedError as refused:
        raise ExecutionNotRedrivable(str(refused)) from None
    return ActionResult({"redriveDate": redriven_at})


def _describe_with_redrive(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    from moto.core.responses import ActionResult

    @functools.wraps(original)
    def describe_execution(self: Any) -> Any:
        with _lock:  # one snapshot: not the status before a redrive and its count after it
            result = original(self)
            execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
            fields = redrive_fields(execution)
        extra = {k: v for k, v in fields.items() if v is not None}
        if _status(execution) == "TIMED_OUT" and execution.stop_date is not None:
            extra["stopDate"] = execution.stop_date  # moto leaves it out for TIMED_OUT
        return ActionResult({**result.result, **extra})

    return describe_execution


def install() -> None:
    """Patch moto (once per process): StopExecution, RedriveExecution, DescribeExecution, the Context."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.iteration_worker import (
        IterationWorker,
    )
    from moto.stepfunctions.parser.asl.eval.environment import Environment
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
    from moto.stepfunctions.responses import StepFunctionResponse

    if getattr(StepFunctionResponse, "_vpr_lifecycle", False):
        return
    ExecutionWorker._get_evaluation_environment = _with_redrive_context(  # type: ignore[method-assign]
        ExecutionWorker._get_evaluation_environment
    )
    BaseExecutionWorkerCommunication._reflect_execution_status = _keep_the_stop(  # type: ignore[method-assign]
        BaseExecutionWorkerCommunication._reflect_execution_status
    )
    IterationWorker._eval_job = _iterations_kept_on_redrive(IterationWorker._eval_job)  # type: ignore[method-assign]
    Environment.set_error = _stays_stopped(Environment.set_error)  # type: ignore[method-assign]
    EventManager.add_event = _closed_history_records_nothing(EventManager.add_event)  # type: ignore[method-assign]
    StepFunctionResponse.stop_execution = _stop_execution  # type: ignore[method-assign]
    StepFunctionResponse.redrive_execution = _redrive_execution  # type: ignore[attr-defined]
    StepFunctionResponse.describe_execution = _describe_with_redrive(  # type: ignore[method-assign]
        StepFunctionResponse.describe_execution
    )
    StepFunctionResponse._vpr_lifecycle = True  # type: ignore[attr-defined]
