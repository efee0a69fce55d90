"""Cancel and retry decisions (vpr.control) against in-memory stand-ins for Step Functions and the view:
the cases the workflow tests cannot produce on moto (what AWS may answer differently)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import pytest

from vpr.aws.jobview import JobRecord
from vpr.aws.workflow import Execution, WorkflowStore
from vpr.control import JobControl
from vpr.errors import JobNotCancellable, JobNotRetryable
from vpr.jobs import JobService

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:careervp-vpr-workflow-test"
ARN = MACHINE.replace(":stateMachine:", ":execution:") + ":vpr-" + "b" * 64
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _execution(status: str, **changes: Any) -> Execution:
    values = {
        "arn": ARN,
        "name": ARN.rsplit(":", 1)[1],
        "status": status,
        "input": json.dumps({"application_id": "app-1", "user_id": "u"}),
        "output": None,
        "start_date": START,
        "stop_date": START,
        "error": None,
        "cause": None,
    }
    return Execution(**(values | changes))


@dataclass
class Workflow(WorkflowStore):
    """DescribeExecution answers from ``answers`` (the last one repeats); stops and redrives recorded."""

    answers: list[Execution] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)
    redriven: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(MACHINE)

    def describe(self, execution_arn: str) -> Execution | None:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    def stop(self, execution_arn: str, error: str, cause: str) -> None:
        self.stopped.append(error)

    def redrive(self, execution_arn: str, client_token: str) -> datetime:
        self.redriven.append(client_token)
        return START


@dataclass
class View:
    record: JobRecord | None = None
    writes: list[Any] = field(default_factory=list)

    def get(self, job_id: str) -> JobRecord | None:
        return self.record

    def request_cancel(self, job_id: str, redrive_count: int) -> None:
        self.writes.append(("request_cancel", redrive_count))

    def apply(self, job_id: str, update: Any) -> bool:
        self.writes.append(update)
        return True


def _control(workflow: Workflow, view: View | None = None) -> JobControl:
    return JobControl(JobService(workflow, results=None, result_url_ttl_seconds=60, view=view))  # type: ignore[arg-type]


def test_a_stop_reads_as_the_owners_cancel_even_if_describe_omits_its_error():
    """The API Reference documents DescribeExecution's ``error`` for failed executions; an ABORTED one
    may come back without StopExecution's error. The cancel that just stopped it knows it was its own."""
    workflow = Workflow([_execution("RUNNING"), _execution("ABORTED")])
    view = View()

    status = _control(workflow, view).cancel(ARN, "u")

    assert workflow.stopped == ["Cancelled"]
    assert (status.status, status.error_code) == ("FAILED", "Cancelled")
    assert view.writes[0] == ("request_cancel", 0)  # before the stop
    outcome = view.writes[-1]
    assert (outcome.status, outcome.values["error_code"], outcome.seq) == ("ABORTED", "Cancelled", 995)


def test_asking_again_is_recognised_from_the_view_when_describe_omits_the_error():
    record = JobRecord(job_id=ARN, status="ABORTED", owner="u", error_code="Cancelled", seq=995)
    workflow = Workflow([_execution("ABORTED")])

    status = _control(workflow, View(record)).cancel(ARN, "u")

    assert status.error_code == "Cancelled" and workflow.stopped == []


def test_an_operators_stop_is_not_the_owners_cancel():
    workflow = Workflow([_execution("ABORTED", error="Maintenance")])
    record = JobRecord(job_id=ARN, status="ABORTED", owner="u", error_code="ExecutionAborted", seq=990)

    with pytest.raises(JobNotCancellable, match="ExecutionAborted"):
        _control(workflow, View(record)).cancel(ARN, "u")


def test_a_job_running_because_of_a_retry_is_not_redriven_again():
    workflow = Workflow([replace(_execution("RUNNING"), redrive_count=1)])

    status = _control(workflow, View()).retry(ARN, "u")

    assert (status.status, status.stage) == ("PROCESSING", "redriving") and workflow.redriven == []
    pending = Workflow([_execution("PENDING_REDRIVE")])  # accepted, not started: its count is still 0
    assert _control(pending, View()).retry(ARN, "u").stage == "redriving" and pending.redriven == []
    with pytest.raises(JobNotRetryable, match="still running"):
        _control(Workflow([_execution("RUNNING")]), View()).retry(ARN, "u")


def test_a_retry_names_its_attempt_in_the_client_token():
    failed = replace(_execution("FAILED", error="ClaudeOverloaded"), redrive_count=2)
    workflow = Workflow([failed, replace(failed, status="RUNNING", redrive_count=3)])

    _control(workflow, View()).retry(ARN, "u")

    assert workflow.redriven == ["vpr-retry-3"]
