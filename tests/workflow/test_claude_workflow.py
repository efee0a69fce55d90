"""The claude generator inside the real workflow: ``vpr.asl.json`` on moto, the real handlers, the real SDK
over HTTP to the fake Anthropic server. Each test asserts the final job state and the number of calls
the fake received — which is how the ASL's Retry (scaled-down waits) and the generator's own repair and
regeneration add up.

The SDK's own retries are 0 here (``VPR_CLAUDE_MAX_RETRIES``), so every retry counted is the state
machine's: ``MaxAttempts 4`` on the Claude errors → 5 calls for an error that never clears.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.conftest import EXAMPLE_REQUEST, wait_for_execution
from tests.fakes import fixtures
from tests.fakes.anthropic_server import (
    FAKE_API_KEY,
    FakeAnthropicServer,
    answer,
    bad_request,
    overloaded,
    rate_limited,
    refusal,
    spend_limited,
)
from vpr.errors import (
    ClaudeRateLimited,
    ClaudeRefused,
    ClaudeRequestRejected,
    ClaudeTimeout,
    GenerationInvalidOutput,
)
from vpr.generation.offline import OfflineGenerator
from vpr.idempotency import canonical_input
from vpr.models import Application, VprRequest

fake_anthropic = fixtures.fake_anthropic  # the fixture, for this module

MODEL = "claude-sonnet-5-5"


def _sample_profile(user_id: str) -> dict[str, Any]:
    from local.runtime import SAMPLE_PROFILES_PATH

    return json.loads(SAMPLE_PROFILES_PATH.read_text())[user_id]


def _input(request: dict[str, Any]) -> dict[str, Any]:
    """The execution input exactly as the submit handler builds it."""
    return json.loads(canonical_input(VprRequest.model_validate(request)))


def claude_answer(request: dict[str, Any] = EXAMPLE_REQUEST, **changes: Any) -> dict[str, Any]:
    """A realistic report for ``request`` and the sample CV Validate attaches: grounded by construction
    (the offline generator writes only from the inputs), as Claude would send it in its tool call."""
    application = Application.model_validate({**request, "cv": _sample_profile(request["user_id"])})
    return OfflineGenerator().write(application).model_dump(mode="json") | changes


def _reset_generation() -> None:
    """Forget cached settings and the Generate handler's generator (it keeps the SDK client)."""
    from handlers import generate
    from local.runtime import LocalRuntime

    LocalRuntime.reload_settings()
    generate._generator.cache_clear()


@pytest.fixture
def claude(
    local_runtime: Any, fake_anthropic: FakeAnthropicServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeAnthropicServer]:
    """The session's local runtime with ``VPR_GENERATOR=claude`` pointed at the fake, for one test."""
    monkeypatch.setenv("VPR_GENERATOR", "claude")
    monkeypatch.setenv("VPR_GENERATION_MODE", "single")  # sections mode: test_sections_workflow.py
    monkeypatch.setenv("VPR_MODEL", MODEL)
    monkeypatch.setenv("VPR_CLAUDE_MAX_RETRIES", "0")
    monkeypatch.setenv("VPR_CLAUDE_TIMEOUT_SECONDS", "1")
    _reset_generation()
    yield fake_anthropic
    monkeypatch.undo()  # back to the offline generator for the rest of the session
    _reset_generation()


def _cause(described: dict[str, Any]) -> dict[str, Any]:
    return json.loads(described["cause"])


def test_valid_report_completes_with_claude_usage(claude, start_execution, local_runtime):
    claude.enqueue(answer(claude_answer()))

    described = wait_for_execution(start_execution(_input(EXAMPLE_REQUEST)))

    assert described["status"] == "SUCCEEDED"
    assert claude.calls == 1
    output = json.loads(described["output"])
    assert output["generator"] == {"name": "claude", "model": MODEL}
    assert output["grounded"] is True
    usage = output["token_usage"]
    assert usage["model"] == MODEL and usage["cost_usd"] > 0
    rendered = claude.rendered[0]
    assert usage["output_tokens"] == rendered.thinking_tokens + rendered.text_tokens  # thinking is billed
    assert usage["input_tokens"] > 0 and usage["cache_creation_input_tokens"] > 0
    stored = boto3.client("s3").get_object(
        Bucket=local_runtime.endpoints.results_bucket, Key=output["result_key"]
    )
    report = json.loads(stored["Body"].read())
    assert report["verification"] == {"grounded": True, "unsupported_claims": []}
    assert report["word_count"] == output["word_count"]


