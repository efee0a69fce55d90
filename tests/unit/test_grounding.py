"""The grounding check: invented names and figures are flagged; wording, case, Hebrew and number formats
are not."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fakes.samples import (
    example_application,
    grounded_report,
    hebrew_application,
    report_with_invented_employer,
)
from vpr.generation.offline import OfflineGenerator
from vpr.grounding import verify_report
from vpr.models import Application, ReportContent, VprRequest


def _application(data: dict[str, Any] | None = None) -> Application:
    return Application.model_validate(data or example_application())


def _report(**changes: Any) -> ReportContent:
    return ReportContent.model_validate(grounded_report() | changes)


def _claims_in(summary: str, data: dict[str, Any] | None = None) -> list[str]:
    return verify_report(_report(executive_summary=summary), _application(data)).unsupported_claims


def test_a_faithful_paraphrase_is_grounded() -> None:
    verification = verify_report(_report(), _application())
    assert verification.grounded is True
    assert verification.unsupported_claims == []


def test_invented_employer_title_certification_and_figure_are_flagged() -> None:
    report = ReportContent.model_validate(report_with_invented_employer())
    verification = verify_report(report, _application())
    assert verification.grounded is False
    assert verification.unsupported_claims == ["Google", "Head of Learning", "45%", "PMP"]


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        ("The candidate worked at Microsoft on onboarding.", ["Microsoft"]),
        ("Led learning as Senior Director of Enablement at Wix.", ["Senior Director of Enablement"]),
        ("Holds a SHRM-CP certification.", ["SHRM-CP"]),
        ("Trained 900 new hires.", ["900"]),
        ("Worked at Wix since 2015.", ["2015"]),
        ("Grew completion rates by 45 percent.", ["45"]),
        ("Managed a $2M training budget.", ["2M"]),
        ("Previously at McKinsey & Company.", ["McKinsey & Company"]),
        ("Formerly at eBay.", ["eBay"]),
        ("ב-Google הוביל/ה את ההדרכה.", ["Google"]),  # a Latin name inside Hebrew text
    ],
)
def test_specific_inventions(summary: str, expected: list[str]) -> None:
    assert _claims_in(summary) == expected


@pytest.mark.parametrize(
    "summary",
    [
        # number formats: the CV says "30%", "2TB", "400", "12"
        "Cut ramp-up time by 30 percent.",
        "Cut ramp-up time by 30 per cent.",
        "קיצר/ה את זמן הקליטה ב-30 אחוז.",
        "Moved 2 TB of legacy content.",
        "Moved 2TB of legacy content.",
        "An academy for 400 new hires, analysis across 12 departments.",
        # case, possessives and plurals
        "WIX's onboarding academy, built by the L&D manager at wix.",
        "Runs Learning-Needs Analyses and Learning Analytics.",
        # sentence-initial ordinary words are prose, not names
        "Brings proven practice. Strong fit. Delivers workshops.",
        # acronyms backed by the initials of the posting's words
        "An LDM with strong L&D and learning-needs analysis (LNA) experience.",
        # durations stated through the CV's dates: 2017-03..2019-12 is 2 years
        "Spent 2 years at Check Point Software as Training Specialist.",
        # the posting's "5+ years" backs "5 years"
        "More than 5 years in L&D.",
        # generic business words and months
        "Ready to deliver ROI and KPIs from March.",
    ],
)
def test_wording_case_hebrew_and_number_formats_are_not_flagged(summary: str) -> None:
    assert _claims_in(summary) == []


def test_number_words_and_scaled_figures_in_the_inputs_back_digits() -> None:
    data = example_application()
    data["cv"]["summary"] = (
        "Five years designing programs; managed a 1.5 million dollar budget and 1,000 learners."
    )
    assert _claims_in("Managed 5 years of programs, a $1,500,000 budget and 1000 learners.", data) == []
    assert _claims_in("Managed a 1.5M budget.", data) == []


def test_hebrew_report_from_hebrew_inputs() -> None:
    data = hebrew_application()
    report = _report(
        executive_summary="מנהל/ת הדרכה ופיתוח עם קיצור של 30% בזמן הקליטה ב-Wix, ו-400 עובדים חדשים בשנה.",
        cultural_fit="הערכים סקרנות ואחריות של Natural Intelligence באים לידי ביטוי בניתוח רבעוני.",
    )
    assert verify_report(report, _application(data)).grounded is True
    invented = _report(executive_summary="ניהל/ה צוות של 25 עובדים ב-Meta.")
    assert verify_report(invented, _application(data)).unsupported_claims == ["25", "Meta"]


def test_claims_are_listed_once_in_reading_order() -> None:
    report = _report(
        executive_summary="At Google the candidate trained 900 people.",
        cultural_fit="Google again, and 900 again.",
    )
    assert verify_report(report, _application()).unsupported_claims == ["Google", "900"]


def test_accepts_a_request_with_an_inline_cv_and_one_without() -> None:
    request = VprRequest.model_validate(example_application())
    assert verify_report(_report(), request).grounded is True
    without_cv = VprRequest.model_validate(copy.deepcopy(example_application()) | {"cv": None})
    verification = verify_report(_report(), without_cv)
    assert verification.grounded is False and "Wix" in verification.unsupported_claims


def test_ids_are_not_evidence() -> None:
    assert _claims_in("Application 123 for user 456.") == ["123", "456"]


@pytest.mark.parametrize("data", [example_application(), hebrew_application()], ids=["en", "he"])
def test_offline_generator_output_is_grounded(data: dict[str, Any]) -> None:
    application = _application(data)
    report = OfflineGenerator().generate(application).report
    assert report.verification is not None
    assert report.verification.grounded, report.verification.unsupported_claims


def _input_sentences() -> list[str]:
    data = example_application()
    cv = data["cv"]
    sentences = [h for job in cv["experience"] for h in job["highlights"]]
    sentences += [f"{job['title']} at {job['company']}" for job in cv["experience"]]
    sentences += [*cv["skills"], *cv["certifications"], *data["job_posting"]["requirements"]]
    return sentences


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(_input_sentences()), min_size=1, max_size=6),
    st.sampled_from(["", "The candidate: "]),
)
def test_any_report_quoting_the_inputs_is_grounded(picked: list[str], lead: str) -> None:
    summary = lead + ". ".join(s.lower() if i % 2 else s for i, s in enumerate(picked)) + "."
    assert _claims_in(summary) == []


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        # found without capitals: lowercase, sentence-initial, Hebrew with attached prefixes
        ("Previously worked at microsoft on onboarding.", ["microsoft"]),
        ("Google hired the candidate.", ["Google"]),
        ("holds a pmp certification.", ["pmp"]),
        ("served as senior director of enablement at Wix.", ["senior director of enablement"]),
        ("As head of sales, ran workshops.", ["head of sales"]),
        ("Grew completion by forty percent.", ["forty"]),
        ("Worked with apple on training.", ["apple"]),  # a name that is also a word: the gazetteer
    ],
)
def test_inventions_without_capitals(summary: str, expected: list[str]) -> None:
    assert _claims_in(summary) == expected


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        ("עבד/ה במיקרוסופט על תוכניות הדרכה.", ["במיקרוסופט"]),
        ("הוביל/ה את ההדרכה בגוגל.", ["בגוגל"]),
        ("שימש/ה כמנהלת מכירות ב-Wix.", ["כמנהלת מכירות"]),
        ("בוגר/ת הטכניון.", ["הטכניון"]),
        ("קיצר/ה את זמן הקליטה בשלושים אחוז.", []),  # "30%" in the CV
        ("ניסיון של שבע שנים בבניית תוכניות הדרכה ללומדים חדשים, בתקציב בש״ח.", []),
    ],
)
def test_hebrew_inventions_with_prefixes_are_found_and_plain_hebrew_is_not(
    summary: str, expected: list[str]
) -> None:
    assert _claims_in(summary, hebrew_application()) == expected


@pytest.mark.parametrize(
    "summary",
    [
        "Moved 2 TB of content.",  # the CV writes "2TB"
        "Cut ramp-up time by thirty percent.",
        "L&D Manager at Wix (2020–present), Training Specialist 2017–19.",
        "An experienced manager who led workshops as a training specialist.",
    ],
)
def test_unit_spacing_number_words_date_ranges_and_plain_roles_are_not_flagged(summary: str) -> None:
    assert _claims_in(summary) == []


def test_a_claim_about_the_candidate_needs_the_candidates_own_words_not_the_postings() -> None:
    data = example_application(requirements=["OSCP certification", "5+ years L&D experience"])
    data["job_posting"]["description"] = "You will report to the VP of Learning."

    assert _claims_in("Holds the OSCP certification.", data) == ["OSCP"]
    assert _claims_in("Served as VP of Learning at Wix.", data) == ["VP of Learning"]
    # Quoting the posting is not a claim, nor is naming the company or the role applied for.
    assert _claims_in("On “OSCP certification”: holds the ATD CPTD instead.", data) == []
    assert (
        _claims_in("Worked at Wix; would join Natural Intelligence as Learning & Development Manager.") == []
    )


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        # "Training Specialist" and "L&D Manager" do not make a "training manager"
        ("Led onboarding as training manager at Wix.", ["training manager"]),
        ("Promoted to group L&D manager.", []),  # no "as": not a role phrase; every word is the CV's
        ("Worked as group L&D manager at Wix.", ["group L&D manager"]),
        ("Known as an experienced L&D manager.", []),
        ("Worked as the L&D Manager at Wix.", []),
    ],
)
def test_role_phrases_must_occur_as_the_cv_writes_them(summary: str, expected: list[str]) -> None:
    assert _claims_in(summary) == expected


def test_abbreviations_with_dots_do_not_hide_the_rest_of_the_sentence() -> None:
    # A sentence is split at ". " only: "B.A." and "Node.js" stay inside it, and so does "Stanford".
    assert _claims_in("Graduated from Stanford with a B.A. in Psychology.") == ["Stanford", "B.A"]
    assert _claims_in("CPTD-certified L&D manager, e.g. at Wix.") == []
    assert _claims_in("Holds an M.A. in Organizational Psychology.") == []  # the CV writes "MA"
