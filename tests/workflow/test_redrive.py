"""Retry on the real ASL in moto: POST /api/vpr/{job_id}/retry redrives a job that failed with a
transient error — same job id, only what did not finish runs again (counted at the fake Messages API and
at the task handlers) — and the job view follows the redrive back to PROCESSING, then COMPLETED.

Also what the local engine's RedriveExecution does (``local.sfn_lifecycle``; moto 5.2.5 has none).
"""

from __future__ import annotations

import datetime
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest

from tests.conftest import Gate, example_with, wait_for_execution
from tests.fakes.anthropic_server import bad_request, overloaded
from tests.workflow.conftest import events_of
from tests.workflow.test_sections_workflow import ALL_CALLS
from tests.workflow.test_status_while_running import _api
from vpr.aws.jobview import JobView, failed_update
from vpr.errors import LOCAL_RUNTIME_RESTARTED, SYSTEM_ERROR_MESSAGES, ResultStoreUnavailable


def _submit(request: dict[str, Any]) -> str:
    answer = _api("submit", "POST", "/api/vpr", request)
    assert answer["status"] == 202, answer
    return answer["body"]["job_id"]


def _retry(job_id: str, user: str | None = None) -> dict[str, Any]:
    return _api("retry", "POST", f"/api/vpr/{job_id}/retry", user=user)


def _status(job_id: str) -> dict[str, Any]:
    return _api("status", "GET", f"/api/vpr/status/{job_id}")["body"]


def _describe(job_id: str) -> dict[str, Any]:
    return boto3.client("stepfunctions").describe_execution(executionArn=job_id)


def _history(job_id: str) -> list[dict[str, Any]]:
    return boto3.client("stepfunctions").get_execution_history(executionArn=job_id, maxResults=1000)["events"]


