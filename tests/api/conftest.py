"""API tests talk HTTP to the local service started exactly as ``make run`` starts it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from local.runtime import free_port
from tests.conftest import ROOT


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any


@dataclass
class Service:
    url: str
    aws_url: str

    def request(
        self, method: str, path: str, body: bytes | str | dict | None = None, headers: dict | None = None
    ) -> Reply:
        if isinstance(body, dict):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        request = urllib.request.Request(self.url + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw, status, reply_headers = response.read(), response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            raw, status, reply_headers = error.read(), error.code, dict(error.headers)
        return Reply(status, reply_headers, json.loads(raw) if raw else None)

    def submit(self, payload: dict | str | bytes, headers: dict | None = None) -> Reply:
        return self.request(
            "POST", "/api/vpr", payload, {"Content-Type": "application/json", **(headers or {})}
        )

    def status(self, job_id: str, headers: dict | None = None) -> Reply:
        return self.request("GET", f"/api/vpr/status/{job_id}", headers=headers)

    def wait(self, job_id: str, headers: dict | None = None, timeout: float = 60) -> Reply:
        deadline = time.monotonic() + timeout
        while True:
            reply = self.status(job_id, headers)
            if reply.status != 200 or reply.body["status"] in {"COMPLETED", "FAILED"}:
                return reply
            if time.monotonic() > deadline:
                pytest.fail(f"job still {reply.body['status']} after {timeout}s")
            time.sleep(0.05)

    def stepfunctions(self) -> Any:
        return boto3.client(
            "stepfunctions",
            endpoint_url=self.aws_url,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def executions(self) -> list[dict]:
        machine = self.stepfunctions().list_state_machines()["stateMachines"][0]["stateMachineArn"]
        return self.stepfunctions().list_executions(stateMachineArn=machine, maxResults=1000)["executions"]


def _start_service(
    extra_env: dict[str, str], output: Any = subprocess.DEVNULL
) -> tuple[subprocess.Popen, Service]:
    """``python -m local serve`` on free ports; its output goes to ``output`` (a file, or nowhere)."""
    port, aws_port = free_port(), free_port()
    env = {
        **os.environ,
        "VPR_PORT": str(port),
        "VPR_AWS_PORT": str(aws_port),
        "PYTHONPATH": f"{ROOT / 'lambdas'}{os.pathsep}{ROOT}",
        "VPR_GENERATOR": "offline",
        "VPR_DATA_DIR": tempfile.mkdtemp(prefix="vpr-data-"),  # persistence on, as in make run; not shared
        **extra_env,
    }
    for leaked in ("AWS_ENDPOINT_URL", "VPR_STATE_MACHINE_ARN", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"):
        if leaked not in extra_env:
            env.pop(leaked, None)
    process = subprocess.Popen(  # the same command `make run` runs
        [sys.executable, "-m", "local", "serve"],
        cwd=ROOT,
        env=env,
        stdout=output,  # never an unread pipe: a full pipe would block the service
        stderr=subprocess.STDOUT,
        text=True,
    )
    service = Service(url=f"http://127.0.0.1:{port}", aws_url=f"http://127.0.0.1:{aws_port}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"local service exited with status {process.returncode}")
        try:
            if service.request("GET", "/health").status == 200:
                return process, service
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    pytest.fail("local service did not become healthy in 60s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def service() -> Iterator[Service]:
    process, svc = _start_service({})
    yield svc
    _stop(process)


@pytest.fixture(scope="session")
def identity_service() -> Iterator[Service]:
    """The local service with identity checks on: X-Vpr-User plays the Cognito authorizer."""
    process, svc = _start_service({"VPR_REQUIRE_IDENTITY": "true"})
    yield svc
    _stop(process)


@dataclass
class ClaudeService:
    """The service as ``make run`` starts it, writing with Claude — the real SDK against a fake Messages
    API in this process (``fake.route`` decides each section's answer) — with identity checks on and the
    ASL's Retry waits scaled down (``VPR_LOCAL_RETRY_WAIT_SCALE``)."""

    service: Service
    fake: Any


def start_claude_service(extra_env: dict[str, str]) -> Iterator[ClaudeService]:
    """A ``ClaudeService`` for a fixture to yield (and stop afterwards)."""
    from tests.fakes.anthropic_server import FAKE_API_KEY
    from tests.fakes.sections import SectionAnthropicServer

    fake = SectionAnthropicServer().start()
    env = {
        "VPR_GENERATOR": "claude",
        "ANTHROPIC_BASE_URL": fake.base_url,
        "ANTHROPIC_API_KEY": FAKE_API_KEY,
        "VPR_CLAUDE_MAX_RETRIES": "0",
        "VPR_LOCAL_RETRY_WAIT_SCALE": "0.001",
        "VPR_RETRY_AFTER_SECONDS": "1",
        **extra_env,
    }
    process, svc = _start_service(env)
    yield ClaudeService(svc, fake)
    _stop(process)
    fake.stop()


@pytest.fixture(scope="session")
def claude_service() -> Iterator[ClaudeService]:
    yield from start_claude_service({"VPR_REQUIRE_IDENTITY": "true"})


@pytest.fixture
def writer(claude_service: ClaudeService) -> Iterator[ClaudeService]:
    """``claude_service`` for one test: its routing and its recorded calls start afresh."""
    claude_service.fake.route = None
    claude_service.fake.reset()
    yield claude_service
    claude_service.fake.route = None
    unexpected = claude_service.fake.unexpected_rejections()
    assert not unexpected, "the real API would reject: " + "; ".join(r.message for r in unexpected)
