"""The job view: ordering and duplicates of its writers, the read path, the fallback, local quotas."""

from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from local.eventbridge import DETAIL_TYPE
from stacks.registry import PROJECTED_STATUSES
from tests.conftest import wait_for_execution
from vpr.aws.jobview import SEQ_TERMINAL, JobRecord


@pytest.fixture
def view(local_runtime):
    from vpr.aws.jobview import JobView

    return JobView(local_runtime.endpoints.job_view_table)


@pytest.fixture
def job_id(local_runtime) -> str:
    prefix = local_runtime.endpoints.state_machine_arn.replace(":stateMachine:", ":execution:")
    return f"{prefix}:vpr-{uuid.uuid4().hex}{uuid.uuid4().hex}"


def _event(job_id: str, status: str, redrive_count: int = 0, **detail) -> dict:
    """A status-change event as EventBridge delivers it (docs: Step Functions "cw-events" page)."""
    start = int(datetime(2026, 11, 30, 1, 0, tzinfo=UTC).timestamp() * 1000)
    body = {
        "executionArn": job_id,
        "stateMachineArn": job_id.split(":execution:")[0] + ":stateMachine:x",
        "name": job_id.rsplit(":", 1)[1],
        "status": status,
        "startDate": start,
        "stopDate": start + 5000,
        "input": json.dumps({"user_id": "user-1", "application_id": "app-1"}),
        "inputDetails": {"included": True},
        "output": None,
        "outputDetails": None,
        "error": None,
        "cause": None,
        "redriveCount": redrive_count,
        **detail,
    }
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": DETAIL_TYPE,
        "source": "aws.states",
        "account": "123456789012",
        "time": "2026-11-30T01:00:05Z",
        "region": "us-east-1",
        "resources": [job_id],
        "detail": body,
    }


def _succeeded(job_id: str, redrive_count: int = 0) -> dict:
    output = {
        "result_key": "vpr/user-1/app-1/v1.json",
        "vpr_version": 1,
        "word_count": 420,
        "token_usage": {"model": "offline", "input_tokens": 0, "output_tokens": 0},
    }
    return _event(
        job_id, "SUCCEEDED", redrive_count, output=json.dumps(output), outputDetails={"included": True}
    )


def _failed(job_id: str, redrive_count: int = 0) -> dict:
    cause = json.dumps(
        {"errorMessage": "No CV for this user.", "errorType": "CvNotFound", "stackTrace": ["x"]}
    )
    return _event(job_id, "FAILED", redrive_count, error="CvNotFound", cause=cause)


def _project(event: dict) -> bool:
    from handlers.projector import handler
    from local.lambda_router import LocalLambdaContext

    return handler(event, LocalLambdaContext(function_name="careervp-vpr-projector-local"))["applied"]


# --- ordering and duplicates ------------------------------------------------------------------------
def test_a_duplicate_terminal_event_changes_nothing(local_runtime, view, job_id):
    assert _project(_failed(job_id)) is True
    first = view.get(job_id)

    assert _project(_failed(job_id)) is False

    assert view.get(job_id) == first
    assert (first.status, first.error_code, first.error_message) == (
        "FAILED",
        "CvNotFound",
        "No CV for this user.",
    )
    assert first.owner == "user-1"


def test_a_stage_written_after_the_terminal_event_does_not_reopen_the_job(local_runtime, view, job_id):
    _project(_failed(job_id))

    assert view.enter_stage(job_id, "Generate") is False  # a late (retried) task start

    assert view.get(job_id).status == "FAILED"


def test_stages_only_move_forward(local_runtime, view, job_id):
    assert view.enter_stage(job_id, "Generate") is True
    assert view.enter_stage(job_id, "Validate") is False  # arrived late
    assert view.enter_stage(job_id, "Generate") is False  # retried task
    assert view.get(job_id).stage == "Generate"


def test_the_terminal_event_overrides_stores_write_but_not_the_reverse(local_runtime, view, job_id):
    from handlers import progress

    other = job_id + "-b"
    # Store's write, then the execution failed after all (e.g. the task timed out returning): FAILED wins.
    progress.completed({"job_id": job_id}, {"result_key": "k", "vpr_version": 1, "word_count": 1})
    _project(_failed(job_id))
    failed = view.get(job_id)
    assert (failed.status, failed.result_key) == ("FAILED", None)

    # The SUCCEEDED event first (out of order), then Store's own write: the event's data stays.
    assert _project(_succeeded(other)) is True
    progress.completed({"job_id": other}, {"result_key": "late", "vpr_version": 9, "word_count": 1})
    record = view.get(other)
    assert (record.status, record.result_key, record.vpr_version) == (
        "SUCCEEDED",
        "vpr/user-1/app-1/v1.json",
        1,
    )


