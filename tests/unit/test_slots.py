"""Count, role, event and value questions, and names for "which agencies": the answer must name what is asked."""

from __future__ import annotations

import pytest

from retriever.evidence import asked_kind
from retriever.slots import (
    counted_phrase,
    gap,
    missing_slot,
    missing_value,
    names_none,
    said_as,
)
from retriever.tokenize import terms


@pytest.mark.parametrize(
    ("question", "answer", "missing"),
    [
        ("How many pages does the roadmap have?", "The roadmap was released in 2018.", "page"),
        ("How many agencies joined in 2020?", "Six new agencies joined in 2020.", None),
        ("How many lunar objectives does it address?", "It addresses twelve lunar surface objectives.", None),
        ("Which agency chairs the working group?", "The working group leads the roadmap effort.", "chair"),
        ("Who co-chairs the Tiger Team?", "The Tiger Team is co-chaired by two agencies.", None),
        ("Who leads the roadmapping effort?", "The effort is led by the roadmap group.", None),
        ("How much does the agency pay into the budget?", "The agency joined in 2020.", "pay"),
        ("What does the group do?", "The group coordinates plans.", None),
        ("When will the survey report be published?", "The survey started in late 2020.", "publish"),
        ("When was the report published?", "The report was released in May 2020.", None),
        ("When was the demonstrator launched?", "The demonstrator study began in 2019.", "launch"),
        ("When did the survey begin?", "The survey kicked off in late 2020.", None),  # no event word asked
        ("When will the analysis be finished?", "The analysis kicked off in late 2020.", "finish"),
        ("When was the study finished?", "The study was completed in May 2020.", None),
        ("Who published the report?", "The report was written by the group.", None),  # not a date question
        ("How many agencies are based in Atlantis?", "The group grew to 26 agencies.", "atlanti"),
        ("How many agencies from Kolonia joined?", "Kolonia: two agencies joined.", None),
        ("How many agencies joined in 2020?", "Six agencies joined in 2020.", None),  # a year is no place
        ("How many agencies are listed in Annex II?", "Annex II lists 26 agencies.", None),  # a part is no place
        ("How many agencies joined in March?", "Six agencies joined.", None),  # nor is a month
        ("Who found the gap in the roadmap?", "The team identified the gap.", None),  # "found" of "find"
        ("Which design was selected?", "The second option was selected.", None),  # the noun asked for
        ("Who founded the space centre?", "Vietnam: Vietnamese Space Centre (VSC)", "found"),
        ("Who founded the group?", "This call led to the establishment of the group by the agencies.", None),
        ("Who wrote the widget report?", "The widget report was published on the webpage.", "write"),
        ("Who wrote the annual report?", "The group prepares the annual report.", None),
        ("Who has signed the charter?", "The charter was released in 2007.", "sign"),
        ("Which company builds the lander?", "The roadmap describes a lunar lander.", "build"),
        ("Which group is building concepts?", "The architecture group is currently building concepts.", None),
        ("What was found by the gap study?", "The gap study revealed opportunities.", None),  # not who/which
        ("Which report describes building a roadmap?", "The group will establish a roadmap.", None),  # too far
    ],
)
def test_missing_slot(question, answer, missing):
    found = missing_slot(question, terms(answer))
    assert (found is None) if missing is None else (missing in found)


def test_a_listed_title_and_date_states_its_publication():
    entry = terms("The Widget Roadmap (WR), January 2018")
    assert missing_slot("When was the Widget Roadmap published?", entry) == "publish"
    assert missing_slot("When was the Widget Roadmap published?", entry, entry=True) is None


def test_the_counted_phrase_ends_at_the_verb():
    assert counted_phrase("How many space agencies are there?") == ["space", "agenc"]
    assert counted_phrase("How much does it cost?") == []
    assert counted_phrase("Who chairs it?") == []


@pytest.mark.parametrize(
    ("kind", "quote", "missing"),
    [
        ("date", "Ukraine State Space Agency of Ukraine (SSAU)", "date"),
        ("date", "The study was completed in May 2020.", None),
        ("date", "The report is set for release in early 2021.", None),
        ("numeric", "Key domains include, among others, production and construction.", "number"),
        ("numeric", "ISECG welcomed six new members.", None),
        ("numeric", "Membership expanded to 26 agencies.", None),
        ("factoid", "No value here.", None),
    ],
)
def test_date_and_count_questions_need_that_kind_of_value(kind, quote, missing):
    assert missing_value(kind, quote) == missing


