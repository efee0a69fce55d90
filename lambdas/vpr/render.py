"""A readable Markdown rendering of a report, stored next to its JSON.

Every value in a report came from the application or from a model that read it, so every value is
escaped before it is interpolated: HTML (``<script>``, ``<img onerror>``) becomes entities, Markdown
punctuation (links, emphasis, tables) is backslash-escaped, and block markers at a line start
(``#``, ``>``, ``-``, ``1.``, ``===``) lose their meaning. A web client rendering the ``.md`` with a
common Markdown library gets text only: no raw HTML, no links, no injected headings or tables.
"""

from __future__ import annotations

import re

from vpr.models import VprReport

_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
#: CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that start structure
#: inline (emphasis, code, links, images, tables, strikethrough, autolinks).
_INLINE = re.compile(r"([\\`*_\[\]()|~!{}])")
#: What makes a line a heading, quote, list item, thematic break, setext underline or code fence.
_LINE_START = re.compile(r"^(\d+(?=[.)])|)([#>+=.)-])")


def md_inline(value: str) -> str:
    """One value inside a line (table cell, list item, heading): newlines become spaces."""
    return _escape_line(" ".join(value.split()))


def md_paragraphs(value: str) -> str:
    """A block of text: paragraphs kept (blank lines), every line escaped, no indented code blocks."""
    paragraphs = [p for p in re.split(r"\n\s*\n", value) if p.strip()]
    return "\n\n".join(
        "\n".join(_escape_line(line.strip()) for line in p.splitlines() if line.strip()) for p in paragraphs
    )


def _escape_line(line: str) -> str:
    escaped = _INLINE.sub(r"\\\1", line.translate(_HTML))
    return _LINE_START.sub(r"\1\\\2", escaped)  # "# x" -> "\# x", "1. x" -> "1\. x"


_HEADINGS = {
    "en": {
        "title": "Value Proposition Report",
        "summary": "Executive summary",
        "evidence": "Evidence matrix",
        "requirement": "Requirement",
        "evidence_col": "Evidence",
        "alignment": "Alignment",
        "impact": "Impact potential",
        "differentiators": "Differentiators",
        "gaps": "Gap strategies",
        "transferable": "Transferable skills",
        "culture": "Cultural fit",
        "talking": "Talking points",
        "keywords": "Keywords",
        "footer": "Version {version} · {word_count} words · written by {generator} · {created_at}",
    },
    "he": {
        "title": "דוח הצעת ערך",
        "summary": "תקציר מנהלים",
        "evidence": "מטריצת ראיות",
        "requirement": "דרישה",
        "evidence_col": "ראיה",
        "alignment": "התאמה",
        "impact": "פוטנציאל השפעה",
        "differentiators": "מבדלים",
        "gaps": "אסטרטגיות לפערים",
        "transferable": "כישורים מועברים",
        "culture": "התאמה תרבותית",
        "talking": "נקודות לשיחה",
        "keywords": "מילות מפתח",
        "footer": "גרסה {version} · {word_count} מילים · נכתב על ידי {generator} · {created_at}",
    },
}


def render_markdown(report: VprReport) -> str:
    h = _HEADINGS[report.language]
    lines = [f"# {h['title']}", "", f"## {h['summary']}", "", md_paragraphs(report.executive_summary), ""]
    lines += [f"## {h['evidence']}", ""]
    lines += [
        f"| {h['requirement']} | {h['evidence_col']} | {h['alignment']} | {h['impact']} |",
        "|---|---|---|---|",
    ]
    for item in report.evidence_matrix:
        cells = (item.requirement, item.evidence, item.alignment_score, item.impact_potential)
        lines.append("| " + " | ".join(md_inline(c) for c in cells) + " |")
    lines += ["", f"## {h['differentiators']}", ""]
    lines += [f"- {md_inline(d)}" for d in report.differentiators]
    if report.gap_strategies:
        lines += ["", f"## {h['gaps']}", ""]
        for strategy in report.gap_strategies:
            lines += [f"### {md_inline(strategy.gap)}", "", md_paragraphs(strategy.mitigation_approach), ""]
            if strategy.transferable_skills:
                skills = ", ".join(md_inline(s) for s in strategy.transferable_skills)
                lines += [f"*{h['transferable']}:* {skills}", ""]
    lines += ["", f"## {h['culture']}", "", md_paragraphs(report.cultural_fit), "", f"## {h['talking']}", ""]
    lines += [f"{i}. {md_inline(point)}" for i, point in enumerate(report.talking_points, start=1)]
    lines += ["", f"## {h['keywords']}", "", ", ".join(md_inline(k) for k in report.keywords), "", "---", ""]
    model = f" ({report.generator.model})" if report.generator.model else ""
    generator = md_inline(report.generator.name + model)
    footer = h["footer"].format(
        version=report.version,
        word_count=report.word_count,
        generator=generator,
        created_at=report.created_at.isoformat(),
    )
    lines.append(f"*{footer}*")
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"
