"""Question kinds and follow-up resolution."""

from __future__ import annotations

from dataclasses import replace

import pytest

from retriever.evidence import ScoredUnit
from retriever.followup import leans_on_history, salient_names, standalone_query, unsaid
from retriever.query import classify, plain_verbs, plan_query
from retriever.tokenize import terms


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
        ("What are agencies hoping to gain by joining?", "factoid"),  # one aim, however plural
        ("What are the messages meant to tie in with?", "factoid"),
        ("Which agencies are expected to join next?", "list"),  # which + names stays a list
        ("What benefits are expected to come from exploration?", "list"),
        ("Give me an overview of what the TWG plans for 2021", "summary"),
        ("Does ISECG make binding decisions?", "yesno"),
        ("Who co-chairs the Tiger Team?", "factoid"),
        ("How is a summary of its work made public?", "factoid"),
        ("How would you summarise the annual report?", "summary"),
        ("What does the executive summary say about technology?", "summary"),
        ("What will the TWG focus on in 2021?", "summary"),
        ("What will it focus on enhancing in 2021?", "factoid"),
        ("What are these Moon plans meant to prepare us for?", "factoid"),
        ("What are ISECG's plans for 2021?", "summary"),
        ("What will the SCWG be doing in 2021?", "summary"),
        ("Give me a quick rundown of what the Supplement covers.", "summary"),
        ("Walk me through the roadmap.", "summary"),
        ("What does the report say the group will be doing next year?", "summary"),
        ("What is the IAWG working on?", "summary"),
        ("What is the TWG planning to release?", "factoid"),  # one thing it plans
        ("What do they want to share when it comes to industry?", "factoid"),  # "when" of an idiom
        ("What's in the executive summary?", "summary"),
        ("Who decides what the Supplement covers?", "factoid"),  # asks who, about a summary
        ("Who gave a rundown of the roadmap at the conference?", "factoid"),
        ("What are the technologies the TWG is focusing on?", "list"),  # a relative clause
        ("What is the key technology the TWG is working on?", "factoid"),
    ],
)
def test_classify(question, kind):
    assert classify(question) == kind


def test_a_phrasal_verb_is_searched_as_its_plain_verb():
    # "set" alone would match "a set of twelve objectives"; "up" is a stop word and says nothing
    plan = plan_query("Summarise how the group came to be set up.", {})
    assert "establish" in terms(plan.search_text) and "set" not in terms(plan.search_text)
    assert plan.question == "Summarise how the group came to be set up."  # shown as asked
    assert plain_verbs("Who took part? Who signed up?") == "Who participate? Who join?"
    assert plain_verbs("The set of upgrades is set.") == "The set of upgrades is set."
    assert plain_verbs("Must they join in on everything?") == "Must they participate on everything?"
    assert plain_verbs("Who joined in which period?") == "Who joined in which period?"  # "in which period"


def test_a_name_the_corpus_never_uses_is_matched_by_its_corpus_variants():
    plan = plan_query("Which Thai body joined?", {}, variants=lambda t: ["thailand"] if t == "thai" else [])
    assert plan.name_variants == ["thailand"]
    assert plan_query("Which body joined?", {}, variants=lambda t: ["x"]).name_variants == []


def test_filler_words_are_not_searched():
    # "terms" would match "Terms of Reference"
    assert plain_verbs("In plain terms, what is the group actually for?") == "what is the group for?"
    assert "terms" not in terms(plan_query("In simple terms, who leads the team?", {}).search_text)
    assert plain_verbs("Is the report giving up-to-date news?") == "Is the report giving up-to-date news?"


def test_follow_up_detection():
    assert leans_on_history("Which of them are from Asia?")
    assert leans_on_history("And the TWG?")
    assert not leans_on_history("Which agencies joined ISECG in 2020?")
    assert not leans_on_history("Which science paper is there in a full version?")  # an existential "there"
    assert leans_on_history("Will the group be giving a talk there?")  # a place pointed at
    assert leans_on_history("Which European agencies were there?")


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


def test_the_previous_questions_names_survive_a_long_chain():
    history = [
        ("Which working group leads the human spaceflight roadmapping effort?", "The ERWG leads it. [1]"),
        ("How is a summary of its work made public?", "A summary of their work is in updates of the GER. [1]"),
    ]
    rewritten = standalone_query("What will it focus on in 2021?", history)
    assert "erwg" in rewritten.casefold()


