"""The local workflow console's data: recent executions and, for one, what each state did.

The page (``web/console.html``) draws; this module reads the local engine (moto's Step Functions, the
same boto3 calls as against AWS: ListExecutions, DescribeExecution, GetExecutionHistory,
DescribeStateMachine) and decides what happened to each state, so the rule lives in Python, under test,
and the browser only colours boxes.

It reads every execution of every local state machine, whatever user started it: it is a developer's
tool on the loopback interface of ``make run``, like the Step Functions console is for an account's
operators. Inputs and outputs (which hold CV text) are returned as they are; the page keeps them
collapsed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

#: What a state can have gone through, from worst to best: a state visited several times (a Map
#: iteration, a loop) shows the worst of its visits.
OUTCOMES = ("failed", "running", "caught", "retried", "succeeded")
NOT_STARTED = "not_started"
RECENT_LIMIT = 50

#: Events that start one more attempt of a task (Lambda integration or any other service task).
_ATTEMPT_EVENTS = {"LambdaFunctionScheduled", "TaskScheduled", "ActivityScheduled"}
_FAILURE_SUFFIXES = ("Failed", "TimedOut", "ScheduleFailed", "StartFailed", "SubmitFailed", "Aborted")
_SUCCESS_EVENTS = {"LambdaFunctionSucceeded", "TaskSucceeded", "ActivitySucceeded"}

StepFunctionsFactory = Callable[[], Any]


def _stepfunctions() -> Any:
    """A client for the engine ``make run`` started: its ``AWS_ENDPOINT_URL`` is in this environment."""
    import boto3

    return boto3.client("stepfunctions")


def _seconds(start: datetime | None, stop: datetime | None) -> float | None:
    return None if start is None or stop is None else round((stop - start).total_seconds(), 3)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _details(event: dict[str, Any]) -> dict[str, Any]:
    return next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {})


def cause_message(cause: str | None) -> str | None:
    """Lambda's cause is ``{"errorMessage", "errorType", "stackTrace"}``: the message reads first."""
    if not cause:
        return None
    try:
        payload = json.loads(cause)
    except ValueError:
        return cause[:500]
    if isinstance(payload, dict) and isinstance(payload.get("errorMessage"), str):
        return payload["errorMessage"]
    return cause[:500]


def _is_failure(event_type: str) -> bool:
    return event_type.endswith(_FAILURE_SUFFIXES) and not event_type.startswith("Execution")


# --- executions --------------------------------------------------------------------------------------
def recent_executions(client: Any, limit: int = RECENT_LIMIT) -> list[dict[str, Any]]:
    """The newest ``limit`` executions of every local state machine, newest first, with error codes."""
    listed: list[dict[str, Any]] = []
    for machine in client.list_state_machines()["stateMachines"]:
        arn = machine["stateMachineArn"]
        listed += client.list_executions(stateMachineArn=arn, maxResults=1000)["executions"]
    listed.sort(key=lambda e: e["startDate"], reverse=True)
    rows = []
    for execution in listed[:limit]:
        # ListExecutions has no error; only a finished, failed one needs the extra call.
        error = None
        if execution["status"] in {"FAILED", "TIMED_OUT", "ABORTED"}:
            error = client.describe_execution(executionArn=execution["executionArn"]).get("error")
        rows.append(
            {
                "arn": execution["executionArn"],
                "name": execution["name"],
                "state_machine": execution["stateMachineArn"].rsplit(":", 1)[-1],
                "status": execution["status"],
                "started_at": _iso(execution["startDate"]),
                "stopped_at": _iso(execution.get("stopDate")),
                "duration_s": _seconds(execution["startDate"], execution.get("stopDate")),
                "error": error,
            }
        )
    return rows


def execution_view(client: Any, execution_arn: str) -> dict[str, Any]:
    """One execution: its description, the definition it ran, each state's outcome and its events."""
    description = client.describe_execution(executionArn=execution_arn)
    definition = json.loads(
        client.describe_state_machine(stateMachineArn=description["stateMachineArn"])["definition"]
    )
    events = _all_events(client, execution_arn)
    start = description["startDate"]
    return {
        "execution": {
            "arn": execution_arn,
            "name": description["name"],
            "status": description["status"],
            "started_at": _iso(start),
            "stopped_at": _iso(description.get("stopDate")),
            "duration_s": _seconds(start, description.get("stopDate")),
            "error": description.get("error"),
            "cause": cause_message(description.get("cause")),
        },
        "definition": definition,
        "states": state_outcomes(events, description["status"]),
        "events": [_event_row(event, start) for event in events],
    }


