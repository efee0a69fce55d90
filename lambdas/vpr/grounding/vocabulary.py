"""The two vocabularies a report's words are checked against (see ``vpr.grounding``).

The inputs' vocabulary (``Vocabulary``: every word of the application, with its keys, stems, initials
and Hebrew forms) and the common-word lexicon (``lexicon``: ``vpr/lexicon/{en,he}.txt.gz``), plus the
word classes both need: connectors, generic words, title heads, Hebrew prefixes and suffixes.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import re
from collections.abc import Iterable
from pathlib import Path

LEXICON_DIR = Path(__file__).resolve().parent.parent / "lexicon"

# --- words -----------------------------------------------------------------------------------------

#: A Latin word, keeping compounds together: "L&D", "e-learning", "Node.js", "SHRM-CP", "O'Reilly".
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[&'’.\-][A-Za-z0-9]+)*")
#: A Hebrew word; geresh and gershayim inside acronyms ("סמנכ״ל", "צ'קפוינט") keep it whole.
HEBREW_WORD = re.compile(r"[\u05d0-\u05ea]+(?:[\"'״׳][\u05d0-\u05ea]+)*[׳']?")
PARTS = re.compile(r"[A-Za-z0-9]+")
#: A unit written against its number ("2TB", "15k"): its letters are a word of the inputs too.
UNIT = re.compile(r"\d([A-Za-z]+)\b")
#: Text between two words that ends a sentence (or starts a list item / quotation) before the next.
SENTENCE_BREAK = re.compile(r"[.!?:;\n•·\"“”‘«»(]|^\s*[-–—*]\s")
#: Lowercase words allowed inside a name phrase ("Head of Learning and Development").
CONNECTORS = frozenset({"of", "and", "for", "the", "&", "de"})
#: Words that are never claims about the candidate, whatever their case.
GENERIC = frozenset(
    """i cv vpr ats ok january february march april may june july august september october november
    december monday tuesday wednesday thursday friday saturday sunday strong moderate developing value
    proposition report executive summary evidence matrix differentiator differentiators gap gaps strategy
    strategies cultural fit talking point points keyword keywords roi kpi kpis okr okrs hr ai ml ux ui
    b2b b2c saas ceo cto cfo coo q&a faq eg ie etc vs""".split()
)
#: Generic in "reports to the CEO", a claim in "served as CFO" (the candidate as the subject).
TITLE_ACRONYMS = frozenset({"ceo", "cto", "cfo", "coo"})
#: Workplace words too recent for the dictionary behind the lexicon; ordinary in any report.
WORKPLACE = frozenset(
    """onboarding offboarding workflow workflows upskilling reskilling roadmap roadmaps stakeholder
    stakeholders dashboard dashboards analytics scalable hands-on cross-functional data-driven e-learning
    elearning mentoring coaching teamwork ramp-up follow-up end-to-end day-to-day hiring rollout rollouts
    benchmark benchmarks benchmarking feedback mindset toolkit playbook playbooks""".split()
)
#: Head nouns of job titles: a role phrase ending in one must come from the inputs.
TITLE_HEADS = frozenset(
    """director manager head lead chief officer president vp engineer scientist analyst architect designer
    consultant specialist partner coordinator administrator developer researcher recruiter executive
    principal supervisor founder cofounder co-founder owner advisor adviser strategist""".split()
)
HEBREW_TITLE_HEADS = frozenset(
    """מנהל מנהלת ראש סמנכ"ל סמנכ״ל מנכ"ל מנכ״ל מהנדס מהנדסת יועץ יועצת אנליסט אנליסטית מפתח מפתחת מעצב
    מעצבת רכז רכזת מדען מדענית חוקר חוקרת שותף שותפה דירקטור דירקטורית מייסד מייסדת""".split()
)
HEBREW_PREFIXES = "ובלמהשכ"
#: Hebrew abbreviations (written with gershayim, which the lexicon's word list leaves out).
HEBREW_GENERIC = frozenset('ש"ח בע"מ וכו\' דו"ח מנכ"ל סמנכ"ל מו"מ חו"ל ביה"ס צה"ל ת"א'.split())
FINAL_LETTERS = str.maketrans("ךםןףץ", "כמנפצ")
HEBREW_SUFFIXES = ("יות", "ים", "ות", "ית", "ה", "ת", "י")


@functools.cache
def common_words(language: str) -> frozenset[str]:
    """The common words of a language, loaded once per process (Hebrew also without its suffixes)."""
    words = gzip.decompress((LEXICON_DIR / f"{language}.txt.gz").read_bytes()).decode().split()
    if language == "he":
        return frozenset(form for word in words for form in hebrew_forms(word, prefixes=False))
    return frozenset(words)


def is_capitalized(word: str) -> bool:
    return any(c.isupper() for c in word)


def looks_like_name(word: str) -> bool:
    """Capitalized in a way ordinary sentence-initial words are not: "PMP", "eBay", "McKinsey", "SHRM-CP"."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) > 1 and (any(c.isupper() for c in letters[1:]) or not letters[0].isupper())


def word_key(word: str) -> str:
    """Case-, possessive- and plural-insensitive form of a word."""
    key = word.casefold().replace("’", "'")
    key = key.removesuffix("'s").removesuffix("'")
    if len(key) > 4 and key.endswith("ies"):
        key = key[:-3] + "y"
    elif len(key) > 3 and key.endswith("s") and not key.endswith("ss"):
        key = key[:-1]
    return key


