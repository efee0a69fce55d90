"""Sections mode on the real ASL in moto: Plan → Map (concurrent section tasks) → Assemble → Store.

The Claude tests run the real SDK against the routing fake (``tests/fakes/sections.py``), which
answers each call by the section it asks for, so "which section was called how often" is counted from
what actually went over HTTP. Retry waits are scaled down (conftest), never slept.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.conftest import EXAMPLE_REQUEST, wait_for_execution
from tests.fakes.anthropic_server import FAKE_API_KEY, bad_request, overloaded
from tests.fakes.sections import SectionAnthropicServer, offline_section, requested_section, section_response
from vpr.errors import ClaudeOverloaded, ResultStoreUnavailable
from vpr.idempotency import canonical_input
from vpr.models import VprReport, VprRequest

MODEL = "claude-sonnet-5-5"
#: The example has two requirements: one evidence job (batches of two), and the five other sections,
#: the executive summary among them (written at the same time as the others, from the application).
ALL_CALLS = {
    "summary": 1,
    "evidence:1,2": 1,
    "differentiators": 1,
    "culture": 1,
    "interview": 1,
    "keywords": 1,
}
PLAN_IDS = ["summary", "evidence-1", "differentiators", "culture", "interview", "keywords"]


def _input(request: dict[str, Any], application_id: str | None = None) -> dict[str, Any]:
    data = json.loads(canonical_input(VprRequest.model_validate(request)))
    return data | ({"application_id": application_id} if application_id else {})


def _history(arn: str) -> list[dict[str, Any]]:
    return boto3.client("stepfunctions").get_execution_history(executionArn=arn, maxResults=1000)["events"]


def _entered(arn: str) -> list[str]:
    return [
        e["stateEnteredEventDetails"]["name"] for e in _history(arn) if e["type"].endswith("StateEntered")
    ]


def _stored_report(local_runtime: Any, described: dict[str, Any]) -> dict[str, Any]:
    key = json.loads(described["output"])["result_key"]
    body = boto3.client("s3").get_object(Bucket=local_runtime.endpoints.results_bucket, Key=key)["Body"]
    return json.loads(body.read())


def _reset() -> None:
    from handlers import section
    from local.runtime import LocalRuntime

    LocalRuntime.reload_settings()
    section.section_writer.cache_clear()


@pytest.fixture
def claude(local_runtime: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[SectionAnthropicServer]:
    """Sections mode with ``VPR_GENERATOR=claude`` against the routing fake, for one test."""
    server = SectionAnthropicServer().start()
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_API_KEY)
    monkeypatch.setenv("VPR_GENERATOR", "claude")
    monkeypatch.setenv("VPR_GENERATION_MODE", "sections")
    monkeypatch.setenv("VPR_MODEL", MODEL)
    monkeypatch.setenv("VPR_CLAUDE_MAX_RETRIES", "0")  # every retry counted is the state machine's
    _reset()
    try:
        yield server
    finally:
        server.stop()
        monkeypatch.undo()
        _reset()


def test_all_sections_succeed_and_the_merged_report_has_every_section(claude, start_execution, local_runtime):
    arn = start_execution(_input(EXAMPLE_REQUEST, "app-sections-all"))

    described = wait_for_execution(arn)

    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert dict(claude.calls_per_section()) == ALL_CALLS
    entered = _entered(arn)
    assert entered[:4] == ["Validate", "Plan", "ChooseMode", "WriteSections"]
    assert entered.count("WriteSection") == 6 and entered.count("Store") == 1 and "Generate" not in entered
    report = VprReport.model_validate(_stored_report(local_runtime, described))  # the same report model
    assert len(report.evidence_matrix) == 2 and report.differentiators and report.keywords
    assert report.executive_summary and report.cultural_fit and 5 <= len(report.talking_points) <= 7
    assert report.generator.name == "claude" and report.verification.grounded is True
    output = json.loads(described["output"])
    usage = output["token_usage"]  # summed over the six calls, as the fake billed each of them
    billed = [r.message["usage"] for r in claude.rendered]
    assert len(billed) == 6
    fields = ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
    assert {f: usage[f] for f in fields} == {f: sum(b[f] for b in billed) for f in fields}
    assert output["word_count"] == report.word_count
    # Every section call shares one cached system prompt; each kind asks for its section's schema.
    prefixes = {json.dumps(r.body["system"]) for r in claude.requests}
    assert len(prefixes) == 1 and claude.requests[0].body["system"][-1]["cache_control"]
    assert all("tools" not in r.body for r in claude.requests)
    # The summary is written from the application, like every other section: no call reads another's.
    (summary,) = [r for r in claude.requests if requested_section(r).id == "summary"]
    blocks = [b["text"] for b in summary.messages[0]["content"]]
    assert len(blocks) == 2 and blocks[0].startswith("<application>\n")
    assert blocks[1].startswith("Write the executive_summary")
    assert all(len(r.messages) == 1 for r in claude.requests)
    # Payloads stay far below the 256 KiB state limit (every state's input and output).
    sizes = [
        len(d.get("input", d.get("output", "")).encode())
        for e in _history(arn)
        for k, d in e.items()
        if k.endswith("EventDetails") and isinstance(d, dict)
    ]
    assert max(sizes) < 48 * 1024


def test_one_section_transient_error_retries_only_that_item(claude, start_execution):
    failures = {"culture": 2}

    def route(request, job):
        if failures.get(job.id, 0) > 0:
            failures[job.id] -= 1
            return overloaded()
        return None

    claude.route = route

    described = wait_for_execution(start_execution(_input(EXAMPLE_REQUEST, "app-sections-529")))

    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert dict(claude.calls_per_section()) == ALL_CALLS | {"culture": 3}


def test_one_section_permanent_error_fails_the_job_with_its_code_and_never_stores(
    claude, start_execution, spy_task
):
    store = spy_task("Store")
    claude.route = lambda request, job: bad_request() if job.id == "interview" else None
    arn = start_execution(_input(EXAMPLE_REQUEST, "app-sections-400"))

    described = wait_for_execution(arn)

    assert described["status"] == "FAILED"
    assert described["error"] == "ClaudeRequestRejected"
    assert json.loads(described["cause"])["errorMessage"].startswith(
        "The writing service rejected the request"
    )
    assert claude.calls_per_section()["interview"] == 1  # permanent: not retried
    assert "Assemble" not in _entered(arn) and "Store" not in _entered(arn)
    assert store.calls == 0


def test_grounding_flags_one_section_and_only_that_section_is_regenerated(
    claude, start_execution, local_runtime
):
    first = {"differentiators": True}

    def route(request, job):
        if job.id == "differentiators" and first.pop("differentiators", False):
            invented = offline_section(request)
            invented["differentiators"] = [
                *invented["differentiators"],
                "Led enablement at Google as Head of Learning.",
            ]
            return section_response(request, invented)
        return None

    claude.route = route

    described = wait_for_execution(start_execution(_input(EXAMPLE_REQUEST, "app-sections-grounding")))

    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert dict(claude.calls_per_section()) == ALL_CALLS | {"differentiators": 2}
    regenerated = [r for r in claude.requests if "rejected because" in r.user_text()]
    assert len(regenerated) == 1 and "- Google" in regenerated[0].user_text()
    report = _stored_report(local_runtime, described)
    assert report["verification"] == {"grounded": True, "unsupported_claims": []}
    assert "Google" not in json.dumps(report)


def test_a_flagged_summary_is_regenerated_once_from_the_application(claude, start_execution, local_runtime):
    first = {"summary": True}

    def route(request, job):
        if job.id == "summary" and first.pop("summary", False):
            invented = offline_section(request)
            invented["executive_summary"] += " She was Head of Learning at Google."
            return section_response(request, invented)
        return None

    claude.route = route

    described = wait_for_execution(start_execution(_input(EXAMPLE_REQUEST, "app-sections-summary")))

    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert dict(claude.calls_per_section()) == ALL_CALLS | {"summary": 2}
    (regenerated,) = [r for r in claude.requests if "rejected because" in r.user_text()]
    assert requested_section(regenerated).id == "summary" and "- Google" in regenerated.user_text()
    assert "<report_sections>" not in regenerated.user_text()  # still from the application alone
    report = _stored_report(local_runtime, described)
    assert report["verification"] == {"grounded": True, "unsupported_claims": []}
    assert "Google" not in report["executive_summary"]


def test_store_retry_never_calls_the_writer_again(claude, start_execution, spy_task):
    store = spy_task("Store", fail_with=[ResultStoreUnavailable()])

    described = wait_for_execution(start_execution(_input(EXAMPLE_REQUEST, "app-sections-store")))

    assert described["status"] == "SUCCEEDED"
    assert store.calls == 2
    assert dict(claude.calls_per_section()) == ALL_CALLS  # zero extra generator calls


@pytest.fixture
def gate_sections(local_runtime: Any) -> Iterator[Any]:
    """Replace WriteSection with a gate: records concurrency, holds chosen items until released."""
    real = local_runtime.task_handler("WriteSection")

    class Gate:
        def __init__(self) -> None:
            self.lock = threading.Lock()
            self.inside = 0
            self.max_inside = 0
            self.held: dict[str, threading.Event] = {}
            self.all_entered = threading.Event()
            self.expected = len(PLAN_IDS)

        def hold(self, *sections: str) -> None:
            self.held = {section: threading.Event() for section in sections}

        def release(self, section: str | None = None) -> None:
            for name, event in self.held.items():
                if section in (None, name):
                    event.set()

        def __call__(self, event: dict, context: Any) -> Any:
            section = event["section"]["id"]
            with self.lock:
                self.inside += 1
                self.max_inside = max(self.max_inside, self.inside)
                if self.inside >= self.expected:
                    self.all_entered.set()
            try:
                if section in self.held:
                    self.held[section].wait(timeout=20)
                else:
                    self.all_entered.wait(timeout=5)  # wait for the others: proves they run at once
                return real(event, context)
            finally:
                with self.lock:
                    self.inside -= 1

    gate = Gate()
    restore = local_runtime.override_task("WriteSection", gate)
    yield gate
    gate.release()
    restore()


def _status(job_id: str) -> dict[str, Any]:
    from tests.workflow.test_status_while_running import _api

    return _api("status", "GET", f"/api/vpr/status/{job_id}")["body"]


def _submit(request: dict[str, Any], application_id: str) -> str:
    from tests.workflow.test_status_while_running import _api

    return _api("submit", "POST", "/api/vpr", {**request, "application_id": application_id})["body"]["job_id"]


def _poll(job_id: str, until: Any, timeout: float = 10) -> dict[str, Any]:
    deadline, status = time.monotonic() + timeout, {}
    while time.monotonic() < deadline:
        status = _status(job_id)
        if until(status):
            return status
        time.sleep(0.02)
    pytest.fail(f"status never met the condition; last: {status}")


def _ready_ids(status: dict[str, Any]) -> list[str]:
    return [s["id"] for s in status.get("sections_ready", [])]


def test_moto_runs_map_items_concurrently(gate_sections, start_execution):
    described = wait_for_execution(start_execution(_input(EXAMPLE_REQUEST, "app-sections-concurrent")))

    assert described["status"] == "SUCCEEDED"
    assert gate_sections.max_inside == 6  # all six section tasks were inside their Lambda at once


def test_status_shows_the_written_sections_while_one_is_held_open(
    gate_sections, example_request, local_runtime
):
    gate_sections.hold("culture")
    job_id = _submit(example_request, "app-sections-progress")

    during = _poll(job_id, lambda s: s.get("sections_done") == 5)

    assert during["status"] == "PROCESSING" and during["stage"] == "generating"
    assert (during["sections_done"], during["sections_total"]) == (5, 6)
    assert [p["id"] for p in during["sections_planned"]] == PLAN_IDS
    assert _ready_ids(during) == [i for i in PLAN_IDS if i != "culture"]  # report order, not arrival order
    # The fallback path (the execution history, when the view cannot answer) lists the same sections.
    from vpr.aws.results import ResultStore
    from vpr.aws.workflow import WorkflowStore
    from vpr.jobs import JobService

    endpoints = local_runtime.endpoints
    fallback = JobService(
        WorkflowStore(endpoints.state_machine_arn), ResultStore(endpoints.results_bucket), 900
    )
    # (The history records a task's output once it returns, a moment after the task's view write.)
    deadline = time.monotonic() + 10
    while (from_history := fallback.status(job_id, None)).sections_done != 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    from_history = from_history.model_dump(mode="json", exclude_none=True)
    for field in ("sections_done", "sections_total", "sections_planned", "sections_ready"):
        assert from_history[field] == during[field], field

    gate_sections.release()
    described = wait_for_execution(job_id)
    assert described["status"] == "SUCCEEDED"
    after = _status(job_id)
    assert after["status"] == "COMPLETED"
    assert not {"sections_done", "sections_ready", "sections_planned"} & set(after)
    # What was shown while running is exactly what the stored report says.
    report = _stored_report(local_runtime, described)
    for section in during["sections_ready"]:
        for field, value in section["content"].items():
            assert report[field] == value or set(map(json.dumps, value)) <= set(
                map(json.dumps, report[field])
            )
    view_item = boto3.client("dynamodb").get_item(
        TableName=endpoints.job_view_table, Key={"job_id": {"S": job_id}}, ConsistentRead=True
    )["Item"]
    assert not {"sections_ready", "section_ids", "sections_plan"} & set(view_item)  # removed at completion


def test_sections_ready_grows_while_the_map_runs(gate_sections, example_request):
    order = ["keywords", "summary", "interview", "evidence-1", "differentiators"]
    gate_sections.hold(*order, "culture")
    job_id = _submit(example_request, "app-sections-grows")
    first = _poll(job_id, lambda s: s.get("sections_total") == 6 or s.get("stage") == "generating")
    assert first["status"] in ("PENDING", "PROCESSING") and not first.get("sections_ready")

    seen: list[list[str]] = []
    for released in order:
        gate_sections.release(released)
        count = len(seen) + 1
        status = _poll(job_id, lambda s, n=count: len(s.get("sections_ready", [])) == n)
        assert status["status"] == "PROCESSING"
        seen.append(_ready_ids(status))

    assert seen[0] == ["keywords"]
    assert seen[1] == ["summary", "keywords"]
    for before, now in itertools.pairwise(seen):
        assert set(before) < set(now)  # grows, and nothing shown is taken back
        assert now == [i for i in PLAN_IDS if i in now]  # always in report order
    assert seen[-1] == [i for i in PLAN_IDS if i != "culture"]
    gate_sections.release()
    assert wait_for_execution(job_id)["status"] == "SUCCEEDED"


def test_a_retried_section_is_counted_and_listed_once(local_runtime, example_request):
    """The culture task records its section, then its result is lost (a transient error): the Map
    item runs again, and the second record is refused, not added."""
    real = local_runtime.task_handler("WriteSection")
    attempts: list[str] = []

    def flaky(event: dict, context: Any) -> Any:
        result = real(event, context)
        attempts.append(event["section"]["id"])
        if event["section"]["id"] == "culture" and attempts.count("culture") == 1:
            raise ClaudeOverloaded()  # after the view write: the retry writes the same section again
        return result

    assemble = local_runtime.task_handler("Assemble")
    entered, release = threading.Event(), threading.Event()

    def held_assemble(event: dict, context: Any) -> Any:  # after the Map: the status still lists them
        from handlers import progress

        progress.entering("Assemble", event)
        entered.set()
        release.wait(timeout=20)
        return assemble(event, context)

    restores = [
        local_runtime.override_task("WriteSection", flaky),
        local_runtime.override_task("Assemble", held_assemble),
    ]
    try:
        job_id = _submit(example_request, "app-sections-retried")
        assert entered.wait(timeout=15)
        status = _status(job_id)
        item = boto3.client("dynamodb").get_item(
            TableName=local_runtime.endpoints.job_view_table,
            Key={"job_id": {"S": job_id}},
            ConsistentRead=True,
        )["Item"]
    finally:
        release.set()
        for restore in restores:
            restore()

    assert attempts.count("culture") == 2
    assert (status["sections_done"], status["sections_total"]) == (6, 6)
    assert _ready_ids(status) == PLAN_IDS
    assert len(item["sections_ready"]["L"]) == 6 and sorted(item["section_ids"]["SS"]) == sorted(PLAN_IDS)
    assert int(item["sections_done"]["N"]) == 6  # the count is exact now: no cap needed
    assert wait_for_execution(job_id)["status"] == "SUCCEEDED"


def test_a_section_invalid_twice_fails_the_job_naming_the_section(claude, start_execution):
    def route(request, job):
        if job.id == "interview":  # four talking points: the report model wants five to seven
            return section_response(request, {"talking_points": ["a", "b", "c", "d"], "keywords": ["x"]})
        return None

    claude.route = route
    arn = start_execution(_input(EXAMPLE_REQUEST, "app-sections-invalid"))

    described = wait_for_execution(arn)

    assert described["status"] == "FAILED"
    assert described["error"] == "GenerationInvalidOutput"
    assert "interview section" in json.loads(described["cause"])["errorMessage"]
    assert claude.calls_per_section()["interview"] == 2  # the call and its one repair, no ASL retry
    repair = [r for r in claude.requests if len(r.messages) == 3]
    assert repair and repair[0].messages[-1]["role"] == "user"  # the rejection, as the next user turn
    assert "talking_points" in repair[0].messages[-1]["content"]
    assert "Store" not in _entered(arn)
