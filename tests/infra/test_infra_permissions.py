"""Least privilege shown both ways, from the calls the functions really make.

The module drives the real workflow and API paths on the local runtime (moto running the real ASL, the
handlers in-process behind the API emulator, the EventBridge stand-in delivering status changes) while
``local.call_recorder`` records every AWS call and who made it: each function, the state machine's own
Lambda invocations, the status-change rule's deliveries. ``iam_requirements`` maps each call to the
IAM action(s), resource ARN and request context AWS documents for it, and ``policy_evaluator`` checks
them against the synthesized template:

- every call is allowed by its own role's policy, with the stack's conditions
  (``dynamodb:Attributes``, ``dynamodb:ReturnValues``, ``s3:prefix``, ``kms:EncryptionContext``);
- every action a role grants is used by some recorded call, except the grants the Lambda and Step
  Functions runtimes use on the function's behalf (``RUNTIME_GRANTS``, each with its source);
- the state machine may invoke exactly the ASL's task functions; the rule's target and DLQ accept the
  rule and nothing else.

(moto's own IAM enforcement cannot prove this: it let a PutObject to an unnamed bucket through and
refused an allowed GetItem in measurements on this project.)
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from local.call_recorder import EVENT_RULE, STATE_MACHINE, AwsCall, CallRecorder, acting_as
from local.runtime import NAMING
from stacks.registry import FUNCTIONS, task_functions
from tests.conftest import Gate, example_with, wait_for_execution
from tests.fakes.anthropic_server import FAKE_API_KEY, answer
from tests.fakes.sections import SectionAnthropicServer, offline_section, section_response
from vpr.errors import ClaudeOverloaded, ResultStoreUnavailable

from .conftest import Synth, resolve
from .iam_requirements import Requirement, TemplateNames, requirements
from .policy_evaluator import ALLOW, Request, action_matches, as_list, evaluate, granted_actions
from .test_infra_iam import role_statements

pytestmark = pytest.mark.slow

HARNESS = "test-harness"
MODEL = "claude-sonnet-5-5"

#: Grants no recorded call uses because AWS uses them on the function's behalf.
RUNTIME_GRANTS = {
    "logs:CreateLogStream": "Lambda writes the function's logs with its execution role (AWS Lambda "
    "Developer Guide, 'Defining Lambda function permissions with an execution role': the "
    "AWSLambdaBasicExecutionRole actions, here on the function's own log group only)",
    "logs:PutLogEvents": "as logs:CreateLogStream",
    "xray:PutTraceSegments": "active tracing: Lambda sends the invocation's trace with the execution role "
    "(AWS Lambda Developer Guide, 'Visualize Lambda function invocations using AWS X-Ray')",
    "xray:PutTelemetryRecords": "as xray:PutTraceSegments",
}
PROJECTOR_RUNTIME_GRANTS = {
    "sqs:SendMessage": "Lambda sends the record of a failed asynchronous invocation to the on-failure "
    "destination with the function's execution role (AWS Lambda Developer Guide, 'Capturing records "
    "of Lambda asynchronous invocations')",
}
STATE_MACHINE_RUNTIME_GRANTS = {
    "kms:Decrypt": "Step Functions encrypts and decrypts the execution data with the state machine's role "
    "(AWS Step Functions Developer Guide, 'Data at rest encryption')",
    "kms:GenerateDataKey": "as kms:Decrypt; and for the encrypted log delivery (the same page)",
    **{
        f"logs:{action}": "Step Functions delivers execution logs to CloudWatch Logs with these account-wide "
        "actions (AWS Step Functions Developer Guide, 'Using CloudWatch Logs to log execution history')"
        for action in (
            "CreateLogDelivery",
            "DeleteLogDelivery",
            "DescribeLogGroups",
            "DescribeResourcePolicies",
            "GetLogDelivery",
            "ListLogDeliveries",
            "PutResourcePolicy",
            "UpdateLogDelivery",
        )
    },
    **{
        f"xray:{action}": "tracing of executions (AWS Step Functions Developer Guide, 'Trace Step Functions "
        "request data in AWS X-Ray': the role's X-Ray permissions)"
        for action in ("GetSamplingRules", "GetSamplingTargets", "PutTelemetryRecords", "PutTraceSegments")
    },
}


# ------------------------------------------------------------------------------- the realistic runs
@dataclass
class Api:
    url: str

    def call(self, method: str, path: str, body: Any = None, headers: dict | None = None) -> tuple[int, dict]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def submit(self, payload: dict, key: str | None = None) -> tuple[int, dict]:
        return self.call("POST", "/api/vpr", payload, {"Idempotency-Key": key} if key else None)

    def status(self, job_id: str) -> tuple[int, dict]:
        return self.call("GET", "/api/vpr/status/" + urllib.request.quote(job_id, safe=""))

    def cancel(self, job_id: str) -> tuple[int, dict]:
        return self.call("DELETE", "/api/vpr/" + urllib.request.quote(job_id, safe=""))

    def retry(self, job_id: str) -> tuple[int, dict]:
        return self.call("POST", "/api/vpr/" + urllib.request.quote(job_id, safe="") + "/retry")

    def wait(self, job_id: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code, body = self.status(job_id)
            if code != 200 or body["status"] in {"COMPLETED", "FAILED"}:
                return body
            time.sleep(0.05)
        pytest.fail(f"job still running after {timeout}s: {job_id}")


def _cold(real: Callable) -> Callable:
    """Each invocation in a fresh container: locally every function shares one process, so a client or
    key cached by one (the SDK client, Powertools' secret cache) would hide another's own calls."""
    from aws_lambda_powertools.utilities.parameters import clear_caches

    from handlers import generate, section

    def run(event: dict, context: Any) -> Any:
        clear_caches()
        section.section_writer.cache_clear()
        generate._generator.cache_clear()
        return real(event, context)

    return run


def _reset() -> None:
    from handlers import generate, section
    from local.runtime import LocalRuntime

    LocalRuntime.reload_settings()
    section.section_writer.cache_clear()
    generate._generator.cache_clear()


def _claude_answer(request: dict) -> dict:
    from tests.workflow.test_claude_workflow import claude_answer

    return claude_answer(request)


def _scenarios(runtime: Any, api: Api, monkeypatch: pytest.MonkeyPatch, fake: SectionAnthropicServer) -> None:
    """Every path a user or AWS can take through the service, each once."""
    s3, view = boto3.client("s3"), boto3.client("dynamodb")
    bucket, table = runtime.endpoints.results_bucket, runtime.endpoints.job_view_table
    restores = []

    # --- Claude, the key in Secrets Manager as on AWS: sections mode, then single mode -----------------
    with acting_as(HARNESS):
        secret = boto3.client("secretsmanager").create_secret(
            Name=NAMING.anthropic_secret, SecretString=FAKE_API_KEY
        )["ARN"]
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    for name, value in {
        "ANTHROPIC_BASE_URL": fake.base_url,
        "VPR_ANTHROPIC_SECRET_ARN": secret,
        "VPR_GENERATOR": "claude",
        "VPR_MODEL": MODEL,
        "VPR_CLAUDE_MAX_RETRIES": "0",
        "VPR_GENERATION_MODE": "sections",
    }.items():
        monkeypatch.setenv(name, value)
    _reset()
    for task in ("WriteSection", "Assemble", "Generate"):
        restores.append(runtime.override_task(task, _cold(runtime.task_handler(task))))
    # One section comes back with an invented employer: Assemble regenerates it (its own Claude call).
    flag_once = {"differentiators": True}

    def invent_once(request: Any, job: Any) -> Any:
        if job.id == "differentiators" and flag_once.pop("differentiators", False):
            invented = offline_section(request)
            invented["differentiators"] = [*invented["differentiators"], "Led enablement at Google."]
            return section_response(request, invented)
        return None

    fake.route = invent_once
    code, sections_job = api.submit(example_with(application_id="perm-sections"))
    assert code == 202, sections_job
    done = api.wait(sections_job["job_id"])
    assert done["status"] == "COMPLETED", done
    for link in (done["result_url"], done["result_markdown_url"]):
        with urllib.request.urlopen(link, timeout=10) as response:  # the presigned GETs, as a browser
            assert response.status == 200

    assert not flag_once, "the flagged section was never written"
    fake.route = None
    monkeypatch.setenv("VPR_GENERATION_MODE", "single")
    _reset()
    single = example_with(application_id="perm-single")
    fake.enqueue(answer(_claude_answer(single)))
    code, single_job = api.submit(single)
    assert code == 202 and api.wait(single_job["job_id"])["status"] == "COMPLETED"
    for restore in reversed(restores):
        restore()
    restores.clear()

    # --- offline from here (sections mode): failures, retries, duplicates, fallbacks ------------------
    monkeypatch.setenv("VPR_GENERATOR", "offline")
    monkeypatch.setenv("VPR_GENERATION_MODE", "sections")
    _reset()

    code, no_cv = api.submit(example_with(application_id="perm-no-cv", user_id="user-without-cv"))
    assert code == 202 and api.wait(no_cv["job_id"])["error_code"] == "CvNotFound"

    store = runtime.task_handler("Store")
    failures = [ResultStoreUnavailable()]

    def store_then_lose_the_answer(event: dict, context: Any) -> Any:
        result = store(event, context)
        if failures:
            raise failures.pop()  # the write happened; the retry must find it (HeadObject)
        return result

    restores.append(runtime.override_task("Store", store_then_lose_the_answer))
    code, retried = api.submit(example_with(application_id="perm-store-retry"))
    assert code == 202
    with acting_as(HARNESS):  # the view says COMPLETED after the first write: wait for the execution
        assert wait_for_execution(retried["job_id"])["status"] == "SUCCEEDED" and not failures
        history = boto3.client("stepfunctions").get_execution_history(executionArn=retried["job_id"])
    assert [
        e["stateEnteredEventDetails"]["name"] for e in history["events"] if e["type"] == "TaskStateEntered"
    ].count("Store") == 1
    restores.pop()()

    # A job held while its sections are written: a duplicate submit (200, from the view), and a status
    # whose view item is gone (the fallback: Step Functions, its history, the repair).
    section = runtime.task_handler("WriteSection")
    held = Gate(section)
    restores.append(runtime.override_task("WriteSection", held.handler))
    held_payload = example_with(application_id="perm-held")
    code, held_job = api.submit(held_payload)
    assert code == 202 and held.entered.wait(30)
    code, duplicate = api.submit(held_payload)
    assert (code, duplicate["job_id"]) == (200, held_job["job_id"])
    with acting_as(HARNESS):
        view.delete_item(TableName=table, Key={"job_id": {"S": held_job["job_id"]}})
    code, running = api.status(held_job["job_id"])
    assert (code, running["status"]) == (200, "PROCESSING"), running
    held.release.set()
    assert api.wait(held_job["job_id"])["status"] == "COMPLETED"
    restores.pop()()
    code, again = api.submit(held_payload)  # finished: StartExecution refuses the name, submit describes
    assert (code, again["status"]) == (200, "COMPLETED")

    code, keyed = api.submit(example_with(application_id="perm-keyed"), key="perm-key-1")
    assert code == 202
    code, conflict = api.submit(example_with(application_id="perm-keyed-other"), key="perm-key-1")
    assert (code, conflict["code"]) == (409, "IdempotencyConflict")
    api.wait(keyed["job_id"])

    # --- cancel and retry ------------------------------------------------------------------------------
    # A cancel while the sections are written: the view hears of it first, then StopExecution (with the
    # error and cause it encrypts); the held sections then find their job ended and write nothing.
    held = Gate(section)
    restores.append(runtime.override_task("WriteSection", held.handler))
    code, cancelled_job = api.submit(example_with(application_id="perm-cancel"))
    assert code == 202 and held.entered.wait(30)
    code, cancelled = api.cancel(cancelled_job["job_id"])
    assert (code, cancelled["status"], cancelled["error_code"]) == (200, "FAILED", "Cancelled"), cancelled
    held.release.set()
    code, again = api.cancel(cancelled_job["job_id"])  # the same answer; nothing stopped twice
    assert (code, again["error_code"]) == (200, "Cancelled")
    restores.pop()()
    code, finished = api.cancel(keyed["job_id"])
    assert (code, finished["code"]) == (409, "JobNotCancellable")

    # A section overloaded past its Retry fails the job (transiently); retry redrives it to COMPLETED.
    overloaded = {"on": True}

    def culture_overloaded(event: dict, context: Any) -> Any:
        if event["section"]["id"] == "culture" and overloaded["on"]:
            raise ClaudeOverloaded()
        return section(event, context)

    restores.append(runtime.override_task("WriteSection", culture_overloaded))
    code, flaky = api.submit(example_with(application_id="perm-retry"))
    failed = api.wait(flaky["job_id"])
    assert (code, failed["error_code"], failed["retryable"]) == (202, "ClaudeOverloaded", True), failed
    overloaded["on"] = False
    code, retrying = api.retry(flaky["job_id"])
    assert (code, retrying["status"]) == (202, "PROCESSING"), retrying
    assert api.wait(flaky["job_id"])["status"] == "COMPLETED"
    restores.pop()()
    for job, reason in ((flaky, "already completed"), (no_cv, "CvNotFound"), (cancelled_job, "cancelled")):
        code, refused = api.retry(job["job_id"])
        assert (code, refused["code"]) == (409, "JobNotRetryable") and reason in refused["error"], refused
    for unknown_code, unknown_job in (api.cancel("vpr-" + "1" * 64), api.retry("vpr-" + "1" * 64)):
        assert (unknown_code, unknown_job["code"]) == (404, "JobNotFound")  # Step Functions, then the view

    runtime.events.drain()  # the projector's writes of every terminal event so far
    with acting_as(
        HARNESS
    ):  # a COMPLETED job the view lost: status reads Step Functions and repairs the item
        view.delete_item(TableName=table, Key={"job_id": {"S": sections_job["job_id"]}})
    code, repaired = api.status(sections_job["job_id"])
    assert (code, repaired["status"]) == (200, "COMPLETED") and repaired["result_markdown_url"]

    with acting_as(HARNESS):  # a COMPLETED job whose report the lifecycle rule expired: 410
        described = boto3.client("stepfunctions").describe_execution(executionArn=single_job["job_id"])
        key = json.loads(described["output"])["result_key"]
        for suffix in ("json", "md"):
            s3.delete_object(Bucket=bucket, Key=key.removesuffix("json") + suffix)
    code, gone = api.status(single_job["job_id"])
    assert (code, gone["code"]) == (410, "ResultExpired")

    code, unknown = api.status("vpr-" + "0" * 64)
    assert (code, unknown["code"]) == (404, "JobNotFound")
    runtime.events.drain()


@pytest.fixture(scope="module")
def recorded(local_runtime: Any) -> Iterator[list[AwsCall]]:
    from local.api_gateway import ApiGatewayEmulator
    from local.runtime import free_port, scale_retry_waits

    api = ApiGatewayEmulator(local_runtime.handler_for, port=free_port())
    threading.Thread(target=api.serve_forever, daemon=True).start()
    fake = SectionAnthropicServer().start()
    monkeypatch = pytest.MonkeyPatch()
    restore_waits = scale_retry_waits(0.01)  # Store's Retry waits 2 s x backoff; not for real here
    try:
        with CallRecorder() as recorder:
            _scenarios(local_runtime, Api(api.url), monkeypatch, fake)
        yield recorder.calls
    finally:
        restore_waits()
        monkeypatch.undo()
        _reset()
        fake.stop()
        api.shutdown()


# --------------------------------------------------------------------------------------- evaluation
def _key(function_name: str) -> str:
    return function_name.removeprefix("careervp-vpr-").removesuffix("-local")


def template_names(synth: Synth, local_runtime: Any) -> TemplateNames:
    s = synth
    return TemplateNames(
        local=local_runtime.endpoints,
        bucket_arn=f"<{s.logical_id(s.stack.results_bucket)}.Arn>",
        profile_table_arn=f"<{s.logical_id(s.stack.profile_table)}.Arn>",
        job_view_table_arn=f"<{s.logical_id(s.stack.job_view_table)}.Arn>",
        state_machine_arn=f"<Ref:{s.logical_id(s.stack.state_machine)}>",
        executions_prefix="arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:"
        "careervp-vpr-workflow-dev:",
        key_arn=f"<{s.logical_id(s.stack.workflow_key)}.Arn>",
        secret_arn=f"<Ref:{s.logical_id(s.stack.anthropic_secret)}>",
        secret_name=NAMING.anthropic_secret,
        function_arns={key: f"<{s.logical_id(fn)}.Arn>" for key, fn in s.stack.functions.items()},
    )


def _by_principal(calls: list[AwsCall], names: TemplateNames) -> dict[str, list[Requirement]]:
    needed: dict[str, list[Requirement]] = defaultdict(list)
    for call in calls:
        if call.principal in {HARNESS, EVENT_RULE}:
            continue
        principal = call.principal if call.principal == STATE_MACHINE else _key(call.principal or "?")
        needed[principal] += requirements(call, names)
    return needed


def _check_role(statements: list[dict], needed: list[Requirement], runtime: dict[str, str]) -> list[str]:
    """Findings: a needed request the policy does not allow, or a granted action nothing needs."""
    findings, used = [], set()
    for requirement in needed:
        decision = evaluate(statements, requirement.request)
        if decision.effect != ALLOW:
            findings.append(f"not allowed: {requirement} {requirement.request.context}")
        for index in decision.allowed_by:
            used |= {
                (index, action)
                for action in as_list(statements[index]["Action"])
                if action_matches(action, requirement.request.action)
            }
    for index, action in granted_actions(statements):
        if (index, action) not in used and action not in runtime:
            findings.append(
                f"granted, never used: {action} (statement {statements[index].get('Sid', index)})"
            )
    return findings


def test_every_call_is_made_by_a_known_principal(recorded: list[AwsCall]) -> None:
    """No call escapes attribution (a handler's thread that lost its function, a stray client)."""
    strays = [(c.service, c.operation, c.thread) for c in recorded if c.principal is None]
    assert not strays
    principals = {c.principal for c in recorded}
    assert {f"careervp-vpr-{key}-local" for key in FUNCTIONS} <= principals, "every function ran"
    assert {STATE_MACHINE, EVENT_RULE} <= principals


@pytest.mark.parametrize("key", list(FUNCTIONS))
def test_each_function_role_allows_every_call_and_grants_nothing_unused(
    recorded: list[AwsCall], synth: Synth, local_runtime: Any, key: str
) -> None:
    needed = _by_principal(recorded, template_names(synth, local_runtime))[key]
    assert needed, f"{key} made no AWS call in the runs"
    statements = role_statements(synth, synth.stack.roles[key])
    runtime = RUNTIME_GRANTS | (PROJECTOR_RUNTIME_GRANTS if key == "projector" else {})
    assert not _check_role(statements, needed, runtime)
    # The runtime's grants are there, scoped as narrowly as AWS allows.
    granted = {a for _, a in granted_actions(statements)}
    assert set(runtime) <= granted
    log_group = f"<{synth.logical_id(synth.stack.functions[key].log_group)}.Arn>"
    for statement in statements:
        if {"logs:CreateLogStream", "logs:PutLogEvents"} & set(statement["Action"]):
            assert statement["Resource"] == log_group, "its own log group only"


def test_a_missing_or_extra_grant_is_found(recorded: list[AwsCall], synth: Synth, local_runtime: Any) -> None:
    """The check can fail: drop a needed statement, add an unneeded one."""
    needed = _by_principal(recorded, template_names(synth, local_runtime))["store"]
    statements = role_statements(synth, synth.stack.roles["store"])
    without_list = [s for s in statements if s.get("Sid") != "ListResultVersions"]
    assert any(
        f.startswith("not allowed: s3:ListBucket") for f in _check_role(without_list, needed, RUNTIME_GRANTS)
    )
    extra = [*statements, {"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "<B.Arn>/vpr/*"}]
    unused = f"granted, never used: s3:DeleteObject (statement {len(statements)})"
    assert _check_role(extra, needed, RUNTIME_GRANTS) == [unused]
    assert not _check_role(statements, needed, RUNTIME_GRANTS)


def test_the_state_machine_invokes_exactly_the_asl_task_functions(
    recorded: list[AwsCall], synth: Synth, local_runtime: Any
) -> None:
    names = template_names(synth, local_runtime)
    needed = _by_principal(recorded, names)[STATE_MACHINE]
    statements = role_statements(synth, synth.stack.state_machine.role)
    assert not _check_role(statements, needed, STATE_MACHINE_RUNTIME_GRANTS)
    invoked = {r.request.resource for r in needed}
    (granted,) = [s["Resource"] for s in statements if s.get("Sid") == "InvokeTaskFunctions"]
    _, machine = synth.one("AWS::StepFunctions::StateMachine")
    definition = resolve(machine["Properties"]["DefinitionString"])
    for name, value in resolve(machine["Properties"]["DefinitionSubstitutions"]).items():
        definition = definition.replace("${" + name + "}", value)

    def resources(states: dict) -> set[str]:
        found = {s["Resource"] for s in states.values() if "Resource" in s}
        for s in states.values():
            found |= resources(s.get("ItemProcessor", {}).get("States", {}))
        return found

    task_arns = {names.function_arns[key] for key in task_functions().values()}
    assert set(granted) == invoked == resources(json.loads(definition)["States"]) == task_arns


def test_the_rule_may_invoke_the_projector_and_park_events_in_the_dlq(
    recorded: list[AwsCall], synth: Synth, local_runtime: Any
) -> None:
    names = template_names(synth, local_runtime)
    rule = f"<{synth.logical_id(synth.stack.projector_rule)}.Arn>"
    dlq = f"<{synth.logical_id(synth.stack.projector_dlq)}.Arn>"
    events = {"Service": "events.amazonaws.com"}
    # The function's resource policy, as Lambda renders each AWS::Lambda::Permission.
    permissions = [
        {
            "Effect": "Allow",
            "Principal": {"Service": p["Principal"]},
            "Action": p["Action"],
            "Resource": p["FunctionName"],
            **({"Condition": {"ArnLike": {"aws:SourceArn": p["SourceArn"]}}} if "SourceArn" in p else {}),
        }
        for p in (resolve(r["Properties"]) for r in synth.resources("AWS::Lambda::Permission").values())
    ]
    deliveries = [c for c in recorded if c.principal == EVENT_RULE]
    assert deliveries
    for call in deliveries:
        (requirement,) = requirements(call, names)
        request = Request(
            "lambda:InvokeFunction", requirement.request.resource, {"aws:SourceArn": rule}, events
        )
        assert requirement.request.resource == names.function_arns["projector"]
        assert evaluate(permissions, request).effect == ALLOW
        other = Request(request.action, request.resource, {"aws:SourceArn": "<OtherRule.Arn>"}, events)
        assert evaluate(permissions, other).effect != ALLOW
    for key in set(FUNCTIONS) - {"projector", "submit", "status"}:  # nothing else may be invoked by events
        invoke = Request("lambda:InvokeFunction", names.function_arns[key], {"aws:SourceArn": rule}, events)
        assert evaluate(permissions, invoke).effect != ALLOW, key

    (queue_policy,) = synth.resources("AWS::SQS::QueuePolicy").values()
    statements = resolve(queue_policy["Properties"]["PolicyDocument"]["Statement"])
    send = {"aws:SourceArn": rule, "aws:SecureTransport": "true"}
    assert evaluate(statements, Request("sqs:SendMessage", dlq, send, events)).effect == ALLOW
    insecure = send | {"aws:SecureTransport": "false"}
    assert evaluate(statements, Request("sqs:SendMessage", dlq, insecure, events)).effect != ALLOW
    other = send | {"aws:SourceArn": "<OtherRule.Arn>"}
    assert evaluate(statements, Request("sqs:SendMessage", dlq, other, events)).effect != ALLOW
    # The projector's own failed invocations reach the same queue through its role.
    projector = role_statements(synth, synth.stack.roles["projector"])
    assert evaluate(projector, Request("sqs:SendMessage", dlq)).effect == ALLOW


@pytest.mark.parametrize("key", list(FUNCTIONS))
def test_each_attribute_a_role_may_touch_in_the_job_view_is_touched(
    recorded: list[AwsCall], synth: Synth, local_runtime: Any, key: str
) -> None:
    """Least privilege below the action: every attribute a ``dynamodb:Attributes`` list names is one
    some call of this function reads, writes or evaluates."""
    needed = _by_principal(recorded, template_names(synth, local_runtime))[key]
    for statement in role_statements(synth, synth.stack.roles[key]):
        condition = statement.get("Condition", {}).get("ForAllValues:StringEquals", {})
        if "dynamodb:Attributes" not in condition:
            continue
        touched = set()
        for requirement in needed:
            if evaluate([statement], requirement.request).effect == ALLOW:
                touched |= set(requirement.request.context["dynamodb:Attributes"])
        assert touched == set(condition["dynamodb:Attributes"]), (key, statement["Sid"])
