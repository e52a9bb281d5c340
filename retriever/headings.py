"""Lists whose items are section titles: "Which annexes does the report have?", "What are the
working groups?" when each working group is a sub-section of its own.

The items of such a list are never in one passage: each is the heading of its own section, and
headings are never quoted as answers. What marks them is a run of sibling headings that share the
question's words ("Annex I", "Annex II", …; "Science Working Group (SWG)", "Technology Working
Group (TWG)", …), each adding words of its own. A heading made only of the question's words
("ISECG Working Groups") names the category, not an item, and neither breaks a run nor joins it.

The index is built once per store generation from the heading spans the ingest stores with every
chunk; a lookup touches only the headings sharing a word with the question.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from retriever.sections import PATH_SEPARATOR
from retriever.tokenize import stem, terms, words

MIN_RUN = 3  # fewer sibling titles are not a list worth answering this way
_PLURAL = re.compile(r"^[a-z]{3,}[^s]s$")  # "annexes", "groups"; not "progress", "its", "gis"


@dataclass(frozen=True)
class Heading:
    """One heading of a document, where it was first stored (a chunk and its unit number)."""

    source: str
    order: int  # rank among the document's headings, in reading order
    chunk_id: str
    n: int
    text: str
    start: int  # offsets in the chunk's text
    end: int
    page: int | None


def _headings_of(chunk_id: str, text: str, meta: dict[str, Any]) -> Iterable[tuple[int, Heading]]:
    """(document offset, heading) for every heading of one chunk: its heading units, and the
    title its section path ends with when the chunk opens with it (a title too short to be a unit
    of its own, "Annex I", is still a heading; it is cited by its span, unit number -1)."""
    source, base = str(meta["source"]), int(meta.get("start", 0))
    spans = json.loads(str(meta.get("unit_spans") or "[]"))
    starts = set()
    for n, (start, end, kind, page) in enumerate(spans):
        if kind == "heading":
            starts.add(start)
            raw = text[start:end]
            start += len(raw) - len(raw.lstrip("#= \t"))  # a Markdown title's marks are no part of it
            title = " ".join(text[start:end].split())
            yield base + start, Heading(source, 0, chunk_id, n, title, start, end, None if page < 0 else page)
    leaf = str(meta.get("section", "")).split(PATH_SEPARATOR)[-1].strip()
    opening = len(text) - len(text.lstrip())
    if leaf and opening not in starts and text[opening:].startswith(leaf):
        page = meta.get("page")
        at_page = None if page is None or int(page) < 0 else int(page)
        yield base + opening, Heading(source, 0, chunk_id, -1, leaf, opening, opening + len(leaf), at_page)


class HeadingIndex:
    """Every document's headings in reading order, with a term → headings lookup."""

    def __init__(self, chunks: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
        found: dict[str, dict[int, Heading]] = defaultdict(dict)
        for chunk_id, text, meta in chunks:
            for at, heading in _headings_of(chunk_id, text, meta):
                found[heading.source].setdefault(at, heading)  # a chunk overlap repeats a heading
        self._by_source: dict[str, list[Heading]] = {}
        self._by_term: dict[str, set[tuple[str, int]]] = defaultdict(set)
        for source, by_offset in found.items():
            ordered = [by_offset[at] for at in sorted(by_offset)]
            self._by_source[source] = [
                Heading(h.source, i, h.chunk_id, h.n, h.text, h.start, h.end, h.page) for i, h in enumerate(ordered)
            ]
            for heading in self._by_source[source]:
                for term in terms(heading.text):
                    self._by_term[term].add((source, heading.order))

    def listed(self, question: str) -> list[Heading]:
        """The longest run of sibling headings the question asks to list (empty if none): they
        must share one of the plural nouns it asks for ("annexes", "working groups"), and be at
        least ``MIN_RUN`` different titles."""
        asked = set(terms(question))
        plurals = {stem(w) for w in words(question) if _PLURAL.match(w)}
        hits: dict[str, set[int]] = defaultdict(set)
        for term in asked:
            for source, order in self._by_term.get(term, ()):
                hits[source].add(order)
        best: list[Heading] = []
        for source, orders in sorted(hits.items()):
            for run in _runs(self._by_source[source], orders, _stems(question), plurals):
                if len({h.text for h in run}) >= MIN_RUN and len(run) > len(best):
                    best = run
        return best


def _stems(text: str) -> set[str]:
    """Every word stemmed, stop words included ("Annex I" differs from "annex" by its "I")."""
    return {stem(w) for w in words(text)}


def _runs(headings: Sequence[Heading], hit: set[int], asked_stems: set[str], plurals: set[str]) -> list[list[Heading]]:
    """Headings in reading order naming the same asked-for plural noun, each adding words of its own.

    Headings sharing no question word are sub-sections or other topics and are passed over ("Annex
    III" and "Annex IV" are siblings with Annex III's working groups between them); one sharing
    question words but not the noun ends the run; one made only of the question's words names
    the category ("ISECG Working Groups").
    """
    runs: list[list[Heading]] = []
    run: list[Heading] = []
    noun: frozenset[str] = frozenset()
    for order in sorted(hit):
        heading = headings[order]
        if _stems(heading.text) <= asked_stems:
            continue
        key = frozenset(terms(heading.text)) & plurals
        if key and key == noun:
            run.append(heading)
            continue
        if run:
            runs.append(run)
        run, noun = ([heading], key) if key else ([], frozenset())
    return [*runs, run] if run else runs