def test_529_then_success_completes_after_one_workflow_retry(claude, start_execution):
    claude.enqueue(overloaded(), answer(claude_answer()))

    described = wait_for_execution(start_execution(_input(EXAMPLE_REQUEST)))

    assert described["status"] == "SUCCEEDED"
    assert claude.calls == 2


def test_429_every_time_fails_with_rate_limited_after_the_asl_retries(claude, start_execution):
    claude.always(rate_limited())

    described = wait_for_execution(start_execution(_input(EXAMPLE_REQUEST)))

    assert described["status"] == "FAILED"
    assert described["error"] == "ClaudeRateLimited"
    assert claude.calls == 5  # the first attempt + MaxAttempts 4
    message = _cause(described)["errorMessage"]
    assert message.startswith(ClaudeRateLimited.default_message) and "HTTP 429" in message
    assert FAKE_API_KEY not in described["cause"]


def test_spend_limit_fails_at_once(claude, start_execution):
    """Known by the error's code; this wording matches none of the words the old code looked for."""
    claude.always(spend_limited("Monthly cap hit. Contact sales."))

    described = wait_for_execution(start_execution(_input(EXAMPLE_REQUEST)))

    assert described["status"] == "FAILED"
    assert described["error"] == "ClaudeRequestRejected"
    assert "spend limit" in _cause(described)["errorMessage"]
    assert claude.calls == 1


def test_refusal_fails_with_claude_refused_after_exactly_one_call(claude, start_execution):
    claude.always(refusal())

    described = wait_for_execution(start_execution(_input(EXAMPLE_REQUEST)))

    assert described["status"] == "FAILED"
    assert described["error"] == ClaudeRefused.__name__
    assert _cause(described)["errorMessage"] == ClaudeRefused.default_message
    assert claude.calls == 1


def test_slow_stream_ends_as_claude_timeout_inside_a_short_function_timeout(
    claude, start_execution, local_runtime
):
    """Generate runs with a simulated 21.5 s Lambda timeout (1.5 s after the handler's 20 s reserve). The
    first stream needs ~8 s: that attempt ends as ClaudeTimeout in time, the ASL retries, the second
    completes. No attempt outlives the function."""
    from handlers.budget import RESERVED_SECONDS
    from local.lambda_router import LocalLambdaContext

    function_timeout = RESERVED_SECONDS + 1.5
    real = local_runtime.task_handler("Generate")
    attempts: list[tuple[float, str]] = []

    def generate_with_short_timeout(event, context):
        short = LocalLambdaContext(function_name=context.function_name, timeout_seconds=function_timeout)
        started = time.monotonic()
        try:
            result = real(event, short)
        except Exception as error:
            attempts.append((time.monotonic() - started, type(error).__name__))
            raise
        attempts.append((time.monotonic() - started, "ok"))
        return result

    restore = local_runtime.override_task("Generate", generate_with_short_timeout)
    try:
        claude.enqueue(
            answer(claude_answer(), thinking_tokens=0, tokens_per_second=150), answer(claude_answer())
        )
        described = wait_for_execution(start_execution(_input(EXAMPLE_REQUEST)), timeout=60)
    finally:
        restore()

    assert described["status"] == "SUCCEEDED"
    assert claude.calls == 2
    assert [outcome for _, outcome in attempts] == [ClaudeTimeout.__name__, "ok"]
    assert attempts[0][0] < 1.5 + 1.5  # ended at the budget, not after the ~8 s stream


def test_400_fails_at_once(claude, start_execution):
    claude.always(bad_request())

    described = wait_for_execution(start_execution(_input(EXAMPLE_REQUEST)))

    assert described["status"] == "FAILED"
    assert described["error"] == ClaudeRequestRejected.__name__
    assert claude.calls == 1


def _short_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VPR_CLAUDE_TIMEOUT_SECONDS", "0.3")
    _reset_generation()


def test_slow_response_times_out_and_the_workflow_retries(claude, start_execution, monkeypatch):
    _short_timeout(monkeypatch)
    claude.enqueue(answer(claude_answer(), time_to_first_token=3.0), answer(claude_answer()))

    described = wait_for_execution(start_execution(_input(EXAMPLE_REQUEST)))

    assert described["status"] == "SUCCEEDED"
    assert claude.calls == 2


def test_slow_every_time_fails_with_claude_timeout(claude, start_execution, monkeypatch):
    _short_timeout(monkeypatch)
    claude.always(answer(claude_answer(), time_to_first_token=3.0))

    described = wait_for_execution(start_execution(_input(EXAMPLE_REQUEST)), timeout=60)

    assert described["status"] == "FAILED"
    assert described["error"] == "ClaudeTimeout"
    assert claude.calls == 5


