"""Editions and years a question asks about: "the 74th International Astronautical Congress" is
not answered by the 73rd, "the Annual Report 2021" not by the 2019 report's entry, and "How many
articles were published in 2019?" not by the count for 2020.

A quote about another edition of the same thing, or giving a count or date for another year,
scores as well as the answer would (the same words, the same kind of value), so these are read
from the question and the quote themselves. The patterns are general English (names followed by
a year or preceded by an ordinal), not facts about any report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from retriever.evidence import MONTHS, SEASONS
from retriever.tokenize import STOPWORDS, YEAR

# a named thing with its edition: "Annual Report 2021", "74th International Astronautical Congress";
# a name never runs across a line break
_EDITION = re.compile(
    r"(?P<name>(?:[A-Z][\w’'-]*[ \t]+){1,4})(?P<year>(?:19|20)\d{2})\b"
    r"|\b(?P<ordinal>\d+(?:st|nd|rd|th))[ \t]+(?P<named>[A-Z][\w’'-]*(?:[ \t]+[A-Z][\w’'-]*){0,3})"
)
# words that open a phrase with a year without being a name: "In 2020", "In May 2020", "By June 2021"
_NOT_NAMES = STOPWORDS | set(MONTHS) | set(SEASONS) | {"early", "late", "mid"}


def _editions(text: str) -> Iterator[tuple[list[str], str, str]]:
    """(name words case-folded, edition, the words as written) for every edition in ``text``."""
    for match in _EDITION.finditer(text):
        name, number = match.group("name", "year") if match.group("year") else match.group("named", "ordinal")
        written = name.split()
        while written and written[0].casefold() in _NOT_NAMES:
            written.pop(0)
        if not written or all(w.casefold() in _NOT_NAMES for w in written):
            continue
        shown = f"{' '.join(written)} {number}" if match.group("year") else f"{number} {' '.join(written)}"
        yield [w.casefold() for w in written], number.casefold(), shown


def editions(text: str) -> list[tuple[str, str]]:
    """(name, edition) pairs, names case-folded: ("isecg annual report", "2021")."""
    return [(" ".join(name), number) for name, number, _ in _editions(text)]


def other_edition(question: str, quote: str) -> str | None:
    """The edition the question names (as written) when the quote names only other editions of
    that thing.

    Things are matched on the last words of their names, up to two ("ISECG Annual Report" and
    "Annual Report" are one thing), so a quote about the 2019 report never answers for the 2021 one.
    """
    said = list(_editions(quote))
    for name, number, written in _editions(question):
        same = set()
        for other, edition, _ in said:
            k = min(2, len(name), len(other))
            if name[-k:] == other[-k:]:
                same.add(edition)
        if same and number not in same:
            return written
    return None


def other_year(question: str, kind: str, quote: str) -> str | None:
    """The year a count or date question names when its quotes give only other years.

    "How many articles were published in 2019?" is not answered by the count for 2020; for other
    kinds of question the year is context more often than the fact asked about. A year in a name
    counts too: "When is GLEX 2022?" is not answered by the 2021 conference's dates, at the price
    of "When was the Annual Report 2019 published?" not being answered by "… in May 2020" alone.
    """
    if kind not in ("numeric", "date"):
        return None
    asked, quoted = set(YEAR.findall(_asking_sentence(question))), set(YEAR.findall(quote))
    return ", ".join(sorted(asked)) if asked and quoted and not asked & quoted else None


# a sentence ends after a word of two letters or more ("U.S. Gateway" goes on)
_SENTENCE_BREAK = re.compile(r"(?<=[a-z0-9][a-z0-9][.;!?])\s+(?=[A-Z])")
_ASKS = re.compile(r"\?\s*$|^\s*(?:how|when|what|which|who|whom|whose|where|why|in what|in which|by when)\b", re.I)


def _asking_sentence(question: str) -> str:
    """The sentence that asks: "The 2020 Supplement updates a scenario from an earlier roadmap.
    When was that roadmap published?" sets its context first, and 2020 is not the year asked
    ("… in 2015. Please be brief." asks in its first sentence). The whole text when none asks."""
    sentences = _SENTENCE_BREAK.split(question.strip())
    asking = [s for s in sentences if _ASKS.search(s)]
    return asking[-1] if asking else question
