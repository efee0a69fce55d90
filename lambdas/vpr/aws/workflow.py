"""Step Functions as the job store: an execution is a job, its ARN the job id."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from vpr.aws.clients import aws_client


@dataclass(frozen=True)
class Execution:
    arn: str
    name: str
    status: str  # RUNNING | SUCCEEDED | FAILED | TIMED_OUT | ABORTED | PENDING_REDRIVE
    input: str
    output: str | None
    start_date: datetime
    stop_date: datetime | None
    error: str | None
    cause: str | None
    redrive_count: int = 0  # how many times the execution was redriven (retried); part of the view's seq

    def input_json(self) -> dict[str, Any]:
        return json.loads(self.input)


class ExecutionAlreadyExistsError(Exception):
    """StartExecution refused the name: a finished job, or a running one with another input."""


class ExecutionNotRedrivableError(Exception):
    """RedriveExecution refused: the execution is running or succeeded, or is past its redrive window."""


class WorkflowStore:
    def __init__(self, state_machine_arn: str) -> None:
        self.state_machine_arn = state_machine_arn

    @property
    def execution_arn_prefix(self) -> str:
        """``arn:...:execution:<state machine name>:`` — what every execution ARN of ours starts with."""
        prefix, _, sm_name = self.state_machine_arn.rpartition(":stateMachine:")
        return f"{prefix}:execution:{sm_name}:"

    def execution_arn(self, name: str) -> str:
        """The ARN an execution of this name has (or would have)."""
        return self.execution_arn_prefix + name

    def start(self, name: str, execution_input: str) -> tuple[str, datetime]:
        """Start an execution; its ARN and start date."""
        try:
            response = aws_client("stepfunctions").start_execution(
                stateMachineArn=self.state_machine_arn, name=name, input=execution_input
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ExecutionAlreadyExists":
                raise ExecutionAlreadyExistsError(name) from error
            raise
        return response["executionArn"], response["startDate"]

    def describe(self, execution_arn: str) -> Execution | None:
        try:
            r = aws_client("stepfunctions").describe_execution(executionArn=execution_arn)
        except ClientError as error:
            if error.response["Error"]["Code"] in {"ExecutionDoesNotExist", "InvalidArn"}:
                return None
            raise
        return Execution(
            arn=r["executionArn"],
            name=r["name"],
            status=r["status"],
            input=r.get("input", "{}"),
            output=r.get("output"),
            start_date=r["startDate"],
            stop_date=r.get("stopDate"),
            error=r.get("error"),
            cause=r.get("cause"),
            redrive_count=r.get("redriveCount") or 0,
        )

    def stop(self, execution_arn: str, error: str, cause: str) -> None:
        """StopExecution: the execution ends ABORTED with ``error``/``cause`` (no effect once it ended).

        Step Functions stops scheduling states; a Lambda already running runs on (its result is ignored).
        """
        aws_client("stepfunctions").stop_execution(executionArn=execution_arn, error=error, cause=cause)

    def redrive(self, execution_arn: str, client_token: str) -> datetime:
        """RedriveExecution: run the execution's unsuccessful states again, same ARN and input.

        ``client_token`` makes a repeated request (a double click) the same redrive, not a second one.
        """
        try:
            response = aws_client("stepfunctions").redrive_execution(
                executionArn=execution_arn, clientToken=client_token
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ExecutionNotRedrivable":
                raise ExecutionNotRedrivableError(error.response["Error"].get("Message", "")) from error
            raise
        return response["redriveDate"]

    def history(self, execution_arn: str, newest_first: bool = True, max_events: int = 1000) -> list[dict]:
        """The execution's events (what the Step Functions console shows), paginated."""
        client = aws_client("stepfunctions")
        events: list[dict] = []
        kwargs: dict[str, Any] = {
            "executionArn": execution_arn,
            "reverseOrder": newest_first,
            "maxResults": 100,
        }
        while len(events) < max_events:
            page = client.get_execution_history(**kwargs)
            events.extend(page["events"])
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
        return events[:max_events]

    def current_state(self, execution_arn: str) -> str | None:
        """Name of the state the execution entered last (None before the first one)."""
        entered = [
            e
            for e in self.history(execution_arn, newest_first=True, max_events=100)
            if e["type"].endswith("StateEntered")
        ]
        if not entered:
            return None
        return max(entered, key=lambda e: e["id"])["stateEnteredEventDetails"]["name"]
