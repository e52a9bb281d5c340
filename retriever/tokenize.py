"""Word tokens for BM25 and for lexical overlap: case-folded, stop words out, stemmed.

British and American spellings are folded together ("organisation" = "organization") because the
reports use British spelling and users often don't.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

_TOKEN = re.compile(r"[^\W_]+(?:[’'][^\W_]+)?", re.UNICODE)
# a word as written, case kept, with inner hyphens and apostrophes ("co-chaired", "ISECG’s")
RAW_WORD = re.compile(r"[\w’'-]+")
_IZE = re.compile(r"iz(e|ed|es|ing|ation|ations|er|ers)$")
_OUR = re.compile(r"our(s|ed|ing)?$")

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "also",
        "tell",
        "please",
        "give",
        "list",
        "name",
        "s",
        "t",
        "d",
        "ll",
        "m",
        "re",
        "ve",
        "let",
        "us",
        "one's",
        "whose",
        "whats",
        "what's",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
    ]
)

_stemmer = Stemmer.Stemmer("english")

# Irregular verb forms the stemmer leaves alone ("bound" never meets "binding", "grew" never
# "grow"): general English morphology, mapped to the base form before stemming. Only unambiguous
# forms: "found" (find / to found), "left" (leave / the side) and "led" ("led to" = caused, while
# "leads" mostly means heads) are left out.
_IRREGULAR = {
    form: base
    for base, forms in {
        "bind": "bound",
        "grow": "grew grown",
        "shrink": "shrank shrunk",
        "begin": "began begun",
        "hold": "held",
        "meet": "met",
        "make": "made",
        "bring": "brought",
        "choose": "chose chosen",
        "take": "took taken",
        "give": "gave given",
        "write": "wrote written",
        "build": "built",
        "send": "sent",
        "spend": "spent",
        "keep": "kept",
        "seek": "sought",
        "think": "thought",
        "tell": "told",
        "go": "went gone",
        "see": "saw seen",
        "know": "knew known",
        "rise": "rose risen",
        "fall": "fell fallen",
        "pay": "paid",
        "say": "said",
        "lose": "lost",
        "win": "won",
        "become": "became",
        "undertake": "undertook undertaken",
    }.items()
    for form in forms.split()
}


_SMALL = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty"
)
NUMBER_WORDS = {w: str(i) for i, w in enumerate(_SMALL.split(" "))}
NUMBER_WORDS.update({"thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "dozen": "12"})
YEAR = re.compile(r"\b(?:19|20)\d{2}\b")  # a year, as reports write them


def count_value(token: str) -> str | None:
    """The number a case-folded token states as a count ("14", "fourteen" → "14"); None for a
    year or a word that is no number."""
    if token.isdigit():
        return None if YEAR.fullmatch(token) else str(int(token))
    return NUMBER_WORDS.get(token)


# An acronym ("ISECG", "CO2"; a plural "s" may follow it: "ISSs")
ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&]{1,9}s?\b")
# A name: a capitalised word that does not open the text, a sentence or a list line
_NAME = re.compile(r"(?<!^)(?<![.:!?•–-]\s)\b[A-Z][\w’'-]*")


def names_in(text: str) -> list[str]:
    """The capitalised words of ``text`` that are names (sentence case is not: "The", "Following")."""
    return [m.group() for m in _NAME.finditer(text.strip())]


def name_terms(text: str) -> list[str]:
    """Content terms of the names in ``text``."""
    return terms(" ".join(names_in(text)))


def words(text: str) -> list[str]:
    """Case-folded word tokens, stop words kept (for phrase checks)."""
    return [t.casefold().replace("’", "'") for t in _TOKEN.findall(text)]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Stem one case-folded word after folding British/American spelling and irregular forms."""
    word = _IRREGULAR.get(word, word)
    if len(word) > 4 and not word.isdigit():
        word = _IZE.sub(r"is\1", word)
        if len(word) > 5:
            word = _OUR.sub(r"or\1", word)
    return _stemmer.stemWord(word)


# "Annex I" is not the pronoun, and its "I" says which annex: a numbering noun and its number
# become one term as well ("annex1"), written in Roman or Arabic figures ("Annex IV" = "Annex 4")
_ROMAN = {"i": 1, "v": 5, "x": 10}
# auxiliary verbs: where a question's noun phrase ends ("Which lunar rover | will fly …") and what
# stands between "who" and the verb asked about ("Who | has | signed …")
AUXILIARIES = frozenset({
    "is", "are", "was", "were", "do", "does", "did", "has", "have", "had", "will", "would", "can", "could",
    "should", "may", "might",
})  # fmt: skip
PART_NOUNS = "annex|appendix|part|chapter|section|volume|phase|stage|table|figure|article|schedule|tier"
# a well-formed numeral up to 39 in ASCII letters ("İ" and "ı" fold to "i" under re.I); "Figure
# 3.2" is not Figure 3
_NUMBERED = re.compile(
    rf"\b({PART_NOUNS})\s+((?-i:(?=[IVXivx])[Xx]{{0,3}}(?:[Ii][XxVv]|[Vv]?[Ii]{{0,3}})(?<=[IVXivx]))|\d{{1,3}})"
    r"\b(?![’'.-]\w)",
    re.I,
)


def _number(numeral: str) -> int:
    if numeral.isdigit():
        return int(numeral)
    values = [_ROMAN[c] for c in numeral.casefold() if c in _ROMAN]
    return sum(-v if v < after else v for v, after in zip(values, [*values[1:], 0], strict=True))


def _numbered(text: str) -> str:
    return _NUMBERED.sub(lambda m: f"{m.group(1)} {m.group(1)}{_number(m.group(2))}", text)


def part_numerals(text: str) -> set[str]:
    """The Roman numerals ``text`` uses as part numbers ("II" in "Annex II"), not as acronyms."""
    return {m.group(2) for m in _NUMBERED.finditer(text) if not m.group(2).isdigit()}


def terms(text: str) -> list[str]:
    """Content terms: stop words removed, stemmed. Used by BM25 and overlap scoring."""
    return [stem(w) for w in words(_numbered(text)) if w not in STOPWORDS]
