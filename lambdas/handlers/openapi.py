"""The OpenAPI 3 document of the HTTP API, generated from the API handlers' Powertools resolvers.

``python -m handlers.openapi [DIR]`` writes it to ``DIR/openapi.json`` (default ``schemas/``); the
local service serves it at ``/openapi.json``; a test checks the committed file is current.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from vpr.idempotency import IDEMPOTENCY_KEY_PATTERN

TITLE = "CareerVP Value Proposition Report API"
VERSION = "1.0.0"


def openapi_document() -> dict[str, Any]:
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
    return _as_the_api_answers(merged)


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


def _as_the_api_answers(document: dict[str, Any]) -> dict[str, Any]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            operation["responses"].pop("422", None)
            if (path, method) == ("/api/vpr", "post"):
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY_HEADER)
    for name in _POWERTOOLS_ONLY:
        document.get("components", {}).get("schemas", {}).pop(name, None)
    return document


def openapi_text() -> str:
    return json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")
    target.mkdir(parents=True, exist_ok=True)
    (target / "openapi.json").write_text(openapi_text())
    print(target / "openapi.json")
