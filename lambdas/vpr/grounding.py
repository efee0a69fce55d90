"""Grounding check: names and figures in a report that the inputs do not support.

A report may only state facts the application contains (the job posting, the company context, the CV
and the gap answers). This check lists the two kinds of claim that can be checked mechanically and that
matter most when they are invented:

* **Names** — employers, job titles, certifications, schools, products: in English prose these are
  the capitalized words and phrases (``Acme Corp``, ``Senior Data Scientist``, ``PMP``) and any word
  with an inner capital (``eBay``). A phrase is unsupported when one of its capitalized words occurs
  nowhere in the inputs. An acronym is also supported by the initials of words in the inputs
  (``L&D`` ← "Learning & Development").
* **Figures** — every number written with digits: percentages, amounts, sizes, years, counts.

It is deliberately tolerant of wording, because a false flag costs a regeneration:

* Words are compared case-insensitively, possessives and plurals stripped, and words of 6+ letters by
  their first six letters ("Analytics" ~ "analytical").
* A sentence's first word is an ordinary capitalized word, not a name, unless it looks like one
  (``PMP``, ``eBay``); the rest of a name phrase that starts a sentence is still checked.
* Figures are compared by value: ``30%`` = ``30 percent`` = ``30 אחוז``; ``2TB`` = ``2 TB``;
  ``1,000`` = ``1000``; ``1.5M`` = ``1,500,000``; a number word in the inputs ("five years") supports
  the digit ("5 years"); a role's length and the CV's total span in years (from its dates) count as
  stated.
* Hebrew text has no capitals, so Hebrew words are never taken for names; Latin names inside Hebrew
  text and all figures are still checked.

What it cannot see: an invented fact written in ordinary lowercase words, or a name that starts a
sentence on its own ("Google hired..."). The Claude generator's prompt forbids those; this check is
the safety net, and it also runs on its own from the CLI to audit any stored report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from vpr.models import Application, ReportContent, Verification, VprRequest
from vpr.report_text import report_sections

# --- names -----------------------------------------------------------------------------------------

#: A Latin word, keeping compounds together: "L&D", "e-learning", "Node.js", "SHRM-CP", "O'Reilly".
_LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[&'’.\-][A-Za-z0-9]+)*")
_PARTS = re.compile(r"[A-Za-z0-9]+")
#: Text between two words that ends a sentence (or starts a list item / quotation) before the next.
_SENTENCE_BREAK = re.compile(r"[.!?:;\n•·\"“”‘«»(]|^\s*[-–—*]\s")
#: Lowercase words allowed inside a name phrase ("Head of Learning and Development").
_CONNECTORS = frozenset({"of", "and", "for", "the", "&", "de"})
#: Capitalized words that are never claims about the candidate.
_GENERIC = frozenset(
    """i cv vpr ats ok january february march april may june july august september october november
    december monday tuesday wednesday thursday friday saturday sunday strong moderate developing value
    proposition report executive summary evidence matrix differentiator differentiators gap gaps strategy
    strategies cultural fit talking point points keyword keywords roi kpi kpis okr okrs hr ai ml ux ui
    b2b b2c saas ceo cto cfo coo q&a faq""".split()
)

# --- figures ---------------------------------------------------------------------------------------

_MULTIPLIERS = {
    "k": 1_000,
    "thousand": 1_000,
    "אלף": 1_000,
    "m": 1_000_000,
    "mm": 1_000_000,
    "mn": 1_000_000,
    "million": 1_000_000,
    "מיליון": 1_000_000,
    "b": 1_000_000_000,
    "bn": 1_000_000_000,
    "billion": 1_000_000_000,
    "מיליארד": 1_000_000_000,
}
#: A number written with digits (thousands separators allowed), optionally scaled ("1.5M", "2 million").
#: Not preceded by a Latin letter or digit, so "S3", "Q4" and "B2B" are names, not figures; a Hebrew
#: prefix letter ("ב2019") is fine.
_FIGURE = re.compile(
    r"(?<![A-Za-z0-9.,])(?P<int>\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.(?P<frac>\d+))?"
    r"(?:\s?(?P<scale>[kKMB](?![A-Za-z])|MM|mn|bn|thousand\b|million\b|billion\b|אלף|מיליון|מיליארד))?"
    r"(?P<pct>\s?%)?"
)
_NUMBER_WORDS = {
    word: value
    for value, words in enumerate(
        [
            "zero",
            "one single אחד אחת",
            "two couple שניים שתיים שני שתי",
            "three שלוש שלושה",
            "four ארבע ארבעה",
            "five חמש חמישה",
            "six שש שישה",
            "seven שבע שבעה",
            "eight שמונה",
            "nine תשע תשעה",
            "ten עשר עשרה",
            "eleven",
            "twelve dozen",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty עשרים",
        ]
    )
    for word in words.split()
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_WORD = re.compile(r"[^\W\d_]+")
_HEBREW_PREFIXES = "ובלמהשכ"
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")


def _is_capitalized(word: str) -> bool:
    return any(c.isupper() for c in word)


def _looks_like_name(word: str) -> bool:
    """Capitalized in a way ordinary sentence-initial words are not: "PMP", "eBay", "McKinsey", "SHRM-CP"."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) > 1 and (any(c.isupper() for c in letters[1:]) or not letters[0].isupper())


