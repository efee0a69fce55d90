"""The offline report's sections, one method each, written from one application's indexed inputs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vpr.experience import role_years
from vpr.generation.offline.matching import (
    ALTERNATIVES,
    CONJUNCTS,
    TOKEN,
    YEARS,
    Evidence,
    alignment_for,
    best_evidence,
    plain_evidence,
    posting_phrases,
    similar,
    terms_of,
)
from vpr.generation.offline.phrases import PHRASES
from vpr.models import Application
from vpr.models.report import AlignmentScore, EvidenceItem, GapStrategy


@dataclass(frozen=True)
class _Assessment:
    """How one requirement is met: the matrix row, plus what a gap strategy can build on."""

    item: EvidenceItem
    closest: Evidence | None
    years: tuple[int, int] | None  # (years found, years required) for an "N+ years" requirement


_RANK = {"STRONG": 0, "MODERATE": 1, "DEVELOPING": 2}


class SectionWriter:
    """One report in the making: the inputs indexed once, and one public method per report section.

    The sections depend on each other only through :meth:`evidence_matrix` (the requirement-by-
    requirement assessment) and :meth:`differentiators`; each method takes what it needs, so the
    sections can be written in any order or concurrently from one writer.
    """

    def __init__(self, application: Application) -> None:
        self.application = application
        self.text = PHRASES[application.job_posting.language]
        posting = application.job_posting
        self.company, self.role = posting.company_name, posting.role_title
        self.pool = self._evidence_pool()
        self.answers = [
            Evidence(g.answer, None, None, terms_of(f"{g.question} {g.answer}"))
            for g in application.gap_responses
        ]
        self.responsibilities = [plain_evidence(r) for r in posting.responsibilities]
        self.skills = list(application.cv.skills)
        cv = application.cv
        self._all_texts = [
            *(t for t in (cv.headline, cv.summary) if t),
            *(j.title for j in cv.experience),
            *posting.requirements,
            *posting.responsibilities,
            posting.role_title,
        ]
        self._assessments = [self._assess(requirement) for requirement in self.requirements()]

    # --- inputs ------------------------------------------------------------------------------------

    def _evidence_pool(self) -> list[Evidence]:
        cv = self.application.cv
        pool: list[Evidence] = []
        for job in cv.experience:
            role = f"{job.title}, {job.company}"
            pool.append(Evidence(role, job.company, job.title, terms_of(role)))
            for highlight in job.highlights:
                pool.append(Evidence(highlight, job.company, job.title, terms_of(highlight)))
        pool += [plain_evidence(item) for item in (*cv.skills, *cv.certifications, *cv.languages)]
        pool += [
            plain_evidence(f"{e.degree or ''} {e.field or ''}, {e.institution}".strip()) for e in cv.education
        ]
        pool += [plain_evidence(statement) for statement in (cv.headline, cv.summary) if statement]
        return pool

    def requirements(self) -> list[str]:
        """The posting's requirements, or the sentences of its description when it lists none."""
        posting = self.application.job_posting
        if posting.requirements:
            return list(posting.requirements)
        sentences = re.split(r"(?<=[.!?])\s+", posting.description or "")
        return [s for s in sentences if terms_of(s)][:8]

    def _assess(self, requirement: str) -> _Assessment:
        terms = terms_of(requirement)
        evidence, coverage = best_evidence(terms, self.pool)
        alternatives = ALTERNATIVES.split(requirement)
        for alternative in alternatives if len(alternatives) > 1 else []:
            # "Tableau or Power BI": either alternative, fully met, meets the requirement.
            found, found_coverage = best_evidence(terms_of(alternative), self.pool)
            if found_coverage > coverage:
                evidence, coverage = found, found_coverage
        described = evidence.describe() if evidence else None
        parts = [best_evidence(terms_of(part), self.pool) for part in CONJUNCTS.split(requirement)]
        if len(parts) > 1 and min(c for _, c in parts) > coverage:
            # "Hebrew and English": each part met by its own CV line meets the whole.
            coverage = min(c for _, c in parts)
            described = "; ".join(dict.fromkeys(e.describe() for e, _ in parts if e))
        score = alignment_for(coverage)
        closest = evidence
        if evidence is None:
            answer, answer_coverage = best_evidence(terms, self.answers)
            evidence, closest = answer, None
            score = "MODERATE" if answer_coverage else "DEVELOPING"  # the candidate's word, not the CV's
        if described is None or evidence is not closest:
            described = evidence.describe() if evidence else self.text["no_evidence"]
        years = None
        required = YEARS.search(requirement)
        if required:
            years, described, score = self._years(requirement, int(required.group("n")), described, score)
        responsibility, _ = best_evidence(terms, self.responsibilities)
        impact = (
            self.text["impact"].format(responsibility=responsibility.text)
            if responsibility
            else self._impact_default()
        )
        item = EvidenceItem(
            requirement=requirement, evidence=described, alignment_score=score, impact_potential=impact
        )
        return _Assessment(item, closest, years)

    def _years(
        self, requirement: str, required: int, described: str, score: AlignmentScore
    ) -> tuple[tuple[int, int], str, AlignmentScore]:
        """Years of matching roles from the CV's dates against an "N+ years" requirement."""
        subject = self._expand_acronyms(terms_of(YEARS.sub(" ", requirement)))
        roles = []
        for job in self.application.cv.experience:
            span = role_years(job)
            job_terms = terms_of(" ".join([job.title, job.company, *job.highlights]))
            if span and (not subject or subject & job_terms):
                roles.append((job, span))
        years = sum(end - start for _, (start, end) in roles)
        if not roles:
            return (0, required), f"{self.text['years_none']} {described}", "DEVELOPING"
        listed = "; ".join(f"{job.title}, {job.company} ({job.start} – {job.end or '…'})" for job, _ in roles)
        found = self.text["years"].format(years=years, roles=listed)
        if years >= required:
            return (years, required), found, "STRONG"
        return (years, required), found, "MODERATE" if years * 2 >= required else "DEVELOPING"

    def _expand_acronyms(self, terms: frozenset[str]) -> frozenset[str]:
        """ "l&d" also means the words the inputs spell it with ("Learning & Development")."""
        expanded = set(terms)
        for term in terms:
            letters = [c for c in term if c.isalpha()]
            if not 2 <= len(letters) <= 4 or len(letters) != len(term.replace("&", "")):
                continue
            for text in self._all_texts:
                words = [w for w in TOKEN.findall(text) if w.casefold() not in {"and", "of", "&"}]
                for start in range(len(words) - len(letters) + 1):
                    run = words[start : start + len(letters)]
                    if all(w[0].isupper() for w in run) and [w[0].casefold() for w in run] == letters:
                        expanded |= terms_of(" ".join(run))
        return frozenset(expanded)

    # --- sections ----------------------------------------------------------------------------------

    def evidence_matrix(self) -> list[EvidenceItem]:
        """One row per requirement, in the posting's order."""
        return [assessment.item for assessment in self._assessments]

    def gap_strategies(self) -> list[GapStrategy]:
        """A strategy for every requirement with weak or no evidence, from the closest facts there are."""
        strategies = []
        for assessment in self._assessments:
            item = assessment.item
            if item.alignment_score == "STRONG":
                continue
            gap_terms = terms_of(item.requirement)
            parts = []
            if assessment.years and assessment.years[0]:
                found, required = assessment.years
                parts.append(self.text["gap_years"].format(years=found, required=required))
            if assessment.closest:
                parts.append(self.text["gap_closest"].format(evidence=assessment.closest.describe()))
            answer, _ = best_evidence(gap_terms, self.answers)
            if answer:
                parts.append(self.text["gap_answer"].format(answer=answer.text))
            if not parts:
                parts.append(self.text["gap_none"])
            near = assessment.closest.terms if assessment.closest else frozenset()
            transferable = [s for s in self.skills if terms_of(s) & (gap_terms | near)] or self.skills[:3]
            strategies.append(
                GapStrategy(
                    gap=item.requirement,
                    mitigation_approach=" ".join(parts),
                    transferable_skills=transferable[:5],
                )
            )
        return strategies

    def differentiators(self) -> list[str]:
        """The CV highlights closest to the posting (one per role first), then certifications."""
        posting = self.application.job_posting
        posting_terms = terms_of(
            " ".join([*posting.requirements, *posting.responsibilities, posting.description or ""])
        )
        highlights = [e for e in self.pool if e.company and not e.is_role_line]
        ranked = sorted(highlights, key=lambda e: -len(e.terms & posting_terms))
        chosen: list[Evidence] = []
        for evidence in ranked:
            if len(chosen) < 3 and not any(similar(evidence.terms, c.terms) for c in chosen):
                chosen.append(evidence)
        found = [
            self.text["differentiator"].format(company=e.company, title=e.title, highlight=e.text)
            for e in chosen
        ]
        found += [
            self.text["certification"].format(certification=c) for c in self.application.cv.certifications[:2]
        ]
        return found or [e.describe() for e in self.pool[:3]] or [self.text["no_evidence"]]

    def executive_summary(self, matrix: list[EvidenceItem]) -> str:
        """Who the candidate is, how many requirements the CV backs, the best match, what to prepare."""
        headline = self.application.cv.headline
        by_strength = sorted(matrix, key=lambda m: _RANK[m.alignment_score])  # stable: posting order
        best = by_strength[0]
        summary = self.text["summary"].format(
            headline=f"{headline}. " if headline else "",
            role=self.role,
            company=self.company,
            best_requirement=best.requirement,
            best_evidence=best.evidence.rstrip("."),
        )
        gaps = [f"“{m.requirement}”" for m in matrix if m.alignment_score != "STRONG"]
        return summary + (self.text["summary_gaps"].format(gaps=", ".join(gaps[:3])) if gaps else "")

    def cultural_fit(self, matrix: list[EvidenceItem], differentiators: list[str]) -> str:
        """The company's stated values (if given) next to the CV's best-backed evidence."""
        supported = sorted(
            (m for m in matrix if m.alignment_score != "DEVELOPING"), key=lambda m: _RANK[m.alignment_score]
        )
        evidence = "; ".join([m.evidence.rstrip(".") for m in supported[:2]] or differentiators[:2])
        context = self.application.company_context
        if context and context.values:
            return self.text["culture_values"].format(
                company=self.company, values=", ".join(context.values), evidence=evidence
            )
        return self.text["culture_default"].format(company=self.company, role=self.role, evidence=evidence)

    def talking_points(self, matrix: list[EvidenceItem], differentiators: list[str]) -> list[str]:
        """Five to seven interview points, none repeating an earlier one's substance."""
        text = self.text
        role_lines = {e.text for e in self.pool if e.is_role_line}
        candidates = [  # a requirement backed by a specific CV fact, each fact once
            text["talking_requirement"].format(requirement=m.requirement, evidence=m.evidence)
            for m in matrix
            if m.alignment_score != "DEVELOPING" and m.evidence not in role_lines
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
        candidates += [text["talking_prepare"].format(requirement=m.requirement) for m in matrix]
        candidates += [text["talking_prepare"].format(requirement=r.text) for r in self.responsibilities]
        candidates += [self._impact_default()]
        generic = [line.format(role=self.role, company=self.company) for line in text["talking_generic"]]
        # The company's name, in every point, says nothing about repetition.
        shared = terms_of(self.company)
        points: list[str] = []
        for candidate in candidates:
            terms = terms_of(candidate) - shared
            if not any(similar(terms, terms_of(p) - shared) for p in points):
                points.append(candidate)
        for line in generic:  # a thin CV still gets the five points the web client expects
            if len(points) >= 5:
                break
            if line not in points:
                points.append(line)
        return points[:7]

    def keywords(self) -> list[str]:
        """The posting's phrases the CV backs (ATS terms), then the CV's skills the posting asks for."""
        posting = self.application.job_posting
        cv_terms = frozenset().union(*(e.terms for e in self.pool), *(e.terms for e in self.answers))
        posting_terms = terms_of(
            " ".join([*posting.requirements, *posting.responsibilities, posting.role_title])
        )
        keywords = [self.role]
        for line in (*self.requirements(), *posting.responsibilities, *posting.nice_to_have):
            keywords += [p for p in posting_phrases(line) if terms_of(p) and terms_of(p) <= cv_terms]
        keywords += [s for s in self.skills if terms_of(s) & posting_terms]
        unique: dict[str, str] = {}
        for keyword in keywords:
            unique.setdefault(keyword.casefold(), keyword)
        return list(unique.values())[:15]

    def _impact_default(self) -> str:
        return self.text["impact_default"].format(company=self.company, role=self.role)
