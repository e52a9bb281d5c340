"""Structure detection and chunking of the real report and of synthetic text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.chunking import ChunkingParams, build_chunks, chunk_id, plan_chunks
from ingest.clean import clean_pages
from ingest.structure import find_blocks, is_title_like, strong_heading_level
from ingest.units import one_line, split_units


@pytest.fixture
def report_chunks(report_text):
    pages = clean_pages([report_text])
    return build_chunks("report.txt", "sha", "ISECG Annual Report 2020", pages, [None], ChunkingParams())


def test_offsets_map_back_to_the_cleaned_text(report_chunks):
    text, chunks = report_chunks
    assert chunks
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        for unit in chunk.units:
            assert " ".join(chunk.text[unit.start : unit.end].split()) == unit.text


def test_numbered_sections_and_annexes_become_sections(report_chunks):
    _, chunks = report_chunks
    sections = {c.section for c in chunks}
    assert "1 Executive Summary" in sections
    assert "Annex II" in sections
    assert "3 Outlook for 2021 › Technology Working Group (TWG)" in sections
    assert any(s.startswith("Annex III › Science Working Group") for s in sections)


def test_chunk_sizes_stay_in_range(report_chunks):
    _, chunks = report_chunks
    params = ChunkingParams()
    sizes = [len(c.text.split()) for c in chunks]
    assert max(sizes) <= params.max_words + params.overlap_words
    assert sum(150 <= s <= 250 for s in sizes) >= len(sizes) // 3


def test_list_items_and_table_rows_are_not_split(report_chunks):
    _, chunks = report_chunks
    for row in ("NOSA, Norwegian Space Agency", "Norway  Norwegian Space Agency (NOSA)"):
        assert any(row in c.text for c in chunks)
    units = [u.text for c in chunks for u in c.units]
    assert "Republic of Korea Korea Aerospace Research Institute (KARI)" in units


def test_ids_are_deterministic_and_content_based(report_text):
    pages = clean_pages([report_text])
    first = build_chunks("r.txt", "sha", "t", pages, [None], ChunkingParams())[1]
    second = build_chunks("r.txt", "sha", "t", pages, [None], ChunkingParams())[1]
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == len(first)
    assert chunk_id("a.txt", "x", 0) != chunk_id("b.txt", "x", 0)


def test_pages_are_recorded_per_chunk():
    pages = ["First page about rovers. " * 40, "Second page about landers. " * 40]
    _, chunks = build_chunks("d.pdf", "sha", "t", pages, [1, 2], ChunkingParams())
    assert chunks[0].page == 1
    assert chunks[-1].page_end == 2
    pages_of_units = {u.text.split()[0]: u.page for c in chunks for u in c.units}
    assert pages_of_units == {"First": 1, "Second": 2}


def test_heading_shapes():
    assert strong_heading_level(" 3 Outlook for 2021") == 1
    assert strong_heading_level("2.1 Lunar Surface Scenario") == 2
    assert strong_heading_level(" Annex II") == 1
    assert strong_heading_level("## Members") == 2
    assert strong_heading_level("26 organisations, demonstrating growth.") == 0
    assert is_title_like("Technology Working Group (TWG)")
    assert not is_title_like("The study was completed in May 2020.")


def test_list_entries_followed_by_prose_are_not_headings():
    text = (
        "Six new members joined:\n\nAEB, Brazilian Space Agency\n\nNOSA, Norwegian Space Agency\n\n"
        "VNSC, Vietnamese National Space Center\n\nThe ISECG published five webnews articles in 2020, "
        "addressing the following topics of interest to members."
    )
    assert not any(b.kind == "heading" for b in find_blocks(text))


def _headings(text: str) -> list[str]:
    return [" ".join(text[b.start : b.end].split()) for b in find_blocks(text) if b.kind == "heading"]


def test_a_title_run_into_the_paragraph_above_is_a_heading():
    text = (
        "The group has started to review its website and will continue this work\nthroughout 2021.\n"
        " Major International Events Related to Space Exploration\n\nUnderlined events will include "
        "presentations. (Status April 2021)"
    )
    assert _headings(text) == ["Major International Events Related to Space Exploration"]
    # a title-shaped line that ends a list of short lines, or follows an unfinished sentence, is not
    assert _headings(text.replace("throughout 2021.", "throughout 2021 and")) == []


def test_a_title_run_into_the_prose_below_is_a_heading_but_a_wrapped_table_row_is_not():
    text = (
        "ISECG at a Glance: Scope and Background\nISECG, the International Space Exploration Coordination "
        "Group serves as the forum where space\nagencies work together. It also supports engagement."
    )
    assert _headings(text) == ["ISECG at a Glance: Scope and Background"]
    rows = "Thailand Geo-informatics and Space Technology Development\nAgency (GISTDA)\n\nThe end of it all is here."
    assert _headings(rows) == []


def test_a_two_line_title_whose_second_line_starts_with_a_connector_is_a_heading():
    text = (
        "Exploration Roadmap Working Group (ERWG)\nand International Architecture Working Group (IAWG)\n\n"
        "The ERWG and IAWG will work to evaluate any needed updates to the roadmap in order to determine a "
        "recommendation on the necessity of a revision."
    )
    assert _headings(text) == [
        "Exploration Roadmap Working Group (ERWG) and International Architecture Working Group (IAWG)"
    ]


def test_units_split_sentences_and_keep_abbreviations():
    text = "The IAC meets in Paris, 18-22 Sept. 2022 this year. It is very big.\n\n- item one\n- item two"
    units = split_units(text)
    assert [u.text for u in units] == [
        "The IAC meets in Paris, 18-22 Sept. 2022 this year.",
        "It is very big.",
        "- item one",
        "- item two",
    ]
    assert [u.kind for u in units] == ["sentence", "sentence", "line", "line"]


def test_a_wrapped_table_row_is_one_unit_and_bracketed_rows_stay_apart():
    text = (
        "Thailand Geo-informatics and Space Technology Development\nAgency (GISTDA)\n\n"
        "USA National Aeronautics and Space Administration\n (NASA)\n\n"
        "AEB (Brazil)\nAEM (Mexico)\nGISTDA (Thailand)"
    )
    units = split_units(text)
    assert [u.text for u in units] == [
        "Thailand Geo-informatics and Space Technology Development Agency (GISTDA)",
        "USA National Aeronautics and Space Administration (NASA)",
        "AEB (Brazil)",
        "AEM (Mexico)",
        "GISTDA (Thailand)",
    ]
    assert units[0].kind == "line" and all(u.kind == "line" for u in units[2:])
    assert all(one_line(text[u.start : u.end]) == u.text for u in units)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=3000))
def test_property_chunks_are_exact_nonempty_and_bounded(text):
    params = ChunkingParams(target_words=40, max_words=60, min_words=10, overlap_words=8)
    pages = clean_pages([text])
    doc, chunks = build_chunks("p.txt", "sha", "t", pages, [None], params)
    for chunk in chunks:
        assert doc[chunk.start : chunk.end] == chunk.text
        assert chunk.text.strip()
        assert len(chunk.text.split()) <= params.max_words + params.overlap_words + 12  # + headings
    again = build_chunks("p.txt", "sha", "t", pages, [None], params)[1]
    assert [c.id for c in again] == [c.id for c in chunks]


def test_one_enormous_line_is_cut_by_words():
    text = "word " * 5000
    spans = plan_chunks(text, ChunkingParams())
    assert len(spans) >= 5000 // ChunkingParams().max_words


def test_a_run_without_sentence_ends_is_cut_between_entries_and_kept_exact():
    """A flattened table with no full stops: windows end at a separator, never mid-entry."""
    entries = [f"Agency {i} of the Country {i} (AG{i})" for i in range(200)]  # 7 words each
    text = "; ".join(entries)
    params = ChunkingParams(target_words=40, max_words=60, min_words=10, overlap_words=0)
    spans = plan_chunks(text, params)
    assert len(spans) > 1
    for start, end, _ in spans:
        piece = text[start:end]
        assert len(piece.split()) <= params.max_words
        assert piece.startswith("Agency") and piece.rstrip(";").endswith(")")


def test_a_bracketed_aside_stays_with_its_sentence():
    units = split_units(
        "Underlined events include presentations. (Status April 2021)\n\nThe list may change. It is long."
    )
    assert [u.text for u in units] == [
        "Underlined events include presentations. (Status April 2021)",
        "The list may change.",
        "It is long.",
    ]


def test_a_lower_case_piece_after_an_open_line_continues_it():
    text = (
        "• Open and inclusive\n− The group takes inputs from agencies that invest in and perform space exploration"
        "\n\nactivities.\n\n− The group provides for consultations.\n\nIt met twice.\n\nlater that year it met again."
    )
    assert [u.text for u in split_units(text)] == [
        "• Open and inclusive",
        "− The group takes inputs from agencies that invest in and perform space exploration activities.",
        "− The group provides for consultations.",
        "It met twice.",  # a closed sentence is not continued
        "later that year it met again.",
    ]


def test_a_short_heading_is_kept_while_short_lines_are_dropped():
    text = "Annex I\n\nPublications list\n\nok.\n\nThe report lists the publications of the year."
    units = split_units(text, headings=[(0, len("Annex I"))])
    assert [(u.text, u.kind) for u in units][0] == ("Annex I", "heading")
    assert "ok." not in [u.text for u in units]
