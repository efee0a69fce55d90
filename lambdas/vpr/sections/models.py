"""The section models: slices of the one report model, so a merged report validates as ``ReportContent``.

Each section model is built from ``ReportContent``'s own field definitions (type, bounds, defaults), so
the rules of a field live in ``vpr/models/report.py`` only: five to seven talking points in a section is
five to seven in the report.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from vpr.models import ReportContent, TokenUsage
from vpr.models.report import SectionKind

#: Which report fields each kind of section writes (every field exactly once across the kinds), in the
#: report's reading order: the plan lists its jobs in this order.
SECTION_FIELDS: dict[str, tuple[str, ...]] = {
    "summary": ("executive_summary",),
    "evidence": ("evidence_matrix", "gap_strategies"),
    "differentiators": ("differentiators",),
    "culture": ("cultural_fit",),
    "interview": ("talking_points",),
    "keywords": ("keywords",),
}


def _section_model(kind: str) -> type[BaseModel]:
    fields: dict[str, Any] = {
        name: (ReportContent.model_fields[name].annotation, ReportContent.model_fields[name])
        for name in SECTION_FIELDS[kind]
    }
    return create_model(  # type: ignore[call-overload, no-any-return]
        f"{kind.capitalize()}Section", __config__=ConfigDict(frozen=True, extra="ignore"), **fields
    )


SECTION_MODELS: dict[str, type[BaseModel]] = {kind: _section_model(kind) for kind in SECTION_FIELDS}


class SectionJob(BaseModel):
    """One item of the plan: what one Map iteration (one section call) writes."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(
        description="summary, evidence-1, evidence-2, ..., differentiators, culture, interview, keywords"
    )
    kind: SectionKind
    requirements: list[int] = Field(
        default=[], description="evidence only: 0-based indexes into job_posting.requirements"
    )


class SectionResult(BaseModel):
    """What one section task returns into the workflow state (an element of ``$.sections``)."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: SectionKind
    content: dict[str, Any]
    token_usage: TokenUsage
    model: str | None = None
    generator: str
    grounded: bool | None = None
    """The grounding check of this section as written (None: not checked). Only a grounded section is
    shown while the job runs; a flagged one appears with the full report, after Assemble rewrites it."""

    def validated(self) -> BaseModel:
        """The content as its section model (raises ValidationError if it is not one)."""
        return SECTION_MODELS[self.kind].model_validate(self.content)


class Plan(BaseModel):
    """Plan's output (``$.plan``): the mode the Choice state branches on, and the section jobs."""

    mode: Literal["sections", "single"]
    sections: list[SectionJob] = []
