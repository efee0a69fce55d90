"""The offline generator: a deterministic report written from the inputs alone, with no network.

It is the default for local runs and tests. It matches each requirement to the CV line (or gap answer)
that shares the most meaningful words with it, scores the alignment by that overlap, and writes every
section from templates filled only with text taken from the inputs, so it cannot invent an employer,
a title or a number. It says what it is in ``generator.name``; it does not pretend to be Claude, and
its reports are shorter and plainer than Claude's.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from vpr.generation.base import GenerationResult, assemble_report
from vpr.grounding import verify_report
from vpr.models import Application, ReportContent, TokenUsage
from vpr.models.report import AlignmentScore, EvidenceItem, GapStrategy, GeneratorInfo

GENERATOR_NAME = "offline"

_TOKEN = re.compile(r"[^\W_]+(?:&[^\W_]+)*", re.UNICODE)  # "L&D" is one word
_STOPWORDS = frozenset(
    """a an and are as at be by for from has have in into is it its of on or our the their to we will
    with you your years year experience strong ability skills skill work working team teams
    של את על עם או גם כי זה הוא היא אנחנו""".split()
)

_PHRASES = {
    "en": {
        "summary": (
            "{headline}This report maps the candidate's CV to the {role} role at {company}, requirement "
            "by requirement. The strongest match is “{best_requirement}”, backed by: {best_evidence}."
        ),
        "no_evidence": "No direct evidence in the CV yet; see the gap strategies.",
        "impact": "Brings proven practice to “{responsibility}” from day one.",
        "impact_default": "Directly supports what {company} asks of the {role}.",
        "differentiator": "At {company} as {title}: {highlight}",
        "certification": "Holds the certification: {certification}",
        "gap_answer": "The candidate's own account: “{answer}”. {plan}",
        "gap_plan": "Address it openly in the interview and point to the related CV evidence.",
        "culture_values": "{company} states these values: {values}. The CV's record — {evidence} — shows "
        "them in practice.",
        "culture_default": "The CV shows a track record relevant to {company}'s {role} role: {evidence}.",
        "talking_requirement": "On “{requirement}”: {evidence}",
        "talking_gap": "When asked “{question}”: {answer}",
        "talking_role": "Why {company}: the {role} role matches the experience as {title} at {employer}.",
        "talking_prepare": "Prepare a concrete example for “{requirement}”.",
        # Generic, number-free questions: the last resort that keeps every report at five points.
        "talking_generic": [
            "Ask how success in the {role} role is measured at {company}.",
            "Ask which part of the {role} role matters most to the team right now.",
            "Explain in one sentence why {company} is the right next step for you.",
        ],
    },
    "he": {
        "summary": (
            "{headline}דוח זה ממפה את קורות החיים של המועמד/ת לתפקיד {role} ב-{company}, דרישה אחר "
            "דרישה. ההתאמה החזקה ביותר: “{best_requirement}”, בתמיכת: {best_evidence}."
        ),
        "no_evidence": "אין עדיין ראיה ישירה בקורות החיים; ראו אסטרטגיות לפערים.",
        "impact": "מביא ניסיון מוכח ל“{responsibility}” מהיום הראשון.",
        "impact_default": "תומך ישירות במה ש-{company} מבקשת בתפקיד {role}.",
        "differentiator": "ב-{company} כ-{title}: {highlight}",
        "certification": "בעל/ת ההסמכה: {certification}",
        "gap_answer": "בלשון המועמד/ת: “{answer}”. {plan}",
        "gap_plan": "להתייחס לכך בגלוי בראיון ולהפנות לראיות הקשורות בקורות החיים.",
        "culture_values": "{company} מציינת את הערכים: {values}. הניסיון — {evidence} — מראה אותם בפועל.",
        "culture_default": "קורות החיים מראים ניסיון רלוונטי לתפקיד {role} ב-{company}: {evidence}.",
        "talking_requirement": "לגבי “{requirement}”: {evidence}",
        "talking_gap": "כשנשאל/ת “{question}”: {answer}",
        "talking_role": "למה {company}: תפקיד {role} תואם את הניסיון כ-{title} ב-{employer}.",
        "talking_prepare": "להכין דוגמה מוחשית ל“{requirement}”.",
        "talking_generic": [
            "לשאול איך נמדדת הצלחה בתפקיד {role} ב-{company}.",
            "לשאול איזה חלק בתפקיד {role} הכי חשוב לצוות כרגע.",
            "להסביר במשפט אחד למה {company} היא הצעד הבא הנכון עבורך.",
        ],
    },
}


@dataclass(frozen=True)
class _Evidence:
    text: str
    company: str | None
    title: str | None
    terms: frozenset[str]

    @property
    def is_role_line(self) -> bool:
        """The "Title, Company" line of a job, as opposed to one of its highlights."""
        return self.text == f"{self.title}, {self.company}"

    def describe(self) -> str:
        """The evidence as the reader sees it: a highlight names the job it comes from."""
        if self.company and self.title and not self.is_role_line:
            return f"{self.text} ({self.title}, {self.company})"
        return self.text


def _terms(text: str) -> frozenset[str]:
    """Meaningful, lightly stemmed words: 'programs'/'program', 'analyze'/'analytical' meet."""
    words = (w.casefold() for w in _TOKEN.findall(text))
    return frozenset(w[:6] for w in words if len(w) > 2 and w not in _STOPWORDS)


def _plain(text: str) -> _Evidence:
    return _Evidence(text, None, None, _terms(text))


def _evidence_pool(application: Application) -> list[_Evidence]:
    cv = application.cv
    pool: list[_Evidence] = []
    for job in cv.experience:
        role = f"{job.title}, {job.company}"
        pool.append(_Evidence(role, job.company, job.title, _terms(role)))
        for highlight in job.highlights:
            pool.append(_Evidence(highlight, job.company, job.title, _terms(highlight)))
    pool += [_plain(item) for item in (*cv.skills, *cv.certifications)]
    pool += [_plain(statement) for statement in (cv.headline, cv.summary) if statement]
    return pool


def _requirements(application: Application) -> list[str]:
    posting = application.job_posting
    if posting.requirements:
        return list(posting.requirements)
    sentences = re.split(r"(?<=[.!?])\s+", posting.description or "")
    return [s for s in sentences if _terms(s)][:8]


def _best(terms: frozenset[str], pool: list[_Evidence]) -> tuple[_Evidence | None, int]:
    best, best_score = None, 0
    for evidence in pool:  # first best wins: deterministic for equal scores
        score = len(terms & evidence.terms)
        if score > best_score:
            best, best_score = evidence, score
    return best, best_score


def _alignment(score: int) -> AlignmentScore:
    if score >= 2:
        return "STRONG"
    return "MODERATE" if score == 1 else "DEVELOPING"


class _Writer:
    """One report in the making: the inputs, indexed once, and one method per section."""

    def __init__(self, application: Application) -> None:
        self.application = application
        self.text = _PHRASES[application.job_posting.language]
        posting = application.job_posting
        self.company, self.role = posting.company_name, posting.role_title
        self.pool = _evidence_pool(application)
        self.answers = [
            _Evidence(g.answer, None, None, _terms(f"{g.question} {g.answer}"))
            for g in application.gap_responses
        ]
        self.responsibilities = [_plain(r) for r in posting.responsibilities]
        self.skills = list(application.cv.skills)

    def evidence_matrix(self) -> list[EvidenceItem]:
        matrix = []
        for requirement in _requirements(self.application):
            terms = _terms(requirement)
            evidence, score = _best(terms, self.pool)
            if evidence is None:
                evidence, score = _best(terms, self.answers)
                score = min(score, 1)  # a gap answer is the candidate's word, not CV evidence
            responsibility, _ = _best(terms, self.responsibilities)
            impact = (
                self.text["impact"].format(responsibility=responsibility.text)
                if responsibility
                else self._impact_default()
            )
            matrix.append(
                EvidenceItem(
                    requirement=requirement,
                    evidence=evidence.describe() if evidence else self.text["no_evidence"],
                    alignment_score=_alignment(score),
                    impact_potential=impact,
                )
            )
        return matrix

    def differentiators(self) -> list[str]:
        posting = self.application.job_posting
        posting_terms = _terms(
            " ".join([*posting.requirements, *posting.responsibilities, posting.description or ""])
        )
        highlights = [e for e in self.pool if e.company and not e.is_role_line]
        ranked = sorted(highlights, key=lambda e: -len(e.terms & posting_terms))
        found = [
            self.text["differentiator"].format(company=e.company, title=e.title, highlight=e.text)
            for e in ranked[:3]
        ]
        found += [
            self.text["certification"].format(certification=c) for c in self.application.cv.certifications[:2]
        ]
        return found or [e.describe() for e in self.pool[:3]] or [self.text["no_evidence"]]

    def gap_strategies(self, matrix: list[EvidenceItem]) -> list[GapStrategy]:
        strategies = []
        for item in matrix:
            if item.alignment_score == "STRONG":
                continue
            gap_terms = _terms(item.requirement)
            answer, _ = _best(gap_terms, self.answers)
            plan = self.text["gap_plan"]
            mitigation = self.text["gap_answer"].format(answer=answer.text, plan=plan) if answer else plan
            transferable = [s for s in self.skills if _terms(s) & gap_terms] or self.skills[:3]
            strategies.append(
                GapStrategy(
                    gap=item.requirement, mitigation_approach=mitigation, transferable_skills=transferable
                )
            )
        return strategies

    def executive_summary(self, by_strength: list[EvidenceItem]) -> str:
        headline = self.application.cv.headline
        best = by_strength[0]
        return self.text["summary"].format(
            headline=f"{headline}. " if headline else "",
            role=self.role,
            company=self.company,
            best_requirement=best.requirement,
            best_evidence=best.evidence,
        )

    def cultural_fit(self, supported: list[EvidenceItem], differentiators: list[str]) -> str:
        evidence = "; ".join([m.evidence for m in supported[:2]] or differentiators[:2])
        context = self.application.company_context
        if context and context.values:
            return self.text["culture_values"].format(
                company=self.company, values=", ".join(context.values), evidence=evidence
            )
        return self.text["culture_default"].format(company=self.company, role=self.role, evidence=evidence)

    def talking_points(self, matrix: list[EvidenceItem], differentiators: list[str]) -> list[str]:
        text = self.text
        candidates = [
            text["talking_requirement"].format(requirement=m.requirement, evidence=m.evidence)
            for m in matrix
            if m.alignment_score != "DEVELOPING"
        ]
        candidates += [
            text["talking_gap"].format(question=g.question, answer=g.answer)
            for g in self.application.gap_responses
        ]
        if self.application.cv.experience:
            latest = self.application.cv.experience[0]
            candidates.append(
                text["talking_role"].format(
                    company=self.company, role=self.role, title=latest.title, employer=latest.company
                )
            )
        candidates += differentiators
        # A thin CV still gets the five points the web client expects.
        candidates += [text["talking_prepare"].format(requirement=m.requirement) for m in matrix]
        candidates += [text["talking_prepare"].format(requirement=r.text) for r in self.responsibilities]
        candidates += [self._impact_default()]
        candidates += [line.format(role=self.role, company=self.company) for line in text["talking_generic"]]
        return list(dict.fromkeys(candidates))[:7]

    def keywords(self) -> list[str]:
        cv_terms = frozenset().union(*(e.terms for e in self.pool))
        posting = self.application.job_posting
        keywords = [self.role]
        for phrase in (*posting.requirements, *posting.responsibilities, *self.skills):
            keywords += [word for word in _TOKEN.findall(phrase) if _terms(word) & cv_terms]
        return list(dict.fromkeys(keywords))[:15]

    def _impact_default(self) -> str:
        return self.text["impact_default"].format(company=self.company, role=self.role)


_RANK = {"STRONG": 0, "MODERATE": 1, "DEVELOPING": 2}


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
        writer = _Writer(application)
        matrix = writer.evidence_matrix()
        by_strength = sorted(
            matrix, key=lambda m: _RANK[m.alignment_score]
        )  # stable: ties keep posting order
        supported = [m for m in by_strength if m.alignment_score != "DEVELOPING"]
        differentiators = writer.differentiators()
        return ReportContent(
            executive_summary=writer.executive_summary(by_strength),
            evidence_matrix=matrix,
            differentiators=differentiators,
            gap_strategies=writer.gap_strategies(matrix),
            cultural_fit=writer.cultural_fit(supported, differentiators),
            talking_points=writer.talking_points(matrix, differentiators),
            keywords=writer.keywords(),
        )
