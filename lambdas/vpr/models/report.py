"""The Value Proposition Report. Field names are the ones the product's web client reads: keep them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

AlignmentScore = Literal["STRONG", "MODERATE", "DEVELOPING"]
#: The kinds of section the sections mode writes, one call each (``vpr.sections.models.SECTION_FIELDS``).
SectionKind = Literal["summary", "evidence", "differentiators", "culture", "interview", "keywords"]


class _ReportPart(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class EvidenceItem(_ReportPart):
    requirement: str = Field(min_length=1)
    evidence: str = Field(min_length=1)
    alignment_score: AlignmentScore
    impact_potential: str = Field(min_length=1)


class GapStrategy(_ReportPart):
    gap: str = Field(min_length=1)
    mitigation_approach: str = Field(min_length=1)
    transferable_skills: list[str] = []


class ReportContent(_ReportPart):
    """The sections a generator writes (this is the structured-output schema given to Claude)."""

    executive_summary: str = Field(min_length=1)
    evidence_matrix: list[EvidenceItem] = Field(min_length=1)
    differentiators: list[str] = Field(min_length=1)
    gap_strategies: list[GapStrategy] = []
    cultural_fit: str = Field(min_length=1)
    talking_points: list[str] = Field(min_length=5, max_length=7)
    keywords: list[str] = Field(min_length=1)


def _report_part() -> type[BaseModel]:
    """Some of the report's fields: those one section wrote, the others absent.

    Built from ``ReportContent``'s field types, so a part's rows have the report's shape (the section
    models, ``vpr.sections.models``, checked the bounds when the section was written).
    """
    fields: dict[str, Any] = {
        name: (info.annotation | None, None) for name, info in ReportContent.model_fields.items()
    }
    return create_model(  # type: ignore[call-overload, no-any-return]
        "ReportPart",
        __config__=ConfigDict(frozen=True, extra="ignore"),
        __doc__=_report_part.__doc__,
        **fields,
    )


ReportPart = _report_part()


class GeneratorInfo(_ReportPart):
    name: str
    model: str | None = None


class Verification(_ReportPart):
    """What the grounding check found: claims (employers, titles, figures...) absent from the inputs."""

    grounded: bool
    unsupported_claims: list[str] = []


class VprReport(ReportContent):
    application_id: str
    user_id: str
    language: Literal["en", "he"]
    version: int = Field(default=0, ge=0, description="Set by Store: 1 + the versions already stored.")
    created_at: datetime
    word_count: int = Field(ge=0, description="Counted from the report text, never taken from a model.")
    generator: GeneratorInfo
    verification: Verification | None = None