_PLAN = [{"id": "summary", "kind": "summary"}, {"id": "keywords", "kind": "keywords"}]
_KEYWORDS = {"id": "keywords", "kind": "keywords", "position": 1, "content": {"keywords": ["L&D"]}}


def test_a_section_is_recorded_once_and_a_late_one_never_changes_a_finished_job(local_runtime, view, job_id):
    from handlers import progress

    view.enter_stage(job_id, "WriteSections")
    assert view.section_written(job_id, "keywords", _PLAN, _KEYWORDS) is True
    assert view.section_written(job_id, "keywords", _PLAN, _KEYWORDS) is False  # a retried task
    assert view.section_written(job_id, "summary", _PLAN) is True  # written, not shown (flagged)
    record = view.get(job_id)
    assert (record.sections_done, record.sections_total) == (2, 2)
    assert record.sections_ready == (_KEYWORDS,) and record.sections_planned == tuple(_PLAN)

    view.enter_stage(job_id, "Assemble")
    assert view.section_written(job_id, "late", _PLAN, _KEYWORDS | {"id": "late"}) is False
    progress.completed({"job_id": job_id}, {"result_key": "k", "vpr_version": 1, "word_count": 1})
    assert view.section_written(job_id, "later", _PLAN, _KEYWORDS | {"id": "later"}) is False
    done = view.get(job_id)
    assert (done.status, done.sections_done) == ("SUCCEEDED", 2)
    assert (done.sections_ready, done.sections_planned) == ((), ())  # Store's write removed the texts


def test_a_failed_job_keeps_its_sections_and_refuses_new_ones(local_runtime, view, job_id):
    view.enter_stage(job_id, "WriteSections")
    view.section_written(job_id, "keywords", _PLAN, _KEYWORDS)
    _project(_failed(job_id))

    assert view.section_written(job_id, "summary", _PLAN, _KEYWORDS | {"id": "summary"}) is False
    record = view.get(job_id)
    assert record.status == "FAILED" and record.sections_ready == (_KEYWORDS,)


def test_an_older_execution_attempt_never_replaces_a_redriven_one(local_runtime, view, job_id):
    assert _project(_succeeded(job_id, redrive_count=1)) is True
    assert _project(_failed(job_id, redrive_count=0)) is False  # delivered late
    assert view.get(job_id).status == "SUCCEEDED"


def test_events_that_are_not_status_changes_are_ignored(local_runtime, view, job_id):
    event = _failed(job_id) | {"detail-type": "Something Else"}
    assert _project(event) is False
    assert view.get(job_id) is None


def test_exactly_one_concurrent_submitter_claims_the_job(local_runtime, view, job_id):
    now = datetime.now(UTC)
    barrier = threading.Barrier(40)

    def claim(_: int) -> bool:
        barrier.wait()
        return view.claim_submission(job_id, "user-1", "app-1", now)

    with ThreadPoolExecutor(max_workers=40) as pool:
        claims = list(pool.map(claim, range(40)))

    assert claims.count(True) == 1


def test_the_claim_is_won_even_when_a_task_wrote_the_item_first(local_runtime, view, job_id):
    view.enter_stage(job_id, "Validate")  # the execution ran before the submitter's write
    assert view.claim_submission(job_id, "user-1", "app-1", datetime.now(UTC)) is True
    record = view.get(job_id)
    assert (record.stage, record.owner, record.submitted) == ("Validate", "user-1", True)


# --- the read path ----------------------------------------------------------------------------------
def _service():
    from handlers.wiring import job_service

    return job_service()


def test_submit_of_a_new_job_makes_no_describe_execution(local_runtime, example_request):
    from vpr.models import VprRequest

    example_request["application_id"] = f"app-{uuid.uuid4().hex[:8]}"
    local_runtime.sfn_meter.reset_counts()

    outcome = _service().submit(VprRequest.model_validate(example_request), None, None)

    assert outcome.created is True
    assert dict(local_runtime.sfn_meter.calls) == {"StartExecution": 1}
    wait_for_execution(outcome.status.job_id)


def test_a_finished_job_is_read_from_the_view_only_and_its_failure_comes_from_the_event(
    local_runtime, example_request
):
    from vpr.models import VprRequest

    example_request["application_id"] = f"app-{uuid.uuid4().hex[:8]}"
    example_request["user_id"] = "user-without-a-cv"  # Validate fails: CvNotFound
    job_id = _service().submit(VprRequest.model_validate(example_request), None, None).status.job_id
    wait_for_execution(job_id)
    local_runtime.events.drain()

    local_runtime.sfn_meter.reset_counts()
    status = _service().status(job_id, None)

    assert (status.status, status.error_code) == ("FAILED", "CvNotFound")
    assert dict(local_runtime.sfn_meter.calls) == {}  # the view answered: no Step Functions call
    assert local_runtime.events.dead_letters == []


