"""Plan: split one report into section jobs that do not depend on each other.

Independent sections, in the report's reading order: the executive summary; the evidence matrix and its
gap strategies, per batch of job requirements (a gap strategy belongs to its requirement's evidence row);
the differentiators; the cultural fit; the talking points; the keywords. The summary is written from the
application at the same time as the others (not afterwards from the finished sections), so nothing waits
for a serial call: a job takes about one first-token wait + its longest section + Assemble's checks.

Why this granularity (the README has the measured figures): the longest job decides when the report is
complete, the shortest when the page first shows a section, and each extra call re-sends the application
(uncached input tokens). Differentiators and cultural fit are separate jobs (together ~370 words);
the keywords (~15 words) are a job of their own, so a first section is on the page within about one
first-token wait; evidence comes in batches of ``VPR_SECTION_BATCH_SIZE`` requirements (default 2,
~290 words with their gap strategies: about as long as the summary or the talking points, and half the
calls of one requirement per job).

A posting without a requirements list gets one evidence job over the whole posting (the writer reads
the requirements from the description).
"""

from __future__ import annotations

from vpr.models import Application
from vpr.sections.models import SECTION_FIELDS, Plan, SectionJob
from vpr.settings import Settings

#: Target words per unit, the midpoints of ``vpr.generation.prompt.SECTION_BUDGETS`` (the prompt states
#: the ranges; these numbers estimate a section's length, e.g. for the benchmark's paced fake).
TARGET_WORDS = {
    "executive_summary": 215,
    "evidence_item": 107,  # evidence 60-90 + impact 25-40 words
    "gap_strategy": 80,  # mitigation 60-90 words + skills
    "differentiators": 220,  # 3-5 items of 40-70 words
    "cultural_fit": 150,
    "talking_points": 210,  # 5-7 points of 25-45 words
    "keywords": 15,
}
#: Posting without a requirements list: the writer derives up to this many from the description.
DEFAULT_REQUIREMENTS = 6


def plan_sections(application: Application, settings: Settings) -> Plan:
    """The plan for ``settings.generation_mode``; single mode has no section jobs."""
    if settings.generation_mode == "single":
        return Plan(mode="single")
    count = len(application.job_posting.requirements)
    size = settings.section_batch_size
    batches = [list(range(start, min(start + size, count))) for start in range(0, count, size)] or [[]]
    jobs: list[SectionJob] = []
    for kind in SECTION_FIELDS:  # the report's reading order
        if kind == "evidence":
            jobs += [
                SectionJob(id=f"evidence-{n}", kind=kind, requirements=b) for n, b in enumerate(batches, 1)
            ]
        else:
            jobs.append(SectionJob(id=kind, kind=kind))
    return Plan(mode="sections", sections=jobs)


def target_words(kind: str, requirements: int) -> int:
    """Expected words of a section (gap strategies for about half of the requirements)."""
    w = TARGET_WORDS
    if kind == "evidence":
        n = requirements or DEFAULT_REQUIREMENTS
        return n * w["evidence_item"] + n * w["gap_strategy"] // 2
    if kind == "differentiators":
        return w["differentiators"]
    if kind == "culture":
        return w["cultural_fit"]
    if kind == "interview":
        return w["talking_points"]
    if kind == "keywords":
        return w["keywords"]
    return w["executive_summary"]
