"""False-premise detection on hand-made scored units."""

from __future__ import annotations

from retriever.evidence import ScoredUnit
from retriever.premise import contradicting_units
from retriever.tokenize import terms


def _unit(n: int, text: str, score: float) -> ScoredUnit:
    return ScoredUnit("c1", n, text, 0, len(text), "sentence", score, 0.0, 0.0, score, frozenset(terms(text)))


GREW = [
    _unit(0, "The group has continued to grow over the past three years.", 0.80),
    _unit(1, "Interest in exploration has grown among many agencies.", 0.75),
    _unit(2, "The weather station recorded a mild winter.", 0.70),
    _unit(3, "In 2020 membership increased by six, to 26 organisations.", 0.60),
]


def test_the_opposite_of_the_premise_is_found_with_its_figures():
    found = contradicting_units("Why did the group shrink in 2020?", GREW)
    texts = [u.text for u in found]
    assert texts[0] == GREW[0].text  # the strongest contradiction leads
    assert GREW[3].text in texts[:2]  # then the statement carrying the figures
    assert GREW[2].text not in texts


def test_a_question_that_matches_the_text_has_no_contradiction():
    assert contradicting_units("Why did the group grow in 2020?", GREW) == []


def test_a_negated_statement_contradicts():
    units = [_unit(0, "The framework is non-binding for all agencies.", 0.8), GREW[2]]
    found = contradicting_units("Why is the framework binding?", units)
    assert [u.text for u in found] == [units[0].text]


def test_corrections_stay_within_the_length_budget():
    long = [_unit(i, f"Membership increased again, by {i} agencies, " + "and more " * 40, 0.8) for i in range(5)]
    found = contradicting_units("Why did membership shrink?", long)
    assert 1 <= len(found) <= 3
    assert sum(len(u.text) for u in found) <= 900


def test_a_contradiction_about_another_body_does_not_count():
    units = [
        _unit(0, "The ERWG will evaluate any needed updates to the roadmap.", 0.8),
        _unit(1, "In 2021 the TWG will continue its work on technology gaps.", 0.78),
    ]
    assert contradicting_units("Why did the ERWG stop working in 2021?", units) == []
    assert [u.n for u in contradicting_units("Why did the TWG stop working in 2021?", units)] == [1]