def test_a_missing_item_falls_back_to_step_functions_and_is_repaired(local_runtime, view, example_request):
    from vpr.models import VprRequest

    example_request["application_id"] = f"app-{uuid.uuid4().hex[:8]}"
    job_id = _service().submit(VprRequest.model_validate(example_request), None, None).status.job_id
    wait_for_execution(job_id)
    # The SUCCEEDED event may be published just after DescribeExecution says so: wait until the projector
    # has applied it, or it would write the item back after the delete below.
    deadline = time.monotonic() + 10
    while (view.get(job_id) or JobRecord(job_id=job_id, status="")).seq < SEQ_TERMINAL:
        assert time.monotonic() < deadline, "the projector never applied the SUCCEEDED event"
        time.sleep(0.02)
    local_runtime.events.drain()
    boto3.client("dynamodb").delete_item(
        TableName=local_runtime.endpoints.job_view_table, Key={"job_id": {"S": job_id}}
    )

    local_runtime.sfn_meter.reset_counts()
    fallback = _service().status(job_id, None)
    assert local_runtime.sfn_meter.calls["DescribeExecution"] == 1

    local_runtime.sfn_meter.reset_counts()
    repaired = _service().status(job_id, None)
    assert dict(local_runtime.sfn_meter.calls) == {}
    assert fallback.status == repaired.status == "COMPLETED"
    assert repaired.vpr_version == fallback.vpr_version
    assert view.get(job_id).owner == example_request["user_id"]


def test_an_item_a_task_created_before_submit_gets_its_owner_from_the_fallback(
    local_runtime, view, example_request
):
    from handlers import progress

    real = local_runtime.task_handler("Validate")
    entered, release = threading.Event(), threading.Event()

    def held(event, context):
        progress.entering("Validate", event)
        entered.set()
        release.wait(timeout=20)
        return real(event, context)

    restore = local_runtime.override_task("Validate", held)
    try:
        arn = boto3.client("stepfunctions").start_execution(  # without submit: nobody wrote the owner
            stateMachineArn=local_runtime.endpoints.state_machine_arn,
            name=f"vpr-{uuid.uuid4().hex}{uuid.uuid4().hex}",
            input=json.dumps(example_request),
        )["executionArn"]
        assert entered.wait(timeout=10)
        assert (view.get(arn).stage, view.get(arn).owner) == ("Validate", None)

        local_runtime.sfn_meter.reset_counts()
        first = _service().status(arn, None)  # no owner to check: Step Functions, then the gap filled
        assert local_runtime.sfn_meter.calls["DescribeExecution"] == 1

        local_runtime.sfn_meter.reset_counts()
        second = _service().status(arn, None)
        assert dict(local_runtime.sfn_meter.calls) == {}
        assert (first.status, first.stage) == (second.status, second.stage) == ("PENDING", "validating")
        assert view.get(arn).owner == example_request["user_id"]
    finally:
        release.set()
        restore()
    wait_for_execution(arn)


def test_another_users_job_is_not_found_from_the_view_without_asking_step_functions(
    local_runtime, view, job_id
):
    from vpr.errors import JobNotFound

    view.claim_submission(job_id, "owner-a", "app-1", datetime.now(UTC))
    local_runtime.sfn_meter.reset_counts()

    with pytest.raises(JobNotFound):
        _service().status(job_id, "intruder-b")

    assert dict(local_runtime.sfn_meter.calls) == {}
    assert _service().status(job_id, "owner-a").status == "PENDING"


# --- local EventBridge and quotas -------------------------------------------------------------------
def test_local_events_have_eventbridges_shape_and_the_rules_filter(local_runtime, start_execution):
    captured: list[dict] = []
    bus = local_runtime.events
    original = bus.deliver
    bus.deliver = lambda event: (captured.append(event), original(event))
    try:
        arn = start_execution({"application_id": "x"})  # not a valid request: Validate fails
        wait_for_execution(arn)
        deadline = time.monotonic() + 5
        while not any(e["detail"]["executionArn"] == arn for e in captured) and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        bus.deliver = original
    event = next(e for e in captured if e["detail"]["executionArn"] == arn)

    assert set(event) == {
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    }
    assert (event["source"], event["detail-type"], event["resources"]) == ("aws.states", DETAIL_TYPE, [arn])
    detail = event["detail"]
    assert detail["status"] == "FAILED" and detail["status"] in PROJECTED_STATUSES
    assert detail["error"] == "ValidationFailed"
    assert isinstance(detail["startDate"], int) and detail["stopDate"] >= detail["startDate"]
    assert json.loads(detail["input"]) == {"application_id": "x"}
    assert detail["output"] is None


