"""Editions and years: a quote about another edition of a named thing, or giving a count or date
for another year, does not answer."""

from __future__ import annotations

import pytest

from retriever.editions import editions, other_edition, other_year


def test_editions_pair_a_name_with_its_year_or_ordinal():
    assert editions("the ISECG Annual Report 2021 and the 74th International Widget Congress") == [
        ("isecg annual report", "2021"),
        ("international widget congress", "74th"),
    ]


@pytest.mark.parametrize(
    ("question", "quote", "missing"),
    [
        ("When was the Annual Report 2021 published?", "ISECG Annual Report 2019 published May", "Annual Report 2021"),
        ("When was the Annual Report 2019 published?", "ISECG Annual Report 2019 published May", None),
        ("Where is the 74th Widget Congress?", "73rd Widget Congress, Paris, 2022", "74th Widget Congress"),
        ("Where is the 73rd Widget Congress?", "73rd Widget Congress, Paris, 2022", None),
        ("What did the Annual Report 2021 say?", "The roadmap was published in 2018.", None),  # no other edition named
    ],
)
def test_a_quote_about_another_edition_does_not_answer(question, quote, missing):
    assert other_edition(question, quote) == missing


@pytest.mark.parametrize(
    ("question", "kind", "quote", "year"),
    [
        ("How many articles were published in 2019?", "numeric", "Five articles were published in 2020.", "2019"),
        ("How many articles were published in 2020?", "numeric", "Five articles were published in 2020.", None),
        ("How many articles were published in 2019?", "numeric", "Five articles were published.", None),  # no year
        ("What did the group publish in 2019?", "factoid", "Five articles were published in 2020.", None),
        # the year sets the context; the question asks about another thing's date
        ("The 2020 update revised an older plan. When was that plan published?", "date", "It was in 2018.", None),
        ("The update revised an older plan. When was it revised in 2020?", "date", "It was in 2018.", "2020"),
        ("How many agencies joined in 2015. Please be brief.", "numeric", "Six joined in 2020.", "2015"),
        ("When did the 2018 plan name the U.S. agency?", "date", "It was in 2020.", "2018"),  # no sentence end
    ],
)
def test_a_count_or_date_for_another_year_does_not_answer(question, kind, quote, year):
    assert other_year(question, kind, quote) == year


@pytest.mark.parametrize(
    ("question", "quote"),
    [
        ("What did ISECG agree in May 2021?", "In May 2020 the ISECG agreed on the roadmap."),  # months, "In": no names
        ("What did the Exploration Bulletin 2021 cover?", "In 2019, the Exploration Bulletin was launched."),
        ("When is the 37th Space Symposium?", "36th Space Symposium\nColorado Springs, 2021"),  # name ends at the line
    ],
)
def test_editions_need_real_names_compared_word_by_word(question, quote):
    edition = other_edition(question, quote)
    assert edition == ("37th Space Symposium" if "37th" in question else None)


def test_a_year_in_a_name_is_asked_about_too():
    assert other_year("When is GLEX 2022?", "date", "GLEX, St. Petersburg, 14-18 June 2021") == "2022"
    assert other_year("When is GLEX 2021?", "date", "GLEX, St. Petersburg, 14-18 June 2021") is None
