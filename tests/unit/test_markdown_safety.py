"""The stored ``.md`` report carries no markup from the application (issue 13.5).

Hostile text goes into every field of the application (offline generator, which copies inputs into the
report) and into every field of a report (as a model such as Claude could return it); the Markdown is
rendered with two common libraries, and the HTML they produce must hold text only.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import markdown as python_markdown
import pytest
from markdown_it import MarkdownIt

from tests.fakes.samples import example_application
from vpr.generation.offline import OfflineGenerator
from vpr.models import Application, VprReport
from vpr.render import render_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "<a href='javascript:alert(1)'>x</a>",
    "x\n# Injected heading\n",
    "x\n\n---\n\n## Injected\n| a | b |\n|---|---|\n| c | d |",
    "<javascript:alert(1)>",
    "1. injected list\n- more",
    "**bold** _em_ `code` ~~strike~~",
    "> quote\n===",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
]
HOSTILE = " ".join(PAYLOADS)

#: The elements the report's own structure produces; anything else came from the data.
ALLOWED_TAGS = {
    "h1",
    "h2",
    "h3",
    "p",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "ul",
    "ol",
    "li",
    "em",
    "hr",
}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, attrs))


def _renderings(markdown_text: str) -> dict[str, str]:
    return {
        "markdown-it-py": MarkdownIt("commonmark")
        .enable("table")
        .enable("strikethrough")
        .render(markdown_text),
        "python-markdown": python_markdown.markdown(markdown_text, extensions=["tables"]),
    }


def _assert_text_only(markdown_text: str, expected_headings: int) -> None:
    for library, html in _renderings(markdown_text).items():
        parser = _Tags()
        parser.feed(html)
        tags = [tag for tag, _ in parser.tags]
        assert set(tags) <= ALLOWED_TAGS, (library, set(tags) - ALLOWED_TAGS)
        assert not any(attrs for _, attrs in parser.tags), library  # no href, src, onerror, ...
        assert sum(tag in {"h1", "h2", "h3"} for tag in tags) == expected_headings, library
        assert "<script" not in html and "javascript:" not in re.sub(r">[^<]*<", "><", html), library
        assert tags.count("table") == 1, library  # only the evidence matrix


def _hostile_application() -> Application:
    data = example_application()
    posting = data["job_posting"]
    posting["company_name"] = HOSTILE[:200]
    posting["role_title"] = "<b>Manager</b> [x](javascript:alert(1))"
    posting["requirements"] = [f"{p} 5+ years" for p in PAYLOADS]
    posting["responsibilities"] = PAYLOADS
    data["gap_responses"] = [{"question": p, "answer": HOSTILE} for p in PAYLOADS[:5]]
    data["company_context"] = {"mission": HOSTILE[:2000], "values": PAYLOADS, "industry": "<i>x</i>"}
    data["cv"]["summary"] = HOSTILE
    return Application.model_validate(data)


def test_offline_report_of_a_hostile_application_renders_as_text_only():
    report = OfflineGenerator().generate(_hostile_application()).report

    markdown_text = render_markdown(report)

    headings = 7 + (1 + len(report.gap_strategies) if report.gap_strategies else 0)  # h1 + 6 h2 + gaps
    _assert_text_only(markdown_text, headings)


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_report_with_markup_in_every_field_renders_as_text_only(language):
    report = VprReport(
        application_id="app-1",
        user_id="user-1",
        language=language,
        created_at=datetime(2026, 11, 30, tzinfo=UTC),
        word_count=100,
        generator={"name": "claude", "model": "<script>m</script>"},
        executive_summary=HOSTILE,
        evidence_matrix=[
            {"requirement": p, "evidence": p, "alignment_score": "STRONG", "impact_potential": p}
            for p in PAYLOADS
        ],
        differentiators=PAYLOADS,
        gap_strategies=[
            {"gap": p, "mitigation_approach": HOSTILE, "transferable_skills": PAYLOADS} for p in PAYLOADS
        ],
        cultural_fit=HOSTILE,
        talking_points=PAYLOADS[:7],
        keywords=PAYLOADS,
    )

    markdown_text = render_markdown(report)

    _assert_text_only(markdown_text, expected_headings=7 + 1 + len(PAYLOADS))
    for payload in ("alert(1)", "Injected heading", "onerror"):
        assert payload in "".join(_renderings(markdown_text).values()), "text is kept, only made inert"


def test_plain_text_stays_readable():
    from vpr.render import md_inline

    assert md_inline("5+ years of L&D, 30% growth") == "5+ years of L&amp;D, 30% growth"
