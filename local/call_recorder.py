"""Which AWS calls each function makes, recorded from botocore's public event API.

A ``before-parameter-build`` handler sees every API call (and every presigned URL: botocore emits the
same event for ``generate_presigned_url``, with ``is_presign_request`` in its context) with the
parameters the caller gave; an ``after-call`` handler adds the HTTP status and, for a GetItem, the
attribute names of the item returned. Each call is attributed to a principal:

- the function whose handler is running (``local.lambda_router.current_function``: set around every
  registered handler; handlers that start threads hand their context to them),
- ``STATE_MACHINE`` for the state machine's own calls (the interpreter's Lambda client is tagged),
- whatever ``acting_as`` names (a test's own setup and checks),
- or None: a call made outside all of these, which a test can treat as an error (a thread that lost
  its function, say).

Nothing is recorded unless a ``CallRecorder`` is active; the hooks stay installed and cost one
context-variable read per call otherwise.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.handlers

from local.lambda_router import current_function

STATE_MACHINE = "state-machine"
#: The status-change rule, invoking its target (the local stand-in delivers without a botocore call).
EVENT_RULE = "event-rule"
_PRINCIPAL_KEY = "vpr_principal"
_CALL_KEY = "vpr_recorded_call"
_UNIQUE_ID = "vpr-local-call-recorder"

_acting_as: ContextVar[str | None] = ContextVar("vpr_acting_as", default=None)
_active: CallRecorder | None = None


@dataclass
class AwsCall:
    principal: str | None
    service: str  # botocore's service name: s3, dynamodb, stepfunctions, lambda, secretsmanager
    operation: str  # the API operation: HeadObject, UpdateItem, StartExecution, ...
    params: dict[str, Any]
    presigned: bool = False
    status: int | None = None  # the HTTP status of the answer (None: presigned, or no answer)
    returned_attributes: tuple[str, ...] = ()  # GetItem: names of the item's attributes returned
    thread: str = field(default_factory=lambda: threading.current_thread().name)


class CallRecorder:
    """Records calls while active (``with CallRecorder() as recorder:``); one is active at a time."""

    def __init__(self) -> None:
        self.calls: list[AwsCall] = []
        self._lock = threading.Lock()

    def __enter__(self) -> CallRecorder:
        global _active
        install_hooks()
        _active = self
        return self

    def __exit__(self, *exc: object) -> None:
        global _active
        if _active is self:
            _active = None

    def add(self, call: AwsCall) -> None:
        with self._lock:
            self.calls.append(call)


def record(call: AwsCall) -> None:
    """Record a call made without botocore (the EventBridge stand-in's delivery), if recording."""
    recorder = _active
    if recorder is not None:
        recorder.add(call)


@contextmanager
def acting_as(principal: str) -> Iterator[None]:
    """Attribute the calls made in this block (outside any function) to ``principal``."""
    token = _acting_as.set(principal)
    try:
        yield
    finally:
        _acting_as.reset(token)


def _principal(context: dict[str, Any]) -> str | None:
    return context.get(_PRINCIPAL_KEY) or current_function() or _acting_as.get()


def _before_parameter_build(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    recorder = _active
    if recorder is None or _CALL_KEY in context:  # a session may hold the hook twice: record once
        return
    call = AwsCall(
        principal=_principal(context),
        service=model.service_model.service_name,
        operation=model.name,
        params=dict(params),
        presigned=bool(context.get("is_presign_request")),
    )
    context[_CALL_KEY] = call
    recorder.add(call)


def _after_call(http_response: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    call = context.get(_CALL_KEY)
    if call is None:
        return
    call.status = getattr(http_response, "status_code", None)
    if isinstance(parsed.get("Item"), dict):
        call.returned_attributes = tuple(parsed["Item"])


def _tag(context: dict[str, Any], **_: Any) -> None:
    context[_PRINCIPAL_KEY] = STATE_MACHINE


def tag_state_machine_client(client: Any) -> None:
    """Calls made through ``client`` are the state machine's own (its Lambda invocations)."""
    client.meta.events.register_first("before-parameter-build", _tag, unique_id=f"{_UNIQUE_ID}-tag")


_HOOKS = (("before-parameter-build", _before_parameter_build), ("after-call", _after_call))


def install_hooks() -> None:
    """Hook every botocore session: future ones (botocore's builtin handlers) and boto3's default one.

    A client copies its session's handlers when it is created, so clients made before this call are not
    recorded; the local runtime installs the hooks first thing.
    """
    default = boto3._get_default_session().events
    for event, handler in _HOOKS:
        if (event, handler) not in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.append((event, handler))
        default.register(event, handler, unique_id=f"{_UNIQUE_ID}-{event}")
