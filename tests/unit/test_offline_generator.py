"""The offline generator: deterministic, grounded in the inputs, every section written."""

from __future__ import annotations

import json

import pytest

from local.runtime import SAMPLE_PROFILES_PATH
from vpr.generation.offline import OfflineGenerator
from vpr.grounding import verify_report
from vpr.models import Application
from vpr.render import render_markdown
from vpr.report_text import count_words, report_text

SAMPLE_CV = json.loads(SAMPLE_PROFILES_PATH.read_text())["user-uuid-456"]


@pytest.fixture
def application(example_request) -> Application:
    return Application.model_validate({**example_request, "cv": SAMPLE_CV})


def test_same_application_gives_the_same_report(application):
    first = OfflineGenerator().write(application)
    second = OfflineGenerator().write(application)

    assert first == second


def test_every_section_is_written_from_the_inputs(application):
    report = OfflineGenerator().generate(application).report

    assert [m.requirement for m in report.evidence_matrix] == list(application.job_posting.requirements)
    assert {m.alignment_score for m in report.evidence_matrix} <= {"STRONG", "MODERATE", "DEVELOPING"}
    assert 5 <= len(report.talking_points) <= 7
    assert report.differentiators and report.keywords and report.cultural_fit
    assert "Natural Intelligence" in report.executive_summary
    assert report.generator.name == "offline"
    assert (report.application_id, report.user_id, report.language) == ("app-uuid-123", "user-uuid-456", "en")


def test_requirements_are_matched_to_real_cv_evidence(application):
    matrix = OfflineGenerator().write(application).evidence_matrix
    analytical = next(m for m in matrix if m.requirement == "Strong analytical skills")

    assert analytical.alignment_score in {"STRONG", "MODERATE"}
    assert any(word in analytical.evidence.lower() for word in ("analy", "data"))


def test_report_is_grounded_in_the_inputs(application):
    result = OfflineGenerator().generate(application)

    assert result.report.verification is not None
    assert result.report.verification.grounded, result.report.verification.unsupported_claims
    assert verify_report(OfflineGenerator().write(application), application).grounded


def test_word_count_is_counted_from_the_text(application):
    report = OfflineGenerator().generate(application).report

    assert report.word_count == count_words(report_text(report))
    assert report.word_count > 100


def test_hebrew_posting_gets_a_hebrew_report(application):
    hebrew = application.model_copy(
        update={"job_posting": application.job_posting.model_copy(update={"language": "he"})}
    )

    report = OfflineGenerator().generate(hebrew).report

    assert report.language == "he"
    assert any("\u0590" <= ch <= "\u05ff" for ch in report.executive_summary)
    assert "דוח הצעת ערך" in render_markdown(report)


def test_thin_cv_still_gets_five_talking_points(example_request):
    thin = Application.model_validate({**example_request, "cv": {"skills": ["Excel"]}})

    report = OfflineGenerator().generate(thin).report

    assert 5 <= len(report.talking_points) <= 7


def test_posting_with_only_a_description_is_matched_sentence_by_sentence(example_request):
    example_request["job_posting"].update(
        requirements=[], description="You will design training programs. You will analyze learning needs."
    )
    application = Application.model_validate({**example_request, "cv": SAMPLE_CV})

    matrix = OfflineGenerator().write(application).evidence_matrix

    assert [m.requirement for m in matrix] == [
        "You will design training programs.",
        "You will analyze learning needs.",
    ]


def test_count_words_handles_hebrew_and_symbols():
    assert count_words("L&D lead, co-founded 2 teams") == 5
    assert count_words("מנהל פיתוח הדרכה") == 3


@pytest.mark.parametrize("language", ["en", "he"])
def test_minimal_posting_and_cv_still_get_five_grounded_talking_points(language):
    minimal = Application.model_validate(
        {
            "application_id": "a",
            "user_id": "u",
            "job_posting": {
                "company_name": "Acme",
                "role_title": "Analyst",
                "requirements": ["SQL"],
                "language": language,
            },
            "cv": {"skills": ["Excel"]},
        }
    )

    report = OfflineGenerator().generate(minimal).report

    assert 5 <= len(report.talking_points) <= 7
    assert report.verification.grounded, report.verification.unsupported_claims


# --- issue 11: an honest offline report ------------------------------------------------------------


def test_years_requirement_is_read_from_the_cv_dates_and_met_is_strong(application):
    report = OfflineGenerator().write(application)
    years = next(m for m in report.evidence_matrix if m.requirement == "5+ years L&D experience")

    # Wix 2021-present and Fiverr 2018-2021 are both L&D roles ("L&D" = "Learning & Development").
    assert years.alignment_score == "STRONG"
    assert "Wix (2021-02" in years.evidence and "Fiverr (2018-01" in years.evidence
    assert report.gap_strategies == []  # both requirements are met: no gap to strategise


def test_too_few_years_is_a_gap_with_a_strategy_from_the_closest_facts(example_request):
    example_request["job_posting"]["requirements"] = ["12+ years L&D experience", "Salesforce administration"]
    application = Application.model_validate({**example_request, "cv": SAMPLE_CV})

    report = OfflineGenerator().write(application)

    scores = {m.requirement: m.alignment_score for m in report.evidence_matrix}
    assert scores["12+ years L&D experience"] == "MODERATE"  # the dates show 8 of the 12 years
    assert scores["Salesforce administration"] == "DEVELOPING"
    gaps = {g.gap: g for g in report.gap_strategies}
    assert set(gaps) == set(scores)
    assert "12" in gaps["12+ years L&D experience"].mitigation_approach
    assert "Closest evidence in the CV" in gaps["12+ years L&D experience"].mitigation_approach
    assert verify_report(report, application).grounded


def test_no_requirement_rated_strong_is_listed_as_a_gap(application):
    report = OfflineGenerator().write(application)
    strong = {m.requirement for m in report.evidence_matrix if m.alignment_score == "STRONG"}

    assert not strong & {g.gap for g in report.gap_strategies}
    assert {m.requirement for m in report.evidence_matrix} - strong == {g.gap for g in report.gap_strategies}


def test_keywords_are_phrases_of_the_posting_not_single_words(application):
    keywords = OfflineGenerator().write(application).keywords

    assert "training programs" in keywords and "learning needs" in keywords
    assert not {"Develop", "training", "programs", "needs"} & set(keywords)


def test_talking_points_do_not_repeat_each_other(application):
    points = OfflineGenerator().write(application).talking_points

    assert len(points) == len(set(points))
    for i, first in enumerate(points):
        for second in points[i + 1 :]:
            assert first not in second and second not in first
