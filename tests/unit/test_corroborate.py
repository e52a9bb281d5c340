"""Restatements: the same statement in another passage is cited beside the quote."""

from __future__ import annotations

import numpy as np

from retriever.corroborate import restatements, restates
from retriever.evidence import ScoredUnit
from retriever.extractive import compose_answer, quote_blocks
from retriever.query import QueryPlan
from retriever.records import Passage
from retriever.tokenize import terms


def _vector(*weights: float) -> np.ndarray:
    v = np.asarray(weights, dtype=np.float32)
    return v / np.linalg.norm(v)


def _unit(chunk: str, n: int, text: str, vector: np.ndarray, kind: str = "sentence") -> ScoredUnit:
    return ScoredUnit(chunk, n, text, 0, len(text), kind, 0.5, 0.0, 0.0, 0.5, frozenset(terms(text)), None, vector)


QUOTE = _unit("c1", 0, "In summer 2020 the group released the roadmap supplement.", _vector(1, 0.1, 0))
RESTATED = _unit("c7", 3, "In the summer of 2020 the group released the roadmap supplement.", _vector(1, 0.15, 0))
OTHER_YEAR = _unit("c8", 1, "In summer 2021 the group released the roadmap supplement.", _vector(1, 0.1, 0))
REWORDED = _unit("c9", 0, "A new edition of the plan came out that season.", _vector(1, 0.2, 0))
FAR = _unit("c6", 0, "In summer 2020 the group released the roadmap supplement.", _vector(0, 1, 0))


def test_a_restatement_says_the_same_in_nearly_the_same_words_with_the_same_numbers():
    assert restates(QUOTE, RESTATED)
    assert not restates(QUOTE, OTHER_YEAR)  # another number: another fact
    assert not restates(QUOTE, REWORDED)  # close in meaning, but other words
    assert not restates(QUOTE, FAR)  # the same words used about something else


def test_restatements_come_from_other_passages_never_the_quote_or_its_neighbours():
    overlap_copy = _unit("c2", 0, QUOTE.text, QUOTE.vector)
    heading = _unit("c5", 0, RESTATED.text, RESTATED.vector, "heading")
    scored = [QUOTE, overlap_copy, heading, OTHER_YEAR, RESTATED]
    found = restatements([[QUOTE]], scored, lambda a, b: a == b or {a, b} == {"c1", "c2"})
    assert found == {0: RESTATED}
    assert restatements([[QUOTE]], [QUOTE, overlap_copy], lambda a, b: a == b or {a, b} == {"c1", "c2"}) == {}


def test_a_restatement_is_cited_beside_its_quote():
    passages = {
        "c1": Passage(rank=1, chunk_id="c1", source="r.txt", text=QUOTE.text, score=1.0, section="Highlights"),
        "c7": Passage(rank=2, chunk_id="c7", source="r.txt", text=RESTATED.text, score=0.5, section="Summary"),
    }
    plan = QueryPlan(question="q", kind="factoid", search_text="q", lexical_text="q")
    assert quote_blocks([QUOTE]) == [[QUOTE]]
    composed = compose_answer([QUOTE], passages, plan, also={0: RESTATED})
    assert composed.text == f"{QUOTE.text} [1, 2]"
    assert [(c.marker, c.section, c.quote) for c in composed.citations] == [
        (1, "Highlights", QUOTE.text),
        (2, "Summary", RESTATED.text),
    ]


def test_one_restatement_serves_one_quote_and_labels_restate_nothing():
    twin = _unit("c3", 0, QUOTE.text, QUOTE.vector)  # the same sentence quoted again elsewhere
    found = restatements([[QUOTE], [twin]], [RESTATED], lambda a, b: a == b)
    assert found == {0: RESTATED}
    label = _unit("c1", 1, "Lunar roadmap", _vector(0, 0, 1))
    label_again = _unit("c7", 1, "Lunar roadmap", _vector(0, 0, 1))
    assert not restates(label, label_again)
