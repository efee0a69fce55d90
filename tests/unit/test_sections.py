"""Sections mode, the pure parts: the plan, the section models, assembling, and section progress."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from local.runtime import SAMPLE_PROFILES_PATH
from tests.conftest import EXAMPLE_REQUEST
from vpr.generation.offline import OfflineGenerator
from vpr.models import Application, ReportContent
from vpr.sections.models import SECTION_FIELDS, SECTION_MODELS
from vpr.sections.plan import plan_sections
from vpr.sections.progress import section_progress
from vpr.sections.steps import assemble_step, plan_step, write_section_step
from vpr.sections.writers import OfflineSectionWriter
from vpr.settings import Settings


def _application(**posting_changes) -> Application:
    profile = json.loads(SAMPLE_PROFILES_PATH.read_text())[EXAMPLE_REQUEST["user_id"]]
    data = json.loads(json.dumps(EXAMPLE_REQUEST)) | {"cv": profile}
    data["job_posting"] |= posting_changes
    return Application.model_validate(data)


def test_every_report_field_is_written_by_exactly_one_kind_of_section():
    written = [name for fields in SECTION_FIELDS.values() for name in fields]
    assert sorted(written) == sorted(ReportContent.model_fields)


def test_section_models_keep_the_report_models_bounds():
    with pytest.raises(ValidationError):
        SECTION_MODELS["interview"].model_validate({"talking_points": ["one"] * 4, "keywords": ["k"]})
    with pytest.raises(ValidationError):
        SECTION_MODELS["evidence"].model_validate({"evidence_matrix": []})


@pytest.mark.parametrize(
    ("requirements", "batch", "expected"), [(5, 2, [[0, 1], [2, 3], [4]]), (2, 4, [[0, 1]]), (0, 2, [[]])]
)
def test_plan_batches_requirements_and_adds_the_independent_sections(requirements, batch, expected):
    description = "Lead the learning programs. Analyse training data."
    application = _application(
        requirements=[f"Requirement number {i}" for i in range(requirements)], description=description
    )

    plan = plan_sections(application, Settings(section_batch_size=batch))

    assert plan.mode == "sections"
    assert [j.requirements for j in plan.sections if j.kind == "evidence"] == expected
    assert [j.id for j in plan.sections if j.kind != "evidence"] == [
        "differentiators",
        "culture",
        "interview",
    ]
    assert len({j.id for j in plan.sections}) == len(plan.sections)


def test_single_mode_plans_no_sections():
    assert plan_sections(_application(), Settings(generation_mode="single")).sections == []


@pytest.mark.parametrize("language", ["en", "he"])
def test_offline_sections_assemble_into_the_single_mode_report(language):
    """Both modes write by the same rules: the merged offline report equals the single-mode one."""
    application = _application(
        language=language,
        requirements=["5+ years L&D experience", "Strong analytical skills", "Budget ownership"],
    )
    state = application.model_dump(mode="json")
    state["plan"] = plan_step(state, Settings(section_batch_size=1))
    writer = OfflineSectionWriter()
    state["sections"] = [write_section_step(state, job, writer) for job in state["plan"]["sections"]]

    generation = assemble_step(state, writer)

    single = OfflineGenerator().write(application)
    merged = ReportContent.model_validate(generation["report"])
    assert merged == single
    assert generation["report"]["verification"]["grounded"] is True
    assert generation["report"]["word_count"] > 100


def _event(id_: int, type_: str, **details) -> dict:
    return {"id": id_, "type": type_, **details}


def test_section_progress_counts_each_finished_item_once_across_a_redrive():
    def succeeded(id_: int, index: int) -> dict:
        return _event(id_, "MapIterationSucceeded", mapIterationSucceededEventDetails={"index": index})

    events = [
        _event(1, "ExecutionStarted"),
        _event(14, "MapStateStarted", mapStateStartedEventDetails={"length": 4}),
        _event(15, "MapIterationStarted"),
        succeeded(20, 0),
        _event(22, "MapIterationFailed"),
        succeeded(25, 2),
    ]
    assert section_progress(reversed(events)) == (2, 4)  # newest-first, as the status endpoint reads it
    assert section_progress(events[:1]) is None
    # A redrive runs the Map again for the items that did not finish; the finished ones keep counting.
    redriven = [*events, _event(40, "MapStateStarted", mapStateStartedEventDetails={"length": 4})]
    assert section_progress(redriven) == (2, 4)
    assert section_progress([*redriven, succeeded(45, 1), succeeded(46, 0)]) == (3, 4)


def test_assemble_refuses_a_state_over_the_payload_limit():
    from vpr.errors import StatePayloadTooLarge

    application = _application()
    state = application.model_dump(mode="json")
    state["plan"] = plan_step(state, Settings())
    writer = OfflineSectionWriter()
    state["sections"] = [write_section_step(state, job, writer) for job in state["plan"]["sections"]]
    state["sections"][0]["content"]["evidence_matrix"][0]["evidence"] = "word " * 50_000  # ~250 KB

    with pytest.raises(StatePayloadTooLarge):
        assemble_step(state, writer)


def test_assemble_refuses_sections_that_do_not_match_the_plan():
    from vpr.errors import GenerationInvalidOutput

    application = _application()
    state = application.model_dump(mode="json")
    state["plan"] = plan_step(state, Settings())
    writer = OfflineSectionWriter()
    state["sections"] = [write_section_step(state, job, writer) for job in state["plan"]["sections"][1:]]

    with pytest.raises(GenerationInvalidOutput):
        assemble_step(state, writer)
