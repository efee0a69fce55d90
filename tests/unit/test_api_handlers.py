"""The API handlers called with API Gateway proxy events, without any AWS behind them."""

from __future__ import annotations

import json

import pytest

from local.api_gateway import proxy_event
from local.lambda_router import LocalLambdaContext


@pytest.fixture
def unreachable_aws(monkeypatch):
    """Settings that point at an AWS endpoint where nothing listens."""
    from handlers.wiring import _job_service
    from vpr.aws.clients import reset_clients
    from vpr.settings import get_settings

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.setenv("VPR_STATE_MACHINE_ARN", "arn:aws:states:us-east-1:123456789012:stateMachine:sm")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    for cache in (get_settings.cache_clear, reset_clients, _job_service.cache_clear):
        cache()
    yield
    monkeypatch.undo()
    for cache in (get_settings.cache_clear, reset_clients, _job_service.cache_clear):
        cache()


def _call(
    module: str, method: str, path: str, body: str | None = None, path_params: dict | None = None
) -> dict:
    import importlib

    handler = importlib.import_module(f"handlers.{module}").handler
    resource = "/api/vpr" if module == "submit" else "/api/vpr/status/{job_id}"
    event = proxy_event(method, path, {"Host": "api.example"}, body, resource, path_params or {})
    response = handler(event, LocalLambdaContext(function_name=module))
    return {"status": response["statusCode"], "body": json.loads(response["body"])}


def test_aws_unreachable_is_a_503_with_a_clear_error_not_a_500(unreachable_aws, example_request):
    reply = _call("submit", "POST", "/api/vpr", json.dumps(example_request))

    assert reply["status"] == 503
    assert reply["body"]["code"] == "ServiceUnavailable"


def test_oversize_body_is_refused_before_validation(unreachable_aws):
    reply = _call("submit", "POST", "/api/vpr", json.dumps({"x": "y" * 70_000}))

    assert reply["status"] == 413
    assert reply["body"]["fields"] == [{"field": "body", "message": "too large"}]


def test_a_foreign_arn_is_404_without_asking_step_functions(unreachable_aws):
    job = "arn:aws:states:us-east-1:123456789012:execution:other:vpr-" + "0" * 64

    reply = _call("status", "GET", f"/api/vpr/status/{job}", path_params={"job_id": job})

    assert reply["status"] == 404


def test_cors_headers_for_the_web_client(monkeypatch):
    import importlib

    from vpr.settings import get_settings

    monkeypatch.setenv("VPR_CORS_ALLOWED_ORIGINS", "https://app.example, http://localhost:3000")
    get_settings.cache_clear()
    try:
        status = importlib.reload(importlib.import_module("handlers.status"))
        event = proxy_event(
            "GET", "/api/vpr/status/x", {"Origin": "http://localhost:3000"}, None, "", {"job_id": "x"}
        )
        response = status.handler(event, LocalLambdaContext(function_name="status"))
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        importlib.reload(importlib.import_module("handlers.status"))

    headers = {k.lower(): v for k, v in (response.get("multiValueHeaders") or {}).items()}
    assert headers["access-control-allow-origin"] == ["http://localhost:3000"]
    exposed = {h.strip().lower() for h in headers["access-control-expose-headers"][0].split(",")}
    assert {"retry-after", "location"} <= exposed  # a browser may read the polling hint
