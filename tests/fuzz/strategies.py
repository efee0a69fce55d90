"""Hypothesis strategies for API requests: valid ones from the OpenAPI document, hostile ones by mutation."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
OPENAPI: dict[str, Any] = json.loads((ROOT / "schemas" / "openapi.json").read_text())
EXAMPLE: dict[str, Any] = json.loads((ROOT / "examples" / "request.json").read_text())

#: Lists and optional fields are kept small: the point is variety, not volume.
MAX_ITEMS = 3

HOSTILE_TEXT = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "\n# heading\n",
    "\x00",
    "\ud7ff\ue000\U0010ffff",
    "' OR 1=1 --",
    "../../etc/passwd",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "א" * 300,
    " ",
    "",
]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    operation: str = ""  # "submit" | "status" | "other"


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = {
            **OPENAPI["components"]["schemas"][name],
            **{k: v for k, v in schema.items() if k != "$ref"},
        }
    return schema


def _string(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    low, high = schema.get("minLength", 0), min(schema.get("maxLength", 40), 60)
    pattern = schema.get("pattern")
    if pattern is None:
        return st.text(min_size=low, max_size=high)
    if pattern.startswith("^") and pattern.endswith("$"):
        return st.from_regex(pattern, fullmatch=True).filter(
            lambda s: low <= len(s) <= schema.get("maxLength", 10**9)
        )
    compiled = re.compile(pattern)  # an unanchored pattern ("contains a non-blank character")
    return st.text(min_size=max(low, 1), max_size=high).filter(lambda s: compiled.search(s) is not None)


def _both(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """A schema for values valid under both (enough for a branch narrowing a property's type)."""
    base = _resolve(base)
    if "anyOf" in base and "type" in extra:
        kept = [_resolve(b) for b in base["anyOf"] if _resolve(b).get("type") == extra["type"]]
        base = {**{k: v for k, v in base.items() if k != "anyOf"}, **kept[0]}
    return {**base, **extra}


def _object(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    if "anyOf" in schema:  # object-level anyOf: merge one branch's extra rules into the object
        branches = [
            {
                **schema,
                "anyOf": None,
                "required": sorted(set(schema.get("required", [])) | set(b.get("required", []))),
                "properties": {
                    name: _both(prop, b.get("properties", {}).get(name, {}))
                    for name, prop in schema["properties"].items()
                },
            }
            for b in schema["anyOf"]
        ]
        return st.one_of([_object({k: v for k, v in b.items() if k != "anyOf"}) for b in branches])
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    return st.fixed_dictionaries(
        {name: from_schema(properties[name]) for name in sorted(required)},
        optional={name: from_schema(s) for name, s in properties.items() if name not in required},
    )


def from_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid under ``schema`` (the subset of JSON Schema the exported models use)."""
    schema = _resolve(schema)
    if "anyOf" in schema and "properties" not in schema:
        return st.one_of([from_schema(branch) for branch in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "const" in schema:
        return st.just(schema["const"])
    kind = schema.get("type", "object" if "properties" in schema else None)
    if kind == "string":
        return _string(schema)
    if kind == "integer":
        return st.integers(schema.get("minimum", -(2**31)), schema.get("maximum", 2**31))
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        low = schema.get("minItems", 0)
        return st.lists(from_schema(schema.get("items", {})), min_size=low, max_size=max(low, MAX_ITEMS))
    if kind == "object":
        return _object(schema)
    return json_values()


def json_values(max_leaves: int = 8) -> st.SearchStrategy[Any]:
    scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=max_leaves,
    )


def request_body_schema() -> dict[str, Any]:
    operation = OPENAPI["paths"]["/api/vpr"]["post"]
    return operation["requestBody"]["content"]["application/json"]["schema"]


def valid_bodies() -> st.SearchStrategy[dict[str, Any]]:
    """Bodies the published schema allows (the API must accept every one of them)."""
    return from_schema(request_body_schema())


# --- hostile requests ----------------------------------------------------------------------------
def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*prefix, index))
    return found


def _replace(value: Any, path: tuple, new: Any, delete: bool = False) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy = dict(value) if isinstance(value, dict) else list(value)
    if delete and not rest:
        del copy[head]
    else:
        copy[head] = _replace(copy[head], rest, new, delete)
    return copy


@st.composite
def mutated_bodies(draw: st.DrawFn) -> bytes:
    """A valid body with one field deleted, retyped, or filled with hostile text — or raw junk."""
    base = draw(st.sampled_from([EXAMPLE, draw(valid_bodies())]))
    kind = draw(st.sampled_from(["delete", "retype", "hostile", "nest", "junk", "truncate", "huge"]))
    paths = _paths(base)
    if kind == "junk":
        return draw(st.binary(max_size=200))
    if kind == "nest":
        depth = draw(st.integers(10, 5_000))
        return (
            ("[" * depth + "]" * depth).encode()
            if draw(st.booleans())
            else ('{"a":' * depth + "1" + "}" * depth).encode()
        )
    text = json.dumps(base)
    if kind == "truncate":
        return text[: draw(st.integers(0, max(0, len(text) - 1)))].encode()
    if kind == "huge":
        return json.dumps({**base, "padding": "x" * draw(st.integers(60_000, 80_000))}).encode()
    if not paths:
        return text.encode()
    path = draw(st.sampled_from(paths))
    if kind == "delete":
        mutated = _replace(base, path, None, delete=True)
    elif kind == "retype":
        mutated = _replace(base, path, draw(json_values()))
    else:
        mutated = _replace(base, path, draw(st.sampled_from(HOSTILE_TEXT)) * draw(st.integers(1, 3)))
    return json.dumps(mutated).encode()


JOB_IDS = st.one_of(
    st.text(max_size=80),
    st.just("arn:aws:states:us-east-1:123456789012:execution:careervp-vpr-workflow-local:vpr-").map(
        lambda prefix: prefix + "0" * 64
    ),
    st.from_regex(r"vpr-[0-9a-f]{64}", fullmatch=True),
    st.sampled_from(['"', "\\", "`", "%00", "%2F", "..", ".", "%", "é", "a" * 3000]),
)


@st.composite
def api_requests(draw: st.DrawFn) -> Request:
    """Any request a client or an attacker could send to the two endpoints (and around them)."""
    headers = {
        "Content-Type": draw(
            st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded"])
        )
    }
    if draw(st.booleans()):
        headers["Idempotency-Key"] = draw(
            st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=40)
            | st.sampled_from(["", " ", "a b", "x" * 300])
        )
    choice = draw(st.sampled_from(["valid", "mutated", "mutated", "status", "status", "other"]))
    if choice == "valid":
        return Request("POST", "/api/vpr", json.dumps(draw(valid_bodies())).encode(), headers, "submit")
    if choice == "mutated":
        return Request("POST", "/api/vpr", draw(mutated_bodies()), headers, "submit")
    if choice == "status":
        from urllib.parse import quote

        job = draw(JOB_IDS)
        encoded = quote(job, safe=":") if draw(st.booleans()) else quote(job, safe="")
        return Request("GET", f"/api/vpr/status/{encoded}", None, {}, "status")
    method = draw(st.sampled_from(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "POST"]))
    path = draw(
        st.sampled_from(["/api/", "/api", "/api/vpr/status", "/api/vpr/status/", "/api/vpr/x/y", "/api/vpr"])
    )
    return Request(method, path, b"{}" if method in {"POST", "PUT", "PATCH"} else None, headers, "other")
