"""The interface every report generator implements, and what they share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from vpr.models import Application, ReportContent, TokenUsage, Verification, VprReport
from vpr.models.report import GeneratorInfo
from vpr.report_text import count_words, report_text


class GenerationResult(BaseModel):
    """What Generate returns into the workflow state (``$.generation``)."""

    model_config = ConfigDict(frozen=True)

    report: VprReport
    token_usage: TokenUsage


class ReportGenerator(Protocol):
    """Writes the report sections for an application. Raises the typed errors of ``vpr.errors``."""

    name: str

    def generate(
        self, application: Application, *, time_budget_seconds: float | None = None
    ) -> GenerationResult:
        """``time_budget_seconds``: the Lambda time left; a network generator fits its calls in it."""
        ...


def assemble_report(
    content: ReportContent,
    application: Application,
    generator: GeneratorInfo,
    verification: Verification | None,
) -> VprReport:
    """Wrap generated sections with the report's metadata; the word count is always computed here."""
    return VprReport(
        **content.model_dump(),
        application_id=application.application_id,
        user_id=application.user_id,
        language=application.job_posting.language,
        created_at=datetime.now(UTC),
        word_count=count_words(report_text(content)),
        generator=generator,
        verification=verification,
    )
