"""Lists whose items are section titles: runs of sibling headings sharing the asked-for noun."""

from __future__ import annotations

import json

from retriever.headings import HeadingIndex


def _chunk(cid: str, start: int, section: str, text: str, spans: list[tuple[int, int, str]]) -> tuple:
    meta = {
        "source": "doc.txt",
        "start": start,
        "section": section,
        "unit_spans": json.dumps([[s, e, kind, -1] for s, e, kind in spans]),
    }
    return cid, text, meta


def _titled(cid: str, start: int, title: str, body: str = "Some words about it.") -> tuple:
    text = f"{title}\n\n{body}"
    return _chunk(cid, start, title, text, [(0, len(title), "heading"), (len(title) + 2, len(text), "sentence")])


def _index(*titles: str) -> HeadingIndex:
    return HeadingIndex(_titled(f"c{i}", i * 100, t) for i, t in enumerate(titles))


def test_sibling_titles_sharing_the_asked_noun_are_listed_in_reading_order():
    index = _index("1 Summary", "Annex A", "Widget Working Group (WWG)", "Annex B", "Annex C")
    assert [h.text for h in index.listed("Which annexes does the report have?")] == ["Annex A", "Annex B", "Annex C"]


def test_the_category_title_is_not_an_item_and_the_longest_run_wins():
    index = _index(
        "Outlook",
        "Widget Working Group (WWG)",
        "Gadget Working Group (GWG)",
        "Widget Terms of Reference",  # shares another asked word: ends the first run
        "Widget Working Groups",  # only the question's words: the category
        "Widget Working Group (WWG)",
        "Gadget Working Group (GWG)",
        "Rover Working Group (RWG)",
    )
    listed = index.listed("What are the Widget working groups?")
    assert [h.chunk_id for h in listed] == ["c5", "c6", "c7"]


def test_no_list_without_the_plural_noun_or_with_too_few_titles():
    index = _index("Technology Review", "Technology Working Group (TWG)", "Technology Roadmap")
    assert index.listed("What did the technology review find?") == []  # "technology" is no asked plural
    assert _index("Annex A", "Annex B").listed("Which annexes are there?") == []
    assert _index("Annex A", "Annex A", "Annex B").listed("Which annexes are there?") == []


def test_a_title_too_short_for_a_unit_is_taken_from_the_section_path():
    short = _chunk("c0", 0, "Annex I", "Annex I\n\nPublications list.", [(9, 27, "sentence")])
    index = HeadingIndex([short, _titled("c1", 100, "Annex II"), _titled("c2", 200, "Annex III")])
    listed = index.listed("Which annexes does it have?")
    assert [(h.text, h.n, h.start, h.end) for h in listed][0] == ("Annex I", -1, 0, 7)
    assert len(listed) == 3


def test_a_heading_repeated_by_a_chunk_overlap_counts_once():
    first = _titled("c0", 0, "Annex A")
    overlap = _chunk("c1", 0, "Annex A", "Annex A\n\nSome words about it.", [(0, 7, "heading")])
    index = HeadingIndex([first, overlap, _titled("c2", 100, "Annex B"), _titled("c3", 200, "Annex C")])
    assert [h.chunk_id for h in index.listed("Which annexes are there?")] == ["c0", "c2", "c3"]
