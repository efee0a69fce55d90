"""The error names in the ASL and the error classes are one vocabulary (DESIGN §4)."""

from __future__ import annotations

import json

from local.runtime import ASL_PATH
from vpr.errors import all_error_classes


def _names_in_asl() -> set[str]:
    definition = json.loads(ASL_PATH.read_text())
    names = set()
    for state in definition["States"].values():
        for rule in state.get("Retry", []) + state.get("Catch", []):
            names.update(rule["ErrorEquals"])
    return names


def test_every_custom_error_the_asl_names_is_defined_in_the_errors_module():
    custom = {n for n in _names_in_asl() if not n.startswith(("States.", "Lambda."))}

    assert custom
    assert custom <= set(all_error_classes())


def test_only_transient_errors_are_retried():
    definition = json.loads(ASL_PATH.read_text())
    retried = {
        name
        for state in definition["States"].values()
        for rule in state.get("Retry", [])
        for name in rule["ErrorEquals"]
        if not name.startswith("Lambda.")
    }
    classes = all_error_classes()

    assert all(classes[name].retryable for name in retried)
    assert {name for name, cls in classes.items() if cls.retryable} == retried


def test_generate_retries_claude_errors_with_capped_full_jitter_backoff():
    generate = json.loads(ASL_PATH.read_text())["States"]["Generate"]
    claude = next(r for r in generate["Retry"] if "ClaudeRateLimited" in r["ErrorEquals"])

    assert set(claude["ErrorEquals"]) == {
        "ClaudeRateLimited",
        "ClaudeOverloaded",
        "ClaudeServerError",
        "ClaudeTimeout",
    }
    assert claude["JitterStrategy"] == "FULL"
    assert claude["MaxDelaySeconds"] >= claude["IntervalSeconds"]


def test_transient_means_retryable_or_a_step_functions_fault():
    from vpr.errors import CANCELLED, EXECUTION_ABORTED, LOCAL_RUNTIME_RESTARTED, is_transient

    for name, cls in all_error_classes().items():
        assert is_transient(name) is cls.retryable, name
    assert is_transient("States.Timeout") and is_transient("Lambda.TooManyRequestsException")
    for name in (CANCELLED, EXECUTION_ABORTED, LOCAL_RUNTIME_RESTARTED, "States.Runtime", "KeyError", None):
        assert not is_transient(name), name
