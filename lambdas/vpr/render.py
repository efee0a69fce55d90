"""A readable Markdown rendering of a report, stored next to its JSON."""

from __future__ import annotations

from vpr.models import VprReport

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


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: VprReport) -> str:
    h = _HEADINGS[report.language]
    lines = [f"# {h['title']}", "", f"## {h['summary']}", "", report.executive_summary, ""]
    lines += [f"## {h['evidence']}", ""]
    lines += [
        f"| {h['requirement']} | {h['evidence_col']} | {h['alignment']} | {h['impact']} |",
        "|---|---|---|---|",
    ]
    for item in report.evidence_matrix:
        cells = (item.requirement, item.evidence, item.alignment_score, item.impact_potential)
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", f"## {h['differentiators']}", ""]
    lines += [f"- {d}" for d in report.differentiators]
    if report.gap_strategies:
        lines += ["", f"## {h['gaps']}", ""]
        for strategy in report.gap_strategies:
            lines += [f"### {strategy.gap}", "", strategy.mitigation_approach, ""]
            if strategy.transferable_skills:
                lines += [f"*{h['transferable']}:* " + ", ".join(strategy.transferable_skills), ""]
    lines += ["", f"## {h['culture']}", "", report.cultural_fit, "", f"## {h['talking']}", ""]
    lines += [f"{i}. {point}" for i, point in enumerate(report.talking_points, start=1)]
    lines += ["", f"## {h['keywords']}", "", ", ".join(report.keywords), "", "---", ""]
    generator = report.generator.name + (f" ({report.generator.model})" if report.generator.model else "")
    footer = h["footer"].format(
        version=report.version,
        word_count=report.word_count,
        generator=generator,
        created_at=report.created_at.isoformat(),
    )
    lines.append(f"*{footer}*")
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"
