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

import functools
import gzip
import itertools
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from vpr.experience import career_years
from vpr.models import Application, ReportContent, Verification, VprRequest
from vpr.report_text import report_sections

_LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"

# --- words -----------------------------------------------------------------------------------------

#: A Latin word, keeping compounds together: "L&D", "e-learning", "Node.js", "SHRM-CP", "O'Reilly".
_LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[&'’.\-][A-Za-z0-9]+)*")
#: A Hebrew word; geresh and gershayim inside acronyms ("סמנכ״ל", "צ'קפוינט") keep it whole.
_HEBREW_WORD = re.compile(r"[\u05d0-\u05ea]+(?:[\"'״׳][\u05d0-\u05ea]+)*[׳']?")
_PARTS = re.compile(r"[A-Za-z0-9]+")
#: A unit written against its number ("2TB", "15k"): its letters are a word of the inputs too.
_UNIT = re.compile(r"\d([A-Za-z]+)\b")
#: Text between two words that ends a sentence (or starts a list item / quotation) before the next.
_SENTENCE_BREAK = re.compile(r"[.!?:;\n•·\"“”‘«»(]|^\s*[-–—*]\s")
#: Lowercase words allowed inside a name phrase ("Head of Learning and Development").
_CONNECTORS = frozenset({"of", "and", "for", "the", "&", "de"})
#: Words that are never claims about the candidate, whatever their case.
_GENERIC = frozenset(
    """i cv vpr ats ok january february march april may june july august september october november
    december monday tuesday wednesday thursday friday saturday sunday strong moderate developing value
    proposition report executive summary evidence matrix differentiator differentiators gap gaps strategy
    strategies cultural fit talking point points keyword keywords roi kpi kpis okr okrs hr ai ml ux ui
    b2b b2c saas ceo cto cfo coo q&a faq eg ie etc vs""".split()
)
#: Generic in "reports to the CEO", a claim in "served as CFO" (the candidate as the subject).
_TITLE_ACRONYMS = frozenset({"ceo", "cto", "cfo", "coo"})
#: Workplace words too recent for the dictionary behind the lexicon; ordinary in any report.
_WORKPLACE = frozenset(
    """onboarding offboarding workflow workflows upskilling reskilling roadmap roadmaps stakeholder
    stakeholders dashboard dashboards analytics scalable hands-on cross-functional data-driven e-learning
    elearning mentoring coaching teamwork ramp-up follow-up end-to-end day-to-day hiring rollout rollouts
    benchmark benchmarks benchmarking feedback mindset toolkit playbook playbooks""".split()
)
#: Head nouns of job titles: a role phrase ending in one must come from the inputs.
_TITLE_HEADS = frozenset(
    """director manager head lead chief officer president vp engineer scientist analyst architect designer
    consultant specialist partner coordinator administrator developer researcher recruiter executive
    principal supervisor founder cofounder co-founder owner advisor adviser strategist""".split()
)
_HEBREW_TITLE_HEADS = frozenset(
    """מנהל מנהלת ראש סמנכ"ל סמנכ״ל מנכ"ל מנכ״ל מהנדס מהנדסת יועץ יועצת אנליסט אנליסטית מפתח מפתחת מעצב
    מעצבת רכז רכזת מדען מדענית חוקר חוקרת שותף שותפה דירקטור דירקטורית מייסד מייסדת""".split()
)
_HEBREW_PREFIXES = "ובלמהשכ"
#: Hebrew abbreviations (written with gershayim, which the lexicon's word list leaves out).
_HEBREW_GENERIC = frozenset('ש"ח בע"מ וכו\' דו"ח מנכ"ל סמנכ"ל מו"מ חו"ל ביה"ס צה"ל ת"א'.split())
_FINAL_LETTERS = str.maketrans("ךםןףץ", "כמנפצ")
_HEBREW_SUFFIXES = ("יות", "ים", "ות", "ית", "ה", "ת", "י")


@functools.cache
def _lexicon(language: str) -> frozenset[str]:
    """The common words of a language, loaded once per process (Hebrew also without its suffixes)."""
    words = gzip.decompress((_LEXICON_DIR / f"{language}.txt.gz").read_bytes()).decode().split()
    if language == "he":
        return frozenset(form for word in words for form in _hebrew_forms(word, prefixes=False))
    return frozenset(words)


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


def _is_ordinary(word: str) -> bool:
    """A common English word (any case), or a compound of them ("ramp-up", "long-term")."""
    folded = word.casefold().replace("’", "'")
    lexicon = _lexicon("en")
    if folded in lexicon or folded in _WORKPLACE or _key(word) in lexicon or _key(word) in _GENERIC:
        return True
    parts = _PARTS.findall(folded)
    return len(parts) > 1 and all(p in lexicon or p in _WORKPLACE for p in parts)


def _hebrew_forms(word: str, *, prefixes: bool = True) -> set[str]:
    """A Hebrew word with 0-3 attached prefix letters removed, each also without a common suffix."""
    word = word.replace("״", '"').replace("׳", "'").rstrip("'")
    forms = {word}
    for count in range(1, 4 if prefixes else 1):
        head, rest = word[:count], word[count:]
        if len(rest) < 2 or any(c not in _HEBREW_PREFIXES for c in head):
            break
        forms.add(rest)
    normalized = set()
    for form in forms:
        base = form.translate(_FINAL_LETTERS)
        normalized.add(base)
        for suffix in _HEBREW_SUFFIXES:
            if base.endswith(suffix) and len(base) - len(suffix) >= 2:
                normalized.add(base[: -len(suffix)])
    return forms | normalized


class _Vocabulary:
    """Every word of the inputs (Latin keys and 6-letter stems, Hebrew forms) and their initials."""

    def __init__(self, texts: Iterable[str], generic: frozenset[str] = _GENERIC) -> None:
        self.generic = generic
        self.keys: set[str] = set()
        self.initials: set[str] = set()
        self.hebrew: set[str] = set()
        self.hebrew_pairs: set[tuple[str, str]] = set()
        texts = list(texts)
        for text in texts:
            words: list[str] = []
            for token in _LATIN_WORD.findall(text):
                self.keys.add(_key(token))
                if "." in token:
                    self.keys.add("".join(_PARTS.findall(token)).casefold())  # "B.A." is also "ba"
                for part in _PARTS.findall(token):
                    self.keys.add(_key(part))
                    if part.casefold() not in _CONNECTORS:
                        words.append(part)
            self.keys.update(unit.casefold() for unit in _UNIT.findall(text))
            for start in range(len(words)):
                run = ""
                for word in words[start : start + 8]:
                    run += word[0].casefold()
                    if len(run) > 1:
                        self.initials.add(run)
            hebrew = _HEBREW_WORD.findall(text)
            for token in hebrew:
                self.hebrew |= _hebrew_forms(token)
            for first, second in itertools.pairwise(hebrew):
                self.hebrew_pairs.update(itertools.product(_hebrew_forms(first), _hebrew_forms(second)))
        self.text = "\n".join(texts).casefold()
        self.stems = {key[:6] for key in self.keys if len(key) >= 6}

    def supports(self, word: str) -> bool:
        key = _key(word)
        if key in self.keys or key in self.generic or (len(key) >= 6 and key[:6] in self.stems):
            return True
        parts = _PARTS.findall(word)
        if "." in word and all(len(part) <= 3 for part in parts):
            letters = "".join(parts).casefold()
            return letters in self.keys or letters in self.generic  # "B.A.", "M.Sc" as "BA", "MSc"
        if len(parts) > 1:
            supported = [self.supports(part) for part in parts]
            if any(supported) and all(s or _is_ordinary(p) for s, p in zip(supported, parts, strict=True)):
                return True  # "Node.js", "SHRM-CP", "CISSP-certified" when the inputs have the name
        letters = "".join(c for c in word if c.isalpha())
        return letters.isupper() and len(letters) > 1 and letters.casefold() in self.initials

    def has_phrase(self, phrase: str) -> bool:
        """The words as written together somewhere in the inputs (case aside)."""
        return " ".join(phrase.split()).casefold() in self.text

    def supports_hebrew_pair(self, first: str, second: str) -> bool:
        """Two Hebrew words that stand next to each other in the inputs (prefixes, suffixes aside)."""
        return bool(set(itertools.product(_hebrew_forms(first), _hebrew_forms(second))) & self.hebrew_pairs)

    def supports_hebrew(self, word: str) -> bool:
        return bool(_hebrew_forms(word) & self.hebrew)

    def known_hebrew(self, word: str) -> bool:
        """In the inputs or an ordinary Hebrew word (the gazetteer's names are not in the lexicon)."""
        forms = _hebrew_forms(word)
        return bool(
            forms & self.hebrew
            or forms & _HEBREW_GENERIC
            or forms & _HEBREW_WORKPLACE
            or forms & _lexicon("he")
        )


#: Hebrew workplace loanwords too new or too rare for the lexicon; ordinary in any report.
_HEBREW_WORKPLACE = frozenset(
    """דשבורד דשבורדים אונבורדינג פיצ'ר פיצ'רים סטארטאפ סטארט-אפ פרילנסר פרילנסרים אנליטיקה אנליטי
    אנליטית פרודקט סקייל סקיילביליות מנטורינג קואצ'ינג פידבק רואדמאפ אג'ייל ספרינט ספרינטים""".split()
)


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


def _latin_claims(text: str, vocabulary: _Vocabulary) -> Iterator[tuple[int, int]]:
    """Spans of Latin words and name phrases the inputs do not support (see the module docstring)."""
    tokens = [t for t in _LATIN_WORD.finditer(text) if len(t.group()) > 1]  # "A", "I": not names
    index = 0
    while index < len(tokens):
        token = tokens[index]
        word = token.group()
        if not _is_capitalized(word):
            if not vocabulary.supports(word) and not _is_ordinary(word):
                yield token.start(), token.end()  # "worked at microsoft"
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
        first = run[0].group()
        if (
            _starts_sentence(before, index == 0)
            and not _looks_like_name(first)
            and (vocabulary.supports(first) or _is_ordinary(first))
        ):
            run = run[1:]  # "At Google" / "Strong analytical skills": the first word is prose
        if any(not vocabulary.supports(t.group()) for t in run):
            yield run[0].start(), run[-1].end()
        index = cursor


#: Words that make a role phrase senior or specific: with the head noun, they must come from the inputs.
_SENIORITY = frozenset(
    "senior junior principal chief head lead staff vice associate assistant deputy executive global group "
    "regional managing".split()
)
_DETERMINERS = frozenset("a an the its their his her our".split())


def _role_claims(text: str, vocabulary: _Vocabulary) -> Iterator[tuple[int, int]]:
    """Role phrases ("as a senior director of sales", "as nurse manager", "כמנהלת מכירות") that the
    candidate's texts do not contain — invented titles are usually made of ordinary words, so the
    lexicon cannot catch them. The title's seniority words and head noun must be the inputs', and the
    known words just before the head must occur together as written ("nurse manager" is not backed by
    "Registered Nurse" and "Product Manager"); other modifiers are prose ("an experienced manager")."""
    tokens = list(_LATIN_WORD.finditer(text))
    for index, token in enumerate(tokens):
        if token.group().casefold() != "as":
            continue
        phrase: list[re.Match[str]] = []
        for nxt in tokens[index + 1 : index + 7]:
            if text[(phrase[-1] if phrase else token).end() : nxt.start()].strip():
                break  # punctuation ends the phrase
            phrase.append(nxt)
        words = [t.group().casefold() for t in phrase]
        heads = [i for i, w in enumerate(words) if _key(w) in _TITLE_HEADS]
        if not heads:
            continue  # "as well as", "as part of"
        head = heads[0]
        start = 0
        while start < head and words[start] in _DETERMINERS:
            start += 1
        end = head + 2 if head + 2 < len(words) and words[head + 1] == "of" else head
        title = [t for t in phrase[start : end + 1] if t.group().casefold() not in _CONNECTORS]
        strict = [
            t for t in title if _key(t.group()) in _SENIORITY | _TITLE_HEADS or t.start() > phrase[head].end()
        ]
        known = head  # the run of known words that ends at the head
        while known > start and vocabulary.supports(phrase[known - 1].group()):
            known -= 1
        together = text[phrase[known].start() : phrase[head].end()]
        if not all(vocabulary.supports(t.group()) for t in strict) or (
            known < head and not vocabulary.has_phrase(together)
        ):
            yield phrase[start].start(), phrase[end].end()
    hebrew = list(_HEBREW_WORD.finditer(text))
    for index, token in enumerate(hebrew):
        word = token.group()
        if not word.startswith("כ") or not _hebrew_forms(word[1:]) & _HEBREW_TITLE_HEADS:
            continue
        nxt = hebrew[index + 1] if index + 1 < len(hebrew) else None
        # "כמנהלת מחלקה" (a construct: the title goes on), not "כמנהלת בשטראוס" ("at"), a new phrase.
        if nxt is None or text[token.end() : nxt.start()].strip() or nxt.group()[0] in "בלוש":
            supported = vocabulary.supports_hebrew(word)
            span_end = token.end()
        else:
            supported = vocabulary.supports_hebrew_pair(word, nxt.group())
            span_end = nxt.end()
        if not supported:
            yield token.start(), span_end


def _hebrew_claims(text: str, vocabulary: _Vocabulary) -> Iterator[tuple[int, int]]:
    """Hebrew words neither in the inputs nor ordinary Hebrew, prefixes and suffixes aside."""
    for token in _HEBREW_WORD.finditer(text):
        if len(token.group()) > 1 and not vocabulary.known_hebrew(token.group()):
            yield token.start(), token.end()


def _merge(spans: Iterable[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """One claim per phrase: spans inside another dropped, neighbours split only by spaces joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        elif merged and not text[merged[-1][1] : start].strip(" -"):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


#: Words that make a sentence a claim about what the candidate holds or did ("holds", "served as",
#: "בוגרת"): its names must come from what the candidate wrote, not from the posting.
_POSSESSION = re.compile(
    r"\b(?:holds?|held|earned|obtained|awarded|completed|certified|graduated?|alumn\w*|served|promoted|"
    r"worked|joined|hired|employed|formerly|previously|degree)\b|"
    r"(?<![\u05d0-\u05ea])[ו]?(?:בעל|בעלת|בוגר|בוגרת|שימש|שימשה|עבד|עבדה|הוסמך|הוסמכה|תואר)(?![\u05d0-\u05ea])",
    re.IGNORECASE,
)
#: A sentence: up to a ".", "!", "?" or ";" before a space (so "B.A." and "Node.js" stay inside).
_SENTENCE = re.compile(r"(?:[^.!?;\n]|[.!?;]+(?=\S))+[.!?;]*")
#: Quoted text ("On “GraphQL APIs”: ...") is the posting's or the candidate's own words, checked as such.
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")


def _word_claims(
    text: str, vocabulary: _Vocabulary, candidate: _Vocabulary, roles: _Vocabulary
) -> Iterator[tuple[int, str]]:
    """Word claims of ``text``: names of a sentence about what the candidate holds or did are checked
    against the candidate's own texts (``candidate``), role phrases against those and the role applied
    for (``roles``), the rest against all inputs — so "Holds the OSCP" and "served as CFO" are claims
    even when the posting asks for an OSCP and a CFO."""
    spans = list(_hebrew_claims(text, vocabulary))
    quoted = [m.span() for m in _QUOTED.finditer(text)]

    def in_quotes(start: int) -> bool:
        return any(q_start <= start < q_end for q_start, q_end in quotes_here)

    for sentence in _SENTENCE.finditer(text):
        body, offset = sentence.group(), sentence.start()
        quotes_here = [(a - offset, b - offset) for a, b in quoted]
        about_candidate = bool(_POSSESSION.search(_QUOTED.sub(" ", body)))
        found = [*_latin_claims(body, vocabulary)] if about_candidate else []
        found = [span for span in found if in_quotes(span[0])]  # quotes: checked against all inputs
        own = _latin_claims(body, candidate if about_candidate else vocabulary)
        found += [span for span in own if not (about_candidate and in_quotes(span[0]))]
        found += [span for span in _role_claims(body, roles) if not in_quotes(span[0])]
        spans += [(start + offset, end + offset) for start, end in found]
    for start, end in _merge(spans, text):
        yield start, text[start:end]


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
_NUMBER_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")
_MAX_ROLES_SUMMED = 12  # 4,095 groups at most


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


def _number_word(word: str) -> int | None:
    """The value of a number word ("five", "thirty-five", "ושלושה"), Hebrew prefixes allowed."""
    value = _NUMBER_WORDS.get(word)
    if value is None and len(word) > 2 and word[0] in _HEBREW_PREFIXES:
        value = _NUMBER_WORDS.get(word[1:])
    if value is None and "-" in word:
        tens, _, units = word.partition("-")
        if tens in _NUMBER_WORDS and units in _NUMBER_WORDS and _NUMBER_WORDS[units] < 10:
            value = _NUMBER_WORDS[tens] + _NUMBER_WORDS[units]
    return value


def _source_figures(texts: Iterable[str], cv_years: list[tuple[int, int]]) -> set[Decimal]:
    values: set[Decimal] = set()
    for text in texts:
        for match in _FIGURE.finditer(text):
            values |= _figure_values(match)
        for word in _NUMBER_WORD.findall(text.casefold()):
            value = _number_word(word)
            if value is not None:
                values.add(Decimal(value))
    # Durations the CV states through its dates: each role's length, the whole career's span, and the
    # total of any group of roles ("8 years of training roles"), for CVs short enough to enumerate.
    lengths = [end - start for start, end in cv_years]
    values.update(Decimal(length) for length in lengths)
    if cv_years:
        values.add(Decimal(max(end for _, end in cv_years) - min(start for start, _ in cv_years)))
    if len(lengths) <= _MAX_ROLES_SUMMED:
        for size in range(2, len(lengths) + 1):
            values.update(Decimal(sum(group)) for group in itertools.combinations(lengths, size))
    return values


#: "2018–21": a two-digit year after a four-digit one and a dash is the same century's year.
_RANGE_START = re.compile(r"((?:19|20)\d\d)\s?[-–—]\s?$")


def _figure_claims(text: str, source: set[Decimal]) -> Iterator[tuple[int, str]]:
    """Figures written with digits, and number words from eleven up, that the inputs do not state."""
    for match in _FIGURE.finditer(text):
        values = _figure_values(match, as_written=False)
        range_start = _RANGE_START.search(text[: match.start()])
        if range_start and len(match.group("int")) == 2 and not match.group("frac"):
            values.add(Decimal(range_start.group(1)[:2] + match.group("int")))  # or a month: "2021-02"
        if not values & source:
            yield match.start(), match.group(0).strip()
    for match in _NUMBER_WORD.finditer(text.casefold()):
        value = _number_word(match.group())
        if value is not None and value > 10 and match.group() != "dozen" and Decimal(value) not in source:
            yield match.start(), text[match.start() : match.end()]


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
    vocabulary = _Vocabulary(texts)
    own = _candidate_texts(application)
    candidate = _Vocabulary(own, generic=_GENERIC - _TITLE_ACRONYMS)
    roles = _Vocabulary([*own, application.job_posting.role_title], generic=_GENERIC - _TITLE_ACRONYMS)
    figures = _source_figures(texts, career_years(application.cv))
    claims: list[str] = []
    for section in report_texts:
        found = [*_word_claims(section, vocabulary, candidate, roles), *_figure_claims(section, figures)]
        claims.extend(claim for _, claim in sorted(found))
    unsupported = _dedupe(claims)
    return Verification(grounded=not unsupported, unsupported_claims=unsupported)