def _wait_status(job_id: str, wanted: str, timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while (status := _status(job_id))["status"] != wanted:
        if time.monotonic() > deadline:
            pytest.fail(f"status {status['status']}, not {wanted}, after {timeout}s")
        time.sleep(0.02)
    return status


def _moto_execution(local_runtime: Any, job_id: str) -> Any:
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    from local.runtime import ACCOUNT, REGION

    backend = stepfunctions_parser_backends[ACCOUNT][REGION]
    return next(e for m in backend.state_machines for e in m.executions if e.exec_arn == job_id)


def test_a_transient_section_failure_is_retried_and_only_that_section_is_written_again(
    claude, local_runtime, delivered_events
):
    overloaded_now, held, release = {"on": True}, threading.Event(), threading.Event()

    def route(request, job):
        if job.id == "culture" and overloaded_now["on"]:
            return overloaded()  # 529, every attempt: the ASL's Retry gives up
        if job.id == "culture":  # the redrive: held open, to see the status while it runs
            held.set()
            release.wait(timeout=20)
        return None

    claude.route = route
    assemble = Gate(local_runtime.task_handler("Assemble"), timeout=20)  # every section written
    restore = local_runtime.override_task("Assemble", assemble.handler)
    try:
        job_id = _submit(example_with(application_id="app-retry-section"))
        failed = _wait_status(job_id, "FAILED")
        first_calls = dict(claude.calls_per_section())

        overloaded_now["on"] = False
        answer = _retry(job_id)
        assert held.wait(timeout=20)
        during = _status(job_id)
        release.set()
        assert assemble.entered.wait(timeout=20)
        written = _status(job_id)
        view = JobView(local_runtime.endpoints.job_view_table)
        item = boto3.client("dynamodb").get_item(
            TableName=local_runtime.endpoints.job_view_table, Key={"job_id": {"S": job_id}}
        )["Item"]
        view_ids = sorted(item["section_ids"]["SS"])
        boto3.client("dynamodb").delete_item(
            TableName=local_runtime.endpoints.job_view_table, Key={"job_id": {"S": job_id}}
        )
        from_history = _status(job_id)  # the fallback: the history holds both runs of the Map
        assemble.release.set()
        completed = _wait_status(job_id, "COMPLETED")
    finally:
        release.set()
        assemble.release.set()
        restore()
    local_runtime.events.drain()

    assert (failed["error_code"], failed["retryable"]) == ("ClaudeOverloaded", True)
    assert first_calls == ALL_CALLS | {"culture": 5}
    assert answer["status"] == 202
    assert (answer["body"]["job_id"], answer["body"]["status"]) == (job_id, "PROCESSING")  # the same job
    assert answer["body"]["stage"] == "redriving" and int(answer["headers"]["Retry-After"]) > 0
    assert (during["status"], during["stage"]) == ("PROCESSING", "generating")
    planned = [s["id"] for s in during["sections_planned"]]
    assert (during["sections_done"], during["sections_total"]) == (5, 6)  # the five that had finished
    # The sections written before the redrive stay listed, once each, in plan order; culture is to come.
    assert [s["id"] for s in during["sections_ready"]] == [i for i in planned if i != "culture"]
    # The redriven run's section is accepted into the view (its seq is the redrive's) and listed once.
    for status in (written, from_history):
        assert (status["sections_done"], status["sections_total"]) == (6, 6), status
        assert [s["id"] for s in status["sections_ready"]] == planned, status
    assert view_ids == sorted(planned)
    # Only the failed section was written again; the five finished ones were not.
    assert dict(claude.calls_per_section()) == ALL_CALLS | {"culture": 6}
    assert completed["vpr_version"] == 1 and "error_code" not in completed
    described = _describe(job_id)
    assert (described["status"], described["redriveCount"]) == ("SUCCEEDED", 1)
    assert events_of(delivered_events, job_id) == [
        ("FAILED", 0, "ClaudeOverloaded"),
        ("RUNNING", 1, None),  # the redrive's event: the view goes back to RUNNING
        ("SUCCEEDED", 1, None),
    ]
    record = view.get(job_id)
    assert (record.status, record.seq, record.sections_ready) == ("SUCCEEDED", 1990, ())
    types = [e["type"] for e in _history(job_id)]
    assert types.count("ExecutionStarted") == 1 and types.count("ExecutionRedriven") == 1
    assert (
        types.index("ExecutionFailed") < types.index("ExecutionRedriven") < types.index("ExecutionSucceeded")
    )


def test_a_store_failure_is_retried_without_writing_the_report_again(
    local_runtime, spy_task, single_mode, delivered_events
):
    validate, generate = spy_task("Validate"), spy_task("Generate")
    store = spy_task("Store", fail_with=[ResultStoreUnavailable() for _ in range(4)])  # 1 + 3 retries
    job_id = _submit(example_with(application_id="app-retry-store"))
    failed = _wait_status(job_id, "FAILED")

    answer = _retry(job_id)
    completed = _wait_status(job_id, "COMPLETED")

    assert (failed["error_code"], failed["retryable"]) == ("ResultStoreUnavailable", True)
    assert answer["status"] == 202
    assert (validate.calls, generate.calls, store.calls) == (1, 1, 5)  # only Store ran again
    assert store.events[-1]["redrive_count"] == 1 and store.events[0]["redrive_count"] == 0
    assert completed["vpr_version"] == 1  # one report, one version


def test_two_retries_at_once_are_one_redrive(claude, local_runtime):
    failing = {"on": True}
    claude.route = lambda request, job: overloaded() if job.id == "interview" and failing["on"] else None
    job_id = _submit(example_with(application_id="app-retry-twice"))
    _wait_status(job_id, "FAILED")
    failing["on"] = False

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: _retry(job_id), range(2)))
    _wait_status(job_id, "COMPLETED")

    # One redrive: the same client token if both asked before it started, else "being retried" already.
    assert [a["status"] for a in answers] == [202, 202]
    assert answers[0]["body"] == answers[1]["body"]
    assert _describe(job_id)["redriveCount"] == 1
    assert claude.calls_per_section()["interview"] == 6  # five before, one redriven


