"""Fixtures shared by the test layers.

``local_runtime`` is the embedded runtime (moto S3/DynamoDB/Step Functions running the real
``statemachine/vpr.asl.json``, the handlers in-process), started once per test session.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_REQUEST: dict[str, Any] = json.loads((ROOT / "examples" / "request.json").read_text())


def example_with(**changes: Any) -> dict[str, Any]:
    """The documented example with top-level fields changed (a unique application_id: its own job)."""
    return {**copy.deepcopy(EXAMPLE_REQUEST), **changes}


@pytest.fixture
def example_request() -> dict[str, Any]:
    """The product's documented example request (DESIGN §3), a fresh copy per test."""
    return copy.deepcopy(EXAMPLE_REQUEST)


@pytest.fixture(scope="session")
def local_runtime() -> Iterator[Any]:
    from local.runtime import LocalRuntime

    runtime = LocalRuntime().start()
    yield runtime
    runtime.stop()


def wait_for_execution(execution_arn: str, timeout: float = 30.0) -> dict[str, Any]:
    """Poll DescribeExecution until the execution leaves RUNNING (fails the test after ``timeout``)."""
    import boto3

    client = boto3.client("stepfunctions")
    deadline = time.monotonic() + timeout
    while True:
        described = client.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        if time.monotonic() > deadline:
            pytest.fail(f"execution still RUNNING after {timeout}s: {execution_arn}")
        time.sleep(0.02)


@dataclass
class Gate:
    """A task handler held at a gate: ``handler`` sets ``entered``, waits for ``release``, then runs
    ``real`` (the task as registered). Tests install ``handler`` with ``LocalRuntime.override_task``."""

    real: Callable[[Any, Any], Any]
    timeout: float = 30.0
    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def handler(self, event: Any, context: Any) -> Any:
        self.entered.set()
        self.release.wait(self.timeout)
        return self.real(event, context)