def _key(word: str) -> str:
    """Case-, possessive- and plural-insensitive form of a word."""
    key = word.casefold().replace("’", "'")
    key = key.removesuffix("'s").removesuffix("'")
    if len(key) > 4 and key.endswith("ies"):
        key = key[:-3] + "y"
    elif len(key) > 3 and key.endswith("s") and not key.endswith("ss"):
        key = key[:-1]
    return key


class _Vocabulary:
    """Every Latin word of the inputs, their 6-letter stems, and the initials of their word runs."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.keys: set[str] = set()
        self.initials: set[str] = set()
        for text in texts:
            words: list[str] = []
            for token in _LATIN_WORD.findall(text):
                self.keys.add(_key(token))
                for part in _PARTS.findall(token):
                    self.keys.add(_key(part))
                    if part.casefold() not in _CONNECTORS:
                        words.append(part)
            for start in range(len(words)):
                run = ""
                for word in words[start : start + 8]:
                    run += word[0].casefold()
                    if len(run) > 1:
                        self.initials.add(run)
        self.stems = {key[:6] for key in self.keys if len(key) >= 6}

    def supports(self, word: str) -> bool:
        key = _key(word)
        if key in self.keys or key in _GENERIC or (len(key) >= 6 and key[:6] in self.stems):
            return True
        parts = _PARTS.findall(word)
        if len(parts) > 1 and all(self.supports(part) for part in parts):
            return True  # "Node.js", "SHRM-CP" when the inputs have the parts
        letters = "".join(c for c in word if c.isalpha())
        return letters.isupper() and len(letters) > 1 and letters.casefold() in self.initials


def _starts_sentence(before: str, first: bool) -> bool:
    """Whether a word preceded by ``before`` (text since the previous Latin word) opens a sentence.

    Only if nothing but punctuation and spaces follows the last sentence break — so a Latin name after
    Hebrew words ("ב-Google") is mid-sentence, and a sentence's first word is not.
    """
    breaks = list(_SENTENCE_BREAK.finditer(before))
    if not breaks and not first:
        return False
    tail = before[breaks[-1].end() :] if breaks else before
    return not any(c.isalpha() for c in tail)


def _name_claims(text: str, vocabulary: _Vocabulary) -> Iterator[tuple[int, str]]:
    """Capitalized words and phrases in ``text`` with a word the inputs do not contain."""
    tokens = [t for t in _LATIN_WORD.finditer(text) if len(t.group()) > 1]  # "A", "I": not names
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if not _is_capitalized(token.group()):
            index += 1
            continue
        # A run of capitalized words joined by spaces, hyphens, "&" or connector words ("Head of L&D").
        run, last_end, cursor = [token], token.end(), index + 1
        while cursor < len(tokens):
            nxt = tokens[cursor]
            gap = text[last_end : nxt.start()]
            if gap.strip() not in ("", "-", "&") or "\n" in gap:
                break
            if _is_capitalized(nxt.group()):
                run.append(nxt)
            elif not (
                nxt.group().casefold() in _CONNECTORS
                and cursor + 1 < len(tokens)
                and _is_capitalized(tokens[cursor + 1].group())
            ):
                break
            last_end, cursor = nxt.end(), cursor + 1
        before = text[tokens[index - 1].end() if index else 0 : token.start()]
        if _starts_sentence(before, index == 0) and not _looks_like_name(run[0].group()):
            run = run[1:]  # "At Google" / "Strong analytical skills": the first word is prose
        if any(not vocabulary.supports(t.group()) for t in run):
            yield run[0].start(), text[run[0].start() : run[-1].end()]
        index = cursor


# --- figures ---------------------------------------------------------------------------------------


def _figure_values(match: re.Match[str], *, as_written: bool = True) -> set[Decimal]:
    """The values a written figure stands for: scaled by its multiplier ("1.5M" → 1,500,000), and —
    with ``as_written`` (the inputs' side) — also the bare number, so "2 million" there backs "2" here
    but a "$2M" in a report is not backed by an unrelated "2".
    """
    digits = match.group("int").replace(",", "")
    if match.group("frac"):
        digits += "." + match.group("frac")
    try:
        value = Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the regex only matches digits
        return set()
    scale = match.group("scale")
    multiplier = (_MULTIPLIERS.get(scale.casefold()) or _MULTIPLIERS.get(scale)) if scale else None
    if not multiplier:
        return {value.normalize()}
    scaled = (value * multiplier).normalize()
    return {value.normalize(), scaled} if as_written else {scaled}


def _source_figures(texts: Iterable[str], cv_years: list[tuple[int, int]]) -> set[Decimal]:
    values: set[Decimal] = set()
    for text in texts:
        for match in _FIGURE.finditer(text):
            values |= _figure_values(match)
        for word in _WORD.findall(text.casefold()):
            value = _NUMBER_WORDS.get(word)
            if value is None and len(word) > 2 and word[0] in _HEBREW_PREFIXES:
                value = _NUMBER_WORDS.get(word[1:])
            if value is not None:
                values.add(Decimal(value))
    # Durations the CV states through its dates: each role's length and the whole career's span.
    for start, end in cv_years:
        values.add(Decimal(end - start))
    if cv_years:
        values.add(Decimal(max(end for _, end in cv_years) - min(start for start, _ in cv_years)))
    return values


def _figure_claims(text: str, source: set[Decimal]) -> Iterator[tuple[int, str]]:
    for match in _FIGURE.finditer(text):
        if not _figure_values(match, as_written=False) & source:
            yield match.start(), match.group(0).strip()


# --- inputs ----------------------------------------------------------------------------------------


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


def _cv_years(application: Application | VprRequest) -> list[tuple[int, int]]:
    cv = application.cv
    if cv is None:
        return []
    this_year = datetime.now(UTC).year
    spans = []
    for job in cv.experience:
        start = _YEAR.search(job.start or "")
        end = _YEAR.search(job.end or "")
        if start:
            spans.append((int(start.group()), int(end.group()) if end else this_year))
    return spans


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
    vocabulary = _Vocabulary(texts)
    figures = _source_figures(texts, _cv_years(application))
    claims: list[str] = []
    for section in report_texts:
        found = [*_name_claims(section, vocabulary), *_figure_claims(section, figures)]
        claims.extend(claim for _, claim in sorted(found))
    unsupported = _dedupe(claims)
    return Verification(grounded=not unsupported, unsupported_claims=unsupported)
