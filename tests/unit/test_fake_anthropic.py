"""The strict fake Messages API rejects what the real API rejects (each rule cites its doc in the fake).

Requests go through the real SDK, so each rejection arrives as the SDK's typed exception — the same
thing the generator would see. A request the fake rejects without the test expecting it fails the test
(the fixture's teardown check), which ``test_an_unexpected_rejection_fails_the_test`` shows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import anthropic
import pytest

from tests.fakes import fixtures
from tests.fakes.anthropic_server import (
    MAX_REQUEST_BYTES,
    FakeAnthropicServer,
    answer,
    estimate_tokens,
)
from vpr.errors import ClaudeRequestRejected
from vpr.generation.claude import map_api_error, output_schema
from vpr.models import ReportContent

fake_anthropic = fixtures.fake_anthropic

USER = [{"role": "user", "content": "Hello"}]
STRICT_REPORT = output_schema(ReportContent.model_json_schema())


def client() -> anthropic.Anthropic:
    return anthropic.Anthropic(max_retries=0)


def send(**overrides: Any) -> Any:
    params: dict[str, Any] = {"model": "claude-sonnet-5-5", "max_tokens": 1_000, "messages": USER} | overrides
    return client().messages.create(**params, timeout=30)  # explicit: the SDK then allows any max_tokens


@pytest.mark.parametrize(
    ("params", "error", "says"),
    [
        ({"model": "claude-nope-1"}, anthropic.NotFoundError, "model: claude-nope-1"),
        ({"max_tokens": 128_001}, anthropic.BadRequestError, "maximum allowed"),
        ({"model": "claude-haiku-4-5", "max_tokens": 64_001}, anthropic.BadRequestError, "maximum allowed"),
        ({"messages": []}, anthropic.BadRequestError, "at least one message"),
        (
            {"messages": [*USER, {"role": "assistant", "content": "Sure,"}]},
            anthropic.BadRequestError,
            "prefill",
        ),
        (
            {
                "tools": [{"name": "t", "input_schema": {"type": "object"}}],
                "tool_choice": {"type": "tool", "name": "t"},
            },
            anthropic.BadRequestError,
            "forced tool use",
        ),
        (
            {
                "model": "claude-opus-4-7",
                "thinking": {"type": "adaptive"},
                "tools": [{"name": "t", "input_schema": {"type": "object"}}],
                "tool_choice": {"type": "any"},
            },
            anthropic.BadRequestError,
            "Thinking may not be enabled",
        ),
        (
            {"thinking": {"type": "enabled", "budget_tokens": 2_000}},
            anthropic.BadRequestError,
            "thinking.type",
        ),
        ({"thinking": {"type": "disabled"}}, anthropic.BadRequestError, "thinking.type"),
        (
            {"model": "claude-haiku-4-5", "thinking": {"type": "adaptive"}},
            anthropic.BadRequestError,
            "thinking.type",
        ),
        (
            {"model": "claude-haiku-4-5", "thinking": {"type": "enabled", "budget_tokens": 1_000}},
            anthropic.BadRequestError,
            "budget_tokens",
        ),
        ({"extra_body": {"temperature": 0.2}}, anthropic.BadRequestError, "sampling"),
        (
            {"model": "claude-haiku-4-5", "output_config": {"effort": "low"}},
            anthropic.BadRequestError,
            "effort",
        ),
        (
            {"thinking": {"type": "between_tools"}, "output_config": {"effort": "max"}},
            anthropic.BadRequestError,
            "between_tools",
        ),
        (
            {
                "output_config": {
                    "format": {
                        "type": "json_schema",
                        "schema": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {"s": {"type": "string", "maxLength": 5}},
                        },
                    }
                }
            },
            anthropic.BadRequestError,
            "'maxLength' is not supported in strict mode",
        ),
        (
            {
                "output_config": {
                    "format": {"type": "json_schema", "schema": {"type": "object", "properties": {}}}
                }
            },
            anthropic.BadRequestError,
            "additionalProperties",
        ),
        (
            {
                "tools": [
                    {
                        "name": "t",
                        "strict": True,
                        "input_schema": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "xs": {"type": "array", "items": {"type": "string"}, "minItems": 5}
                            },
                        },
                    }
                ]
            },
            anthropic.BadRequestError,
            "minItems",
        ),
        ({"extra_body": {"response_format": {"type": "json"}}}, anthropic.BadRequestError, "Extra inputs"),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else None,
)
def test_requests_the_api_rejects_are_rejected(
    fake_anthropic: FakeAnthropicServer, params: dict[str, Any], error: type[Exception], says: str
) -> None:
    fake_anthropic.expect_rejections().always(answer("{}"))
    with pytest.raises(error) as caught:
        send(**params)
    assert says in str(caught.value)
    assert type(map_api_error(caught.value)) is ClaudeRequestRejected  # the generator's view: permanent
    assert len(fake_anthropic.rejections) == 1 and not fake_anthropic.rendered


def test_a_forged_thinking_signature_is_rejected(fake_anthropic: FakeAnthropicServer) -> None:
    fake_anthropic.expect_rejections().always(answer("{}"))
    first = send()
    real = [b.model_dump() for b in first.content]
    assert real[0]["type"] == "thinking"
    messages = [*USER, {"role": "assistant", "content": real}, {"role": "user", "content": "Again"}]
    send(messages=messages)  # the genuine block round-trips
    forged = [{**real[0], "signature": "sig_made_up"}, *real[1:]]
    with pytest.raises(anthropic.BadRequestError, match="signature"):
        send(messages=[*USER, {"role": "assistant", "content": forged}, {"role": "user", "content": "Again"}])


def test_a_request_over_32_mb_is_413(fake_anthropic: FakeAnthropicServer) -> None:
    fake_anthropic.expect_rejections()
    with pytest.raises(anthropic.ContentTooLargeError):
        send(messages=[{"role": "user", "content": "x" * (MAX_REQUEST_BYTES + 1)}])
    assert fake_anthropic.rejections[0].kind == "request_too_large"


def test_the_reports_strict_schema_and_the_generators_params_are_accepted(
    fake_anthropic: FakeAnthropicServer,
) -> None:
    fake_anthropic.always(answer("{}"))
    send(output_config={"format": STRICT_REPORT, "effort": "medium"}, thinking={"type": "adaptive"})
    assert not fake_anthropic.rejections


def test_thinking_counts_toward_max_tokens_and_cuts_the_text(fake_anthropic: FakeAnthropicServer) -> None:
    text = json.dumps({"summary": "word " * 2_000})
    fake_anthropic.always(answer(text, thinking_tokens=2_500))
    message = send(max_tokens=3_000)
    assert message.stop_reason == "max_tokens"
    assert message.usage.output_tokens == 3_000
    (_thinking, cut) = message.content
    assert 0 < len(cut.text) < len(text)


def test_thinking_off_by_default_on_older_models(fake_anthropic: FakeAnthropicServer) -> None:
    fake_anthropic.always(answer('{"a": 1}'))
    message = send(model="claude-opus-4-7")
    assert [b.type for b in message.content] == ["text"]
    assert message.usage.output_tokens == estimate_tokens('{"a": 1}')


def test_an_unexpected_rejection_fails_the_test(tmp_path: Path) -> None:
    """A test that sends a request the real API rejects fails, even if the code swallowed the error."""
    (tmp_path / "test_sloppy.py").write_text(
        textwrap.dedent(
            """
            import anthropic
            from tests.fakes import fixtures
            fake_anthropic = fixtures.fake_anthropic

            def test_sloppy(fake_anthropic):
                try:
                    anthropic.Anthropic(max_retries=0).messages.create(
                        model="claude-sonnet-5-5", max_tokens=10, messages=[{"role": "user", "content": "x"}],
                        extra_body={"temperature": 0.0},
                    )
                except anthropic.BadRequestError:
                    pass  # swallowed
            """
        )
    )
    repo = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": f"{repo}{os.pathsep}{repo / 'lambdas'}"},
        timeout=120,
    )
    assert result.returncode == 1, result.stdout
    assert "1 passed, 1 error" in result.stdout
    assert "the real API would reject: temperature" in result.stdout
