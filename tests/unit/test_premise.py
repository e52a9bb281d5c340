"""False-premise detection on hand-made scored units."""

from __future__ import annotations

from retriever.evidence import ScoredUnit
from retriever.premise import contradicting_units, miscounting_units, overlooked_units, stated_counts
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


def test_a_fall_is_contradicted_by_growth_in_any_tense():
    for question in ("Why did the group's membership fall to 20?", "Why has the group fallen in size?"):
        assert contradicting_units(question, GREW)[0].text == GREW[0].text


def test_the_fall_as_a_season_is_no_premise():
    assert contradicting_units("How did the group's membership develop in the fall of 2019?", GREW) == []


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


def test_stated_counts_pair_a_number_with_what_it_counts():
    assert stated_counts("an initial group of 14 space agencies jointly released it") == [("14", "agenc")]
    assert stated_counts("Why did it publish only two webnews articles in 2020?") == [("2", "articl")]
    assert stated_counts("It happened in 2020 in the spring.") == []  # a year is no count


def _counted(text: str, score: float) -> ScoredUnit:
    return ScoredUnit("c", 0, text, 0, len(text), "sentence", score, 0.0, 0.0, score, frozenset(terms(text)))


def test_a_why_question_stating_the_wrong_count_is_corrected():
    right = _counted("In 2007 an initial group of 14 space agencies jointly released the strategy.", 0.5)
    other = _counted("The strategy describes a shared vision of exploration.", 0.6)
    assert miscounting_units("Why was the strategy released by just three agencies?", [other, right]) == [right]
    # the same count is no contradiction, and a question that is not a why-question presupposes nothing
    assert miscounting_units("Why was the strategy released by 14 agencies?", [other, right]) == []
    assert miscounting_units("Which of the three agencies released the strategy?", [other, right]) == []


def test_a_why_question_saying_only_one_thing_is_corrected_by_the_pair_it_left_out():
    both = _unit(1, "It describes a vision of coordinated human and robotic exploration.", 0.7)
    other = _unit(0, "The strategy was released in May 2007.", 0.8)
    assert overlooked_units("Why did the strategy only consider robotic missions?", [other, both]) == [both]
    assert overlooked_units("Why did the strategy consider robotic missions?", [other, both]) == []
    assert overlooked_units("Which missions did the strategy only consider?", [other, both]) == []


def test_not_only_and_the_verb_after_only_are_no_exclusive_premise():
    both = _unit(0, "The analyses considered missions to the Moon and to Mars.", 0.8)
    assert overlooked_units("Why does the report cover not only the Moon but also Mars?", [both]) == []
    papers = _unit(1, "More documents and published papers can be found online.", 0.8)
    assert overlooked_units("Why did the group only publish a supplement?", [papers]) == []


def test_an_and_inside_a_name_joins_nothing():
    row = _unit(0, "USA National Aeronautics and Space Administration (NASA)", 0.8)
    assert overlooked_units("Why does the team admit only NASA?", [row]) == []
    assert overlooked_units("Why did only three agencies sign?", [_unit(1, "Three and four agencies.", 0.8)]) == []