def test_a_permanent_error_is_not_retried_and_says_why(claude, local_runtime):
    claude.route = lambda request, job: bad_request() if job.id == "interview" else None
    job_id = _submit(example_with(application_id="app-retry-permanent"))
    failed = _wait_status(job_id, "FAILED")
    calls = claude.calls

    answer = _retry(job_id)

    assert (failed["error_code"], failed["retryable"]) == ("ClaudeRequestRejected", False)
    assert answer["status"] == 409 and answer["body"]["code"] == "JobNotRetryable"
    assert "ClaudeRequestRejected" in answer["body"]["error"] and "would not fix" in answer["body"]["error"]
    assert _describe(job_id)["redriveCount"] == 0 and claude.calls == calls


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("no CV", "CvNotFound"),
        ("completed", "already completed"),
        ("cancelled", "was cancelled"),
        ("running", "still running"),
    ],
)
def test_other_jobs_that_cannot_be_retried_are_409(local_runtime, spy_task, case, expected):
    request = example_with(application_id=f"app-retry-409-{case.replace(' ', '-')}")
    if case == "no CV":
        request["user_id"] = "user-without-profile"
    gate = threading.Event()
    if case in ("running", "cancelled"):
        real = local_runtime.task_handler("Plan")
        restore = local_runtime.override_task("Plan", lambda e, c: (gate.wait(timeout=20), real(e, c))[1])
    try:
        job_id = _submit(request)
        if case == "cancelled":
            assert _api("cancel", "DELETE", f"/api/vpr/{job_id}")["status"] == 200
        elif case != "running":
            wait_for_execution(job_id)
        answer = _retry(job_id)
    finally:
        gate.set()
        if case in ("running", "cancelled"):
            restore()
    wait_for_execution(job_id)  # nothing of this job runs on into the next test

    assert answer["status"] == 409 and answer["body"]["code"] == "JobNotRetryable", answer
    assert expected in answer["body"]["error"]


def test_another_users_job_cannot_be_retried_and_reads_as_unknown(claude, local_runtime):
    failing = {"on": True}
    claude.route = lambda request, job: overloaded() if job.id == "culture" and failing["on"] else None
    job_id = _submit(example_with(application_id="app-retry-owner", user_id="user-uuid-456"))
    _wait_status(job_id, "FAILED")

    foreign = _retry(job_id, user="someone-else")
    unknown = _retry(job_id[:-64] + "0" * 64, user="someone-else")

    assert foreign["status"] == unknown["status"] == 404
    assert foreign["body"] == unknown["body"] and foreign["body"]["error"] == "Job not found."
    assert _describe(job_id)["redriveCount"] == 0
    failing["on"] = False
    assert _retry(job_id, user="user-uuid-456")["status"] == 202  # its owner may
    _wait_status(job_id, "COMPLETED")  # nothing of this job runs on into the next test


def test_a_job_the_engine_no_longer_has_is_409_with_its_reason(local_runtime):
    """Locally a restart ends running jobs (LocalRuntimeRestarted): the view has them, moto does not."""
    prefix = local_runtime.endpoints.state_machine_arn.replace(":stateMachine:", ":execution:")
    job_id = f"{prefix}:vpr-{'a' * 64}"
    view = JobView(local_runtime.endpoints.job_view_table)
    now = datetime.datetime.now(datetime.UTC)
    view.claim_submission(job_id, "user-uuid-456", "app-restarted", now)
    message = SYSTEM_ERROR_MESSAGES[LOCAL_RUNTIME_RESTARTED]
    view.apply(job_id, failed_update("FAILED", LOCAL_RUNTIME_RESTARTED, message, now, 990))

    retried = _retry(job_id)
    cancelled = _api("cancel", "DELETE", f"/api/vpr/{job_id}")

    assert retried["status"] == 409 and retried["body"]["error"] == message
    assert cancelled["status"] == 409 and cancelled["body"]["code"] == "JobNotCancellable"
    assert _status(job_id)["retryable"] is False


