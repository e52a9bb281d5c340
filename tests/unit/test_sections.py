"""Which sections a question names by title."""

from __future__ import annotations

from types import SimpleNamespace

from retriever.evidence import ScoredUnit
from retriever.sections import SectionIndex, title_forms
from retriever.service import QAService

INDEX = SectionIndex(
    [
        ("c1", "1 Executive Summary"),
        ("c2", "3 Outlook for 2021 › Technology Working Group (TWG)"),
        ("c3", "Annex I"),
        ("c4", "Annex II"),
        ("c5", "Annex III › Technology Working Group (TWG)"),
        ("c6", ""),
    ]
)


def test_title_forms_drop_numbering_and_offer_the_bracketed_acronym():
    assert title_forms("1 Executive Summary") == [frozenset({"execut", "summari"})]
    assert frozenset({"twg"}) in title_forms("Technology Working Group (TWG)")


CHUNKS = ["c1", "c2", "c3", "c4", "c5", "c6"]


def _named(question: str) -> set[str]:
    named = INDEX.named(question)
    found = {c for c in CHUNKS if c in named}
    assert bool(named) == bool(found)
    return found


def test_a_question_names_a_section_by_its_whole_title_or_its_acronym():
    assert _named("What does the executive summary say about growth?") == {"c1"}
    assert _named("What will the TWG do?") == {"c2", "c5"}
    assert _named("What is the Technology Working Group for?") == {"c2", "c5"}
    assert _named("What is the outlook for 2021?") == {"c2"}  # a parent section names its chunks too


def test_part_of_a_title_names_nothing_and_the_most_specific_title_wins():
    assert _named("What does the summary say?") == set()
    assert _named("Which technology gaps were found?") == set()
    assert _named("Who is listed in Annex II?") == {"c4"}  # not also "Annex I"


def _found(question: str, scored: list[ScoredUnit]) -> SimpleNamespace:
    snapshot = SimpleNamespace(sections=INDEX)
    return SimpleNamespace(
        question=question, scored=scored, disabled=frozenset(), candidates=SimpleNamespace(snapshot=snapshot)
    )


def _scored(chunk: str, score: float, kind: str = "sentence") -> ScoredUnit:
    return ScoredUnit(chunk, 0, "text", 0, 4, kind, score, 0.0, 0.0, score, frozenset())


def test_a_named_section_narrows_the_answer_only_when_it_holds_a_close_match():
    inside, outside = _scored("c1", 0.7), _scored("c3", 0.8)
    narrowed = QAService._in_named_sections(_found("What does the executive summary say?", [outside, inside]))
    assert narrowed == [inside]
    weak = _scored("c1", 0.3)  # the best of the named section is far from the best match elsewhere
    kept = QAService._in_named_sections(_found("What does the executive summary say?", [outside, weak]))
    assert kept == [outside, weak]
