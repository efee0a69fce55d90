"""The console's reading of real executions of ``vpr.asl.json`` on moto: what happened to each state."""

from __future__ import annotations

import json
import threading

import boto3
import pytest

from local import console
from tests.conftest import wait_for_execution
from vpr.errors import ClaudeOverloaded, ClaudeRateLimited
from vpr.idempotency import canonical_input
from vpr.models import VprRequest

# These read the single-mode path (Validate → Generate → Store); the Map's states are drawn in
# tests/browser and tests/unit/test_web.py.
pytestmark = pytest.mark.usefixtures("single_mode")
_PLANNED = {"Validate": "succeeded", "Plan": "succeeded", "ChooseMode": "succeeded"}


def _input(request: dict) -> dict:
    return json.loads(canonical_input(VprRequest.model_validate(request)))


def _view(arn: str) -> dict:
    return console.execution_view(boto3.client("stepfunctions"), arn)


def _statuses(view: dict) -> dict[str, str]:
    return {name: state["status"] for name, state in view["states"].items()}


def test_a_clean_run_is_succeeded_everywhere_and_the_fail_state_not_started(start_execution, example_request):
    arn = start_execution(_input(example_request))
    wait_for_execution(arn)

    view = _view(arn)

    assert _statuses(view) == {
        s: "succeeded" for s in ("Validate", "Plan", "ChooseMode", "Generate", "Store", "Succeed")
    }
    assert view["definition"]["StartAt"] == "Validate"  # the definition the engine ran
    assert view["execution"]["status"] == "SUCCEEDED"
    assert view["execution"]["duration_s"] > 0
    assert view["states"]["Generate"]["attempts"] == 1
    assert view["events"][0]["type"] == "ExecutionStarted"
    assert "input" in view["events"][0]["data"]


def test_a_transient_error_shows_the_state_retried_with_its_error(start_execution, example_request, spy_task):
    spy_task("Generate", fail_with=[ClaudeOverloaded()])
    arn = start_execution(_input(example_request))
    wait_for_execution(arn)

    generate = _view(arn)["states"]["Generate"]

    assert generate["status"] == "retried"
    assert (generate["attempts"], generate["retries"]) == (2, 1)
    assert generate["errors"] == [{"error": "ClaudeOverloaded", "cause": ClaudeOverloaded.default_message}]


def test_retries_exhausted_fail_the_task_itself(start_execution, example_request, spy_task):
    spy_task("Generate", fail_with=[ClaudeRateLimited() for _ in range(10)])
    arn = start_execution(_input(example_request))
    wait_for_execution(arn)

    view = _view(arn)

    # A transient error is not caught: the job fails at Generate, where a retry (redrive) resumes it.
    assert _statuses(view) == {**_PLANNED, "Generate": "failed"}
    assert view["states"]["Generate"]["retries"] == 4
    assert view["execution"]["error"] == "ClaudeRateLimited"
    assert view["execution"]["cause"] == ClaudeRateLimited.default_message  # not the stack trace


def test_a_user_without_a_cv_is_caught_in_validate(start_execution, example_request):
    example_request["user_id"] = "user-without-profile"
    arn = start_execution(_input(example_request))
    wait_for_execution(arn)

    assert _statuses(_view(arn)) == {"Validate": "caught", "JobFailed": "failed"}


def test_a_state_in_progress_is_running(local_runtime, start_execution, example_request):
    inside, release = threading.Event(), threading.Event()
    real = local_runtime.router.handler_for("careervp-vpr-generate-local")

    def slow_generate(event, context):
        inside.set()
        release.wait(10)
        return real(event, context)

    restore = local_runtime.override_task("Generate", slow_generate)
    try:
        arn = start_execution(_input(example_request))
        assert inside.wait(10)
        assert _statuses(_view(arn)) == {**_PLANNED, "Generate": "running"}
    finally:
        release.set()
        wait_for_execution(arn)
        restore()


def test_recent_executions_are_newest_first_with_their_error_codes(start_execution, example_request):
    ok = start_execution(_input(example_request))
    wait_for_execution(ok)
    example_request["user_id"] = "user-without-profile"
    failed = start_execution(_input(example_request))
    wait_for_execution(failed)

    rows = console.recent_executions(boto3.client("stepfunctions"))

    assert [r["arn"] for r in rows[:2]] == [failed, ok]
    assert (rows[0]["status"], rows[0]["error"]) == ("FAILED", "CvNotFound")
    assert (rows[1]["status"], rows[1]["error"]) == ("SUCCEEDED", None)
    starts = [r["started_at"] for r in rows]
    assert starts == sorted(starts, reverse=True)


def test_the_endpoint_answers_404_for_an_unknown_execution(local_runtime):
    arn = local_runtime.endpoints.state_machine_arn.replace(":stateMachine:", ":execution:") + ":no-such-job"

    status, body = console.answer("/console/api/execution", {"arn": arn})

    assert status == 404
    assert body["code"] == "NotFound"
    assert body["fields"] == [{"field": "arn", "message": body["error"]}]
