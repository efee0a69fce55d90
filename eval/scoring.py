"""How one report is scored against the application it was written for. Every score is computed from
the report and the inputs only (the report's own ``verification`` is not trusted: it is recomputed).

* **coverage** — share of the posting's requirements that have a row in the evidence matrix.
* **consistency** — no requirement rated STRONG is listed as a gap, and every requirement not rated
  STRONG has a gap strategy (share of requirements for which both hold).
* **labels** — agreement with the set's labels: a requirement labelled met is STRONG, one labelled
  unmet is not (share of labelled requirements; unlabelled ones are not counted).
* **unsupported** — claims the grounding check finds (``vpr.grounding``).
* **budget** — section budgets broken (word and item limits below: the upper bounds of the Claude
  prompt's budgets, which the offline generator's shorter report must respect too; a Claude report must
  also reach the 1,500 words it is asked for).
* **language** — the report's language is the posting's, and its own prose is in that script.
* **complete** — every section present and within its item counts; talking points do not repeat.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from vpr.grounding import verify_report
from vpr.models import Application, VprReport
from vpr.report_text import count_words

#: Upper word bounds per item, and item-count bounds per section.
WORD_BUDGETS = {
    "executive_summary": 250,
    "evidence": 90,
    "impact_potential": 40,
    "differentiator": 70,
    "mitigation_approach": 90,
    "cultural_fit": 180,
    "talking_point": 45,
    "keyword": 6,
}
ITEM_BUDGETS = {"differentiators": (1, 5), "talking_points": (5, 7), "keywords": (3, 20)}
TOTAL_WORDS = 2_000
#: Claude is asked for 1,500-2,000 words; the offline generator is documented as shorter, so the lower
#: bound applies to Claude's reports only (``claude=True``).
CLAUDE_MIN_WORDS = 1_500

_TOKEN = re.compile(r"[^\W\d_]{3,}")


def _words(text: str) -> frozenset[str]:
    return frozenset(w.casefold()[:5] for w in _TOKEN.findall(text))


def _repeats(a: str, b: str) -> bool:
    """Two talking points repeat each other when most of the shorter one's words are in the other."""
    wa, wb = _words(a), _words(b)
    return bool(wa and wb) and len(wa & wb) / min(len(wa), len(wb)) >= 0.8


def _same_requirement(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


@dataclass
class Score:
    """The scores of one report (see the module docstring)."""

    id: str
    language: str
    cv_source: str
    requirements: int
    coverage: float
    consistency: float
    labels: float | None
    unsupported: list[str]
    budget: list[str]
    language_ok: bool
    complete: list[str]
    words: int
    strong: int
    gaps: int
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _script_share(text: str, language: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    hebrew = sum("\u0590" <= c <= "\u05ff" for c in letters)
    return (hebrew if language == "he" else len(letters) - hebrew) / len(letters)


def _template_prose(report: VprReport, application: Application) -> str:
    """The report's prose minus what it quotes from the inputs: the generator's own language."""
    text = " ".join([report.executive_summary, report.cultural_fit])
    quoted = [*application.job_posting.requirements, *application.job_posting.responsibilities]
    cv = application.cv
    quoted += [x for x in (cv.headline, cv.summary, application.job_posting.role_title) if x]
    quoted += [application.job_posting.company_name]
    quoted += [h for job in cv.experience for h in (*job.highlights, job.title, job.company)]
    quoted += [
        *cv.skills,
        *cv.certifications,
        *(v for c in [application.company_context] if c for v in c.values),
    ]
    for piece in sorted(quoted, key=len, reverse=True):
        text = text.replace(piece, " ")
    return text


def score_report(
    report: VprReport,
    application: Application,
    *,
    app_id: str,
    cv_source: str,
    met: list[str] | None = None,
    unmet: list[str] | None = None,
    claude: bool = False,
) -> Score:
    requirements = list(application.job_posting.requirements)
    rows = report.evidence_matrix
    covered = [r for r in requirements if any(_same_requirement(r, row.requirement) for row in rows)]
    coverage = len(covered) / len(requirements) if requirements else 1.0

    gaps = [g.gap for g in report.gap_strategies]
    consistent = 0
    problems: list[str] = []
    for row in rows:
        is_gap = any(_same_requirement(row.requirement, g) for g in gaps)
        if (row.alignment_score == "STRONG") != is_gap:
            consistent += 1
        else:
            problems.append(
                f"{row.alignment_score} {'listed' if is_gap else 'not listed'} as a gap: {row.requirement}"
            )
    consistency = consistent / len(rows) if rows else 0.0

    labelled = [(r, True) for r in met or []] + [(r, False) for r in unmet or []]
    agree = 0
    for requirement, is_met in labelled:
        row = next((row for row in rows if _same_requirement(row.requirement, requirement)), None)
        if row is not None and (row.alignment_score == "STRONG") == is_met:
            agree += 1
        else:
            got = row.alignment_score if row else "missing"
            problems.append(f"labelled {'met' if is_met else 'unmet'}, rated {got}: {requirement}")
    labels = agree / len(labelled) if labelled else None

    unsupported = list(verify_report(report, application).unsupported_claims)

    budget = []
    items = [("executive_summary", report.executive_summary), ("cultural_fit", report.cultural_fit)]
    items += [("evidence", row.evidence) for row in rows] + [
        ("impact_potential", r.impact_potential) for r in rows
    ]
    items += [("differentiator", d) for d in report.differentiators]
    items += [("mitigation_approach", g.mitigation_approach) for g in report.gap_strategies]
    items += [("talking_point", t) for t in report.talking_points] + [("keyword", k) for k in report.keywords]
    for name, text in items:
        if count_words(text) > WORD_BUDGETS[name]:
            budget.append(f"{name} over {WORD_BUDGETS[name]} words: {count_words(text)}")
    for name, (low, high) in ITEM_BUDGETS.items():
        count = len(getattr(report, name))
        if not low <= count <= high:
            budget.append(f"{name}: {count} items, not {low}-{high}")
    if report.word_count > TOTAL_WORDS:
        budget.append(f"report over {TOTAL_WORDS} words: {report.word_count}")
    if claude and report.word_count < CLAUDE_MIN_WORDS:
        budget.append(f"report under {CLAUDE_MIN_WORDS} words: {report.word_count}")

    posting_language = application.job_posting.language
    share = _script_share(_template_prose(report, application), posting_language)
    language_ok = report.language == posting_language and share >= 0.6

    complete = []
    if not rows or any(not (row.evidence.strip() and row.impact_potential.strip()) for row in rows):
        complete.append("evidence matrix row without evidence or impact")
    if not report.executive_summary.strip() or not report.cultural_fit.strip():
        complete.append("empty summary or cultural fit")
    if any(not g.mitigation_approach.strip() for g in report.gap_strategies):
        complete.append("gap strategy without a mitigation")
    points = report.talking_points
    repeats = [(a, b) for i, a in enumerate(points) for b in points[i + 1 :] if _repeats(a, b)]
    if repeats:
        complete.append(f"{len(repeats)} talking point pair(s) repeat each other")
    if len({k.casefold() for k in report.keywords}) != len(report.keywords):
        complete.append("repeated keywords")

    return Score(
        id=app_id,
        language=posting_language,
        cv_source=cv_source,
        requirements=len(requirements),
        coverage=coverage,
        consistency=consistency,
        labels=labels,
        unsupported=unsupported,
        budget=budget,
        language_ok=language_ok,
        complete=complete,
        words=report.word_count,
        strong=sum(row.alignment_score == "STRONG" for row in rows),
        gaps=len(gaps),
        problems=problems,
    )
