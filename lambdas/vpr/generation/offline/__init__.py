"""The offline generator: a deterministic report written from the inputs alone, with no network.

It is the default for local runs and tests. It says what it is in ``generator.name``; it does not pretend
to be Claude, and its reports are shorter and plainer than Claude's. What it reasons about:

* **Evidence.** Each requirement is matched to the CV line (a role, a highlight, a skill, a
  certification, the headline or summary) that covers most of its meaningful words. A requirement is
  STRONG when the CV covers most of it, MODERATE when it covers part of it or only a gap answer speaks
  to it (the candidate's word, not CV evidence), DEVELOPING when nothing does.
* **Years.** "5+ years L&D experience", "at least 3 years", "5+ שנות ניסיון": the years come from the
  CV's dates (``vpr.experience``: whole years, "present" = this year), counting the roles that match the
  requirement's subject (all roles when it names none). Enough years is STRONG; most of them MODERATE.
* **Gaps.** Only requirements that are not STRONG get a gap strategy, built from the closest
  transferable facts: the best partial CV evidence, the candidate's gap answer, related skills.
* **Keywords** are the posting's phrases ("training programs", "L&D experience"), not single words,
  kept when the CV backs them; **talking points** are kept only when they do not repeat an earlier one.

Every sentence is a template filled with text copied from the inputs (or a year count computed from
their dates), so it cannot invent an employer, a title or a number — the grounding check agrees.

One method per report section on :class:`SectionWriter`, so a caller can write sections separately.
"""

from __future__ import annotations

import time

from vpr.generation.base import GenerationResult, assemble_report
from vpr.generation.offline.writer import SectionWriter
from vpr.grounding import verify_report
from vpr.models import Application, ReportContent, TokenUsage
from vpr.models.report import GeneratorInfo

__all__ = ["GENERATOR_NAME", "OfflineGenerator", "SectionWriter"]

GENERATOR_NAME = "offline"


class OfflineGenerator:
    name = GENERATOR_NAME

    def __init__(self, delay_seconds: float = 0.0) -> None:
        self.delay_seconds = delay_seconds
        """``VPR_OFFLINE_DELAY_SECONDS``: take as long as Claude would, so load tests keep jobs running."""

    def generate(
        self, application: Application, *, time_budget_seconds: float | None = None
    ) -> GenerationResult:
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        content = self.write(application)
        report = assemble_report(
            content,
            application,
            GeneratorInfo(name=GENERATOR_NAME, model=None),
            verify_report(content, application),
        )
        return GenerationResult(report=report, token_usage=TokenUsage(model=GENERATOR_NAME))

    def write(self, application: Application) -> ReportContent:
        writer = SectionWriter(application)
        matrix = writer.evidence_matrix()
        differentiators = writer.differentiators()
        return ReportContent(
            executive_summary=writer.executive_summary(matrix),
            evidence_matrix=matrix,
            differentiators=differentiators,
            gap_strategies=writer.gap_strategies(),
            cultural_fit=writer.cultural_fit(matrix, differentiators),
            talking_points=writer.talking_points(matrix, differentiators),
            keywords=writer.keywords(),
        )
