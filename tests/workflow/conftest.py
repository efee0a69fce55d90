"""Workflow tests run the real ``vpr.asl.json`` on moto's ASL interpreter.

Retry waits are scaled down (IntervalSeconds 20 with backoff would take minutes) by swapping the
``time`` module moto's retrier sleeps with, not by editing the definition.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from tests.workflow.test_sections_workflow import claude  # noqa: F401 - also for the cancel/retry tests

RETRY_WAIT_SCALE = 0.001
_names = itertools.count()


@pytest.fixture(autouse=True)
def fast_retries() -> Iterator[None]:
    from local.runtime import scale_retry_waits

    restore = scale_retry_waits(RETRY_WAIT_SCALE)
    yield
    restore()


@dataclass
class TaskSpy:
    """Wraps a workflow task: counts calls and can fail the first N of them with a given error."""

    real: Callable[[dict, Any], Any]
    fail_with: list[Exception] = field(default_factory=list)
    calls: int = 0
    events: list[dict] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, event: dict, context: Any) -> Any:
        with self._lock:
            self.calls += 1
            self.events.append(event)
            failure = self.fail_with.pop(0) if self.fail_with else None
        if failure is not None:
            raise failure
        return self.real(event, context)


@pytest.fixture
def spy_task(local_runtime: Any) -> Iterator[Callable[..., TaskSpy]]:
    """``spy_task("Generate", fail_with=[ClaudeOverloaded()])`` — restored after the test."""
    restores = []

    def install(task: str, fail_with: list[Exception] | None = None) -> TaskSpy:
        real = local_runtime.task_handler(task)
        spy = TaskSpy(real=real, fail_with=list(fail_with or []))
        restores.append(local_runtime.override_task(task, spy))
        return spy

    yield install
    for restore in reversed(restores):
        restore()


@pytest.fixture
def start_execution(local_runtime: Any) -> Callable[[dict], str]:
    """Start the workflow directly (as the submit handler does) with a unique execution name."""

    def start(execution_input: dict) -> str:
        name = f"test-{next(_names)}-{threading.get_ident()}"
        response = boto3.client("stepfunctions").start_execution(
            stateMachineArn=local_runtime.endpoints.state_machine_arn,
            name=name,
            input=json.dumps(execution_input),
        )
        return response["executionArn"]

    return start


@pytest.fixture
def single_mode(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``VPR_GENERATION_MODE=single`` for one test: the one-call Generate path of the same ASL."""
    from local.runtime import LocalRuntime

    monkeypatch.setenv("VPR_GENERATION_MODE", "single")
    LocalRuntime.reload_settings()
    yield
    monkeypatch.undo()
    LocalRuntime.reload_settings()


@pytest.fixture
def delivered_events(local_runtime: Any) -> Iterator[list[dict]]:
    """The ``detail`` of every status-change event the local EventBridge delivers during the test."""
    bus = local_runtime.events
    seen: list[dict] = []
    original = bus.deliver

    def deliver(event: dict) -> Any:
        seen.append(event["detail"])
        return original(event)

    bus.deliver = deliver
    yield seen
    bus.deliver = original


def events_of(delivered: list[dict], job_id: str) -> list[tuple[str, int, str | None]]:
    """(status, redriveCount, error) of the events delivered for one job, in delivery order."""
    return [(d["status"], d["redriveCount"], d["error"]) for d in delivered if d["executionArn"] == job_id]
