"""The API handlers stay light: importing them must not load the anthropic SDK (~1 s of cold start)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.parametrize(
    "module", ["handlers.submit", "handlers.status", "handlers.validate", "handlers.store"]
)
def test_handler_import_does_not_load_anthropic(module):
    code = f"import sys, {module}; print('anthropic' in sys.modules)"

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "lambdas"), "POWERTOOLS_TRACE_DISABLED": "true"},
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("module", ["handlers.submit", "handlers.status"])
def test_api_handlers_load_neither_the_xray_sdk_nor_boto3(module):
    """The two libraries that were half of the API functions' cold import (bench/api_cold_start.py)."""
    heavy = ("aws_xray_sdk", "boto3", "s3transfer")
    code = f"import sys, {module}; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    env = {"PYTHONPATH": str(ROOT / "lambdas"), "AWS_LAMBDA_FUNCTION_NAME": "x"}  # tracing on, as deployed

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]"