def _all_events(client: Any, execution_arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
    while True:
        page = client.get_execution_history(**kwargs)
        events += page["events"]
        if not page.get("nextToken"):
            return events
        kwargs["nextToken"] = page["nextToken"]


def _event_row(event: dict[str, Any], start: datetime) -> dict[str, Any]:
    details = _details(event)
    row: dict[str, Any] = {
        "id": event["id"],
        "type": event["type"],
        "offset_s": _seconds(start, event["timestamp"]),
        "state": details.get("name"),
        "error": details.get("error"),
        "cause": cause_message(details.get("cause")),
        "resource": (details.get("resource") or "").rsplit(":", 1)[-1] or None,
    }
    # Inputs and outputs hold personal data: sent apart, so the page can keep them folded away.
    row["data"] = {k: details[k] for k in ("input", "output") if isinstance(details.get(k), str)}
    return row


# --- what happened to each state ---------------------------------------------------------------------
class _Visit:
    """One entry into a state (a state is visited once per Map iteration or loop pass)."""

    def __init__(self, name: str, entered: datetime) -> None:
        self.name = name
        self.entered = entered
        self.exited: datetime | None = None
        self.attempts = 0
        self.failures: list[dict[str, str | None]] = []
        self.last_task_failed = False

    def outcome(self, execution_running: bool) -> str:
        if self.exited is None:
            return "running" if execution_running else "failed"
        if self.last_task_failed:
            return "caught"  # it failed, yet left: a Catch routed the error elsewhere
        return "retried" if self.failures else "succeeded"


def state_outcomes(events: Iterable[dict[str, Any]], execution_status: str) -> dict[str, dict[str, Any]]:
    """``{state name: {status, visits, attempts, retries, errors, duration_s}}`` for states entered.

    A state absent from the result was not started. Each event belongs to the visit whose
    ``*StateEntered`` event its ``previousEventId`` chain reaches (that holds inside Map iterations,
    whose events interleave); an event whose chain reaches no entry belongs to the visit entered last.
    A visit still open is running while the execution runs, and is where it failed once it stopped
    (a ``Fail`` state is entered and never left).
    """
    by_id: dict[int, dict[str, Any]] = {}
    owner: dict[int, _Visit] = {}
    visits: list[_Visit] = []
    open_by_name: dict[str, list[_Visit]] = {}
    for event in events:
        by_id[event["id"]] = event
        kind = event["type"]
        details = _details(event)
        if kind.endswith("StateEntered"):
            visit = _Visit(details.get("name", "?"), event["timestamp"])
            visits.append(visit)
            open_by_name.setdefault(visit.name, []).append(visit)
            owner[event["id"]] = visit
            continue
        if kind.endswith("StateExited"):
            stack = open_by_name.get(details.get("name", "?")) or []
            traced = _owner_of(event, by_id, owner)
            visit = traced if traced in stack else (stack[0] if stack else None)
            if visit is not None:
                stack.remove(visit)
                visit.exited = event["timestamp"]
                owner[event["id"]] = visit
            continue
        visit = _owner_of(event, by_id, owner) or _last_open(visits)
        if visit is None:
            continue
        owner[event["id"]] = visit
        if kind in _ATTEMPT_EVENTS:
            visit.attempts += 1
        elif _is_failure(kind):
            visit.failures.append(
                {"error": details.get("error"), "cause": cause_message(details.get("cause"))}
            )
            visit.last_task_failed = True
        elif kind in _SUCCESS_EVENTS:
            visit.last_task_failed = False

    running = execution_status == "RUNNING"
    result: dict[str, dict[str, Any]] = {}
    for visit in visits:
        outcome = visit.outcome(running)
        entry = result.setdefault(
            visit.name,
            {"status": outcome, "visits": 0, "attempts": 0, "retries": 0, "errors": [], "duration_s": 0.0},
        )
        if OUTCOMES.index(outcome) < OUTCOMES.index(entry["status"]):
            entry["status"] = outcome
        entry["visits"] += 1
        entry["attempts"] += visit.attempts
        entry["retries"] += max(visit.attempts - 1, 0)
        entry["errors"] += visit.failures
        entry["duration_s"] = round(entry["duration_s"] + (_seconds(visit.entered, visit.exited) or 0.0), 3)
    return result


def _owner_of(
    event: dict[str, Any], by_id: dict[int, dict[str, Any]], owner: dict[int, _Visit]
) -> _Visit | None:
    seen = set()
    previous = event.get("previousEventId")
    while previous and previous not in seen:
        seen.add(previous)
        if previous in owner:
            return owner[previous]
        previous = by_id.get(previous, {}).get("previousEventId")
    return None


def _last_open(visits: list[_Visit]) -> _Visit | None:
    return next((v for v in reversed(visits) if v.exited is None), None)


# --- HTTP --------------------------------------------------------------------------------------------
def answer(
    path: str, query: dict[str, str], client_factory: StepFunctionsFactory = _stepfunctions
) -> tuple[int, dict]:
    """The console's JSON endpoints, as (status, body). Errors name the problem, never a stack trace."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        if path == "/console/api/executions":
            return 200, {"executions": recent_executions(client_factory())}
        if path == "/console/api/execution":
            arn = query.get("arn", "")
            if not arn.startswith("arn:aws:states:") or ":execution:" not in arn:
                return _problem(400, "BadRequest", "arn must be an execution ARN.", "arn")
            return 200, execution_view(client_factory(), arn)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in {"ExecutionDoesNotExist", "StateMachineDoesNotExist", "ResourceNotFound"}:
            return _problem(404, "NotFound", "No such execution in the local engine.", "arn")
        return _problem(502, "EngineError", f"The local engine answered {code or 'an error'}.")
    except BotoCoreError:
        return _problem(503, "EngineUnavailable", "The local engine cannot be reached.")
    except (KeyError, ValueError, TypeError):  # an answer of an unexpected shape: say so, never crash
        return _problem(500, "ConsoleError", "The console could not read this execution.")
    return _problem(404, "NotFound", f"No console endpoint {path}.")


def _problem(status: int, code: str, message: str, field: str | None = None) -> tuple[int, dict]:
    """An error answer in the API's envelope (``ErrorResponse``), so the page reads both alike."""
    from vpr.models.responses import ErrorResponse

    return status, ErrorResponse.of(status, code, message, [(field, message)] if field else []).model_dump()
