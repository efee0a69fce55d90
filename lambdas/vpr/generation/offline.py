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

import re
import time
from dataclasses import dataclass

from vpr.experience import role_years
from vpr.generation.base import GenerationResult, assemble_report
from vpr.grounding import verify_report
from vpr.models import Application, ReportContent, TokenUsage
from vpr.models.report import AlignmentScore, EvidenceItem, GapStrategy, GeneratorInfo

GENERATOR_NAME = "offline"

_TOKEN = re.compile(r"[^\W_]+(?:&[^\W_]+)*", re.UNICODE)  # "L&D" is one word
_STOPWORDS = frozenset(
    """a an and are as at be by for from has have in into is it its of on or our the their to we will
    with you your years year experience strong ability skills skill work working team teams plus least
    proven excellent solid good great demonstrated related relevant knowledge understanding etc such like
    tools tool certification certificate certified fluent
    של את על עם או גם כי זה הוא היא אנחנו שנות שנים שנה ניסיון יכולת יכולות חזקות חזקה מוכח ידע היכרות
    רמה ברמה גבוהה בתחום""".split()
)
#: Words that open a posting line but are not part of its subject ("Develop training programs").
_LEADING_FILLER = frozenset(
    """develop design build lead manage own drive analyze analyse create deliver run support collaborate
    partner define implement maintain improve ensure coordinate conduct prepare plan write oversee mentor
    hire recruit establish identify execute present report track measure monitor optimize scale grow
    translate work help strong proven excellent solid good great deep demonstrated hands-on ability
    familiarity experience knowledge understanding expertise background minimum least plus required
    preferred must years year""".split()
)
_PHRASE_BREAK = re.compile(
    r"[,;:.()/!?•]|\s(?:and|or|with|to|for|in|of|on|using|including|across|such as|at|from|by|as|"
    r"ו|או|עם|של|כולל|על)\s"
)
#: "5+ years", "at least 3 years", "3-5 years", "5+ שנות", "5 שנים".
_YEARS = re.compile(
    r"(?:at least\s+|minimum(?: of)?\s+)?(?P<n>\d{1,2})\s*(?:\+|-\s*\d{1,2})?\s*(?:years?|yrs?|שנות|שנים)",
    re.IGNORECASE,
)

#: Alternatives in a requirement: "Tableau or Power BI", "MSc or PhD", "SQL או Python".
_ALTERNATIVES = re.compile(r"\s+(?:or|או)\s+", re.IGNORECASE)
#: Parts that must all be met: "Hebrew and English", "Google Ads and LinkedIn Ads".
_CONJUNCTS = re.compile(r"\s+and\s+|,\s*", re.IGNORECASE)

