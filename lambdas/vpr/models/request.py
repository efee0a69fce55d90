"""The body of ``POST /api/vpr``: the application a report is written for."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from vpr.models.profile import CandidateProfile
from vpr.models.text import (
    BLANK_CLASS,
    Identifier,
    InputModel,
    LongText,
    MediumText,
    ShortText,
    text,
    text_list,
)

Language = Literal["en", "he"]


class Location(InputModel):
    city: ShortText | None = None
    country: ShortText | None = None
    remote: bool | None = None


class JobPosting(InputModel):
    # The "requirements or description" rule, stated in the exported schema too.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["requirements"], "properties": {"requirements": {"minItems": 1}}},
                {"required": ["description"], "properties": {"description": {"type": "string"}}},
            ]
        }
    )

    company_name: ShortText
    role_title: ShortText
    description: LongText | None = None
    responsibilities: text_list(2_000, max_items=50) = []
    requirements: text_list(2_000, max_items=50) = []
    nice_to_have: text_list(2_000, max_items=50) = []
    location: Location | None = None
    employment_type: text(50) | None = None
    source_url: (
        text(2_048, pattern=rf"^[{BLANK_CLASS}]*https?://[^{BLANK_CLASS}]+[{BLANK_CLASS}]*$") | None
    ) = None
    language: Language = "en"

    @model_validator(mode="after")
    def _needs_something_to_match(self) -> JobPosting:
        if not self.requirements and not self.description:
            raise ValueError("job_posting needs a non-empty 'requirements' list or a 'description'")
        return self


class GapResponse(InputModel):
    question_id: text(100) | None = None
    question: MediumText
    answer: text(5_000)


class CompanyContext(InputModel):
    mission: MediumText | None = None
    values: text_list(500, max_items=20) = []
    strategic_priorities: text_list(1_000, max_items=20) = []
    recent_news: text_list(1_000, max_items=20) = []
    industry: ShortText | None = None


class VprRequest(InputModel):
    """A validated application. Its canonical JSON is the execution input and names the job.

    Besides what this schema states, the API refuses a body over 64 KiB (413) and JSON nested deeper
    than 20 levels (400). Unknown fields are ignored.
    """

    application_id: Identifier
    user_id: Identifier | None = Field(
        default=None,
        description="Required locally; on AWS filled from the caller's Cognito identity if absent.",
    )
    job_posting: JobPosting
    gap_responses: list[GapResponse] = Field(default=[], max_length=30)
    company_context: CompanyContext | None = None
    cv: CandidateProfile | None = None
