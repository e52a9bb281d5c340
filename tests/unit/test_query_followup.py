"""Question kinds and follow-up resolution."""

from __future__ import annotations

import pytest

from retriever.followup import leans_on_history, salient_names, standalone_query
from retriever.query import classify


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many organisations belonged to ISECG at the end of 2020?", "numeric"),
        ("When was the GES released?", "date"),
        ("In what year did the first meeting happen?", "date"),
        ("Which agencies joined ISECG in 2020?", "list"),
        ("Who are the members of the group?", "list"),
        ("What are the group's working groups?", "list"),
        ("Which scheme were the advanced technologies categorised by?", "factoid"),
        ("What body did the new agencies join?", "factoid"),
        ("List the working groups.", "list"),
        ("Give me an overview of what the TWG plans for 2021", "summary"),
        ("Does ISECG make binding decisions?", "yesno"),
        ("Who co-chairs the Tiger Team?", "factoid"),
    ],
)
def test_classify(question, kind):
    assert classify(question) == kind


def test_follow_up_detection():
    assert leans_on_history("Which of them are from Asia?")
    assert leans_on_history("And the TWG?")
    assert not leans_on_history("Which agencies joined ISECG in 2020?")


def test_standalone_query_carries_the_subject():
    history = [("Which agencies joined ISECG in 2020?", "AEB, AEM, GISTDA, NOSA, PTS and VNSC [1]")]
    rewritten = standalone_query("Which of them are from Asia?", history)
    assert rewritten is not None
    for word in ("agencies", "joined", "isecg", "2020"):
        assert word in rewritten.casefold()
    assert standalone_query("Which agencies joined ISECG in 2020?", []) is None


def test_chained_follow_ups_keep_the_original_subject():
    history = [
        ("What did ISECG publish in August 2020?", "the ‘Global Exploration Roadmap Supplement’ [1]"),
        ("When was it released?", "In summer 2020 [1]"),
    ]
    rewritten = standalone_query("And who wrote it?", history)
    assert "publish" in rewritten and "august" in rewritten.casefold()


def test_salient_names_from_answer():
    assert salient_names("ISECG released the ‘Global Exploration Roadmap Supplement’ [1].") == [
        "ISECG",
        "Global Exploration Roadmap Supplement",
    ]
