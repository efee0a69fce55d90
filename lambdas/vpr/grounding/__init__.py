"""Grounding check: names and figures in a report that the inputs do not support.

A report may only state facts the application contains (the job posting, the company context, the CV
and the gap answers). This check lists the claims that can be checked mechanically and that matter most
when they are invented: employers, job titles, certifications, degrees, schools, products, and figures.

**Method: an unknown word is a claim.** Capital letters alone cannot find names: Hebrew has none, and an
invented name can be written in lowercase ("worked at microsoft") or open a sentence ("Google hired…").
So every word of the report is compared with two vocabularies:

* the **inputs' vocabulary** — every word of the application (ids excluded), compared case-insensitively,
  possessives and plurals stripped, 6+-letter words by their first six letters ("Analytics" ~
  "analytical"), Hebrew words with their attached prefixes (ו ה ב כ ל מ ש: "במיקרוסופט" is "at
  Microsoft") and common suffixes removed, acronyms by the initials of the inputs' word runs
  (``L&D`` ← "Learning & Development");
* a **common-word lexicon** (``vpr/lexicon/{en,he}.txt.gz``, built by ``eval/build_lexicon.py``): frequent
  English words that a dictionary lists in lowercase — so not names — and frequent Hebrew words, both
  less a short gazetteer of organisations ("apple", "גוגל").

A word in neither is an unsupported claim, whatever its case or position. On top of that:

* **Names written as names** — a capitalized word mid-sentence, an acronym, a word with an inner
  capital (``eBay``) — must come from the inputs even when they are ordinary words ("Head of Learning",
  "Oracle"); the phrase is reported whole ("Senior Director of Enablement"). A capitalized word that
  opens a sentence is prose unless it is unknown ("Strong fit." is fine, "Google hired" is not).
* **Claims about the candidate** — in a sentence saying what the candidate holds or did ("holds",
  "served as", "בוגרת", "עבדה"), names must come from what the candidate wrote (CV, gap answers) or the
  company's name: the posting asking for an OSCP or a CFO does not make "Holds the OSCP" true.
* **Roles** — "as a director", "as nurse manager", "כמנהלת מחלקה": a role phrase's seniority words and
  head noun must be the candidate's (or the role applied for), and its known words must occur together
  as written, because an invented title is usually made of ordinary words.
* **Figures** — every number written with digits, and number words from eleven up ("forty percent"),
  compared by value: ``30%`` = ``30 percent`` = ``30 אחוז``; ``2TB`` = ``2 TB``; ``1,000`` = ``1000``;
  ``1.5M`` = ``1,500,000``; a number word in the inputs ("five years") backs the digit; a role's length
  and the CV's total span in years (from its dates) count as stated, and so does the total of any group
  of roles ("8 years of training roles"); "2018–21" is read as 2018–2021.

What it cannot see (measured by ``make eval``'s labelled set): an invented fact made only of ordinary
words outside a role phrase ("led the sales team"), a number word up to ten ("six"), and a name that is
also an ordinary word and not in the gazetteer ("shell", "פרטנר"). The Claude generator's prompt
forbids inventions; this check is the safety net, and it also runs on its own from the CLI to audit any
stored report.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from vpr.experience import career_years
from vpr.grounding.figures import figure_claims, source_figures
from vpr.grounding.names import word_claims
from vpr.grounding.vocabulary import GENERIC, TITLE_ACRONYMS, Vocabulary
from vpr.models import Application, ReportContent, Verification, VprRequest
from vpr.report_text import report_sections

__all__ = ["verify_report", "verify_texts"]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _input_texts(application: Application | VprRequest) -> list[str]:
    """Every text of the application a report may draw on (ids excluded: they are not evidence)."""
    data = application.model_dump(mode="json", exclude={"application_id", "user_id"})
    return list(_strings(data))


def _candidate_texts(application: Application | VprRequest) -> list[str]:
    """What the candidate wrote (CV, gap answers), and the company's name: a claim about what the
    candidate holds or did needs these, not the posting's list of wishes or the title applied for."""
    texts = [application.job_posting.company_name, *(g.answer for g in application.gap_responses)]
    if application.cv is not None:
        texts += _strings(application.cv.model_dump(mode="json"))
    return texts


def _dedupe(claims: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for claim in claims:
        seen.setdefault(claim.casefold(), claim)
    return list(seen.values())


def verify_report(content: ReportContent, application: Application | VprRequest) -> Verification:
    """Check a report against the application it was written for (a request with an inline ``cv`` works).

    Returns ``grounded`` and the unsupported claims in reading order, each once.
    """
    return verify_texts(report_sections(content), application)


def verify_texts(report_texts: Iterable[str], application: Application | VprRequest) -> Verification:
    """The same check on any part of a report (sections mode checks each section on its own)."""
    texts = _input_texts(application)
    vocabulary = Vocabulary(texts)
    own = _candidate_texts(application)
    candidate = Vocabulary(own, generic=GENERIC - TITLE_ACRONYMS)
    roles = Vocabulary([*own, application.job_posting.role_title], generic=GENERIC - TITLE_ACRONYMS)
    figures = source_figures(texts, career_years(application.cv))
    claims: list[str] = []
    for section in report_texts:
        found = [*word_claims(section, vocabulary, candidate, roles), *figure_claims(section, figures)]
        claims.extend(claim for _, claim in sorted(found))
    unsupported = _dedupe(claims)
    return Verification(grounded=not unsupported, unsupported_claims=unsupported)