_PHRASES = {
    "en": {
        "summary": (
            "{headline}This report maps the candidate's CV to the {role} role at {company}, requirement "
            "by requirement. The strongest match is “{best_requirement}”, backed by: {best_evidence}."
        ),
        "summary_gaps": " Still to show: {gaps}.",
        "no_evidence": "No direct evidence in the CV yet; see the gap strategies.",
        "years": "{years} years from the CV's dates in matching roles: {roles}.",
        "years_none": "The CV's dates show no role matching this requirement.",
        "impact": "Brings proven practice to “{responsibility}” from day one.",
        "impact_default": "Directly supports what {company} asks of the {role}.",
        "differentiator": "At {company} as {title}: {highlight}",
        "certification": "Holds the certification: {certification}",
        "gap_closest": "Closest evidence in the CV: {evidence} — present it as transferable experience.",
        "gap_answer": "In the candidate's own words: “{answer}”.",
        "gap_none": "The CV has nothing close yet; say so plainly and describe how you would learn it.",
        "gap_years": "The CV's dates show {years} years against the {required} asked; stress the depth "
        "of those years.",
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
        "summary_gaps": " להכנה: {gaps}.",
        "no_evidence": "אין עדיין ראיה ישירה בקורות החיים; ראו אסטרטגיות לפערים.",
        "years": "{years} שנים לפי התאריכים בקורות החיים, בתפקידים תואמים: {roles}.",
        "years_none": "התאריכים בקורות החיים אינם מראים תפקיד שתואם דרישה זו.",
        "impact": "מביא ניסיון מוכח ל“{responsibility}” מהיום הראשון.",
        "impact_default": "תומך ישירות במה ש-{company} מבקשת בתפקיד {role}.",
        "differentiator": "ב-{company} כ-{title}: {highlight}",
        "certification": "בעל/ת ההסמכה: {certification}",
        "gap_closest": "הראיה הקרובה ביותר בקורות החיים: {evidence} — להציג אותה כניסיון מקביל.",
        "gap_answer": "בלשון המועמד/ת: “{answer}”.",
        "gap_none": "אין עדיין דבר קרוב בקורות החיים; לומר זאת בגלוי ולתאר איך תלמד/י את הנושא.",
        "gap_years": "התאריכים בקורות החיים מראים {years} שנים מול {required} הנדרשות; להדגיש את עומק "
        "הניסיון.",
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


def _stem(word: str) -> str:
    """Light stemming: 'programs'/'program' and 'analyze'/'analytical' meet; a Hebrew word loses its
    attached prefix letters ("בהדרכה" ~ "הדרכה") the same way on both sides of a comparison."""
    if "\u05d0" <= word[0] <= "\u05ea":
        while len(word) > 4 and word[0] in "ובלמהשכ":
            word = word[1:]
        return word[:3]  # most Hebrew words build on a three-letter root: "פיתוח" ~ "פיתחתי"
    return word[:5]


def _terms(text: str) -> frozenset[str]:
    """Meaningful words, stemmed."""
    words = (w.casefold() for w in _TOKEN.findall(text))
    return frozenset(_stem(w) for w in words if len(w) > 2 and w not in _STOPWORDS and not w.isdigit())


def _plain(text: str) -> _Evidence:
    return _Evidence(text, None, None, _terms(text))


def _coverage(terms: frozenset[str], evidence_terms: frozenset[str]) -> float:
    return len(terms & evidence_terms) / len(terms) if terms else 0.0


def _best(terms: frozenset[str], pool: list[_Evidence]) -> tuple[_Evidence | None, float]:
    """The evidence covering most of ``terms`` (first wins on ties: deterministic)."""
    best, best_score = None, 0.0
    for evidence in pool:
        score = _coverage(terms, evidence.terms)
        if score > best_score:
            best, best_score = evidence, score
    return best, best_score


def _alignment(coverage: float) -> AlignmentScore:
    """Most of the requirement's words in one CV line is STRONG; some of them MODERATE."""
    if coverage >= 0.6:
        return "STRONG"
    return "MODERATE" if coverage > 0 else "DEVELOPING"


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two texts say the same thing when most of the shorter one's words are in the other."""
    return bool(a and b) and len(a & b) / min(len(a), len(b)) >= 0.6


@dataclass(frozen=True)
class _Assessment:
    """How one requirement is met: the matrix row, plus what a gap strategy can build on."""

    item: EvidenceItem
    closest: _Evidence | None
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
        self.text = _PHRASES[application.job_posting.language]
        posting = application.job_posting
        self.company, self.role = posting.company_name, posting.role_title
        self.pool = self._evidence_pool()
        self.answers = [
            _Evidence(g.answer, None, None, _terms(f"{g.question} {g.answer}"))
            for g in application.gap_responses
        ]
        self.responsibilities = [_plain(r) for r in posting.responsibilities]
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

    def _evidence_pool(self) -> list[_Evidence]:
        cv = self.application.cv
        pool: list[_Evidence] = []
        for job in cv.experience:
            role = f"{job.title}, {job.company}"
            pool.append(_Evidence(role, job.company, job.title, _terms(role)))
            for highlight in job.highlights:
                pool.append(_Evidence(highlight, job.company, job.title, _terms(highlight)))
        pool += [_plain(item) for item in (*cv.skills, *cv.certifications, *cv.languages)]
        pool += [_plain(f"{e.degree or ''} {e.field or ''}, {e.institution}".strip()) for e in cv.education]
        pool += [_plain(statement) for statement in (cv.headline, cv.summary) if statement]
        return pool

    def requirements(self) -> list[str]:
        """The posting's requirements, or the sentences of its description when it lists none."""
        posting = self.application.job_posting
        if posting.requirements:
            return list(posting.requirements)
        sentences = re.split(r"(?<=[.!?])\s+", posting.description or "")
        return [s for s in sentences if _terms(s)][:8]

    def _assess(self, requirement: str) -> _Assessment:
        terms = _terms(requirement)
        evidence, coverage = _best(terms, self.pool)
        alternatives = _ALTERNATIVES.split(requirement)
        for alternative in alternatives if len(alternatives) > 1 else []:
            # "Tableau or Power BI": either alternative, fully met, meets the requirement.
            found, found_coverage = _best(_terms(alternative), self.pool)
            if found_coverage > coverage:
                evidence, coverage = found, found_coverage
        described = evidence.describe() if evidence else None
        parts = [_best(_terms(part), self.pool) for part in _CONJUNCTS.split(requirement)]
        if len(parts) > 1 and min(c for _, c in parts) > coverage:
            # "Hebrew and English": each part met by its own CV line meets the whole.
            coverage = min(c for _, c in parts)
            described = "; ".join(dict.fromkeys(e.describe() for e, _ in parts if e))
        score = _alignment(coverage)
        closest = evidence
        if evidence is None:
            answer, answer_coverage = _best(terms, self.answers)
            evidence, closest = answer, None
            score = "MODERATE" if answer_coverage else "DEVELOPING"  # the candidate's word, not the CV's
        if described is None or evidence is not closest:
            described = evidence.describe() if evidence else self.text["no_evidence"]
        years = None
        required = _YEARS.search(requirement)
        if required:
            years, described, score = self._years(requirement, int(required.group("n")), described, score)
        responsibility, _ = _best(terms, self.responsibilities)
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
        subject = self._expand_acronyms(_terms(_YEARS.sub(" ", requirement)))
        roles = []
        for job in self.application.cv.experience:
            span = role_years(job)
            job_terms = _terms(" ".join([job.title, job.company, *job.highlights]))
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
                words = [w for w in _TOKEN.findall(text) if w.casefold() not in {"and", "of", "&"}]
                for start in range(len(words) - len(letters) + 1):
                    run = words[start : start + len(letters)]
                    if all(w[0].isupper() for w in run) and [w[0].casefold() for w in run] == letters:
                        expanded |= _terms(" ".join(run))
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
            gap_terms = _terms(item.requirement)
            parts = []
            if assessment.years and assessment.years[0]:
                found, required = assessment.years
                parts.append(self.text["gap_years"].format(years=found, required=required))
            if assessment.closest:
                parts.append(self.text["gap_closest"].format(evidence=assessment.closest.describe()))
            answer, _ = _best(gap_terms, self.answers)
            if answer:
                parts.append(self.text["gap_answer"].format(answer=answer.text))
            if not parts:
                parts.append(self.text["gap_none"])
            near = assessment.closest.terms if assessment.closest else frozenset()
            transferable = [s for s in self.skills if _terms(s) & (gap_terms | near)] or self.skills[:3]
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
        posting_terms = _terms(
            " ".join([*posting.requirements, *posting.responsibilities, posting.description or ""])
        )
        highlights = [e for e in self.pool if e.company and not e.is_role_line]
        ranked = sorted(highlights, key=lambda e: -len(e.terms & posting_terms))
        chosen: list[_Evidence] = []
        for evidence in ranked:
            if len(chosen) < 3 and not any(_similar(evidence.terms, c.terms) for c in chosen):
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
        shared = _terms(self.company)
        points: list[str] = []
        for candidate in candidates:
            terms = _terms(candidate) - shared
            if not any(_similar(terms, _terms(p) - shared) for p in points):
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
        posting_terms = _terms(
            " ".join([*posting.requirements, *posting.responsibilities, posting.role_title])
        )
        keywords = [self.role]
        for line in (*self.requirements(), *posting.responsibilities, *posting.nice_to_have):
            keywords += [p for p in _phrases(line) if _terms(p) and _terms(p) <= cv_terms]
        keywords += [s for s in self.skills if _terms(s) & posting_terms]
        unique: dict[str, str] = {}
        for keyword in keywords:
            unique.setdefault(keyword.casefold(), keyword)
        return list(unique.values())[:15]

    def _impact_default(self) -> str:
        return self.text["impact_default"].format(company=self.company, role=self.role)


def _phrases(line: str) -> list[str]:
    """A posting line's noun-phrase-like chunks: "Develop training programs" → "training programs".

    Split at punctuation and joining words, leading verbs and qualifiers dropped, numbers dropped; a
    single word survives only as a name or acronym ("Python", "SQL"), not as a fragment ("needs").
    """
    phrases = []
    for chunk in _PHRASE_BREAK.split(f" {line} "):
        words = [w for w in chunk.split() if not re.fullmatch(r"[\d+\-–%]+", w)]
        while words and words[0].casefold().strip("-") in _LEADING_FILLER:
            words = words[1:]
        while words and words[-1].casefold() in _STOPWORDS - {"experience"}:
            words = words[:-1]
        if len(words) >= 2 or (len(words) == 1 and (words[0][:1].isupper() or not words[0].isascii())):
            if len(words) == 1 and words[0].casefold() in _STOPWORDS:
                continue
            phrases.append(" ".join(words[:4]))
    return phrases


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