def test_documented_quotas_throttle_at_the_burst_as_aws_does(local_runtime, start_execution):
    from local import quotas

    arn = start_execution({"application_id": "x"})
    wait_for_execution(arn)
    small = quotas.StepFunctionsMeter.documented(scale=0.01)  # DescribeExecution: burst 3, 0.15/s
    client = boto3.client("stepfunctions", config=Config(retries={"mode": "standard", "max_attempts": 1}))
    quotas.install(small)
    try:
        for _ in range(3):
            client.describe_execution(executionArn=arn)
        with pytest.raises(ClientError) as throttled:
            client.describe_execution(executionArn=arn)
    finally:
        quotas.install(local_runtime.sfn_meter)

    error = throttled.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (
        "ThrottlingException",
        400,
    )
    assert error["Error"]["Message"] == "Rate exceeded"
    admitted = small.calls["DescribeExecution"] - small.throttled["DescribeExecution"]
    assert admitted == 3  # the burst, whoever else called meanwhile


def test_the_token_bucket_refills_at_its_rate():
    from local.quotas import TokenBucket

    now = [0.0]
    bucket = TokenBucket(size=2, refill=0.5, clock=lambda: now[0])
    assert [bucket.take() for _ in range(3)] == [True, True, False]
    now[0] = 1.0  # half a token
    assert bucket.take() is False
    now[0] = 2.0  # one token
    assert (bucket.take(), bucket.take()) == (True, False)


# --- what each writer touches -------------------------------------------------------------------------
_EXPRESSION_WORDS = frozenset(
    {"SET", "ADD", "REMOVE", "DELETE", "AND", "OR", "NOT", "if_not_exists", "list_append",
     "attribute_exists", "attribute_not_exists", "contains", "size", "begins_with"}
)  # fmt: skip


def _touched(params: dict) -> set[str]:
    """Top-level attribute names an UpdateItem reads or writes (what ``dynamodb:Attributes`` checks)."""
    import re

    names = params.get("ExpressionAttributeNames", {})
    text = " ".join(params.get(k, "") for k in ("UpdateExpression", "ConditionExpression"))
    found = {names[t] if t.startswith("#") else t for t in re.findall(r"[#:]?[A-Za-z_]\w*", text)}
    return {n for n in found if not n.startswith(":") and n not in _EXPRESSION_WORDS} | set(params["Key"])


def test_the_section_task_and_the_completed_writes_touch_only_attributes_their_roles_may(
    local_runtime, view, job_id
):
    """The per-attribute IAM grants of ``stacks/job_view.py``, checked against the calls actually sent."""
    from handlers import progress
    from stacks.job_view import WRITABLE_ATTRIBUTES
    from vpr.aws.clients import aws_client
    from vpr.aws.jobview import completed_update

    sent: list[dict] = []
    events = aws_client("dynamodb").meta.events
    capture = lambda params, **_: sent.append(params)  # noqa: E731
    events.register("before-parameter-build.dynamodb.UpdateItem", capture)
    try:
        view.enter_stage(job_id, "WriteSections")
        sent.clear()
        section = {"id": "keywords", "kind": "keywords", "content": {"keywords": ["L&D"]}, "grounded": True}
        progress.section_written({"job_id": job_id, "state": {"plan": {"sections": _PLAN}}}, section)
        section_calls = list(sent)
        sent.clear()
        progress.completed({"job_id": job_id}, {"result_key": "k", "vpr_version": 1, "word_count": 1})
        store_calls = list(sent)
    finally:
        events.unregister("before-parameter-build.dynamodb.UpdateItem", capture)

    assert len(section_calls) == 1 and "sections_ready" in _touched(section_calls[0])
    assert _touched(section_calls[0]) <= set(WRITABLE_ATTRIBUTES["section"])
    assert len(store_calls) == 1 and "sections_ready" in _touched(store_calls[0])  # removed at completion
    assert _touched(store_calls[0]) <= set(WRITABLE_ATTRIBUTES["store"])
    # The projector's and the status repair's SUCCEEDED write is the same completed_update.
    succeeded = completed_update({"result_key": "k"}, datetime.now(UTC), SEQ_TERMINAL)
    for writer in ("projector", "status"):
        assert set(succeeded.remove) <= set(WRITABLE_ATTRIBUTES[writer]), writer
