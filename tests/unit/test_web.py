"""The static pages of ``make run`` and the console's outcome rule, without a browser."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from local import console, web
from tests.conftest import ROOT

WEB = ROOT / "web"


@pytest.mark.parametrize(
    ("path", "file", "content_type"),
    [
        ("/", "index.html", "text/html"),
        ("/console", "console.html", "text/html"),
        ("/console?job=arn%3Aaws%3Astates%3Ax", "console.html", "text/html"),
        ("/static/app.js", "app.js", "text/javascript"),
        ("/static/style.css", "style.css", "text/css"),
    ],
)
def test_pages_and_assets_are_served_with_a_strict_policy(path, file, content_type):
    page = web.answer("GET", path)

    assert page is not None and page.status == 200
    assert page.body == (WEB / file).read_text()
    assert page.headers["Content-Type"].startswith(content_type)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/static/../local/runtime.py",
        "/static/..%2flocal%2fruntime.py",
        "/static/%2e%2e/Makefile",
        "/static/sub/app.js",
        "/static/missing.js",
        "/static/app.py",
        "/static/",
        "/index.html",
        "/api/vpr",
        "/health",
    ],
)
def test_nothing_outside_web_and_no_api_path_is_answered(path):
    assert web.answer("GET", path) is None


def test_only_get_is_answered():
    assert web.answer("POST", "/") is None
    assert web.answer("POST", "/console/api/executions") is None


def test_the_console_endpoint_refuses_what_is_not_an_execution_arn_without_calling_the_engine():
    def no_engine():
        raise AssertionError("the engine must not be called")

    for arn in ("", "junk", "arn:aws:states:us-east-1:1:stateMachine:x", "arn:aws:s3:::bucket"):
        status, body = console.answer("/console/api/execution", {"arn": arn}, no_engine)
        assert status == 400
        assert body["fields"][0]["field"] == "arn"
    assert console.answer("/console/api/nope", {}, no_engine)[0] == 404


def test_scripts_never_parse_data_as_html():
    """Reports and messages carry user and model text: the pages set text, never markup."""
    for script in WEB.glob("*.js"):
        source = script.read_text()
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", source), script


def test_every_field_the_form_names_exists_in_the_request_schema():
    """The page shows the API's field errors by these paths, so each must be a real field."""
    schema = json.loads((ROOT / "schemas" / "vpr-request.schema.json").read_text())

    def resolve(node: dict, parts: list[str]) -> bool:
        if not parts:
            return True
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]] if "$ref" in node else node
        if "properties" not in node:  # an optional field (X | null), not an object-level rule
            node = next((n for n in node.get("anyOf", []) if n.get("type") != "null"), node)
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]] if "$ref" in node else node
        head, rest = parts[0], parts[1:]
        if head.isdigit() and node.get("type") == "array":
            return resolve(node["items"], rest)
        return head in node.get("properties", {}) and resolve(node["properties"][head], rest)

    html = (WEB / "index.html").read_text() + (WEB / "render.js").read_text()
    paths = set(re.findall(r'data-field="([^"$]+)"', html)) - {"body"}
    paths |= {p.replace("${index}", "0") for p in re.findall(r'"data-field": `([^`]+)`', html)}
    assert {"job_posting.requirements", "cv", "gap_responses.0.answer"} <= paths
    for path in paths:
        assert resolve(schema, path.split(".")), path


# --- the outcome rule on histories the local engine does not produce (Map iterations) -----------------
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _event(event_id: int, kind: str, previous: int = 0, **details: str) -> dict:
    event = {
        "id": event_id,
        "type": kind,
        "previousEventId": previous,
        "timestamp": T0 + timedelta(seconds=event_id),
    }
    if details:
        key = "taskFailedEventDetails"
        if kind.endswith("StateEntered"):
            key = "stateEnteredEventDetails"
        elif kind.endswith("StateExited"):
            key = "stateExitedEventDetails"
        event[key] = details
    return event


def test_interleaved_map_iterations_are_told_apart_by_their_event_chains():
    """Two iterations of one inner state run at once; the second retries. The worst visit shows."""
    events = [
        _event(1, "MapStateEntered", name="Sections"),
        _event(2, "TaskStateEntered", 1, name="WriteSection"),
        _event(3, "TaskStateEntered", 1, name="WriteSection"),
        _event(4, "TaskScheduled", 2),
        _event(5, "TaskScheduled", 3),
        _event(6, "TaskFailed", 5, error="ClaudeOverloaded", cause='{"errorMessage": "busy"}'),
        _event(7, "TaskSucceeded", 4),
        _event(8, "TaskStateExited", 7, name="WriteSection"),
        _event(9, "TaskScheduled", 6),
        _event(10, "TaskSucceeded", 9),
        _event(11, "TaskStateExited", 10, name="WriteSection"),
        _event(12, "MapStateExited", 11, name="Sections"),
    ]

    states = console.state_outcomes(events, "RUNNING")

    section = states["WriteSection"]
    assert (section["status"], section["visits"], section["attempts"], section["retries"]) == (
        "retried",
        2,
        3,
        1,
    )
    assert section["errors"] == [{"error": "ClaudeOverloaded", "cause": "busy"}]
    assert states["Sections"]["status"] == "succeeded"


def test_a_visit_left_open_is_running_then_failed_once_the_execution_stopped():
    events = [_event(1, "TaskStateEntered", name="Validate"), _event(2, "LambdaFunctionScheduled", 1)]

    assert console.state_outcomes(events, "RUNNING")["Validate"]["status"] == "running"
    assert console.state_outcomes(events, "TIMED_OUT")["Validate"]["status"] == "failed"
