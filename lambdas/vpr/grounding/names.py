"""Word claims: employers, titles, certifications and other names the inputs do not support.

Latin words and name phrases (``latin_claims``), role phrases ("as a senior director", "כמנהלת"),
Hebrew words, and the candidate-specific check of sentences about what the candidate holds or did
(``word_claims``). The rules are described in ``vpr.grounding``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from vpr.grounding.vocabulary import (
    CONNECTORS,
    HEBREW_TITLE_HEADS,
    HEBREW_WORD,
    LATIN_WORD,
    SENTENCE_BREAK,
    TITLE_HEADS,
    Vocabulary,
    hebrew_forms,
    is_capitalized,
    is_ordinary,
    looks_like_name,
    word_key,
)


def _starts_sentence(before: str, first: bool) -> bool:
    """Whether a word preceded by ``before`` (text since the previous Latin word) opens a sentence.

    Only if nothing but punctuation and spaces follows the last sentence break — so a Latin name after
    Hebrew words ("ב-Google") is mid-sentence, and a sentence's first word is not.
    """
    breaks = list(SENTENCE_BREAK.finditer(before))
    if not breaks and not first:
        return False
    tail = before[breaks[-1].end() :] if breaks else before
    return not any(c.isalpha() for c in tail)


def _latin_claims(text: str, vocabulary: Vocabulary) -> Iterator[tuple[int, int]]:
    """Spans of Latin words and name phrases the inputs do not support (see the module docstring)."""
    tokens = [t for t in LATIN_WORD.finditer(text) if len(t.group()) > 1]  # "A", "I": not names
    index = 0
    while index < len(tokens):
        token = tokens[index]
        word = token.group()
        if not is_capitalized(word):
            if not vocabulary.supports(word) and not is_ordinary(word):
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
            if is_capitalized(nxt.group()):
                run.append(nxt)
            elif not (
                nxt.group().casefold() in CONNECTORS
                and cursor + 1 < len(tokens)
                and is_capitalized(tokens[cursor + 1].group())
            ):
                break
            last_end, cursor = nxt.end(), cursor + 1
        before = text[tokens[index - 1].end() if index else 0 : token.start()]
        first = run[0].group()
        if (
            _starts_sentence(before, index == 0)
            and not looks_like_name(first)
            and (vocabulary.supports(first) or is_ordinary(first))
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


def _role_claims(text: str, vocabulary: Vocabulary) -> Iterator[tuple[int, int]]:
    """Role phrases ("as a senior director of sales", "as nurse manager", "כמנהלת מכירות") that the
    candidate's texts do not contain — invented titles are usually made of ordinary words, so the
    lexicon cannot catch them. The title's seniority words and head noun must be the inputs', and the
    known words just before the head must occur together as written ("nurse manager" is not backed by
    "Registered Nurse" and "Product Manager"); other modifiers are prose ("an experienced manager")."""
    tokens = list(LATIN_WORD.finditer(text))
    for index, token in enumerate(tokens):
        if token.group().casefold() != "as":
            continue
        phrase: list[re.Match[str]] = []
        for nxt in tokens[index + 1 : index + 7]:
            if text[(phrase[-1] if phrase else token).end() : nxt.start()].strip():
                break  # punctuation ends the phrase
            phrase.append(nxt)
        words = [t.group().casefold() for t in phrase]
        heads = [i for i, w in enumerate(words) if word_key(w) in TITLE_HEADS]
        if not heads:
            continue  # "as well as", "as part of"
        head = heads[0]
        start = 0
        while start < head and words[start] in _DETERMINERS:
            start += 1
        end = head + 2 if head + 2 < len(words) and words[head + 1] == "of" else head
        title = [t for t in phrase[start : end + 1] if t.group().casefold() not in CONNECTORS]
        strict = [
            t
            for t in title
            if word_key(t.group()) in _SENIORITY | TITLE_HEADS or t.start() > phrase[head].end()
        ]
        known = head  # the run of known words that ends at the head
        while known > start and vocabulary.supports(phrase[known - 1].group()):
            known -= 1
        together = text[phrase[known].start() : phrase[head].end()]
        if not all(vocabulary.supports(t.group()) for t in strict) or (
            known < head and not vocabulary.has_phrase(together)
        ):
            yield phrase[start].start(), phrase[end].end()
    hebrew = list(HEBREW_WORD.finditer(text))
    for index, token in enumerate(hebrew):
        word = token.group()
        if not word.startswith("כ") or not hebrew_forms(word[1:]) & HEBREW_TITLE_HEADS:
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


def _hebrew_claims(text: str, vocabulary: Vocabulary) -> Iterator[tuple[int, int]]:
    """Hebrew words neither in the inputs nor ordinary Hebrew, prefixes and suffixes aside."""
    for token in HEBREW_WORD.finditer(text):
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


def word_claims(
    text: str, vocabulary: Vocabulary, candidate: Vocabulary, roles: Vocabulary
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
