"""What the HTTP API returns."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from vpr.models.usage import TokenUsage


class JobState(StrEnum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class _Response(BaseModel):
    model_config = ConfigDict(frozen=True)


class JobError(_Response):
    code: str
    message: str


class FieldProblem(_Response):
    field: str
    message: str


class ErrorBody(_Response):
    code: str
    message: str
    fields: list[FieldProblem] = []


class ErrorResponse(_Response):
    error: ErrorBody


class SubmitResponse(_Response):
    job_id: str
    status: JobState
    status_url: str
    message: str
    created_at: datetime


class JobStatusResponse(_Response):
    job_id: str
    status: JobState
    application_id: str | None = None
    stage: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None
    result_url: str | None = None
    result_expires_at: datetime | None = None
    vpr_version: int | None = None
    word_count: int | None = None
    token_usage: TokenUsage | None = None
    error: JobError | None = None
    sections_done: int | None = None
    """Sections mode, while generating: sections written so far (of ``sections_total``)."""
    sections_total: int | None = None