def is_ordinary(word: str) -> bool:
    """A common English word (any case), or a compound of them ("ramp-up", "long-term")."""
    folded = word.casefold().replace("’", "'")
    lexicon = common_words("en")
    if folded in lexicon or folded in WORKPLACE or word_key(word) in lexicon or word_key(word) in GENERIC:
        return True
    parts = PARTS.findall(folded)
    return len(parts) > 1 and all(p in lexicon or p in WORKPLACE for p in parts)


def hebrew_forms(word: str, *, prefixes: bool = True) -> set[str]:
    """A Hebrew word with 0-3 attached prefix letters removed, each also without a common suffix."""
    word = word.replace("״", '"').replace("׳", "'").rstrip("'")
    forms = {word}
    for count in range(1, 4 if prefixes else 1):
        head, rest = word[:count], word[count:]
        if len(rest) < 2 or any(c not in HEBREW_PREFIXES for c in head):
            break
        forms.add(rest)
    normalized = set()
    for form in forms:
        base = form.translate(FINAL_LETTERS)
        normalized.add(base)
        for suffix in HEBREW_SUFFIXES:
            if base.endswith(suffix) and len(base) - len(suffix) >= 2:
                normalized.add(base[: -len(suffix)])
    return forms | normalized


class Vocabulary:
    """Every word of the inputs (Latin keys and 6-letter stems, Hebrew forms) and their initials."""

    def __init__(self, texts: Iterable[str], generic: frozenset[str] = GENERIC) -> None:
        self.generic = generic
        self.keys: set[str] = set()
        self.initials: set[str] = set()
        self.hebrew: set[str] = set()
        self.hebrew_pairs: set[tuple[str, str]] = set()
        texts = list(texts)
        for text in texts:
            words: list[str] = []
            for token in LATIN_WORD.findall(text):
                self.keys.add(word_key(token))
                if "." in token:
                    self.keys.add("".join(PARTS.findall(token)).casefold())  # "B.A." is also "ba"
                for part in PARTS.findall(token):
                    self.keys.add(word_key(part))
                    if part.casefold() not in CONNECTORS:
                        words.append(part)
            self.keys.update(unit.casefold() for unit in UNIT.findall(text))
            for start in range(len(words)):
                run = ""
                for word in words[start : start + 8]:
                    run += word[0].casefold()
                    if len(run) > 1:
                        self.initials.add(run)
            hebrew = HEBREW_WORD.findall(text)
            for token in hebrew:
                self.hebrew |= hebrew_forms(token)
            for first, second in itertools.pairwise(hebrew):
                self.hebrew_pairs.update(itertools.product(hebrew_forms(first), hebrew_forms(second)))
        self.text = "\n".join(texts).casefold()
        self.stems = {key[:6] for key in self.keys if len(key) >= 6}

    def supports(self, word: str) -> bool:
        key = word_key(word)
        if key in self.keys or key in self.generic or (len(key) >= 6 and key[:6] in self.stems):
            return True
        parts = PARTS.findall(word)
        if "." in word and all(len(part) <= 3 for part in parts):
            letters = "".join(parts).casefold()
            return letters in self.keys or letters in self.generic  # "B.A.", "M.Sc" as "BA", "MSc"
        if len(parts) > 1:
            supported = [self.supports(part) for part in parts]
            if any(supported) and all(s or is_ordinary(p) for s, p in zip(supported, parts, strict=True)):
                return True  # "Node.js", "SHRM-CP", "CISSP-certified" when the inputs have the name
        letters = "".join(c for c in word if c.isalpha())
        return letters.isupper() and len(letters) > 1 and letters.casefold() in self.initials

    def has_phrase(self, phrase: str) -> bool:
        """The words as written together somewhere in the inputs (case aside)."""
        return " ".join(phrase.split()).casefold() in self.text

    def supports_hebrew_pair(self, first: str, second: str) -> bool:
        """Two Hebrew words that stand next to each other in the inputs (prefixes, suffixes aside)."""
        return bool(set(itertools.product(hebrew_forms(first), hebrew_forms(second))) & self.hebrew_pairs)

    def supports_hebrew(self, word: str) -> bool:
        return bool(hebrew_forms(word) & self.hebrew)

    def known_hebrew(self, word: str) -> bool:
        """In the inputs or an ordinary Hebrew word (the gazetteer's names are not in the lexicon)."""
        forms = hebrew_forms(word)
        return bool(
            forms & self.hebrew
            or forms & HEBREW_GENERIC
            or forms & HEBREW_WORKPLACE
            or forms & common_words("he")
        )


#: Hebrew workplace loanwords too new or too rare for the lexicon; ordinary in any report.
HEBREW_WORKPLACE = frozenset(
    """דשבורד דשבורדים אונבורדינג פיצ'ר פיצ'רים סטארטאפ סטארט-אפ פרילנסר פרילנסרים אנליטיקה אנליטי
    אנליטית פרודקט סקייל סקיילביליות מנטורינג קואצ'ינג פידבק רואדמאפ אג'ייל ספרינט ספרינטים""".split()
)
