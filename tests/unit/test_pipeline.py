"""The workflow steps' own guarantees, without AWS."""

from __future__ import annotations

import json

import pytest

from local.runtime import SAMPLE_PROFILES_PATH
from vpr.errors import StatePayloadTooLarge
from vpr.generation.base import GenerationResult
from vpr.generation.offline import OfflineGenerator
from vpr.models import Application
from vpr.pipeline import generate_report

SAMPLE_CV = json.loads(SAMPLE_PROFILES_PATH.read_text())["user-uuid-456"]


class _VerboseGenerator:
    name = "verbose"

    def generate(
        self, application: Application, *, time_budget_seconds: float | None = None
    ) -> GenerationResult:
        result = OfflineGenerator().generate(application)
        huge = result.report.model_copy(update={"executive_summary": "word " * 60_000})
        return result.model_copy(update={"report": huge})


def test_generate_refuses_a_result_that_would_break_the_state_payload_limit(example_request):
    state = {**example_request, "cv": SAMPLE_CV}

    with pytest.raises(StatePayloadTooLarge):
        generate_report(state, _VerboseGenerator())


def test_generate_returns_the_report_for_a_normal_application(example_request):
    result = generate_report({**example_request, "cv": SAMPLE_CV}, OfflineGenerator())

    assert result.report.application_id == "app-uuid-123"
    assert len(result.model_dump_json()) < 256 * 1024
