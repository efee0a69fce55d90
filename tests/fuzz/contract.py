"""What every answer of the API must be, whatever was sent: no 5xx, JSON, the error envelope, the schema."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from hypothesis import HealthCheck, Phase, settings
from jsonschema import Draft202012Validator

from tests.fuzz.strategies import OPENAPI, Request

_SCHEMAS = {"components": OPENAPI["components"]}
ERROR_ENVELOPE = Draft202012Validator({**_SCHEMAS, "$ref": "#/components/schemas/ErrorResponse"})
SUCCESS = {
    "submit": Draft202012Validator({**_SCHEMAS, "$ref": "#/components/schemas/SubmitResponse"}),
    "status": Draft202012Validator({**_SCHEMAS, "$ref": "#/components/schemas/JobStatusResponse"}),
}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def send(base_url: str, request: Request, timeout: float = 30.0) -> Answer:
    """One request over its own connection, with the path sent byte for byte."""
    split = urlsplit(base_url)
    connection = http.client.HTTPConnection(split.hostname, split.port, timeout=timeout)
    try:
        connection.putrequest(request.method, request.path, skip_accept_encoding=True)
        for name, value in request.headers.items():
            connection.putheader(name, value.encode("latin-1", errors="replace"))
        body = request.body or b""
        if request.body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body if request.body is not None else None)
        response = connection.getresponse()
        return Answer(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


def fuzz_settings(requests: int) -> settings:
    """Hypothesis as a request generator: ``requests`` examples, no shrinking, no example database."""
    return settings(
        max_examples=requests,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def violations(request: Request, answer: Answer) -> list[str]:
    """Everything wrong with an answer (empty when it honours the contract)."""
    problems = []
    if answer.status >= 500:
        problems.append(f"server error {answer.status}")
    try:
        body: Any = json.loads(answer.body) if answer.body else None
    except ValueError:
        return [*problems, f"not JSON: {answer.body[:80]!r}"]
    if answer.status >= 400:
        problems += [f"error envelope: {e.message}" for e in ERROR_ENVELOPE.iter_errors(body)]
        if isinstance(body, dict) and body.get("status_code") != answer.status:
            problems.append(f"status_code {body.get('status_code')} != {answer.status}")
    elif 200 <= answer.status < 300 and request.operation in SUCCESS and request.method in {"GET", "POST"}:
        problems += [
            f"{request.operation} schema: {e.message}" for e in SUCCESS[request.operation].iter_errors(body)
        ]
    return problems
