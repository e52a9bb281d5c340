"""The BM25 index's word variants for query terms the corpus never uses."""

from __future__ import annotations

from retriever.lexical import LexicalIndex
from retriever.tokenize import terms

INDEX = LexicalIndex(
    ["a", "b", "c"],
    [
        "Thailand and Brazil joined the group.",
        "Vietnam hosted the events of the year.",
        "Agencies from Japan met in Tokyo.",
    ],
)


def _variants(word: str) -> list[str]:
    return [v for t in terms(word) for v in INDEX.variants(t)]


def test_a_demonym_finds_its_country_and_a_short_form_finds_the_long_one():
    assert _variants("Brazilian") == ["brazil"]
    assert _variants("Vietnamese") == ["vietnam"]
    assert _variants("Japanese") == ["japan"]
    assert _variants("Thai") == ["thailand"]


def test_a_longer_word_sharing_a_prefix_is_no_variant():
    assert _variants("eventually") == []  # "eventu" is not "event" plus a demonym ending
    assert _variants("events") == []  # known to the corpus: no variants needed


def test_irregular_verb_forms_meet_their_base_form_and_ambiguous_ones_stay_apart():
    assert terms("bound grew shrank held") == terms("binding grows shrink holds")
    assert terms("the agency left") != terms("the agency leaves")  # "left" may be a side
    assert terms("found") != terms("find") and terms("led") != terms("leads")


def test_a_numbered_part_is_one_term_in_roman_or_arabic_figures():
    assert terms("What is in Annex I?") == ["annex", "annex1"]  # "I" here is no pronoun
    assert "annex4" in terms("Annex IV") and "annex4" in terms("annex 4")
    assert terms("Annex IX")[-1] == "annex9" and terms("Part XIV")[-1] == "part14"
    assert "annex1" not in terms("Annex Ivory")  # a word, not a numeral
    assert terms("annex iv")[-1] == "annex4"  # as users type it
    assert "figure3" not in terms("Figure 3.2") and "annex5" not in terms("Annex VX")
    assert terms("Annex İ") and terms("Part ı")  # letters that fold to "i" are no numerals (and no crash)
