"""Section writers: one section per call, for both generators (offline and claude).

Both modes write by the same rules: the offline writer calls the offline generator's own per-section
methods (so a sections-mode offline report equals the single-mode one, a test checks it), and the
Claude writer sends the section prompt of ``vpr.sections.prompt`` through ``ClaudeGenerator``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from vpr.generation import choose_generator_name
from vpr.models import Application, TokenUsage
from vpr.models.report import EvidenceItem
from vpr.sections.models import SECTION_MODELS, SectionJob
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
        finished: dict[str, Any] | None = None,
        unsupported: list[str] | None = None,
        timeout: float | None = None,
    ) -> SectionDraft:
        """Write ``job``'s section. ``finished``: the other sections (summary only); ``unsupported``:
        claims the grounding check flagged in a previous draft (a regeneration)."""
        ...


class OfflineSectionWriter:
    """The offline generator, one section at a time (deterministic, no network, always grounded)."""

    name = "offline"

    def write(
        self,
        application: Application,
        job: SectionJob,
        *,
        finished: dict[str, Any] | None = None,
        unsupported: list[str] | None = None,
        timeout: float | None = None,
    ) -> SectionDraft:
        from vpr.generation.offline import _RANK, _Writer  # its per-section methods, not a copy of them

        if job.kind == "evidence":
            batch = application
            if job.requirements:
                posting = application.job_posting
                requirements = [posting.requirements[i] for i in job.requirements]
                batch = application.model_copy(
                    update={"job_posting": posting.model_copy(update={"requirements": requirements})}
                )
            writer = _Writer(batch)
            matrix = writer.evidence_matrix()
            content: dict[str, Any] = {
                "evidence_matrix": matrix,
                "gap_strategies": writer.gap_strategies(matrix),
            }
        else:
            writer = _Writer(application)
            if job.kind == "summary":
                matrix = [EvidenceItem.model_validate(i) for i in (finished or {}).get("evidence_matrix", [])]
                matrix = matrix or writer.evidence_matrix()
            else:
                matrix = (
                    writer.evidence_matrix()
                )  # cheap and deterministic: the same rows the evidence jobs wrote
            by_strength = sorted(matrix, key=lambda m: _RANK[m.alignment_score])
            supported = [m for m in by_strength if m.alignment_score != "DEVELOPING"]
            if job.kind == "summary":
                content = {"executive_summary": writer.executive_summary(by_strength)}
            else:
                differentiators = writer.differentiators()
                if job.kind == "differentiators":
                    content = {"differentiators": differentiators}
                elif job.kind == "culture":
                    content = {"cultural_fit": writer.cultural_fit(supported, differentiators)}
                else:
                    content = {
                        "talking_points": writer.talking_points(matrix, differentiators),
                        "keywords": writer.keywords(),
                    }
        section = SECTION_MODELS[job.kind].model_validate(content)
        return SectionDraft(section, TokenUsage(model=self.name), None)


class ClaudeSectionWriter:
    """Claude, one section per call (``ClaudeGenerator.write_section``)."""

    name = "claude"

    def __init__(self, settings: Settings) -> None:
        from vpr.generation.claude import ClaudeGenerator  # heavy SDK: section tasks only

        self._generator = ClaudeGenerator(settings)

    def write(
        self,
        application: Application,
        job: SectionJob,
        *,
        finished: dict[str, Any] | None = None,
        unsupported: list[str] | None = None,
        timeout: float | None = None,
    ) -> SectionDraft:
        from vpr.sections.prompt import SectionRequest, user_message

        message = user_message(application, job, finished=finished, unsupported=unsupported)
        return self._generator.write_section(SectionRequest(job=job, messages=[message]), timeout=timeout)


def get_section_writer(settings: Settings) -> SectionWriter:
    """The section writer of the generator ``VPR_GENERATOR`` selects (auto: Claude when a key is set)."""
    if choose_generator_name(settings) == "claude":
        return ClaudeSectionWriter(settings)
    return OfflineSectionWriter()
