"""Cancel on the real ASL in moto: DELETE /api/vpr/{job_id} stops the execution, the status then reads
FAILED ``Cancelled``, and no Claude call starts after the cancel — not a pending Map item, not a repair
call of a section in flight, not Assemble's summary (counted at the fake Messages API, real SDK).

Also what the local engine's StopExecution does (``local.sfn_lifecycle``: ABORTED at once, as AWS
documents, where moto 5.2.5 kept the execution RUNNING and then ended it FAILED ``States.Runtime``).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.conftest import EXAMPLE_REQUEST, Gate, example_with, wait_for_execution
from tests.fakes.sections import section_response
from tests.workflow.conftest import events_of
from tests.workflow.test_status_while_running import _api
from vpr.aws.jobview import JobView

CANCELLED_MESSAGE = "The job was cancelled at your request."


def _submit(request: dict[str, Any]) -> str:
    answer = _api("submit", "POST", "/api/vpr", request)
    assert answer["status"] == 202, answer
    return answer["body"]["job_id"]


def _cancel(job_id: str, user: str | None = None) -> dict[str, Any]:
    return _api("cancel", "DELETE", f"/api/vpr/{job_id}", user=user)


def _status(job_id: str) -> dict[str, Any]:
    return _api("status", "GET", f"/api/vpr/status/{job_id}")["body"]


def _describe(job_id: str) -> dict[str, Any]:
    return boto3.client("stepfunctions").describe_execution(executionArn=job_id)


def _wait_until(condition: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("condition not met in time")
        time.sleep(0.01)


class SectionTaskCounter:
    """Wraps the WriteSection task: how many Lambda invocations began, and how many returned."""

    def __init__(self, real: Any, before: Any = None) -> None:
        self.real, self.before = real, before
        self.lock = threading.Lock()
        self.began: list[str] = []
        self.returned = 0

    def __call__(self, event: dict, context: Any) -> Any:
        with self.lock:
            self.began.append(event["section"]["id"])
        try:
            if self.before is not None:
                self.before(event)
            return self.real(event, context)
        finally:
            with self.lock:
                self.returned += 1


@pytest.fixture
def section_tasks(local_runtime: Any) -> Iterator[Any]:
    """``section_tasks(before=...)`` → a counter installed in front of the real WriteSection task."""
    restores = []

    def install(before: Any = None) -> SectionTaskCounter:
        counter = SectionTaskCounter(local_runtime.task_handler("WriteSection"), before)
        restores.append(local_runtime.override_task("WriteSection", counter))
        return counter

    yield install
    for restore in reversed(restores):
        restore()


def hold_sections(section_tasks: Any) -> tuple[threading.Event, threading.Event]:
    """Every section task waits (inside its Lambda, before writing) until released: a running job."""
    entered, release = threading.Event(), threading.Event()

    def before(event: dict) -> None:
        entered.set()
        release.wait(timeout=20)

    section_tasks(before=before)
    return entered, release


def test_cancel_during_the_map_starts_no_claude_call_after_it(
    claude,
    section_tasks,
    delivered_events,
    local_runtime,
):
    # Thirteen requirements: twelve sections (the summary, seven evidence batches of two, four others),
    # ten in flight (the Map's MaxConcurrency), two pending.
    posting = {
        **EXAMPLE_REQUEST["job_posting"],
        "requirements": [f"Skill number {i} in depth" for i in range(13)],
    }
    request = example_with(application_id="app-cancel-map", job_posting=posting)
    inside, release = [], threading.Event()

    def route(recorded, job):
        inside.append(job.id)
        release.wait(timeout=20)  # every section call is held open at the fake until released
        if job.id == "differentiators":  # invalid: its writer would send a repair call next
            return section_response(recorded, {"differentiators": []})
        return None

    claude.route = route
    tasks = section_tasks()
    job_id = _submit(request)
    _wait_until(lambda: len(inside) == 10)

    answer = _cancel(job_id)
    calls_at_cancel = claude.calls
    release.set()
    _wait_until(lambda: tasks.returned == len(tasks.began))  # the held Lambdas ran to their end
    time.sleep(0.3)  # nothing left that could call: give a stray call the time to show
    local_runtime.events.drain()

    assert answer["status"] == 200
    body = answer["body"]
    assert (body["status"], body["error_code"], body["error"]) == ("FAILED", "Cancelled", CANCELLED_MESSAGE)
    assert body["retryable"] is False
    assert calls_at_cancel == 10
    assert claude.calls == 10  # no repair call, no pending section after the cancel
    assert len(tasks.began) == 10  # the two pending items never started (AWS: the same)
    assert "interview" not in tasks.began and "keywords" not in tasks.began
    described = _describe(job_id)
    assert (described["status"], described["error"]) == ("ABORTED", "Cancelled")
    assert events_of(delivered_events, job_id) == [("ABORTED", 0, "Cancelled")]
    status = _status(job_id)
    assert (status["status"], status["error_code"], status["error"]) == (
        "FAILED",
        "Cancelled",
        CANCELLED_MESSAGE,
    )


def test_a_section_invoked_before_the_cancel_that_runs_after_it_calls_no_claude(
    claude,
    section_tasks,
    local_runtime,
):
    """On AWS a Lambda invoked just before StopExecution still runs: its handler checks first."""
    gate, waiting = threading.Event(), []

    def before(event):
        waiting.append(event["section"]["id"])
        gate.wait(timeout=20)

    tasks = section_tasks(before=before)
    job_id = _submit(example_with(application_id="app-cancel-invoked"))
    _wait_until(lambda: len(waiting) == 6)

    assert _cancel(job_id)["status"] == 200
    gate.set()
    _wait_until(lambda: tasks.returned == 6)

    assert claude.calls == 0  # six sections (the summary too) invoked, none of them called Claude
    assert _describe(job_id)["status"] == "ABORTED"


def test_single_mode_generate_started_after_the_cancel_calls_no_claude(
    claude,
    local_runtime,
    monkeypatch,
):
    from local.runtime import LocalRuntime

    monkeypatch.setenv("VPR_GENERATION_MODE", "single")
    LocalRuntime.reload_settings()
    generate = Gate(local_runtime.task_handler("Generate"), timeout=20)
    restore = local_runtime.override_task("Generate", generate.handler)
    try:
        job_id = _submit(example_with(application_id="app-cancel-single"))
        assert generate.entered.wait(timeout=20)
        assert _cancel(job_id)["status"] == 200
        generate.release.set()
        time.sleep(0.5)
    finally:
        generate.release.set()
        restore()

    assert claude.calls == 0


def test_cancelling_twice_gives_the_same_answer_and_stops_once(
    local_runtime, section_tasks, delivered_events
):
    entered, release = hold_sections(section_tasks)
    job_id = _submit(example_with(application_id="app-cancel-twice"))
    assert entered.wait(timeout=20)

    first = _cancel(job_id)
    local_runtime.sfn_meter.reset_counts()
    second = _cancel(job_id)
    release.set()
    local_runtime.events.drain()

    assert first["status"] == second["status"] == 200
    assert first["body"] == second["body"]
    assert local_runtime.sfn_meter.calls["StopExecution"] == 0  # the second saw it cancelled already
    assert _describe(job_id)["status"] == "ABORTED"
    assert events_of(delivered_events, job_id) == [("ABORTED", 0, "Cancelled")]
    assert _status(job_id)["error_code"] == "Cancelled"


def test_cancelling_a_finished_job_is_a_409_naming_why(local_runtime):
    completed = _submit(example_with(application_id="app-cancel-done"))
    assert wait_for_execution(completed)["status"] == "SUCCEEDED"
    failed = _submit(example_with(application_id="app-cancel-failed", user_id="user-without-profile"))
    assert wait_for_execution(failed)["status"] == "FAILED"

    done, no_cv = _cancel(completed), _cancel(failed)

    assert done["status"] == no_cv["status"] == 409
    assert done["body"]["code"] == no_cv["body"]["code"] == "JobNotCancellable"
    assert done["body"]["error"] == "This job has already completed; there is nothing to cancel."
    assert "CvNotFound" in no_cv["body"]["error"]
    assert _describe(completed)["status"] == "SUCCEEDED"  # nothing changed
    assert _status(completed)["status"] == "COMPLETED"


def test_a_job_that_stores_its_report_while_being_cancelled_ends_cancelled(local_runtime, delivered_events):
    """Store has written the report (the view says COMPLETED, seq 900), the execution has not ended: the
    cancel wins, Step Functions says ABORTED, and the view follows it (the cancel's 995), not Store (900)."""
    real = local_runtime.task_handler("Store")
    stored, release = threading.Event(), threading.Event()

    def store_then_hold(event, context):
        result = real(event, context)
        stored.set()
        release.wait(timeout=20)
        return result

    restore = local_runtime.override_task("Store", store_then_hold)
    try:
        job_id = _submit(example_with(application_id="app-cancel-vs-store"))
        assert stored.wait(timeout=20)
        assert _status(job_id)["status"] == "COMPLETED"  # Store's own write, before the execution ends
        answer = _cancel(job_id)
        release.set()
        wait_for_execution(job_id)
        time.sleep(0.2)
        local_runtime.events.drain()
    finally:
        release.set()
        restore()

    assert answer["status"] == 200 and answer["body"]["error_code"] == "Cancelled"
    assert _describe(job_id)["status"] == "ABORTED"
    assert events_of(delivered_events, job_id) == [("ABORTED", 0, "Cancelled")]  # never SUCCEEDED
    record = JobView(local_runtime.endpoints.job_view_table).get(job_id)
    assert (record.status, record.error_code, record.seq) == ("ABORTED", "Cancelled", 995)
    assert record.result_key is None  # the COMPLETED fields of Store's write are gone
    assert _status(job_id)["status"] == "FAILED"


def test_cancel_racing_completion_always_ends_in_one_coherent_state(local_runtime, delivered_events):
    """Cancels at random moments of a job's last steps: whatever wins, the answer, Step Functions, the
    events and the view all say the same."""
    rng = random.Random(21)
    outcomes = set()
    for attempt in range(8):
        job_id = _submit(example_with(application_id=f"app-cancel-race-{attempt}"))
        time.sleep(rng.uniform(0.0, 0.8))
        answer = _cancel(job_id)
        final = wait_for_execution(job_id)
        time.sleep(0.1)
        local_runtime.events.drain()
        record = JobView(local_runtime.endpoints.job_view_table).get(job_id)
        terminal = [e for e in events_of(delivered_events, job_id) if e[0] != "RUNNING"]
        if answer["status"] == 200:
            outcomes.add("cancelled")
            assert final["status"] == "ABORTED" and final["error"] == "Cancelled"
            assert terminal == [("ABORTED", 0, "Cancelled")]
            assert (record.status, record.error_code) == ("ABORTED", "Cancelled")
            assert _status(job_id)["status"] == "FAILED"
        else:
            outcomes.add("completed")
            assert answer["status"] == 409 and answer["body"]["code"] == "JobNotCancellable"
            assert final["status"] == "SUCCEEDED"
            assert terminal == [("SUCCEEDED", 0, None)]
            assert record.status == "SUCCEEDED" and record.error_code is None
            assert _status(job_id)["status"] == "COMPLETED"
    assert outcomes  # (which ones depends on the machine's speed; each one is checked above)


def test_another_users_job_cannot_be_cancelled_and_reads_as_unknown(local_runtime, section_tasks):
    entered, release = hold_sections(section_tasks)
    job_id = _submit(example_with(application_id="app-cancel-owner", user_id="user-uuid-456"))
    assert entered.wait(timeout=20)
    unknown = job_id[: -len("0" * 64)] + "0" * 64

    foreign, missing = _cancel(job_id, user="someone-else"), _cancel(unknown, user="someone-else")
    release.set()

    assert foreign["status"] == missing["status"] == 404
    assert foreign["body"] == missing["body"]  # exactly the status endpoint's answer
    assert foreign["body"]["error"] == "Job not found."
    assert wait_for_execution(job_id)["status"] == "SUCCEEDED"  # still ran to its end


# --- the local engine's StopExecution (local.sfn_lifecycle) -------------------------------------------------
def test_stop_execution_aborts_at_once_with_its_error_and_one_event(
    local_runtime, section_tasks, delivered_events
):
    entered, release = hold_sections(section_tasks)
    job_id = _submit(example_with(application_id="app-stop-fidelity"))
    assert entered.wait(timeout=20)
    sfn = boto3.client("stepfunctions")

    stopped = sfn.stop_execution(executionArn=job_id, error="Maintenance", cause="an operator")
    right_after = _describe(job_id)
    release.set()
    time.sleep(0.5)  # the held task returns: its result is ignored
    local_runtime.events.drain()
    later = _describe(job_id)
    again = sfn.stop_execution(executionArn=job_id)

    assert right_after["status"] == "ABORTED"  # moto alone: RUNNING here, FAILED States.Runtime later
    assert (right_after["error"], right_after["cause"]) == ("Maintenance", "an operator")
    assert right_after["stopDate"] == stopped["stopDate"] == later["stopDate"] == again["stopDate"]
    assert later["status"] == "ABORTED" and later["error"] == "Maintenance"
    assert events_of(delivered_events, job_id) == [("ABORTED", 0, "Maintenance")]
    history = sfn.get_execution_history(executionArn=job_id, maxResults=1000)["events"]
    (aborted,) = [e for e in history if e["type"] == "ExecutionAborted"]
    assert aborted["executionAbortedEventDetails"] == {"error": "Maintenance", "cause": "an operator"}
    assert history[-1] == aborted  # nothing is recorded after the stop (moto alone records garbage)
    assert not [e for e in history if e["type"] == "ExecutionFailed"]
    # Not the owner's cancel: it reads as stopped, and a retry would not be offered.
    status = _status(job_id)
    assert (status["error_code"], status["retryable"]) == ("ExecutionAborted", False)
    assert status["error"] == "The job was stopped before it finished."


def test_tasks_receive_the_redrive_count_from_the_context_object(local_runtime, start_execution, spy_task):
    from tests.workflow.test_workflow import _input

    validate = spy_task("Validate")
    assert wait_for_execution(start_execution(_input(EXAMPLE_REQUEST)))["status"] == "SUCCEEDED"
    assert validate.events[0]["redrive_count"] == 0  # $$.Execution.RedriveCount, 0 until redriven
    assert json.loads(json.dumps(validate.events[0]))["job_id"].startswith("arn:aws:states:")
