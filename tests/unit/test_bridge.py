"""The second hop, on a hand-made corpus: a described subject is resolved, then followed by name."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from retriever.bridge import Hop, bridge_names, bridge_weights, describes, second_hop
from retriever.evidence import ScoredUnit
from retriever.extractive import Neighbourhood, clip_enumeration
from retriever.lexical import LexicalIndex
from retriever.tokenize import terms

CHUNKS = {
    "events": "Upcoming events\n• Widget Expo Oslo/Norway, 3-5 May 2031\n• Gadget Fair Lima/Peru, 1 June 2031",
    "members": "Members\nNorway Norwegian Gadget Office (NGO)\nPeru Peruvian Widget Bureau (PWB)",
    "cover": "WIDGET COUNCIL\nPublications",
    "other": "The council meets twice a year. Its members exchange plans.",
}


def _unit(chunk: str, n: int, text: str, dense: float, kind: str = "sentence") -> ScoredUnit:
    start = CHUNKS[chunk].find(text)
    return ScoredUnit(chunk, n, text, start, start + len(text), kind, dense, 0.0, 0.0, dense, frozenset(terms(text)))


UNITS = [
    _unit("events", 0, "Upcoming events", 0.4, "heading"),
    _unit("events", 1, "• Widget Expo Oslo/Norway, 3-5 May 2031", 0.7, "line"),
    _unit("events", 2, "• Gadget Fair Lima/Peru, 1 June 2031", 0.5, "line"),
    _unit("members", 0, "Members", 0.5, "heading"),
    _unit("members", 1, "Norway Norwegian Gadget Office (NGO)", 0.35, "label"),
    _unit("members", 2, "Peru Peruvian Widget Bureau (PWB)", 0.4, "label"),  # closer, but not the bridge
    _unit("cover", 0, "WIDGET COUNCIL", 0.6, "label"),
    _unit("cover", 1, "Publications", 0.3, "label"),
    _unit("other", 0, "The council meets twice a year.", 0.45),
    _unit("other", 1, "Its members exchange plans.", 0.5),
]
INDEX = LexicalIndex(list(CHUNKS), list(CHUNKS.values()))
QUESTION = "Which member office comes from the country hosting the Widget Expo?"


def _weights(question: str) -> dict[str, float]:
    return {t: INDEX.idf(t) for t in terms(question) if INDEX.document_frequency[t]}


def _load(chunk_ids: Sequence[str]) -> list[ScoredUnit]:
    return [u for u in UNITS if u.chunk_id in chunk_ids]


@pytest.mark.parametrize(
    ("question", "described"),
    [
        ("Which agency comes from the country where the expo is held?", True),
        ("The working group that prepares the report: what else does it do?", True),
        ("What does the country hosting the 72nd congress contribute?", True),
        ("Which report came out in the same month?", True),
        ("Which agency represents the host country of the 73rd congress?", True),
        ("Which member comes from that country?", True),
        ("What is the goal of the working group?", False),
        ("Where is the Widget Expo held?", False),
        ("Why did the ERWG stop working on the roadmap?", False),  # the subject is named, not described
    ],
)
def test_a_subject_named_by_description_is_recognised(question, described):
    assert describes(question) is described


def test_bridge_names_are_the_names_the_question_did_not_use():
    names = bridge_names(["• Widget Expo Oslo/Norway, 3-5 May 2031"], "Events (EVT)", set(_weights(QUESTION)), INDEX)
    assert {"oslo", "norway"} <= names.keys()
    assert not {"widget", "expo"} & names.keys()  # asked for already
    assert "evt" not in names  # a title acronym the corpus never uses cannot lead anywhere


def test_second_hop_follows_the_country_to_its_members_row():
    first = UNITS[1]
    hop = second_hop([first], _weights(QUESTION), "Upcoming events", INDEX, _load)
    assert hop is not None and hop.text == "Norway Norwegian Gadget Office (NGO)"


def test_second_hop_never_quotes_headings_title_lines_or_the_first_passage():
    first = UNITS[1]
    only_headings = [u for u in UNITS if u.kind == "heading" or u.text.isupper() or u.chunk_id == "events"]
    hop = second_hop(
        [first], _weights(QUESTION), "", INDEX, lambda ids: [u for u in only_headings if u.chunk_id in ids]
    )
    assert hop is None


def test_second_hop_keeps_the_whole_answer_within_its_limit():
    first = UNITS[1]
    assert second_hop([first], _weights(QUESTION), "", INDEX, _load, hop=Hop(limit=len(first.text) + 10)) is None


def test_no_second_hop_without_a_name_to_follow():
    plain = _unit("other", 0, "The council meets twice a year.", 0.45)
    assert second_hop([plain], _weights("How often does the council meet?"), "", INDEX, _load) is None


def test_second_hop_never_lands_on_a_copy_of_the_quote():
    first = UNITS[1]
    copy = ScoredUnit("overlap", 0, first.text, 0, len(first.text), "line", 0.9, 0.0, 0.0, 0.9, first.terms)
    with_copy = [*UNITS, copy]
    index = LexicalIndex([*CHUNKS, "overlap"], [*CHUNKS.values(), first.text])

    def load(ids: Sequence[str]) -> list[ScoredUnit]:
        return [u for u in with_copy if u.chunk_id in ids]

    hop = second_hop([first], _weights(QUESTION), "", index, load)
    assert hop is not None and hop.text == "Norway Norwegian Gadget Office (NGO)"  # says nothing new: skipped
    only_copy = second_hop([first], _weights(QUESTION), "", index, lambda ids: [copy])
    assert only_copy is None
    avoided = second_hop([first], _weights(QUESTION), "", index, load, avoid={"members", "overlap"})
    assert avoided is None or avoided.chunk_id not in {"members", "overlap"}


def test_a_hop_into_a_long_enumeration_quotes_the_piece_naming_the_bridge():
    weights = bridge_weights([UNITS[1]], _weights(QUESTION), INDEX)  # "• Widget Expo Oslo/Norway, …"
    assert "norway" in weights and "widget" not in weights  # the bridge, not the question's own words
    assert "2031" not in weights  # a date is no bridge
    pieces = [f"AG{i} (Land{i})" for i in range(30)]
    footnote = "1 In alphabetical order: " + ", ".join([*pieces[:15], "NGO (Norway)", *pieces[15:]]) + "."
    unit = ScoredUnit("f", 0, footnote, 0, len(footnote), "sentence", 0.5, 0.1, 0.0, 0.5, frozenset(terms(footnote)))
    near = Neighbourhood(units_of=lambda _: [unit], next_chunk=lambda _: None, text_of=lambda _: footnote)
    piece = clip_enumeration(unit, "factoid", weights, near, 400)
    assert piece.text == "NGO (Norway)" and footnote[piece.start : piece.end] == "NGO (Norway)"
