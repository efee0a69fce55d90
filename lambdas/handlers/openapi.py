"""The OpenAPI 3 document of the HTTP API, generated from the API handlers' Powertools resolvers.

The document describes one way of running the API, because who the caller is (and so whether the body's
``user_id`` is required) depends on it — see :class:`CallerIdentity`:

- ``DEPLOYED`` (the default): API Gateway's Cognito authorizer verifies an ID token; ``user_id`` may be
  left out (it is filled from the token). ``python -m handlers.openapi [DIR]`` writes this one to
  ``DIR/openapi.json`` (default ``schemas/``), and a test checks the committed file is current.
- ``TRUSTED_BODY``: ``make run`` as is, no authorizer; the body's ``user_id`` names the caller, so it is
  required.
- a local identity header: ``VPR_REQUIRE_IDENTITY=true make run``; ``X-Vpr-User`` names the caller.

The local service serves the document of the mode it runs in at ``/openapi.json``, so a client (or
schemathesis) that trusts the served document is never refused a request it says is valid.

Links (OpenAPI 3 ``links``) lead from each answer that names a job to every operation taking that job's
id as its ``job_id`` path parameter, so a stateful client can create a job and then use it.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vpr.idempotency import IDEMPOTENCY_KEY_PATTERN
from vpr.models.text import IDENTIFIER_PATTERN

TITLE = "CareerVP Value Proposition Report API"
VERSION = "1.0.0"


@dataclass(frozen=True)
class CallerIdentity:
    """How the running API learns who calls it.

    ``header`` is the request header that names the caller, or None when nothing does (the body's
    ``user_id`` is trusted). ``verified`` says an authorizer checks that header's token before the API
    runs (a security scheme); otherwise the header's value is the user id itself (a header parameter).
    """

    header: str | None
    verified: bool = False


#: The deployed API: the Cognito user pool authorizer verifies the ID token sent in ``Authorization``.
DEPLOYED = CallerIdentity(header="Authorization", verified=True)
#: The local service without ``VPR_REQUIRE_IDENTITY``: no authorizer, the body's ``user_id`` is trusted.
TRUSTED_BODY = CallerIdentity(header=None)

#: Operations whose 2xx answer names a job, and the JSON pointer to its id in their body. Each is linked
#: to every operation with a ``job_id`` path parameter (found in the document, not listed here): a new
#: operation that takes a job id gets its links by itself; a new one that answers with a job, by a line.
JOB_ID_PRODUCERS: dict[tuple[str, str], str] = {
    ("/api/vpr", "post"): "/job_id",
}


def openapi_document(identity: CallerIdentity = DEPLOYED) -> dict[str, Any]:
    """The resolvers' documents, merged: each function owns its operations, they share the components."""
    from handlers import cancel, retry, status, submit

    merged: dict[str, Any] = {}
    for app in (submit.app, status.app, cancel.app, retry.app):
        document = json.loads(app.get_openapi_json_schema(title=TITLE, version=VERSION))
        if not merged:
            merged = document
            continue
        for path, operations in document["paths"].items():  # one path, several functions' methods
            merged["paths"].setdefault(path, {}).update(operations)
        for kind, schemas in document.get("components", {}).items():
            merged.setdefault("components", {}).setdefault(kind, {}).update(schemas)
    _as_the_api_answers(merged)
    _describe_identity(merged, identity)
    link_jobs(merged)
    return merged


#: Powertools documents request validation errors as a 422 with its own models; this API answers them
#: as a 400 in its one error envelope (``handlers.http``), which each route documents.
_POWERTOOLS_ONLY = ("HTTPValidationError", "ValidationError", "ResponseValidationError")

IDEMPOTENCY_KEY_HEADER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Names the job instead of the body (per user): a new key asks for a new version.",
    "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN.pattern},
}
_IDENTIFIER = {"type": "string", "minLength": 1, "maxLength": 128, "pattern": IDENTIFIER_PATTERN}
#: Answers only an API that knows its caller gives (``handlers.http.caller_id``, ``vpr.jobs``).
_IDENTITY_ANSWERS = ("401", "403")
_COGNITO_SCHEME = "CognitoIdToken"


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def _as_the_api_answers(document: dict[str, Any]) -> None:
    for path, method, operation in _operations(document):
        operation["responses"].pop("422", None)
        if (path, method) == ("/api/vpr", "post"):
            operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY_HEADER)
    for name in _POWERTOOLS_ONLY:
        document.get("components", {}).get("schemas", {}).pop(name, None)


def _describe_identity(document: dict[str, Any], identity: CallerIdentity) -> None:
    """What ``user_id`` and the identity header are in this mode (``vpr.jobs._owned_by_caller``)."""
    request = document["components"]["schemas"]["VprRequest"]
    user_id = request["properties"]["user_id"]
    if identity.header is None:
        request["required"] = [*request["required"], "user_id"]
        request["properties"]["user_id"] = {
            **_IDENTIFIER,
            "title": user_id["title"],
            "description": "The caller. No authorizer runs here, so the body names the user (required).",
        }
        for _, _, operation in _operations(document):
            for code in _IDENTITY_ANSWERS:
                operation["responses"].pop(code, None)
        return
    user_id["description"] = (
        "Filled from the caller's identity when absent (or null); when given, it must be the caller's "
        "own user id (403 otherwise)."
    )
    if identity.verified:
        document["components"]["securitySchemes"] = {
            _COGNITO_SCHEME: {
                "type": "apiKey",
                "in": "header",
                "name": identity.header,
                "description": "A Cognito user pool ID token; the API's authorizer verifies it, and its "
                "`sub` is the caller's user id.",
            }
        }
        document["security"] = [{_COGNITO_SCHEME: []}]
        return
    for _, _, operation in _operations(document):
        operation.setdefault("parameters", []).append(
            {
                "name": identity.header,
                "in": "header",
                "required": True,
                "description": "The caller's user id. Locally it stands in for the token the deployed "
                "API's authorizer verifies (VPR_REQUIRE_IDENTITY=true); without it, 401.",
                "schema": _IDENTIFIER,
            }
        )


def link_jobs(document: dict[str, Any]) -> None:
    """Link each answer naming a job (``JOB_ID_PRODUCERS``) to each operation taking a ``job_id``.

    The link passes the job id from the answer's body into the path, and every header parameter both
    operations declare (the local identity header) from the request, so the same caller asks.
    """
    operations = _operations(document)
    for (path, method), pointer in JOB_ID_PRODUCERS.items():
        producer = document["paths"][path][method]
        producer_headers = {p["name"] for p in producer.get("parameters", []) if p["in"] == "header"}
        links = {}
        for _, _, consumer in operations:
            parameters = consumer.get("parameters", [])
            if not any(p["in"] == "path" and p["name"] == "job_id" for p in parameters):
                continue
            carried = {
                f"header.{p['name']}": f"$request.header.{p['name']}"
                for p in parameters
                if p["in"] == "header" and p["name"] in producer_headers
            }
            links[consumer["operationId"]] = {
                "operationId": consumer["operationId"],
                "parameters": {"path.job_id": f"$response.body#{pointer}", **carried},
                "description": "The job this answer names.",
            }
        for code, response in producer["responses"].items():
            if code.startswith("2") and links:
                response["links"] = links


def openapi_text(identity: CallerIdentity = DEPLOYED) -> str:
    return json.dumps(openapi_document(identity), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")
    target.mkdir(parents=True, exist_ok=True)
    (target / "openapi.json").write_text(openapi_text())
    print(target / "openapi.json")