# --- the local engine's RedriveExecution (local.sfn_lifecycle) ----------------------------------------------
def test_redrive_is_refused_while_running_once_succeeded_and_after_fourteen_days(
    local_runtime, spy_task, single_mode
):
    sfn = boto3.client("stepfunctions")
    spy_task("Store", fail_with=[ResultStoreUnavailable() for _ in range(4)])
    job_id = _submit(example_with(application_id="app-redrive-window"))
    assert wait_for_execution(job_id)["status"] == "FAILED"
    execution = _moto_execution(local_runtime, job_id)
    stopped = execution.stop_date

    assert _describe(job_id)["redriveStatus"] == "REDRIVABLE"
    execution.stop_date = stopped - datetime.timedelta(days=14, minutes=1)
    try:
        refused = _retry(job_id)
        described = _describe(job_id)
        with pytest.raises(sfn.exceptions.ExecutionNotRedrivable, match="redrivable period exceeded"):
            sfn.redrive_execution(executionArn=job_id)
    finally:
        execution.stop_date = stopped

    assert refused["status"] == 409 and "redrivable period exceeded" in refused["body"]["error"]
    assert (described["redriveStatus"], described["redriveStatusReason"]) == (
        "NOT_REDRIVABLE",
        "Execution redrivable period exceeded",
    )
    first = sfn.redrive_execution(executionArn=job_id, clientToken="same")
    again = sfn.redrive_execution(executionArn=job_id, clientToken="same")  # idempotent, not RUNNING's 400
    assert first["redriveDate"] == again["redriveDate"]
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable, match="RUNNING"):
        sfn.redrive_execution(executionArn=job_id, clientToken="another")
    assert wait_for_execution(job_id)["status"] == "SUCCEEDED"
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable, match="SUCCEEDED"):
        sfn.redrive_execution(executionArn=job_id)


def test_redrive_is_refused_at_the_history_event_limit(local_runtime, spy_task, single_mode, monkeypatch):
    from local import sfn_redrive

    spy_task("Store", fail_with=[ResultStoreUnavailable() for _ in range(4)])
    job_id = _submit(example_with(application_id="app-redrive-history"))
    assert wait_for_execution(job_id)["status"] == "FAILED"
    monkeypatch.setattr(sfn_redrive, "MAX_HISTORY_EVENTS", len(_history(job_id)))

    refused = _retry(job_id)

    assert refused["status"] == 409 and "history event limit exceeded" in refused["body"]["error"]


def test_the_unsuccessful_state_is_the_one_entered_and_never_exited():
    from local.sfn_lifecycle import unsuccessful_state

    definition = {"StartAt": "A", "States": {"A": {"Next": "B"}, "B": {"Next": "Fail"}, "Fail": {}}}

    def entered(i: int, name: str, data: Any) -> dict:
        details = {"name": name, "input": json.dumps(data)}
        return {"id": i, "type": "TaskStateEntered", "stateEnteredEventDetails": details}

    def exited(i: int, name: str, data: Any) -> dict:
        details = {"name": name, "output": json.dumps(data)}
        return {"id": i, "type": "TaskStateExited", "stateExitedEventDetails": details}

    inner = {"id": 4, "type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "Inner", "input": "1"}}
    failed_in_b = [entered(1, "A", {"a": 1}), exited(2, "A", {"b": 1}), entered(3, "B", {"b": 1}), inner]
    assert unsuccessful_state(definition, failed_in_b, {"x": 0}) == ("B", {"b": 1})
    caught = [*failed_in_b, exited(5, "B", {"e": 1}), entered(6, "Fail", {"e": 1})]
    assert unsuccessful_state(definition, caught, {"x": 0}) == ("Fail", {"e": 1})  # a Fail state fails again
    between = failed_in_b[:2]  # stopped after A exited, before B was entered
    assert unsuccessful_state(definition, between, {"x": 0}) == ("B", {"b": 1})
    assert unsuccessful_state(definition, [], {"x": 0}) == ("A", {"x": 0})


def test_a_restart_ends_a_redriven_job_too(local_runtime):
    """The restart's LocalRuntimeRestarted write must outrank a redriven attempt's writes (seq ≥ 1000)."""
    from local.persistence import fail_interrupted_jobs

    table = "careervp-vpr-jobs-restart-test"
    boto3.client("dynamodb").create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "job_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "job_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    view = JobView(table)
    first, redriven = "job-first-attempt", "job-redriven"
    view.claim_submission(first, "u", "a", datetime.datetime.now(datetime.UTC))
    view.claim_submission(redriven, "u", "a", datetime.datetime.now(datetime.UTC))
    view.enter_stage(first, "WriteSections")
    view.enter_stage(redriven, "WriteSections", redrive_count=1)

    marked = fail_interrupted_jobs(table, local_runtime.endpoints.aws)

    assert marked == 2
    assert (view.get(first).status, view.get(first).seq) == ("FAILED", 990)
    assert (view.get(redriven).status, view.get(redriven).seq) == ("FAILED", 1990)
    assert view.get(redriven).error_code == LOCAL_RUNTIME_RESTARTED
