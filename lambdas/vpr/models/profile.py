"""The candidate profile (the CV), inline in a request or loaded from the profile store."""

from __future__ import annotations

from pydantic import Field

from vpr.models.text import InputModel, LongText, MediumText, ShortText, text, text_list

DateText = text(20)


class Experience(InputModel):
    company: ShortText
    title: ShortText
    start: DateText | None = None
    end: DateText | None = Field(default=None, description="Absent or 'present' for a current role.")
    location: ShortText | None = None
    highlights: text_list(1_000, max_items=30) = []


class Education(InputModel):
    institution: ShortText
    degree: ShortText | None = None
    field: ShortText | None = None
    start: DateText | None = None
    end: DateText | None = None


class CandidateProfile(InputModel):
    headline: MediumText | None = None
    summary: LongText | None = None
    experience: list[Experience] = Field(default=[], max_length=40)
    education: list[Education] = Field(default=[], max_length=20)
    skills: text_list(200, max_items=100) = []
    certifications: text_list(300, max_items=50) = []
    languages: text_list(100, max_items=20) = []
