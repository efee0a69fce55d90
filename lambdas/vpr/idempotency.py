"""Job names: the same request always names the same Step Functions execution.

The name is ``vpr-`` + SHA-256 (hex) of the canonical JSON of the validated request: sorted keys, no
insignificant whitespace, NFC strings, unknown fields already dropped by the model. 68 characters of
``[0-9a-z-]`` fit the 80-character limit and the alphabet CloudWatch logging needs.

A client that wants a fresh report for the same application sends an ``Idempotency-Key`` header; the
job is then named by (user_id, key) instead of the payload.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from typing import Any

from vpr.models import VprRequest

EXECUTION_NAME_PREFIX = "vpr-"
EXECUTION_NAME_PATTERN = re.compile(r"^vpr-[0-9a-f]{64}$")
IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")


def _normalize(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_normalize(k): _normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalize(v) for v in value]
    return value


def canonical_json(data: Any) -> str:
    """Deterministic JSON: equal data gives byte-equal text."""
    return json.dumps(_normalize(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_input(request: VprRequest) -> str:
    """The execution input: the validated request, canonical. Absent optionals are left out, not null."""
    return canonical_json(request.model_dump(mode="json", exclude_none=True))


def _name_from(text: str) -> str:
    return EXECUTION_NAME_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()


def execution_name(request: VprRequest, idempotency_key: str | None = None) -> str:
    """The job's execution name: from the payload, or from the client's key scoped to the user."""
    if idempotency_key is None:
        return _name_from(canonical_input(request))
    return _name_from(canonical_json({"idempotency_key": idempotency_key, "user_id": request.user_id}))


def is_valid_idempotency_key(key: str) -> bool:
    return bool(IDEMPOTENCY_KEY_PATTERN.fullmatch(key))
