"""The evaluation set and its runner (``python -m eval``): the subset `make test` holds to the thresholds,
the scores can fail, and the Claude path runs through the real SDK against the fake Messages API."""

from __future__ import annotations

import json
from typing import Any

import pytest

from eval.runner import (
    SUBSET,
    THRESHOLDS,
    _ProfileBook,
    application_of,
    evaluate_grounding,
    failed_thresholds,
    load_cases,
    main,
    run,
)
from eval.scoring import score_report
from tests.fakes import fixtures
from tests.fakes.anthropic_server import FakeAnthropicServer, answer
from vpr.generation.offline import OfflineGenerator
from vpr.models import VprReport
from vpr.models.report import GapStrategy
from vpr.settings import Settings

fake_anthropic = fixtures.fake_anthropic

OFFLINE = Settings(generator="offline")


def test_the_set_has_thirty_applications_in_both_languages_with_both_cv_sources():
    cases = load_cases()

    assert len(cases) >= 30
    assert {c.request["job_posting"]["language"] for c in cases} == {"en", "he"}
    assert sum(c.request["job_posting"]["language"] == "he" for c in cases) >= 10
    assert {c.cv_source for c in cases} == {"inline", "profile"}
    assert sum(bool(c.unmet) for c in cases) >= 10 and sum(bool(c.met) for c in cases) >= 25
    assert any(c.request.get("gap_responses") for c in cases)
    assert any(len(c.request["job_posting"].get("requirements", [])) >= 8 for c in cases)


def test_the_subset_meets_every_threshold_with_the_offline_generator():
    result = run(SUBSET, settings=OFFLINE)  # the labelled grounding set included

    assert result["generator"] == "offline"
    assert result["totals"]["applications"] == len(SUBSET)
    assert result["failed_thresholds"] == [], result["failed_thresholds"]


def test_grounding_recall_and_false_flags_on_the_labelled_set():
    grounding = evaluate_grounding(load_cases())

    assert grounding["planted"] >= 80 and grounding["clean"] >= 60
    assert grounding["recall"] >= THRESHOLDS["grounding_recall_min"], grounding["misses"]
    assert grounding["false_flag_rate"] <= THRESHOLDS["grounding_false_flags_max"], grounding["false_flags"]


def _documented_case() -> tuple[Any, Any]:
    cases = load_cases(("en-01-ld-manager-documented",))
    return cases[0], application_of(cases[0], _ProfileBook(cases))


def _score(report: VprReport, case: Any, application: Any):
    return score_report(report, application, app_id=case.id, cv_source=case.cv_source, met=case.met)


def test_a_report_that_contradicts_itself_invents_and_drops_a_requirement_scores_badly():
    case, application = _documented_case()
    report = OfflineGenerator().generate(application).report
    first = report.evidence_matrix[0]
    bad = report.model_copy(
        update={
            "evidence_matrix": [first],  # a requirement dropped
            "gap_strategies": [GapStrategy(gap=first.requirement, mitigation_approach="Worked at Google.")],
            "talking_points": [report.talking_points[0]] * 5,
            "language": "he",
        }
    )
    bad = VprReport.model_validate(bad.model_dump())

    score = _score(bad, case, application)

    assert score.coverage == 0.5
    assert score.consistency == 0.0  # rated STRONG yet listed as a gap
    assert score.labels == 0.5  # the dropped requirement was labelled met
    assert score.unsupported == ["Google"]
    assert not score.language_ok
    assert score.complete == ["10 talking point pair(s) repeat each other"]
    total = {
        "coverage": score.coverage,
        "consistency": score.consistency,
        "labels": score.labels,
        "unsupported": 1,
        "budget_violations": 0,
        "language_failures": 1,
        "incomplete": 1,
    }
    assert len(failed_thresholds(total, {"recall": 1.0, "false_flag_rate": 0.0})) == 6


def test_a_report_over_its_budgets_is_reported():
    case, application = _documented_case()
    report = OfflineGenerator().generate(application).report
    long = report.model_copy(update={"executive_summary": "Wix " * 300, "keywords": ["Wix"] * 2})

    score = _score(long, case, application)

    assert "executive_summary over 250 words: 300" in score.budget
    assert "keywords: 2 items, not 3-20" in score.budget
    assert "repeated keywords" in score.complete
    as_claude = score_report(report, application, app_id=case.id, cv_source=case.cv_source, claude=True)
    assert as_claude.budget == [f"report under 1500 words: {report.word_count}"]  # Claude is asked for more


def test_make_eval_prints_a_table_and_writes_json(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("VPR_GENERATOR", "offline")
    out = tmp_path / "eval.json"

    assert main(["--only", "en-01-ld-manager-documented", "he-01-ld-manager-met", "--json", str(out)]) == 0

    printed = capsys.readouterr().out
    assert "en-01-ld-manager-documented" in printed and "he-01-ld-manager-met" in printed
    assert "TOTAL (2 applications)" in printed and "grounding labelled set: recall" in printed
    written = json.loads(out.read_text())
    assert written["generator"] == "offline"
    assert [a["id"] for a in written["applications"]] == [
        "en-01-ld-manager-documented",
        "he-01-ld-manager-met",
    ]
    assert written["totals"]["coverage"] == 1.0


def test_check_fails_the_run_below_a_threshold(tmp_path, monkeypatch):
    monkeypatch.setenv("VPR_GENERATOR", "offline")
    monkeypatch.setitem(THRESHOLDS, "labels_min", 1.01)  # unreachable

    assert main(["--only", "en-01-ld-manager-documented", "--json", str(tmp_path / "e.json"), "--check"]) == 1


def test_unknown_application_ids_are_an_error():
    with pytest.raises(ValueError, match="unknown application ids"):
        load_cases(("no-such-application",))


def test_the_runner_drives_claude_through_the_real_sdk(fake_anthropic: FakeAnthropicServer):
    ids = ("en-12-backend-unmet-kubernetes", "he-04-junior-support-profile-store")
    cases = load_cases(ids)
    profiles = _ProfileBook(cases)
    for case in cases:  # what "Claude" answers: a grounded report for that application
        content = OfflineGenerator().write(application_of(case, profiles))
        fake_anthropic.enqueue(answer(content.model_dump(mode="json")))
    settings = Settings(generator="claude", model="claude-sonnet-5-5", claude_max_retries=0)

    result = run(ids, settings=settings, grounding_set=False)

    assert fake_anthropic.calls == 2
    assert result["generator"] == "claude" and result["model"] == "claude-sonnet-5-5"
    assert [a["id"] for a in result["applications"]] == list(ids)
    assert result["totals"]["unsupported"] == 0 and result["totals"]["coverage"] == 1.0
    assert result["totals"]["budget_violations"] == 2  # the scripted answers are short offline reports
    assert "Kubernetes" in fake_anthropic.requests[0].user_text()