def test_the_gap_is_told_in_the_questions_own_words():
    assert said_as("How many pages does the roadmap have?", "page") == "pages"
    question = "How many pages does the roadmap have?"
    quote = "The roadmap was released in 2018."
    assert gap(question, "numeric", terms(quote), quote, quote) == "the closest passages never mention “pages”"
    assert gap("When did the agency join?", "date", terms("The agency"), "The agency", "The agency") == (
        "the closest passages give no date"
    )
    said = "The 73rd Widget Congress is in Paris."
    assert "74th Widget Congress" in gap("Where is the 74th Widget Congress?", "factoid", terms(said), said, said)
    assert gap("When did the agency join?", "date", terms("It joined in 2020."), "It joined in 2020.", "") is None


@pytest.mark.parametrize(
    ("question", "quote", "listed", "none"),
    [
        (
            "Which were the 14 agencies that founded the WGS?",
            "In 2007, 14 space agencies released the WGS.",
            False,
            True,
        ),
        ("Which agencies founded the WGS?", "The WGS was founded by ZSA and QSA in 2007.", False, False),
        ("Which agencies founded the WGS?", "ZSA, Zeta Space Agency", True, False),  # a list answers
        ("Which agencies founded the WGS?", "The WGS was founded by ZSA in 2007.", False, True),  # one name
        ("What could cheaper launches mean for agencies?", "Launches got cheaper.", False, False),  # not which/who
    ],
)
def test_a_which_agencies_question_needs_names(question, quote, listed, none):
    assert names_none(question, "list", quote, listed) is none


def test_how_often_is_not_answered_by_a_number():
    assert missing_value("numeric", "The Principals meet annually.", "How often do the Principals meet?") is None
    assert missing_value("numeric", "The Principals meet annually.", "How many Principals meet?") == "number"


def test_the_gap_words_are_the_questions_own_each_once():
    assert said_as("How many exploration objectives does the exploration roadmap list?", "explor object") == (
        "exploration objectives"
    )
    assert said_as("How many ISECG members are there?", "isecg member") == "ISECG members"


def test_names_a_follow_up_carried_in_are_not_new_names():
    quote = "In May 2007, 14 space agencies released the GES, which led to ISECG."
    assert not names_none("Which agencies?", "list", quote, listed=False)
    assert names_none("Which agencies?", "list", quote, listed=False, context="Which agencies? (GES ISECG)")


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Which lunar rover will fly first?", "rover"),  # the head stands before the auxiliary
        ("Which company builds the lander?", None),  # no auxiliary: "company" or "builds"? (a slot asks "builds")
        ("What is the main focus of the group?", None),  # a modifier before the head
        ("Which newcomers joined the group?", None),
        ("What software does the group use?", "software"),
        ("What is the population of the country?", "population"),
        ("Which country does the institute belong to?", None),  # a kind any report fills
        ("What else will it prepare?", None),
        ("Which edition of the congress is in Paris?", None),
        ("Which Asian agency joined?", None),  # a proper adjective, not a kind
        ("What is steering the plan?", None),  # the question's verb
        ("Who founded the centre?", None),  # not a which/what question
    ],
)
def test_asked_kind(question, kind):
    assert asked_kind(question) == kind


@pytest.mark.parametrize(
    ("question", "kind", "lead", "lacks"),
    [
        ("Will the group present at the fair?", "yesno", "Underlined events will include talks by the group.", True),
        ("Which events include talks?", "list", "Events in bold will include talks.", True),
        ("What do the underlined events mean?", "factoid", "Underlined events will include talks.", False),
        ("What do the underlined events mean?", "list", "Underlined events will include talks.", False),
        ("How current is the events list?", "factoid", "Underlined events include talks. (Status April)", False),
        ("Will the group present at the fair?", "yesno", "The group will present at the fair.", False),
        ("Which events are listed for 2031?", "list", "Underlined events will include talks. (Status 2031)", False),
        ("Does the plan stress lunar work?", "yesno", "The plan highlighted the importance of lunar work.", False),
        ("Will the group give talks?", "yesno", "Agencies underlined the need for talks by the group.", False),
        ("Which events include talks?", "list", "Events that are highlighted will include talks.", True),
    ],
)
def test_a_quote_resting_on_lost_formatting_cannot_say_which_items_carry_it(question, kind, lead, lacks):
    found = gap(question, kind, terms(lead), lead, lead)
    assert (found is not None and "no longer shows" in found) is lacks


def test_the_year_check_reads_the_answering_quote_not_a_second_hop():
    lead = "Agencies Meet to Advance Planning March"
    quote = f"{lead} Members (status of March 2031)"
    assert gap("Which month of 2030 saw the planning webnews?", "date", terms(quote), quote, lead) is None
    dated = "The webnews came out in March 2031."
    assert "2030" in gap("Which month of 2030 saw the webnews?", "date", terms(dated), dated, dated)