def test_and_a_new_name_swaps_the_subject():
    history = [("Which agency represents Poland in ISECG?", "Poland Polish Space Agency (POLSA) [1]")]
    rewritten = standalone_query("And Portugal?", history)
    assert "agency" in rewritten and "represents" in rewritten
    assert "poland" not in rewritten.casefold() and "POLSA" not in rewritten
    # without a new name it is an ordinary follow-up that keeps the subject
    assert "poland" in standalone_query("And when did it join?", history).casefold()


def _unit(text: str, score: float) -> ScoredUnit:
    return ScoredUnit("c", 0, text, 0, len(text), "sentence", score, 0.0, 0.0, score, frozenset())


def test_what_else_drops_what_was_just_quoted():
    scored = [_unit("The TWG will complete the ISRU report.", 0.9), _unit("The TWG will map the taxonomy.", 0.5)]
    previous = "The TWG will complete the ISRU report. [1]"
    assert [u.text for u in unsaid("What else will it do?", scored, previous)] == ["The TWG will map the taxonomy."]
    assert unsaid("When will it do that?", scored, previous) == scored  # no "else": nothing dropped
    assert unsaid("What else?", scored[:1], previous) == scored[:1]  # never left with nothing


def test_which_ones_after_a_count_asks_for_the_counted_things():
    history = [("How many agencies released the strategy?", "An initial group of 14 space agencies released it. [1]")]
    rewritten = standalone_query("Which ones?", history)
    assert rewritten.startswith("Which agencies?")
    named = [("How many new members joined in 2020?", "Six. [1]")]
    assert standalone_query("Name them.", named).startswith("Name new members.")
    # nothing was counted: the question stays as asked
    assert standalone_query("Which ones?", [("What did ISECG publish?", "The GER. [1]")]).startswith("Which ones?")


def test_a_swap_holds_over_a_chain_and_a_pointing_question_is_no_swap():
    poland = ("Which agency represents Poland in ISECG?", "Poland Polish Space Agency (POLSA) [1]")
    chained = standalone_query("And Portugal?", [poland, ("When did it join?", "In 2020. [1]")])
    assert "poland" not in chained.casefold() and "join" in chained
    pointing = standalone_query("What about its annual report?", [poland])
    assert "poland" in pointing.casefold()


def test_which_ones_must_end_the_question_and_follow_a_how_many():
    counted = [("How many agencies were behind it?", "Fourteen. [1]")]
    assert standalone_query("Who were they working with?", counted).startswith("Who were they working with?")
    funding = [("How much funding was given?", "None stated. [1]")]
    assert standalone_query("Which ones?", funding).startswith("Which ones?")


def test_every_name_asked_about_is_carried_before_other_words():
    history = [("Which roles do NASA, ESA, JAXA, CSA and CNES play in the Gateway programme?", "Some. [1]")]
    carried = standalone_query("And when?", history).split("(", 1)[1]
    assert "gateway" in carried and "nasa" in carried


def test_what_else_drops_a_list_line_the_answer_rendered_with_another_marker():
    scored = [_unit("• Publication of the annual report", 0.9), _unit("• A meeting of senior managers", 0.5)]
    previous = "The group published: - Publication of the annual report [1]"
    assert [u.text for u in unsaid("What else?", scored, previous)] == ["• A meeting of senior managers"]


def test_what_else_prefers_the_rest_of_the_passage_just_quoted():
    said = replace(_unit("The group will review its website.", 0.9), chunk_id="p1")
    next_to_it = replace(_unit("It will prepare the annual report.", 0.5), chunk_id="p1", n=1)
    elsewhere = replace(_unit("The group fosters exchanges.", 0.52), chunk_id="p2")
    previous = "The group will review its website. [1]"
    ranked = unsaid("What else will it prepare?", [said, elsewhere, next_to_it], previous)
    assert [u.text for u in ranked] == [next_to_it.text, elsewhere.text]


def test_a_refusal_lends_no_names_to_the_next_turn():
    refusal = "The ingested reports do not answer this question: the closest passages never mention “Atlantis”."
    rewritten = standalone_query("And when did it join?", [("How many members are from the Zanzibar office?", refusal)])
    assert rewritten is not None and "Atlantis" not in rewritten
    quoted = "The ‘Widget Survey’ was run by the ZSO. [1]"
    assert "Widget Survey" in standalone_query("And when did it start?", [("What did the office run?", quoted)])
