"""The request model: the documented example as written, bounds, and the errors it names."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from vpr.models import Application, VprRequest
from vpr.models.problems import describe, field_problems


def test_documented_example_is_accepted_verbatim(example_request):
    request = VprRequest.model_validate(example_request)

    assert request.job_posting.location.city == "Tel Aviv"
    assert request.job_posting.employment_type == "Full-time"
    assert request.gap_responses[0].question_id is None
    assert request.cv is None


def test_unknown_fields_are_ignored_not_fatal(example_request):
    example_request["tracking"] = {"utm": "x"}
    example_request["job_posting"]["salary_band"] = "B"

    assert VprRequest.model_validate(example_request) == VprRequest.model_validate(
        {k: v for k, v in example_request.items() if k != "tracking"}
    )


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda r: r["job_posting"].update(language="fr"), "job_posting.language"),
        (lambda r: r["job_posting"].update(company_name="x" * 201), "job_posting.company_name"),
        (lambda r: r["job_posting"].update(requirements=[]), "job_posting"),
        (lambda r: r["job_posting"].pop("role_title"), "job_posting.role_title"),
        (lambda r: r.update(application_id="../../etc"), "application_id"),
        (lambda r: r.update(gap_responses=[{"question": "q"}]), "gap_responses.0.answer"),
        (lambda r: r["job_posting"].update(requirements=["x"] * 51), "job_posting.requirements"),
        (lambda r: r["job_posting"].update(source_url="javascript:alert(1)"), "job_posting.source_url"),
    ],
)
def test_bad_input_names_the_field(example_request, mutate, field):
    mutate(example_request)

    with pytest.raises(ValidationError) as caught:
        VprRequest.model_validate(example_request)

    assert field in describe(field_problems(caught.value.errors()))


def test_empty_requirements_are_fine_with_a_description(example_request):
    example_request["job_posting"].update(requirements=[], description="We need an L&D lead.")

    assert VprRequest.model_validate(example_request).job_posting.requirements == []


def test_strings_are_nfc_normalized_and_stripped(example_request):
    example_request["job_posting"]["company_name"] = "  Cafe\u0301 Ltd "

    assert VprRequest.model_validate(example_request).job_posting.company_name == "Caf\u00e9 Ltd"


def test_application_requires_a_cv(example_request):
    with pytest.raises(ValidationError):
        Application.model_validate(example_request)
