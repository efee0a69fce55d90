"""RedriveExecution as AWS documents it, on moto's interpreter, which has none (see
``local.sfn_lifecycle``): restart from the unsuccessful state, same ARN, finished Map iterations kept,
``redriveCount`` in DescribeExecution and ``$$.Execution.RedriveCount`` in the Context object."""

from __future__ import annotations

import copy
import datetime
import functools
import json
from collections.abc import Callable
from typing import Any

from local import sfn_state

#: RedriveExecution's limits (API Reference, RedriveExecution: "You can redrive executions if ...").
REDRIVABLE_PERIOD = datetime.timedelta(days=14)
MAX_OPEN_TIME = datetime.timedelta(days=365)
MAX_HISTORY_EVENTS = 24_999
#: "The API will return idempotent responses for the last 10 client tokens used to successfully redrive
#: the execution. These client tokens are valid for up to 15 minutes after they are first used."
CLIENT_TOKENS_KEPT = 10
CLIENT_TOKEN_LIFETIME = datetime.timedelta(minutes=15)


# --- what DescribeExecution and the status-change event say about redrives -----------------------------
def redrive_fields(execution: Any) -> dict[str, Any]:
    """``redriveCount``, ``redriveDate``, ``redriveStatus`` and its reason, as DescribeExecution has them."""
    state = sfn_state.lifecycle(execution)
    reason = _not_redrivable_reason(execution)
    return {
        "redriveCount": state.redrive_count,
        "redriveDate": state.redrive_date,
        "redriveStatus": "NOT_REDRIVABLE" if reason else "REDRIVABLE",
        "redriveStatusReason": reason,
    }


def _not_redrivable_reason(execution: Any) -> str | None:
    """DescribeExecution's ``redriveStatusReason`` wording for the conditions RedriveExecution checks."""
    status = sfn_state.status(execution)
    if status in ("RUNNING", "SUCCEEDED"):
        return f"Execution is {status} and cannot be redriven"
    now = sfn_state.now()
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


# --- RedriveExecution -----------------------------------------------------------------------------------
class RedriveRefusedError(Exception):
    """``ExecutionNotRedrivable``: the reason, in DescribeExecution's ``redriveStatusReason`` wording."""


def redrive(execution: Any, client_token: str | None) -> datetime.datetime:
    """Restart ``execution`` from its unsuccessful state (see the module docstring). Returns redriveDate."""
    from moto.stepfunctions.parser.api import ExecutionStatus

    with sfn_state.lock:
        state = sfn_state.lifecycle(execution)
        tokens = state.client_tokens or {}
        now = sfn_state.now()
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
    sfn_state.status_changed(execution)
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


def _continued_history(previous: Any) -> Any:
    """A new event manager holding ``previous``'s events, numbering on: a redrive's own history (a
    stopped attempt's late events stay in the closed one)."""
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager

    manager = EventManager(cloud_watch_logging_session=previous._cloud_watch_logging_session)
    manager._history_event_list.extend(previous.get_event_history())
    manager._event_id_gen._next_id = previous._event_id_gen._next_id
    return manager


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
            count = sfn_state.lifecycle(execution).redrive_count
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
def with_redrive_context(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``$$.Execution.RedriveCount`` (and ``RedriveTime`` once redriven), as AWS's Context object has."""

    @functools.wraps(original)
    def environment(self: Any) -> Any:
        env = original(self)
        execution = self._execution_communication.execution
        sfn_state.executions[execution.exec_arn] = execution
        state = sfn_state.lifecycle(execution)
        data = env.states.context_object.context_object_data["Execution"]
        data["RedriveCount"] = state.redrive_count
        if state.redrive_date is not None:
            data["RedriveTime"] = state.redrive_date.isoformat().replace("+00:00", "Z")
        return env

    return environment


def iterations_kept_on_redrive(original: Callable[..., None]) -> Callable[..., None]:
    """An inline Map iteration that succeeded keeps its output; a redrive runs only the others."""

    @functools.wraps(original)
    def eval_job(self: Any, env: Any, job: Any) -> None:
        arn = env.states.context_object.context_object_data["Execution"]["Id"]
        execution = sfn_state.executions.get(arn)
        if execution is None:  # not an execution this module has seen start
            original(self, env, job)
            return
        state = sfn_state.lifecycle(execution)
        key, attempt = (self._work_name, job.job_index), state.redrive_count
        earlier = (state.iteration_outputs or {}).get(key)
        if earlier is not None and earlier[0] < attempt:  # succeeded in an earlier attempt: not rerun
            job.job_output = copy.deepcopy(earlier[1])
            return
        original(self, env, job)
        if not isinstance(job.job_output, Exception):
            with sfn_state.lock:
                kept = state.iteration_outputs if state.iteration_outputs is not None else {}
                kept[key] = (attempt, copy.deepcopy(job.job_output))
                state.iteration_outputs = kept

    return eval_job


def redrive_execution_response(self: Any) -> Any:
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


def describe_with_redrive(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    from moto.core.responses import ActionResult

    @functools.wraps(original)
    def describe_execution(self: Any) -> Any:
        with sfn_state.lock:  # one snapshot: not the status before a redrive and its count after it
            result = original(self)
            execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
            fields = redrive_fields(execution)
        extra = {k: v for k, v in fields.items() if v is not None}
        if sfn_state.status(execution) == "TIMED_OUT" and execution.stop_date is not None:
            extra["stopDate"] = execution.stop_date  # moto leaves it out for TIMED_OUT
        return ActionResult({**result.result, **extra})

    return describe_execution
