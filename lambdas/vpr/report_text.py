"""The report's prose as one text: for counting words and for checking claims against the inputs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from vpr.models import ReportContent

_WORD = re.compile(r"\w+(?:['’\-]\w+)*", re.UNICODE)


def report_sections(content: ReportContent) -> Iterator[str]:
    """Every piece of prose the reader sees, in reading order."""
    yield content.executive_summary
    for item in content.evidence_matrix:
        yield from (item.requirement, item.evidence, item.impact_potential)
    yield from content.differentiators
    for strategy in content.gap_strategies:
        yield from (strategy.gap, strategy.mitigation_approach, *strategy.transferable_skills)
    yield content.cultural_fit
    yield from content.talking_points
    yield from content.keywords


def report_text(content: ReportContent) -> str:
    return "\n".join(report_sections(content))


def count_words(text: str) -> int:
    """Words as a reader counts them, in any script (Hebrew included); 'L&D' and 'co-founded' count once."""
    return len(_WORD.findall(text.replace("&", "")))
