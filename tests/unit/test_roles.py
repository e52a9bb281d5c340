"""Whose role a quote names, against the body a role question names."""

from __future__ import annotations

import pytest

from retriever.roles import asked_body, other_holder

TEAM = "The Tiger Team is open to all member agencies and is co-chaired by DLR and ESA."


@pytest.mark.parametrize(
    ("question", "body"),
    [
        ("Who is the current chair of ISECG?", "ISECG"),
        ("Who served as ISECG chair in 2020?", "ISECG"),
        ("Which agency chairs the Exploration Roadmap Working Group?", "the Exploration Roadmap Working Group"),
        ("Who co-chairs the big initiative of the group that writes the report?", None),  # described only
        ("Who chairs it?", None),
    ],
)
def test_the_body_a_role_question_names(question, body):
    assert asked_body(question) == body


def test_a_role_of_another_body_is_no_answer():
    assert other_holder("Who is the current chair of ISECG?", TEAM) == (
        "the closest passages name the chair of the Tiger Team, not of ISECG"
    )
    assert other_holder("Who co-chairs the Tiger Team?", TEAM) is None
    assert other_holder("Who co-chairs the initiative of the group that writes the report?", TEAM) is None


def test_glossary_forms_name_the_same_body():
    lead = "NASA leads the Exploration Roadmap Working Group."
    assert other_holder("Who leads the ERWG?", lead) == (
        "the closest passages name the leader of the Exploration Roadmap Working Group, not of the ERWG"
    )
    expand = {"the ERWG": "the ERWG Exploration Roadmap Working Group"}
    assert other_holder("Who leads the ERWG?", lead, lambda text: expand.get(text, text)) is None
