"""What GET /api/vpr/status shows while the workflow is inside a given state (tasks held open)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest

from local.api_gateway import proxy_event
from local.lambda_router import LocalLambdaContext
from tests.conftest import wait_for_execution


@pytest.fixture
def hold_task(local_runtime) -> Iterator:
    """``hold_task("Generate")`` → (entered, release): the task waits until released."""
    restores = []

    def hold(task: str) -> tuple[threading.Event, threading.Event]:
        real = local_runtime.task_handler(task)
        entered, release = threading.Event(), threading.Event()

        def held(event, context):
            from handlers import progress

            progress.entering(task, event)  # the real handler's first line: the hold sits just after it
            entered.set()
            release.wait(timeout=20)
            return real(event, context)

        restores.append((local_runtime.override_task(task, held), release))
        return entered, release

    yield hold
    for restore, release in restores:
        release.set()
        restore()


def _api(module: str, method: str, path: str, body: dict | None = None, user: str | None = None) -> dict:
    """Call an API handler as API Gateway would; ``user``: the authorizer's Cognito ``sub``."""
    import importlib

    handler = importlib.import_module(f"handlers.{module}").handler
    event = proxy_event(method, path, {"Host": "localhost"}, json.dumps(body) if body else None, "", {})
    if module == "status":
        event["pathParameters"] = {"job_id": path.rsplit("/", 1)[1]}
    if user is not None:
        event["requestContext"]["authorizer"] = {"claims": {"sub": user}}
    response = handler(event, LocalLambdaContext(function_name=module))
    headers = {k: v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}
    headers.update(response.get("headers") or {})
    return {"status": response["statusCode"], "headers": headers, "body": json.loads(response["body"])}


@pytest.mark.parametrize(
    ("task", "status", "stage"),
    [
        ("Validate", "PENDING", "validating"),
        ("Generate", "PROCESSING", "generating"),
        ("Store", "PROCESSING", "storing"),
    ],
)
def test_status_follows_the_state_and_asks_clients_to_retry_later(
    local_runtime, hold_task, example_request, task, status, stage, single_mode
):
    example_request["application_id"] = f"app-held-in-{task.lower()}"
    entered, release = hold_task(task)

    submitted = _api("submit", "POST", "/api/vpr", example_request)
    assert submitted["status"] == 202
    assert entered.wait(timeout=10)
    job_id = submitted["body"]["job_id"]

    local_runtime.sfn_meter.reset_counts()
    during = _api("status", "GET", f"/api/vpr/status/{job_id}")
    assert dict(local_runtime.sfn_meter.calls) == {}  # the job view answered, Step Functions was not read

    assert (during["body"]["status"], during["body"]["stage"]) == (status, stage)
    assert int(during["headers"]["Retry-After"]) > 0
    assert "result_url" not in during["body"]

    release.set()
    assert wait_for_execution(job_id)["status"] == "SUCCEEDED"
    after = _api("status", "GET", f"/api/vpr/status/{job_id}")
    assert after["body"]["status"] == "COMPLETED"
    assert "Retry-After" not in after["headers"]
