"""The offline generator: a deterministic report written from the inputs alone, with no network.

It is the default for local runs and tests. It matches each requirement to the CV line (or gap answer)
that shares the most meaningful words with it, scores the alignment by that overlap, and writes every
section from templates filled only with text taken from the inputs, so it cannot invent an employer,
a title or a number. It says what it is in ``generator.name``; it does not pretend to be Claude, and
its reports are shorter and plainer than Claude's.
"""

from __future__ import annotations

import re
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
    },
}


@dataclass(frozen=True)
class _Evidence:
    text: str
    company: str | None
    title: str | None
    terms: frozenset[str]


def _terms(text: str) -> frozenset[str]:
    """Meaningful, lightly stemmed words: 'programs'/'program', 'analyze'/'analytical' meet."""
    words = (w.casefold() for w in _TOKEN.findall(text))
    return frozenset(w[:6] for w in words if len(w) > 2 and w not in _STOPWORDS)


def _evidence_pool(application: Application) -> list[_Evidence]:
    cv = application.cv
    pool: list[_Evidence] = []
    for job in cv.experience:
        role = f"{job.title}, {job.company}"
        pool.append(_Evidence(role, job.company, job.title, _terms(role)))
        for highlight in job.highlights:
            pool.append(_Evidence(highlight, job.company, job.title, _terms(highlight)))
    for item in (*cv.skills, *cv.certifications):
        pool.append(_Evidence(item, None, None, _terms(item)))
    for statement in (cv.headline, cv.summary):
        if statement:
            pool.append(_Evidence(statement, None, None, _terms(statement)))
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


def _describe(evidence: _Evidence) -> str:
    if evidence.company and evidence.title and evidence.text != f"{evidence.title}, {evidence.company}":
        return f"{evidence.text} ({evidence.title}, {evidence.company})"
    return evidence.text


class OfflineGenerator:
    name = GENERATOR_NAME

    def generate(
        self, application: Application, *, time_budget_seconds: float | None = None
    ) -> GenerationResult:
        content = self.write(application)
        report = assemble_report(
            content,
            application,
            GeneratorInfo(name=GENERATOR_NAME, model=None),
            verify_report(content, application),
        )
        return GenerationResult(report=report, token_usage=TokenUsage(model=GENERATOR_NAME))

    def write(self, application: Application) -> ReportContent:
        text = _PHRASES[application.job_posting.language]
        posting = application.job_posting
        company, role = posting.company_name, posting.role_title
        pool = _evidence_pool(application)
        answers = [
            _Evidence(g.answer, None, None, _terms(f"{g.question} {g.answer}"))
            for g in application.gap_responses
        ]
        responsibilities = list(posting.responsibilities)

        matrix: list[EvidenceItem] = []
        for requirement in _requirements(application):
            terms = _terms(requirement)
            evidence, score = _best(terms, pool)
            if evidence is None:
                evidence, score = _best(terms, answers)
                score = min(score, 1)  # a gap answer is the candidate's word, not CV evidence
            responsibility, _ = _best(terms, [_Evidence(r, None, None, _terms(r)) for r in responsibilities])
            impact = (
                text["impact"].format(responsibility=responsibility.text)
                if responsibility
                else text["impact_default"].format(company=company, role=role)
            )
            matrix.append(
                EvidenceItem(
                    requirement=requirement,
                    evidence=_describe(evidence) if evidence else text["no_evidence"],
                    alignment_score=_alignment(score),
                    impact_potential=impact,
                )
            )

        posting_terms = _terms(
            " ".join([*posting.requirements, *responsibilities, posting.description or ""])
        )
        ranked = sorted(
            (e for e in pool if e.company and e.text != f"{e.title}, {e.company}"),
            key=lambda e: -len(e.terms & posting_terms),
        )
        differentiators = [
            text["differentiator"].format(company=e.company, title=e.title, highlight=e.text)
            for e in ranked[:3]
        ]
        differentiators += [
            text["certification"].format(certification=c) for c in application.cv.certifications[:2]
        ]
        if not differentiators:
            differentiators = [_describe(e) for e in pool[:3]] or [text["no_evidence"]]

        gap_strategies = []
        skills = list(application.cv.skills)
        for item in matrix:
            if item.alignment_score == "STRONG":
                continue
            gap_terms = _terms(item.requirement)
            answer, _ = _best(gap_terms, answers)
            mitigation = (
                text["gap_answer"].format(answer=answer.text, plan=text["gap_plan"])
                if answer
                else text["gap_plan"]
            )
            transferable = [s for s in skills if _terms(s) & gap_terms] or skills[:3]
            gap_strategies.append(
                GapStrategy(
                    gap=item.requirement, mitigation_approach=mitigation, transferable_skills=transferable
                )
            )

        rank = {"STRONG": 0, "MODERATE": 1, "DEVELOPING": 2}
        by_strength = sorted(matrix, key=lambda m: rank[m.alignment_score])  # stable: ties keep posting order
        supported = [m for m in by_strength if m.alignment_score != "DEVELOPING"]
        best = by_strength[0]
        headline = f"{application.cv.headline}. " if application.cv.headline else ""
        summary = text["summary"].format(
            headline=headline,
            role=role,
            company=company,
            best_requirement=best.requirement,
            best_evidence=best.evidence,
        )

        top_evidence = "; ".join([m.evidence for m in supported[:2]] or differentiators[:2])
        context = application.company_context
        if context and context.values:
            cultural_fit = text["culture_values"].format(
                company=company, values=", ".join(context.values), evidence=top_evidence
            )
        else:
            cultural_fit = text["culture_default"].format(company=company, role=role, evidence=top_evidence)

        candidates = [
            text["talking_requirement"].format(requirement=m.requirement, evidence=m.evidence)
            for m in matrix
            if m.alignment_score != "DEVELOPING"
        ]
        candidates += [
            text["talking_gap"].format(question=g.question, answer=g.answer)
            for g in application.gap_responses
        ]
        if application.cv.experience:
            latest = application.cv.experience[0]
            candidates.append(
                text["talking_role"].format(
                    company=company, role=role, title=latest.title, employer=latest.company
                )
            )
        candidates += differentiators
        # A thin CV still gets the five points the web client expects.
        candidates += [text["talking_prepare"].format(requirement=m.requirement) for m in matrix]
        candidates += [text["talking_prepare"].format(requirement=r) for r in responsibilities]
        candidates += [text["impact_default"].format(company=company, role=role)]
        talking_points = list(dict.fromkeys(candidates))[:7]

        cv_terms = frozenset().union(*(e.terms for e in pool)) if pool else frozenset()
        keywords = [role]
        for phrase in (*posting.requirements, *responsibilities, *skills):
            for word in _TOKEN.findall(phrase):
                if word.casefold()[:6] in cv_terms and word.casefold() not in _STOPWORDS and len(word) > 2:
                    keywords.append(word)
        keywords = list(dict.fromkeys(keywords))[:15]

        return ReportContent(
            executive_summary=summary,
            evidence_matrix=matrix,
            differentiators=differentiators,
            gap_strategies=gap_strategies,
            cultural_fit=cultural_fit,
            talking_points=talking_points,
            keywords=keywords,
        )
