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
