"""Rebuild the common-word lexicons the grounding check uses (``lambdas/vpr/lexicon/{en,he}.txt.gz``).

Run only when the lexicons should change; the pipeline never imports this. It needs two packages that
are not project dependencies (install them in a scratch virtualenv)::

    pip install wordfreq==3.1.1 english-words==2.0.2
    python eval/build_lexicon.py

Why these sources: a word the inputs do not contain is a claim only if it is not an ordinary word, and
"ordinary" must exclude names. ``wordfreq`` ranks words by how common they are (its data: CC BY-SA 4.0,
Robyn Speer et al.), but its top lists contain company names ("google", "microsoft"). So an English word
is kept only when Webster's Second International (public domain, via ``english-words``' ``web2`` list)
lists it, or its base form, in lowercase, which proper nouns are not. Hebrew has no capitals and no such
free dictionary here, so the Hebrew list is wordfreq's most common words less a short gazetteer of
organisations whose Hebrew spellings are common enough to be in it (listed below, also in English for the
few that Webster lists as ordinary words: "apple", "oracle").
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from english_words import get_english_words_set
from wordfreq import top_n_list

OUT = Path(__file__).resolve().parent.parent / "lambdas" / "vpr" / "lexicon"
EN_SIZE, HE_SIZE = 100_000, 150_000
COMMON_RANK = 5_000

#: Organisations an invented claim is likely to name whose spelling is also an ordinary word, or common
#: enough in Hebrew to be among wordfreq's top words. Never in the lexicon: always a claim to check.
GAZETTEER = """apple amazon meta oracle google adobe cisco intel tesla uber nvidia samsung netflix spotify
twitter facebook microsoft salesforce deloitte accenture mckinsey stanford harvard oxford cambridge yale
princeton technion youtube instagram disney bbc cnn nba nfl linkedin paypal ebay yahoo reddit
tiktok whatsapp iphone
גוגל מיקרוסופט פייסבוק אמזון אפל אינטל מטא אנבידיה סיסקו אורקל אדובי סמסונג נטפליקס טוויטר טסלה אובר
וויקס ויקס פייבר מונדיי טבע אלביט רפאל הרווארד סטנפורד טכניון אוקספורד קיימברידג' דלויט מקינזי אקסנצ'ר
סיילספורס אמדוקס נייס צ'קפוינט לינקדאין יאהו איביי פייפאל""".split()

_SUFFIXES = (
    ("ies", "y"),
    ("es", ""),
    ("s", ""),
    ("ed", ""),
    ("ed", "e"),
    ("d", ""),
    ("ing", ""),
    ("ing", "e"),
    ("ly", ""),
    ("er", ""),
    ("er", "e"),
    ("est", ""),
    ("st", ""),
    ("r", ""),
    ("ment", ""),
    ("ness", ""),
)


def _english() -> list[str]:
    web2 = get_english_words_set(["web2"], lower=False)
    ordinary = {w for w in web2 if w.islower()}
    kept = []
    for rank, word in enumerate(top_n_list("en", EN_SIZE)):
        if not re.fullmatch(r"[a-z]+", word) or word in GAZETTEER:
            continue
        bases = {word} | {
            word[: -len(s)] + r for s, r in _SUFFIXES if word.endswith(s) and len(word) > len(s) + 1
        }
        bases |= {b[:-1] for b in bases if len(b) > 3 and b[-1] == b[-2]}  # "planned" → "plann" → "plan"
        # The most common words are kept unless Webster lists them only as a name ("london"): this keeps
        # irregular forms and newer words ("has", "became", "online", "website").
        if bases & ordinary or (rank < COMMON_RANK and word.capitalize() not in web2):
            kept.append(word)
    return sorted(kept)


def _hebrew() -> list[str]:
    words = (w for w in top_n_list("he", HE_SIZE) if re.fullmatch(r"[\u05d0-\u05ea]+", w))
    names = set(GAZETTEER)

    def names_a_gazetteer_entry(word: str) -> bool:  # "בגוגל", "ולמיקרוסופט": a name with prefixes
        return any(word[n:] in names for n in range(4) if all(c in "ובלמהשכ" for c in word[:n]))

    return sorted(w for w in set(words) if not names_a_gazetteer_entry(w))


def main() -> None:
    for name, words in (("en", _english()), ("he", _hebrew())):
        data = ("\n".join(words) + "\n").encode()
        (OUT / f"{name}.txt.gz").write_bytes(gzip.compress(data, mtime=0))  # mtime 0: reproducible bytes
        print(f"{name}: {len(words)} words")


if __name__ == "__main__":
    main()
