"""The real state machine definition, executed by moto's ASL interpreter, with the real task handlers.

These tests exercise the single-mode path (Validate → Plan → Generate → Store); the sections path is
tested in ``test_sections_workflow.py``.
"""

from __future__ import annotations

import json

import boto3
import pytest

from tests.conftest import wait_for_execution
from vpr.errors import ClaudeOverloaded, ClaudeRateLimited, ResultStoreUnavailable
from vpr.idempotency import canonical_input
from vpr.models import VprRequest

pytestmark = pytest.mark.usefixtures("single_mode")


def _input(request: dict) -> dict:
    """The execution input exactly as the submit handler builds it."""
    return json.loads(canonical_input(VprRequest.model_validate(request)))


def _entered_states(execution_arn: str) -> list[str]:
    events = boto3.client("stepfunctions").get_execution_history(executionArn=execution_arn)["events"]
    return [e["stateEnteredEventDetails"]["name"] for e in events if e["type"].endswith("StateEntered")]


def test_happy_path_stores_the_report_and_returns_its_key(
    local_runtime, start_execution, example_request, spy_task
):
    generate = spy_task("Generate")
    arn = start_execution(_input(example_request))

    described = wait_for_execution(arn)

    assert described["status"] == "SUCCEEDED"
    assert _entered_states(arn) == ["Validate", "Plan", "ChooseMode", "Generate", "Store", "Succeed"]
    output = json.loads(described["output"])
    assert output["result_key"].startswith("vpr/user-uuid-456/app-uuid-123/v")
    assert output["word_count"] > 100
    assert output["token_usage"]["model"] == "offline"
    assert "cv" not in output and "job_posting" not in output  # the execution output carries no CV
    stored = boto3.client("s3").get_object(
        Bucket=local_runtime.endpoints.results_bucket, Key=output["result_key"]
    )
    report = json.loads(stored["Body"].read())
    assert report["version"] == output["vpr_version"]
    assert report["word_count"] == output["word_count"]
    assert generate.calls == 1
    # Every task gets the execution ARN (for log correlation) next to the state.
    assert generate.events[0]["job_id"] == arn


def test_transient_generation_error_is_retried_then_succeeds(start_execution, example_request, spy_task):
    generate = spy_task("Generate", fail_with=[ClaudeOverloaded()])

    described = wait_for_execution(start_execution(_input(example_request)))

    assert described["status"] == "SUCCEEDED"
    assert generate.calls == 2


def test_retries_exhausted_fail_the_job_with_the_error_name(start_execution, example_request, spy_task):
    generate = spy_task("Generate", fail_with=[ClaudeRateLimited() for _ in range(10)])

    described = wait_for_execution(start_execution(_input(example_request)))

    assert described["status"] == "FAILED"
    assert described["error"] == "ClaudeRateLimited"
    assert json.loads(described["cause"])["errorMessage"] == ClaudeRateLimited.default_message
    assert generate.calls == 5  # the first attempt + MaxAttempts 4 of the Claude retrier


def test_invalid_application_fails_validation_without_generating(start_execution, example_request, spy_task):
    generate = spy_task("Generate")
    bad = _input(example_request)
    bad["job_posting"]["language"] = "fr"

    described = wait_for_execution(start_execution(bad))

    assert described["status"] == "FAILED"
    assert described["error"] == "ValidationFailed"
    assert "job_posting.language" in json.loads(described["cause"])["errorMessage"]
    assert generate.calls == 0
    assert "Generate" not in _entered_states(described["executionArn"])


def test_user_without_a_cv_fails_with_cv_not_found(start_execution, example_request, spy_task):
    generate = spy_task("Generate")
    example_request["user_id"] = "user-without-profile"

    described = wait_for_execution(start_execution(_input(example_request)))

    assert described["status"] == "FAILED"
    assert described["error"] == "CvNotFound"
    assert generate.calls == 0


def test_store_failing_once_is_retried_without_a_second_generation(
    start_execution, example_request, spy_task
):
    generate = spy_task("Generate")
    store = spy_task("Store", fail_with=[ResultStoreUnavailable()])

    described = wait_for_execution(start_execution(_input(example_request)))

    assert described["status"] == "SUCCEEDED"
    assert store.calls == 2
    assert generate.calls == 1


def test_an_unexpected_exception_fails_the_job_and_is_named(start_execution, example_request, spy_task):
    spy_task("Store", fail_with=[KeyError("boom")])

    described = wait_for_execution(start_execution(_input(example_request)))

    assert described["status"] == "FAILED"
    assert described["error"] == "KeyError"  # not retried: only transient errors are


def test_two_jobs_for_one_application_get_consecutive_versions(start_execution, example_request):
    example_request["application_id"] = "app-two-versions"
    first = wait_for_execution(start_execution(_input(example_request)))
    second = wait_for_execution(start_execution(_input(example_request)))

    versions = [json.loads(d["output"])["vpr_version"] for d in (first, second)]
    assert versions == [1, 2]


def test_an_unregistered_lambda_fails_the_task_instead_of_echoing(local_runtime, example_request):
    from local.runtime import function_arn
    from stacks.registry import placeholder

    substitutions = local_runtime.definition_substitutions | {
        placeholder("Generate"): function_arn("nonexistent")
    }
    machine = local_runtime.create_state_machine("careervp-vpr-broken-local", substitutions)
    arn = boto3.client("stepfunctions").start_execution(
        stateMachineArn=machine, name="unregistered", input=json.dumps(_input(example_request))
    )["executionArn"]

    described = wait_for_execution(arn)

    assert described["status"] == "FAILED"
    assert "not found" in described["cause"].lower()


@pytest.mark.parametrize("task", ["Validate", "Plan", "Generate", "WriteSections", "Assemble", "Store"])
def test_lambda_service_errors_are_retried_on_every_task(task):
    """Each Task retries the four Lambda service errors with full jitter (DESIGN §4)."""
    from local.runtime import ASL_PATH

    states = json.loads(ASL_PATH.read_text())["States"]
    state = states[task]
    if task == "WriteSections":  # the Map catches; its item task retries
        state = {**state["ItemProcessor"]["States"]["WriteSection"], "Catch": state["Catch"]}
    service_retry = state["Retry"][0]
    assert set(service_retry["ErrorEquals"]) >= {
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
        "Lambda.TooManyRequestsException",
    }
    assert service_retry["JitterStrategy"] == "FULL"
    assert state["TimeoutSeconds"] > 0


@pytest.mark.parametrize("task", ["Validate", "Plan", "Generate", "WriteSections", "Assemble", "Store"])
def test_only_permanent_errors_are_caught_so_a_redrive_resumes_at_the_failed_task(task):
    """A caught error ends in JobFailed (a Fail state, which a redrive would only enter again); a
    transient one is left uncaught, so the execution fails at its task and a retry reruns that task."""
    from local.runtime import ASL_PATH
    from vpr.errors import TRANSIENT_SYSTEM_ERRORS, all_error_classes, is_transient

    (catch,) = json.loads(ASL_PATH.read_text())["States"][task]["Catch"]
    permanent = {name for name, cls in all_error_classes().items() if not cls.retryable}
    assert catch == {"ErrorEquals": catch["ErrorEquals"], "ResultPath": "$.error", "Next": "JobFailed"}
    assert set(catch["ErrorEquals"]) == permanent  # vpr.errors is the one source of the split
    assert not [name for name in catch["ErrorEquals"] if is_transient(name)]
    assert (
        not TRANSIENT_SYSTEM_ERRORS & set(catch["ErrorEquals"]) and "States.ALL" not in catch["ErrorEquals"]
    )
