"""Lambda invocations served by in-process Python callables, through botocore's public event API.

A ``before-call.lambda.Invoke`` handler short-circuits the HTTP call (moto uses the same botocore event
mechanism): it maps the function name or ARN to a registered handler, runs it, and answers as Lambda
does — ``StatusCode 200`` and the JSON payload, or ``FunctionError: Unhandled`` with
``{"errorType": <exception class name>, "errorMessage": ...}`` — so the state machine's Retry and Catch
see the same error names as on AWS. An unregistered name fails with ResourceNotFoundException.

Every registered handler runs with its function's name in ``current_function()`` (a context variable),
however it is reached: through Invoke (the state machine), the API emulator or the EventBridge stand-in.
The call recorder (``local.call_recorder``) attributes each AWS call to the function making it with it.
"""

from __future__ import annotations

import io
import json
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import boto3
import botocore.handlers
from botocore.awsrequest import AWSResponse
from botocore.response import StreamingBody

LambdaHandler = Callable[[dict[str, Any], Any], Any]
_EVENT = "before-call.lambda.Invoke"
_UNIQUE_ID = "vpr-local-lambda-router"

_current_function: ContextVar[str | None] = ContextVar("vpr_current_function", default=None)


def current_function() -> str | None:
    """The name of the function whose handler is running in this context (None: none is)."""
    return _current_function.get()


def running_as(function_name: str, handler: LambdaHandler) -> LambdaHandler:
    """``handler``, run with ``function_name`` as ``current_function()``."""
    if getattr(handler, "_vpr_function", None) == function_name:
        return handler

    def run(event: dict[str, Any], context: Any) -> Any:
        token = _current_function.set(function_name)
        try:
            return handler(event, context)
        finally:
            _current_function.reset(token)

    run._vpr_function = function_name  # type: ignore[attr-defined]
    run.__wrapped__ = handler  # type: ignore[attr-defined]
    return run


@dataclass
class LocalLambdaContext:
    """The attributes of Lambda's context object that Powertools and our handlers read."""

    function_name: str
    timeout_seconds: int = 900
    memory_limit_in_mb: int = 256
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def function_name_of(name_or_arn: str) -> str:
    """``careervp-vpr-validate-local`` from a bare name, an ARN, or an ARN with a qualifier."""
    if name_or_arn.startswith("arn:"):
        parts = name_or_arn.split(":")
        return parts[6]
    return name_or_arn


_active_router: LambdaRouter | None = None


def _dispatch(params: dict[str, Any], **kwargs: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
    router = _active_router
    return None if router is None else router._on_invoke(params)


def _hook_botocore() -> None:
    """Hook every boto3 session: future ones (botocore's builtin handlers) and the default one.

    A session created after the append gets the hook twice; the first answer wins, so that is harmless.
    """
    entry = (_EVENT, _dispatch)
    if entry not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.append(entry)
    boto3._get_default_session().events.register(_EVENT, _dispatch, unique_id=_UNIQUE_ID)


class LambdaRouter:
    """Registry of in-process Lambda functions, and the botocore hook that invokes them."""

    def __init__(self) -> None:
        self._handlers: dict[str, LambdaHandler] = {}
        self._limits: dict[str, tuple[int, int]] = {}
        self._previous: LambdaRouter | None = None
        self._lock = threading.Lock()
        self.invocations: dict[str, int] = {}

    def register(
        self, function_name: str, handler: LambdaHandler, timeout_seconds: int = 900, memory_mb: int = 256
    ) -> None:
        """Serve ``function_name`` with ``handler``; invocations get a context with these limits."""
        with self._lock:
            self._handlers[function_name] = running_as(function_name, handler)
            self._limits.setdefault(function_name, (timeout_seconds, memory_mb))

    def context_for(self, function_name: str) -> LocalLambdaContext:
        """A fresh Lambda context for one invocation of ``function_name`` (its timeout and memory)."""
        timeout, memory = self._limits.get(function_name, (900, 256))
        return LocalLambdaContext(
            function_name=function_name, timeout_seconds=timeout, memory_limit_in_mb=memory
        )

    def handler_for(self, function_name: str) -> LambdaHandler | None:
        with self._lock:
            return self._handlers.get(function_name)

    def install(self) -> None:
        """Route this process's Lambda Invoke calls to this router (one router is active at a time).

        Routers nest: ``uninstall`` gives the routing back to the one active before (a test's own
        router must not leave a running local runtime without its functions).
        """
        global _active_router
        _hook_botocore()
        if _active_router is not self:
            self._previous = _active_router
        _active_router = self

    def uninstall(self) -> None:
        global _active_router
        if _active_router is self:
            _active_router = self._previous
            self._previous = None

    def _on_invoke(self, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        # url_path is /2015-03-31/functions/{FunctionName}/invocations, the name URL-encoded.
        encoded_name = params["url_path"].split("/functions/", 1)[1].rsplit("/invocations", 1)[0]
        name = function_name_of(unquote(encoded_name))
        handler = self.handler_for(name)
        if handler is None:
            error = {"Code": "ResourceNotFoundException", "Message": f"Function not found: {name}"}
            return AWSResponse(params["url"], 404, {}, None), {
                "Error": error,
                "ResponseMetadata": {"HTTPStatusCode": 404},
            }
        with self._lock:
            self.invocations[name] = self.invocations.get(name, 0) + 1
        body = params.get("body") or b"{}"
        event = json.loads(body.decode() if isinstance(body, bytes) else body)
        result: dict[str, Any] = {"StatusCode": 200, "ExecutedVersion": "$LATEST"}
        try:
            payload = handler(event, self.context_for(name))
        except Exception as error:
            payload = {
                "errorType": type(error).__name__,
                "errorMessage": str(error),
                "stackTrace": traceback.format_tb(error.__traceback__),
            }
            result["FunctionError"] = "Unhandled"
        data = json.dumps(payload).encode()
        result["Payload"] = StreamingBody(io.BytesIO(data), len(data))
        result["ResponseMetadata"] = {"HTTPStatusCode": 200}
        return AWSResponse(params["url"], 200, {}, None), result
