"""Section titles a question names: "What does the executive summary say about …?" is asked of one
section, and the answer should come from it, not from the best sentence anywhere else.

A question names a section when it uses every content word of the section's title, or the
acronym the title gives in brackets ("TWG" for "Technology Working Group (TWG)"). Titles come
from the headings the ingest found in each document, so nothing here knows any report. The index
is built once per store generation (``snapshot``); a lookup touches only the titles sharing a
word with the question, never every chunk.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from retriever.tokenize import terms

PATH_SEPARATOR = " › "
_NUMBERING = re.compile(r"^\s*\d+(?:\.\d+)*\.?\s+")
_BRACKETED = re.compile(r"\(([A-Za-z][A-Za-z0-9&\- ]{0,20})\)")


def title_forms(title: str) -> list[frozenset[str]]:
    """The term sets that name ``title``: its words without numbering and brackets, and each
    bracketed short form on its own."""
    bare = _NUMBERING.sub("", title)
    forms = [frozenset(terms(_BRACKETED.sub(" ", bare)))]
    forms += [frozenset(terms(short)) for short in _BRACKETED.findall(bare)]
    return [form for form in forms if form]


class SectionIndex:
    """Section title forms → the chunks filed under that section (at any depth of the path)."""

    def __init__(self, chunk_sections: Iterable[tuple[str, str]]) -> None:
        self._chunks: dict[frozenset[str], set[str]] = defaultdict(set)
        for chunk_id, path in chunk_sections:
            for title in filter(None, (part.strip() for part in path.split(PATH_SEPARATOR))):
                for form in title_forms(title):
                    self._chunks[form].add(chunk_id)
        self._by_term: dict[str, list[frozenset[str]]] = defaultdict(list)
        for form in self._chunks:
            for term in form:
                self._by_term[term].append(form)

    def named(self, question: str) -> NamedSections:
        """The sections whose title the question names (empty when it names none)."""
        asked = set(terms(question))
        hits = Counter(form for term in asked for form in self._by_term.get(term, ()))
        named = [form for form, count in hits.items() if count == len(form)]
        # the most specific titles only: "Annex II" names Annex II, not also "Annex I" ({"annex"})
        return NamedSections([self._chunks[form] for form in named if not any(form < other for other in named)])


class NamedSections:
    """Membership in any of the named sections, without copying their chunk sets (a title such
    as "Executive Summary" can hold a chunk of every document in a large corpus)."""

    def __init__(self, chunk_sets: list[set[str]]) -> None:
        self._sets = chunk_sets

    def __bool__(self) -> bool:
        return bool(self._sets)

    def __contains__(self, chunk_id: object) -> bool:
        return any(chunk_id in chunks for chunks in self._sets)
