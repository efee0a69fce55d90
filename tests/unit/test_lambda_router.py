"""The local Lambda stand-in answers as Lambda does, through a real boto3 Lambda client."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from local.lambda_router import LambdaRouter
from vpr.errors import ClaudeTimeout


@pytest.fixture
def router():
    router = LambdaRouter()
    router.install()
    yield router
    router.uninstall()


@pytest.fixture
def lambda_client():
    return boto3.client(
        "lambda",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",  # never reached: the router answers before any HTTP
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )


def test_a_registered_function_returns_its_payload(router, lambda_client):
    router.register("echo", lambda event, context: {"got": event, "fn": context.function_name})

    response = lambda_client.invoke(
        FunctionName="arn:aws:lambda:us-east-1:123456789012:function:echo", Payload=json.dumps({"a": 1})
    )

    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read()) == {"got": {"a": 1}, "fn": "echo"}


def test_an_exception_is_reported_as_an_unhandled_function_error_named_by_its_class(router, lambda_client):
    def fails(event, context):
        raise ClaudeTimeout()

    router.register("fails", fails)

    response = lambda_client.invoke(FunctionName="fails", Payload=b"{}")

    assert response["FunctionError"] == "Unhandled"
    payload = json.loads(response["Payload"].read())
    assert payload["errorType"] == "ClaudeTimeout"
    assert payload["errorMessage"] == ClaudeTimeout.default_message


def test_an_unregistered_function_is_not_found(router, lambda_client):
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName="missing", Payload=b"{}")

    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_router_installed_over_another_gives_the_routing_back(lambda_client):
    outer, inner = LambdaRouter(), LambdaRouter()
    outer.register("fn", lambda event, context: {"from": "outer"})
    inner.register("fn", lambda event, context: {"from": "inner"})
    outer.install()
    try:
        inner.install()
        assert json.loads(lambda_client.invoke(FunctionName="fn")["Payload"].read()) == {"from": "inner"}
        inner.uninstall()
        assert json.loads(lambda_client.invoke(FunctionName="fn")["Payload"].read()) == {"from": "outer"}
    finally:
        inner.uninstall()
        outer.uninstall()
