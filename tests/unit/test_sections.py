"""Sections mode, the pure parts: the plan, the section models, assembling, and section progress."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from local.runtime import SAMPLE_PROFILES_PATH
from tests.conftest import EXAMPLE_REQUEST
from vpr.generation.offline import OfflineGenerator
from vpr.models import Application, ReportContent
from vpr.sections.models import SECTION_FIELDS, SECTION_MODELS, SectionJob
from vpr.sections.plan import plan_sections
from vpr.sections.progress import in_plan_order, planned_sections, ready_entry, section_progress
from vpr.sections.steps import assemble_step, plan_step, write_section_step
from vpr.sections.writers import OfflineSectionWriter, SectionDraft
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
    evidence = [f"evidence-{n}" for n in range(1, len(expected) + 1)]
    # The report's reading order; the summary is a planned section like the others (written at once).
    assert [j.id for j in plan.sections] == [
        "summary",
        *evidence,
        "differentiators",
        "culture",
        "interview",
        "keywords",
    ]
    assert len({j.id for j in plan.sections}) == len(plan.sections)


def test_the_default_plan_writes_the_summary_with_the_sections_in_batches_of_two():
    plan = plan_sections(_application(requirements=["a", "b", "c"]), Settings())

    assert [(j.id, j.kind) for j in plan.sections][:1] == [("summary", "summary")]
    assert [j.requirements for j in plan.sections if j.kind == "evidence"] == [[0, 1], [2]]


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
    assert section_progress(reversed(events))[:2] == (2, 4)  # newest-first, as the status reads it
    assert section_progress(events[:1]) is None
    # A redrive runs the Map again for the items that did not finish; the finished ones keep counting.
    redriven = [*events, _event(40, "MapStateStarted", mapStateStartedEventDetails={"length": 4})]
    assert section_progress(redriven)[:2] == (2, 4)
    assert section_progress([*redriven, succeeded(45, 1), succeeded(46, 0)])[:2] == (3, 4)


def _exited(id_: int, output: dict | str, name: str = "WriteSection") -> dict:
    text = output if isinstance(output, str) else json.dumps(output)
    return _event(id_, "TaskStateExited", stateExitedEventDetails={"name": name, "output": text})


def test_the_history_gives_the_plan_and_only_the_grounded_sections_in_plan_order():
    plan = [{"id": "summary", "kind": "summary", "requirements": []}]
    plan += [{"id": "evidence-1", "kind": "evidence", "requirements": [0, 1]}]
    plan += [{"id": k, "kind": k, "requirements": []} for k in ("differentiators", "keywords")]
    state = {"application_id": "a", "plan": {"mode": "sections", "sections": plan}}
    summary = {"id": "summary", "kind": "summary", "content": {"executive_summary": "S"}, "grounded": True}
    keywords = {"id": "keywords", "kind": "keywords", "content": {"keywords": ["k"]}, "grounded": True}
    flagged = {"id": "differentiators", "kind": "differentiators", "content": {"differentiators": ["x"]}}
    events = [
        _event(
            10,
            "MapStateEntered",
            stateEnteredEventDetails={"name": "WriteSections", "input": json.dumps(state)},
        ),
        _event(11, "MapStateStarted", mapStateStartedEventDetails={"length": 4}),
        _exited(20, keywords),
        _exited(21, flagged | {"grounded": False}),  # Assemble rewrites it: not shown while running
        _exited(22, '{"id": "evidence-1", "kind": "evi'),  # a truncated event payload: skipped
        _exited(23, summary),
        _exited(24, {"executive_summary": "not a section"}, name="Assemble"),
    ]

    progress = section_progress(reversed(events))

    assert progress.planned == tuple({"id": j["id"], "kind": j["kind"]} for j in plan)
    assert [(e["id"], e["position"], e["content"]) for e in progress.ready] == [
        ("summary", 0, {"executive_summary": "S"}),
        ("keywords", 3, {"keywords": ["k"]}),
    ]


def test_a_section_is_shown_once_only_when_grounded_and_planned():
    planned = planned_sections([{"id": "summary", "kind": "summary"}, {"id": "keywords", "kind": "keywords"}])
    result = {"id": "keywords", "kind": "keywords", "content": {"keywords": ["k"]}, "grounded": True}

    entry = ready_entry(result, planned)

    assert entry == {"id": "keywords", "kind": "keywords", "position": 1, "content": {"keywords": ["k"]}}
    assert ready_entry(result | {"grounded": False}, planned) is None
    assert ready_entry({k: v for k, v in result.items() if k != "grounded"}, planned) is None  # unchecked
    assert ready_entry(result | {"id": "evidence-9"}, planned) is None  # not in this plan
    summary = ready_entry(result | {"id": "summary", "kind": "summary"}, planned)
    assert in_plan_order([entry, summary, entry]) == (summary, entry)  # a retried task's second record


def test_the_offline_summary_is_written_from_the_application_alone():
    application = _application(requirements=["5+ years L&D experience", "Strong analytical skills"])

    draft = OfflineSectionWriter().write(application, SectionJob(id="summary", kind="summary"))

    assert draft.content.executive_summary == OfflineGenerator().write(application).executive_summary


def test_the_claude_summary_request_holds_the_application_and_no_other_section():
    from vpr.generation import prompt
    from vpr.sections.prompt import user_message

    application = _application()
    message = user_message(application, SectionJob(id="summary", kind="summary"))

    texts = [block["text"] for block in message["content"]]
    assert len(texts) == 2 and texts[0].startswith("<application>\n")
    data = json.loads(texts[0].removeprefix("<application>\n").removesuffix("\n</application>"))
    assert data == prompt.application_data(application)  # the whole application, nothing written before
    assert "executive_summary" in texts[1] and "at the same time" in texts[1]
    assert "<report_sections>" not in json.dumps(message)


class _InventingWriter(OfflineSectionWriter):
    """The offline writer, with an employer the CV never mentions added to the differentiators."""

    def write(self, application, job, **kwargs):
        draft = super().write(application, job, **kwargs)
        if job.kind != "differentiators":
            return draft
        invented = [*draft.content.differentiators, "Led enablement at Google as Head of Learning."]
        return SectionDraft(
            draft.content.model_copy(update={"differentiators": invented}), draft.token_usage, None
        )


def test_each_written_section_carries_its_grounding_verdict():
    state = _application().model_dump(mode="json")
    state["plan"] = plan_step(state, Settings())
    writer = _InventingWriter()

    written = {job["id"]: write_section_step(state, job, writer) for job in state["plan"]["sections"]}

    assert written["differentiators"]["grounded"] is False
    assert all(s["grounded"] is True for i, s in written.items() if i != "differentiators")


def test_the_offline_delay_is_shared_out_by_section_length(monkeypatch):
    slept: dict[str, float] = {}
    current = {}
    monkeypatch.setattr("vpr.sections.writers.time.sleep", lambda s: slept.__setitem__(current["id"], s))
    application = _application()
    writer = OfflineSectionWriter(delay_seconds=10)

    for job in plan_sections(application, Settings()).sections:
        current["id"] = job.id
        writer.write(application, job)

    assert sum(slept.values()) == pytest.approx(10)  # the whole report takes as long as in single mode
    assert slept["keywords"] < slept["culture"] < slept["summary"]  # like a model's pace


def test_assemble_refuses_a_state_over_the_payload_limit():
    from vpr.errors import StatePayloadTooLarge

    application = _application()
    state = application.model_dump(mode="json")
    state["plan"] = plan_step(state, Settings())
    writer = OfflineSectionWriter()
    state["sections"] = [write_section_step(state, job, writer) for job in state["plan"]["sections"]]
    evidence = next(s for s in state["sections"] if s["kind"] == "evidence")
    evidence["content"]["evidence_matrix"][0]["evidence"] = "word " * 50_000  # ~250 KB

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
