"""Whose role a quote names, against the body a role question names."""

from __future__ import annotations

import pytest

from retriever.roles import asked_bodies, other_holder

TEAM = "The Tiger Team is open to all member agencies and is co-chaired by DLR and ESA."


@pytest.mark.parametrize(
    ("question", "bodies"),
    [
        ("Who is the current chair of ISECG?", ["ISECG"]),
        ("Who served as ISECG chair in 2020?", ["ISECG"]),
        ("Which agency chairs the Exploration Roadmap Working Group?", ["the Exploration Roadmap Working Group"]),
        ("Which agency chairs the ERWG and what does it do?", ["the ERWG"]),
        ("Who chairs the SCWG, and which agencies co-chair its Tiger Team?", ["the SCWG", "its Tiger Team"]),
        ("Who co-chairs the big initiative of the group that writes the report?", []),  # described only
        ("What led ESA and DLR to co-chair the Tiger Team?", []),  # a cause, not a leader
        ("Who chairs it?", []),
    ],
)
def test_the_bodies_a_role_question_names(question, bodies):
    assert asked_bodies(question) == bodies


def test_a_role_of_another_body_is_no_answer():
    assert other_holder("Who is the current chair of ISECG?", TEAM) == (
        "the closest passages name the chair of the Tiger Team, not of ISECG"
    )
    assert other_holder("Who co-chairs the Tiger Team?", TEAM) is None
    assert other_holder("Who co-chairs the initiative of the group that writes the report?", TEAM) is None


def test_a_question_asking_about_two_bodies_is_answered_by_either():
    assert other_holder("Who chairs the SCWG, and which agencies co-chair its Tiger Team?", TEAM) is None


def test_a_subject_that_names_nothing_is_no_other_body():
    for lead in ("It is chaired by NASA.", "The group is chaired by ESA.", "In 2020, the chair was held by ESA."):
        assert other_holder("Who chairs ISECG?", lead) is None, lead


def test_glossary_forms_name_the_same_body():
    lead = "NASA leads the Exploration Roadmap Working Group."
    assert other_holder("Who leads the ERWG?", lead) == (
        "the closest passages name the leader of the Exploration Roadmap Working Group, not of the ERWG"
    )
    expand = {"the ERWG": "the ERWG Exploration Roadmap Working Group"}
    assert other_holder("Who leads the ERWG?", lead, lambda text: expand.get(text, text)) is None
