"""Tolerant marker parsing and streaming-safe sentence cutting."""

from __future__ import annotations

import pytest

from retriever.markers import complete_sentences, is_abstention, marker_numbers, parse_reply, sentence_spans


@pytest.mark.parametrize(
    ("reply", "cited"),
    [
        ("ISECG has 26 members [1].", (1,)),
        ("ISECG has 26 members. [1]", (1,)),
        ("ISECG has 26 members [1, 3].", (1, 3)),
        ("ISECG has 26 members [1][2].", (1, 2)),
        ("ISECG has 26 members [1] [2].", (1, 2)),
        ("ISECG has 26 members 【2】.", (2,)),
        ("ISECG has 26 members ［3］.", (3,)),
        ("ISECG has 26 members [2-4].", (2, 3, 4)),
        ("ISECG has 26 members [Passage 2].", (2,)),
        ("ISECG has 26 members [source 1; 2].", (1, 2)),
        ("ISECG has 26 members [^3].", (3,)),
        ("ISECG has 26 members.", ()),
    ],
)
def test_marker_shapes(reply, cited):
    (sentence,) = parse_reply(reply, passages=4)
    assert sentence.cited == cited
    assert sentence.text == "ISECG has 26 members."


def test_markers_outside_the_given_passages_are_dropped():
    (sentence,) = parse_reply("Founded in 2011 [1][7][0].", passages=3)
    assert sentence.cited == (1,)
    assert sentence.dropped == (7, 0)


def test_markers_after_the_full_stop_stay_with_their_sentence():
    first, second = parse_reply("It was founded in 2011. [2] It has 14 members. [1]", passages=2)
    assert (first.text, first.cited) == ("It was founded in 2011.", (2,))
    assert (second.text, second.cited) == ("It has 14 members.", (1,))


def test_abbreviations_decimals_and_lines():
    spans = [s.text for s in sentence_spans("Partners (e.g. ZSO) joined. Rate was 1.5 per year.\n- KLA [1]\n- MRA")]
    assert spans == ["Partners (e.g. ZSO) joined.", "Rate was 1.5 per year.", "- KLA [1]", "- MRA"]
    assert [s.new_line for s in sentence_spans("A is one.\n- B")] == [False, True]


def test_marker_ranges_are_bounded():
    assert marker_numbers("1-3") == [1, 2, 3]
    assert marker_numbers("1-500") == [1, 500]
    assert marker_numbers("2, 4 and 6") == [2, 4, 6]


@pytest.mark.parametrize(
    "reply",
    [
        "The Widget Programme was founded in 2011. [1] It had 14 members. [2][3]\n- ZSO [1]\n- KLA",
        "One sentence without markers. Another one [1",
        "Ends with a marker 【2】",
    ],
)
def test_streamed_cuts_equal_the_final_cut(reply):
    """Feeding the reply character by character never emits a sentence that later changes."""
    emitted = []
    for end in range(1, len(reply) + 1):
        complete = complete_sentences(reply[:end], final=False)
        assert complete[: len(emitted)] == emitted
        emitted = complete
    assert emitted + complete_sentences(reply, final=True)[len(emitted) :] == sentence_spans(reply)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The passages do not answer this question.", True),
        ("The provided text doesn't mention the budget.", True),
        ("There is no information about funding.", True),
        ("The programme had 14 member agencies.", False),
    ],
)
def test_abstentions_are_recognised(text, expected):
    assert is_abstention(text) is expected


def test_numbered_list_items_are_items_not_sentence_ends():
    _, first, second = parse_reply("Topics:\n1. Six new members joined [2]\n2. A roadmap was published", passages=3)
    assert (first.text, first.cited, first.new_line) == ("1. Six new members joined", (2,), True)
    assert first.claim == "Six new members joined"
    assert second.claim == "A roadmap was published"
