"""Section writers: one section per call, for both generators (offline and claude).

Both modes write by the same rules: the offline writer calls the offline generator's own per-section
methods (so a sections-mode offline report equals the single-mode one, a test checks it), and the
Claude writer sends the section prompt of ``vpr.sections.prompt`` through ``ClaudeGenerator``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from vpr.errors import GenerationInvalidOutput
from vpr.generation import choose_generator_name
from vpr.generation.guard import Check, checked_model_calls
from vpr.models import Application, TokenUsage
from vpr.sections.models import SECTION_FIELDS, SECTION_MODELS, SectionJob
from vpr.sections.plan import target_words
from vpr.settings import Settings


@dataclass(frozen=True)
class SectionDraft:
    """One written section, what its calls cost, and the model that wrote it."""

    content: BaseModel
    token_usage: TokenUsage
    model: str | None


class SectionWriter(Protocol):
    name: str

    def write(
        self,
        application: Application,
        job: SectionJob,
        *,
        unsupported: list[str] | None = None,
        timeout: float | None = None,
    ) -> SectionDraft:
        """Write ``job``'s section from the application alone (every section, the summary too, so all
        can be written at once). ``unsupported``: claims the grounding check flagged in a previous
        draft (a regeneration)."""
        ...


class OfflineSectionWriter:
    """The offline generator, one section at a time (deterministic, no network, always grounded).

    ``delay_seconds`` (``VPR_OFFLINE_DELAY_SECONDS``) is how long the whole report takes the offline
    generator in single mode; a section takes its share of it (its target words over the report's), as
    a paced model would, so ``make run`` shows sections arriving one after another.
    """

    name = "offline"

    def __init__(self, delay_seconds: float = 0.0) -> None:
        self.delay_seconds = delay_seconds

    def write(
        self,
        application: Application,
        job: SectionJob,
        *,
        unsupported: list[str] | None = None,
        timeout: float | None = None,
    ) -> SectionDraft:
        from vpr.generation.offline import SectionWriter as OfflineSections  # its methods, not a copy

        if self.delay_seconds:
            requirements = len(application.job_posting.requirements)
            report = sum(target_words(kind, requirements) for kind in SECTION_FIELDS)
            time.sleep(self.delay_seconds * target_words(job.kind, len(job.requirements)) / report)

        if job.kind == "evidence":
            batch = application
            if job.requirements:
                posting = application.job_posting
                requirements = [posting.requirements[i] for i in job.requirements]
                batch = application.model_copy(
                    update={"job_posting": posting.model_copy(update={"requirements": requirements})}
                )
            evidence = OfflineSections(batch)
            content: dict[str, Any] = {
                "evidence_matrix": evidence.evidence_matrix(),
                "gap_strategies": evidence.gap_strategies(),
            }
        else:
            writer = OfflineSections(application)
            # Deterministic: the same rows the evidence jobs write, computed again from the application.
            matrix = writer.evidence_matrix()
            if job.kind == "summary":
                content = {"executive_summary": writer.executive_summary(matrix)}
            elif job.kind == "differentiators":
                content = {"differentiators": writer.differentiators()}
            elif job.kind == "culture":
                content = {"cultural_fit": writer.cultural_fit(matrix, writer.differentiators())}
            elif job.kind == "interview":
                content = {"talking_points": writer.talking_points(matrix, writer.differentiators())}
            else:
                content = {"keywords": writer.keywords()}
        section = SECTION_MODELS[job.kind].model_validate(content)
        return SectionDraft(section, TokenUsage(model=self.name), None)


class ClaudeSectionWriter:
    """Claude, one section per call: ``ClaudeGenerator``'s structured call with one repair round-trip.

    Errors are the same typed errors as the single-mode report's, so the Map item's Retry matches on them.
    """

    name = "claude"

    def __init__(self, settings: Settings) -> None:
        from vpr.generation.claude import ClaudeClient  # heavy SDK: section tasks only

        self._client = ClaudeClient(settings)
        self._model = settings.model

    def write(
        self,
        application: Application,
        job: SectionJob,
        *,
        unsupported: list[str] | None = None,
        timeout: float | None = None,
    ) -> SectionDraft:
        from vpr.generation import prompt
        from vpr.sections.prompt import SectionRequest, user_message

        def ask(extra: str | None = None) -> list[dict[str, Any]]:
            return [user_message(application, job, unsupported=unsupported, extra=extra)]

        request = SectionRequest(job=job, messages=ask(), fresh_messages=ask(prompt.truncated_retry_note()))
        budget = None if timeout is None else time.monotonic() + timeout
        try:
            answer, _, usage = self._client.structured_with_repair(
                request.schema,
                request.messages,
                purpose=f"section:{request.job.kind}",
                budget_deadline=budget,
                fresh_request=request.fresh_messages,
                system=request.system,
            )
        except GenerationInvalidOutput as error:
            message = f"The report's {request.job.id} section was not valid, even after a repair."
            raise GenerationInvalidOutput(message) from error
        return SectionDraft(answer.value, usage, getattr(answer.message, "model", None) or self._model)


class CheckedSectionWriter:
    """A writer that runs ``check`` before each section and before each model call inside it.

    The task's liveness check (``vpr.generation.guard``): a section not yet begun when its job was
    cancelled is not written. Installed in the thread that writes, so Assemble's concurrent
    regenerations are checked too.
    """

    def __init__(self, writer: SectionWriter, check: Check) -> None:
        self._writer = writer
        self._check = check
        self.name = writer.name

    def write(
        self,
        application: Application,
        job: SectionJob,
        *,
        unsupported: list[str] | None = None,
        timeout: float | None = None,
    ) -> SectionDraft:
        with checked_model_calls(self._check):
            self._check()
            return self._writer.write(application, job, unsupported=unsupported, timeout=timeout)


def get_section_writer(settings: Settings) -> SectionWriter:
    """The section writer of the generator ``VPR_GENERATOR`` selects (auto: Claude when a key is set)."""
    if choose_generator_name(settings) == "claude":
        return ClaudeSectionWriter(settings)
    return OfflineSectionWriter(delay_seconds=settings.offline_delay_seconds)
