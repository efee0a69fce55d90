"""Figure claims: numbers in a report compared by value with the numbers the inputs state.

``30%`` = ``30 percent`` = ``30 אחוז``; ``2TB`` = ``2 TB``; ``1,000`` = ``1000``; ``1.5M`` = ``1,500,000``; a
number word in the inputs backs the digit; the CV's role lengths, career span and the totals of groups
of roles count as stated (see ``vpr.grounding``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation

from vpr.grounding.vocabulary import HEBREW_PREFIXES

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
    if value is None and len(word) > 2 and word[0] in HEBREW_PREFIXES:
        value = _NUMBER_WORDS.get(word[1:])
    if value is None and "-" in word:
        tens, _, units = word.partition("-")
        if tens in _NUMBER_WORDS and units in _NUMBER_WORDS and _NUMBER_WORDS[units] < 10:
            value = _NUMBER_WORDS[tens] + _NUMBER_WORDS[units]
    return value


def source_figures(texts: Iterable[str], cv_years: list[tuple[int, int]]) -> set[Decimal]:
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


def figure_claims(text: str, source: set[Decimal]) -> Iterator[tuple[int, str]]:
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
