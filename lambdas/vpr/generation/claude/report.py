"""The ``claude`` generator's single-mode report: write, validate (one repair), ground-check (one
regeneration), assemble."""

from __future__ import annotations

import logging
import time
from typing import Any

from vpr.errors import VprError
from vpr.generation import prompt
from vpr.generation.base import GenerationResult, assemble_report
from vpr.generation.claude.client import ClaudeClient, StructuredAnswer
from vpr.grounding import verify_report
from vpr.models import Application, ReportContent, TokenUsage, Verification
from vpr.models.report import GeneratorInfo

GENERATOR_NAME = "claude"

logger = logging.getLogger(__name__)


class ClaudeGenerator(ClaudeClient):
    """The whole report in one call (single mode): the ``ReportGenerator`` of ``VPR_GENERATOR=claude``."""

    name = GENERATOR_NAME

    def generate(
        self, application: Application, *, time_budget_seconds: float | None = None
    ) -> GenerationResult:
        """Write, validate (one repair), ground-check (one regeneration) and assemble the report.

        ``time_budget_seconds`` (the Lambda's remaining time minus a margin) bounds every call, retries
        included; past it the step raises ``ClaudeTimeout``.
        """
        budget = None if time_budget_seconds is None else time.monotonic() + time_budget_seconds
        first = [prompt.user_message(application)]
        fresh = [prompt.user_message(application, extra=prompt.truncated_retry_note())]
        answer, conversation, usage = self.structured_with_repair(
            ReportContent, first, purpose="write", budget_deadline=budget, fresh_request=fresh
        )
        content: ReportContent = answer.value  # type: ignore[assignment]
        verification = verify_report(content, application)
        if not verification.grounded:  # one regeneration with the unsupported claims as feedback
            try:
                self._require_time(budget)
                content, verification, call_usage = self._regenerate(
                    application, conversation, answer, verification, budget
                )
                usage += call_usage
            except VprError as error:  # best effort: the first valid report stands, with its verification
                logger.warning(
                    "Regeneration skipped or failed; keeping the first report", extra={"error": error.code}
                )

        model = getattr(answer.message, "model", None) or self._settings.model
        report = assemble_report(
            content, application, GeneratorInfo(name=GENERATOR_NAME, model=model), verification
        )
        return GenerationResult(report=report, token_usage=usage)

    def _regenerate(
        self,
        application: Application,
        conversation: list[dict[str, Any]],
        answer: StructuredAnswer[ReportContent],
        verification: Verification,
        budget: float | None,
    ) -> tuple[ReportContent, Verification, TokenUsage]:
        """Ask once more without the unsupported claims; keep whichever report has fewer of them."""
        assert answer.value is not None
        follow_up = [
            *conversation,
            answer.assistant_turn(),
            {"role": "user", "content": prompt.grounding_feedback(list(verification.unsupported_claims))},
        ]
        second = self.structured_call(
            ReportContent, follow_up, purpose="regenerate", deadline=self.call_deadline(budget)
        )
        if second.value is None:
            return answer.value, verification, second.usage
        second_verification = verify_report(second.value, application)
        if len(second_verification.unsupported_claims) <= len(verification.unsupported_claims):
            return second.value, second_verification, second.usage
        return answer.value, verification, second.usage
