"""How the offline generator reads texts: meaningful words, CV evidence, and how well one covers another.

A requirement is compared with each CV line by its meaningful words (stop words dropped, lightly
stemmed; Hebrew prefixes removed the same way on both sides), and the line covering most of them is its
evidence. Posting lines are also cut into noun-phrase-like chunks for the keywords.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vpr.models.report import AlignmentScore

TOKEN = re.compile(r"[^\W_]+(?:&[^\W_]+)*", re.UNICODE)  # "L&D" is one word
STOPWORDS = frozenset(
    """a an and are as at be by for from has have in into is it its of on or our the their to we will
    with you your years year experience strong ability skills skill work working team teams plus least
    proven excellent solid good great demonstrated related relevant knowledge understanding etc such like
    tools tool certification certificate certified fluent
    של את על עם או גם כי זה הוא היא אנחנו שנות שנים שנה ניסיון יכולת יכולות חזקות חזקה מוכח ידע היכרות
    רמה ברמה גבוהה בתחום""".split()
)
#: Words that open a posting line but are not part of its subject ("Develop training programs").
LEADING_FILLER = frozenset(
    """develop design build lead manage own drive analyze analyse create deliver run support collaborate
    partner define implement maintain improve ensure coordinate conduct prepare plan write oversee mentor
    hire recruit establish identify execute present report track measure monitor optimize scale grow
    translate work help strong proven excellent solid good great deep demonstrated hands-on ability
    familiarity experience knowledge understanding expertise background minimum least plus required
    preferred must years year""".split()
)
PHRASE_BREAK = re.compile(
    r"[,;:.()/!?•]|\s(?:and|or|with|to|for|in|of|on|using|including|across|such as|at|from|by|as|"
    r"ו|או|עם|של|כולל|על)\s"
)
#: "5+ years", "at least 3 years", "3-5 years", "5+ שנות", "5 שנים".
YEARS = re.compile(
    r"(?:at least\s+|minimum(?: of)?\s+)?(?P<n>\d{1,2})\s*(?:\+|-\s*\d{1,2})?\s*(?:years?|yrs?|שנות|שנים)",
    re.IGNORECASE,
)

#: Alternatives in a requirement: "Tableau or Power BI", "MSc or PhD", "SQL או Python".
ALTERNATIVES = re.compile(r"\s+(?:or|או)\s+", re.IGNORECASE)
#: Parts that must all be met: "Hebrew and English", "Google Ads and LinkedIn Ads".
CONJUNCTS = re.compile(r"\s+and\s+|,\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Evidence:
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


def stem(word: str) -> str:
    """Light stemming: 'programs'/'program' and 'analyze'/'analytical' meet; a Hebrew word loses its
    attached prefix letters ("בהדרכה" ~ "הדרכה") the same way on both sides of a comparison."""
    if "\u05d0" <= word[0] <= "\u05ea":
        while len(word) > 4 and word[0] in "ובלמהשכ":
            word = word[1:]
        return word[:3]  # most Hebrew words build on a three-letter root: "פיתוח" ~ "פיתחתי"
    return word[:5]


def terms_of(text: str) -> frozenset[str]:
    """Meaningful words, stemmed."""
    words = (w.casefold() for w in TOKEN.findall(text))
    return frozenset(stem(w) for w in words if len(w) > 2 and w not in STOPWORDS and not w.isdigit())


def plain_evidence(text: str) -> Evidence:
    return Evidence(text, None, None, terms_of(text))


def coverage_of(terms: frozenset[str], evidence_terms: frozenset[str]) -> float:
    return len(terms & evidence_terms) / len(terms) if terms else 0.0


def best_evidence(terms: frozenset[str], pool: list[Evidence]) -> tuple[Evidence | None, float]:
    """The evidence covering most of ``terms`` (first wins on ties: deterministic)."""
    best, best_score = None, 0.0
    for evidence in pool:
        score = coverage_of(terms, evidence.terms)
        if score > best_score:
            best, best_score = evidence, score
    return best, best_score


def alignment_for(coverage: float) -> AlignmentScore:
    """Most of the requirement's words in one CV line is STRONG; some of them MODERATE."""
    if coverage >= 0.6:
        return "STRONG"
    return "MODERATE" if coverage > 0 else "DEVELOPING"


def similar(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two texts say the same thing when most of the shorter one's words are in the other."""
    return bool(a and b) and len(a & b) / min(len(a), len(b)) >= 0.6


def posting_phrases(line: str) -> list[str]:
    """A posting line's noun-phrase-like chunks: "Develop training programs" → "training programs".

    Split at punctuation and joining words, leading verbs and qualifiers dropped, numbers dropped; a
    single word survives only as a name or acronym ("Python", "SQL"), not as a fragment ("needs").
    """
    phrases = []
    for chunk in PHRASE_BREAK.split(f" {line} "):
        words = [w for w in chunk.split() if not re.fullmatch(r"[\d+\-–%]+", w)]
        while words and words[0].casefold().strip("-") in LEADING_FILLER:
            words = words[1:]
        while words and words[-1].casefold() in STOPWORDS - {"experience"}:
            words = words[:-1]
        if len(words) >= 2 or (len(words) == 1 and (words[0][:1].isupper() or not words[0].isascii())):
            if len(words) == 1 and words[0].casefold() in STOPWORDS:
                continue
            phrases.append(" ".join(words[:4]))
    return phrases
