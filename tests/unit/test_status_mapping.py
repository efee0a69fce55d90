"""Every Step Functions execution status, as the job status a client sees."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from vpr.aws.workflow import Execution
from vpr.models.responses import JobState
from vpr.status import ReportLinks, job_status

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ARN = "arn:aws:states:us-east-1:123456789012:execution:careervp-vpr-workflow-local:vpr-" + "a" * 64


def _execution(status: str, **kwargs) -> Execution:
    values = {
        "arn": ARN,
        "name": ARN.rsplit(":", 1)[1],
        "status": status,
        "input": json.dumps({"application_id": "app-1", "user_id": "u"}),
        "output": None,
        "start_date": START,
        "stop_date": None,
        "error": None,
        "cause": None,
    }
    values.update(kwargs)
    return Execution(**values)


def _no_presign(key: str):
    raise AssertionError("presigned a job that is not COMPLETED")


@pytest.mark.parametrize(("state", "stage"), [(None, "queued"), ("Validate", "validating")])
def test_running_before_generate_is_pending(state, stage):
    status = job_status(_execution("RUNNING"), state, _no_presign)

    assert (status.status, status.stage) == (JobState.PENDING, stage)
    assert status.application_id == "app-1"


@pytest.mark.parametrize(("state", "stage"), [("Generate", "generating"), ("Store", "storing")])
def test_running_in_generate_or_store_is_processing(state, stage):
    status = job_status(_execution("RUNNING"), state, _no_presign)

    assert (status.status, status.stage, status.started_at) == (JobState.PROCESSING, stage, START)


def test_pending_redrive_is_processing():
    assert job_status(_execution("PENDING_REDRIVE"), None, _no_presign).status == JobState.PROCESSING


def test_succeeded_is_completed_with_a_presigned_link_and_the_usage():
    output = {
        "result_key": "vpr/u/app-1/v2.json",
        "vpr_version": 2,
        "word_count": 1650,
        "token_usage": {"input_tokens": 5000, "output_tokens": 3000, "model": "m", "cost_usd": 0.06},
    }
    expires = START + timedelta(minutes=15)
    presigned = []

    def presign(key):
        presigned.append(key)
        return ReportLinks("https://signed.example/v2.json", "https://signed.example/v2.md", expires)

    status = job_status(
        _execution("SUCCEEDED", output=json.dumps(output), stop_date=START + timedelta(seconds=50)),
        None,
        presign,
    )

    assert status.status == JobState.COMPLETED
    assert presigned == ["vpr/u/app-1/v2.json"]
    assert (status.result_url, status.result_expires_at) == ("https://signed.example/v2.json", expires)
    assert status.result_markdown_url == "https://signed.example/v2.md"
    assert (status.vpr_version, status.word_count) == (2, 1650)
    assert status.token_usage.cost_usd == 0.06
    assert status.completed_at == START + timedelta(seconds=50)


def test_failed_with_a_named_error_shows_its_message_but_never_the_stack_trace():
    cause = json.dumps(
        {"errorType": "CvNotFound", "errorMessage": "No CV on file.", "stackTrace": ['File "/var/task/x.py"']}
    )

    status = job_status(_execution("FAILED", error="CvNotFound", cause=cause), None, _no_presign)

    assert status.status == JobState.FAILED
    assert (status.error_code, status.error) == ("CvNotFound", "No CV on file.")
    assert "var/task" not in status.model_dump_json()


def test_failed_with_an_unknown_error_hides_the_cause():
    cause = json.dumps({"errorType": "KeyError", "errorMessage": "'secret_field'", "stackTrace": ["..."]})

    status = job_status(_execution("FAILED", error="KeyError", cause=cause), None, _no_presign)

    assert status.error_code == "KeyError"
    assert "secret_field" not in status.error


@pytest.mark.parametrize(
    ("sfn_status", "code"), [("TIMED_OUT", "States.Timeout"), ("ABORTED", "ExecutionAborted")]
)
def test_timed_out_and_aborted_are_failed_with_a_clear_code(sfn_status, code):
    status = job_status(_execution(sfn_status), None, _no_presign)

    assert (status.status, status.error_code) == (JobState.FAILED, code)
    assert status.error


def test_the_owners_cancel_reads_cancelled_and_an_operators_stop_reads_aborted():
    cancelled = job_status(_execution("ABORTED", error="Cancelled", cause="..."), None, _no_presign)
    stopped = job_status(_execution("ABORTED", error="Maintenance", cause="x"), None, _no_presign)
    bare = job_status(_execution("ABORTED"), None, _no_presign)

    assert (cancelled.error_code, cancelled.error) == ("Cancelled", "The job was cancelled at your request.")
    assert stopped.error_code == bare.error_code == "ExecutionAborted"
    assert stopped.error == "The job was stopped before it finished."  # not the operator's own cause
    assert not (cancelled.retryable or stopped.retryable)


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        ("ClaudeOverloaded", True),
        ("ClaudeRateLimited", True),
        ("ResultStoreUnavailable", True),
        ("Lambda.ServiceException", True),
        ("States.Timeout", True),
        ("ClaudeRefused", False),
        ("ClaudeRequestRejected", False),
        ("ValidationFailed", False),
        ("GenerationInvalidOutput", False),
        ("LocalRuntimeRestarted", False),
        ("KeyError", False),  # a bug: retrying runs the same code
    ],
)
def test_a_failed_job_says_whether_a_retry_could_resume_it(error, retryable):
    status = job_status(_execution("FAILED", error=error), None, _no_presign)

    assert status.retryable is retryable
    assert job_status(_execution("TIMED_OUT"), None, _no_presign).retryable is True


def test_only_failed_jobs_carry_retryable():
    assert job_status(_execution("RUNNING"), "Plan", _no_presign).retryable is None
