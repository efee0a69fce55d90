"""What the HTTP API returns.

The shapes are a contract with the product's existing web client, which reads ``error`` as a string
(``onError(data.error || 'VPR generation failed')``): an error body and a FAILED job both carry the
user-safe message in ``error`` and the machine-readable name beside it (``code`` / ``error_code``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vpr.models.report import ReportPart, SectionKind
from vpr.models.usage import TokenUsage


class JobState(StrEnum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


#: The short ``message`` every status response carries, by status.
STATUS_MESSAGES: dict[JobState, str] = {
    JobState.PENDING: "VPR generation is queued",
    JobState.PROCESSING: "VPR generation in progress",
    JobState.COMPLETED: "VPR generation completed successfully",
    JobState.FAILED: "VPR generation failed",
}


class _Response(BaseModel):
    model_config = ConfigDict(frozen=True)


class FieldProblem(_Response):
    field: str = Field(description="Dotted path of the offending field, e.g. job_posting.requirements.0")
    message: str


class ErrorResponse(_Response):
    """Every 4xx/5xx answer of the API (and of the local API emulator)."""

    error: str = Field(description="A message that is safe to show to the user.")
    code: str = Field(description="The error's name, e.g. JobNotFound, BadRequest, ResultExpired.")
    status_code: int = Field(ge=400, le=599)
    fields: list[FieldProblem] = Field(
        default=[], description="Each offending field (empty when the error is not about a field)."
    )

    @classmethod
    def of(
        cls, status_code: int, code: str, message: str, fields: Iterable[tuple[str, str]] = ()
    ) -> ErrorResponse:
        """The envelope from plain values: ``fields`` as ``(field, message)`` pairs."""
        problems = [FieldProblem(field=f, message=m) for f, m in fields]
        return cls(error=message, code=code, status_code=status_code, fields=problems)


class SubmitResponse(_Response):
    job_id: str
    status: JobState
    status_url: str
    message: str
    created_at: datetime


class PlannedSection(_Response):
    """One section the sections mode writes (one Claude call)."""

    id: str = Field(
        description="summary, evidence-1, evidence-2, ..., differentiators, culture, interview, keywords"
    )
    kind: SectionKind


class ReadySection(PlannedSection):
    """A section already written (and found grounded in the inputs), while the rest are being written."""

    content: ReportPart = Field(  # type: ignore[valid-type]
        description="The report fields this section wrote, as the finished report will have them (e.g. "
        "evidence_matrix rows and their gap_strategies for an evidence section)."
    )


class JobStatusResponse(_Response):
    job_id: str
    status: JobState
    message: str = Field(default="", description="A short sentence about the status, for people.")
    application_id: str | None = None
    stage: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None
    result_url: str | None = Field(
        default=None, description="COMPLETED only: a presigned GET of the report's JSON."
    )
    result_markdown_url: str | None = Field(
        default=None,
        description="COMPLETED only: a presigned GET of the same report as Markdown (same expiry).",
    )
    result_expires_at: datetime | None = Field(
        default=None, description="COMPLETED only: when both links stop working; ask the status again."
    )
    vpr_version: int | None = None
    word_count: int | None = None
    token_usage: TokenUsage | None = None
    sections_done: int | None = None
    """Sections mode, while generating: sections written so far (of ``sections_total``)."""
    sections_total: int | None = None
    sections_planned: list[PlannedSection] | None = Field(
        default=None, description="Sections mode, while generating: every section, in report order."
    )
    sections_ready: list[ReadySection] | None = Field(
        default=None,
        description="Sections mode, while generating: the sections written so far, with their text, in "
        "report order (a section the grounding check flagged is rewritten and arrives with the report).",
    )
    error: str | None = Field(default=None, description="FAILED only: a message safe to show the user.")
    error_code: str | None = Field(
        default=None, description="FAILED only: the Step Functions error name, e.g. CvNotFound."
    )
    retryable: bool | None = Field(
        default=None,
        description="FAILED only: true when the error is transient, so POST /api/vpr/{job_id}/retry may "
        "resume the job where it stopped.",
    )

    @model_validator(mode="before")
    @classmethod
    def _message_from_status(cls, values: Any) -> Any:
        if isinstance(values, dict) and not values.get("message") and values.get("status") in JobState:
            return {**values, "message": STATUS_MESSAGES[JobState(values["status"])]}
        return values