def test_invalid_json_once_then_valid_completes_after_one_repair(claude, start_execution):
    claude.enqueue(answer('{"executive_summary": "The cand'), answer(claude_answer()))

    described = wait_for_execution(start_execution(_input(EXAMPLE_REQUEST)))

    assert described["status"] == "SUCCEEDED"
    assert claude.calls == 2
    assert "not valid JSON" in claude.requests[1].messages[-1]["content"]


def test_invalid_twice_fails_without_workflow_retries(claude, start_execution):
    claude.always(answer("not a report"))

    described = wait_for_execution(start_execution(_input(EXAMPLE_REQUEST)))

    assert described["status"] == "FAILED"
    assert described["error"] == GenerationInvalidOutput.__name__
    assert claude.calls == 2  # the call and its one repair; permanent, so not retried by the ASL


def test_max_tokens_truncation_never_completes_as_a_report(claude, start_execution):
    claude.always(answer(claude_answer(), thinking_tokens=31_990))

    described = wait_for_execution(start_execution(_input(EXAMPLE_REQUEST)))

    assert described["status"] == "FAILED"
    assert described["error"] == "GenerationInvalidOutput"
    assert claude.calls == 2


def test_invented_employer_is_flagged_and_regenerated(claude, start_execution, local_runtime):
    invented = claude_answer()
    invented["differentiators"] = [
        *invented["differentiators"],
        "Led enablement at Google as Head of Learning.",
    ]
    claude.enqueue(answer(invented), answer(claude_answer()))

    described = wait_for_execution(start_execution(_input(EXAMPLE_REQUEST)))

    assert described["status"] == "SUCCEEDED"
    assert claude.calls == 2
    feedback = claude.requests[1].messages[-1]["content"]
    assert "- Google" in feedback and "- Head of Learning" in feedback
    output = json.loads(described["output"])
    assert output["grounded"] is True
    stored = boto3.client("s3").get_object(
        Bucket=local_runtime.endpoints.results_bucket, Key=output["result_key"]
    )
    assert "Google" not in stored["Body"].read().decode()


def test_hebrew_posting_asks_claude_for_hebrew(claude, start_execution):
    request = json.loads(json.dumps(EXAMPLE_REQUEST))
    request["application_id"] = "app-hebrew"
    request["job_posting"] |= {
        "role_title": "מנהל/ת הדרכה ופיתוח",
        "requirements": ["5+ שנות ניסיון בהדרכה", "יכולות אנליטיות חזקות"],
        "language": "he",
    }
    claude.enqueue(answer(claude_answer(request)))

    described = wait_for_execution(start_execution(_input(request)))

    assert described["status"] == "SUCCEEDED"
    assert "Write the report in Hebrew" in claude.requests[0].user_text()
    assert claude.calls == 1


@pytest.mark.slow
def test_make_run_with_the_claude_generator_completes(fake_anthropic: FakeAnthropicServer, tmp_path):
    """The whole local service as ``make run`` starts it, with ``VPR_GENERATOR=claude`` and the fake."""
    from tests.api.conftest import _start_service, _stop

    fake_anthropic.always(answer(claude_answer()))
    log_file = (tmp_path / "service.log").open("w")
    process, service = _start_service(
        {
            "VPR_GENERATOR": "claude",
            "VPR_GENERATION_MODE": "single",
            "VPR_MODEL": MODEL,
            "VPR_CLAUDE_MAX_RETRIES": "0",
            "ANTHROPIC_BASE_URL": fake_anthropic.base_url,
            "ANTHROPIC_API_KEY": FAKE_API_KEY,
        },
        log_file,
    )
    try:
        submitted = service.submit(EXAMPLE_REQUEST)
        assert submitted.status == 202, submitted.body
        done = service.wait(submitted.body["job_id"])
        assert done.body["status"] == "COMPLETED", done.body
        with urllib.request.urlopen(done.body["result_url"], timeout=10) as response:  # like curl
            report = json.loads(response.read())
    finally:
        _stop(process)
        log_file.close()
    log = (tmp_path / "service.log").read_text()

    assert done.body["token_usage"]["model"] == MODEL and done.body["token_usage"]["cost_usd"] > 0
    assert report["generator"] == {"name": "claude", "model": MODEL}
    assert report["verification"]["grounded"] is True
    assert fake_anthropic.calls == 1
    assert "generator: claude" in log
    assert FAKE_API_KEY not in log
