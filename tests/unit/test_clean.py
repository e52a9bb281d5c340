"""Cleaning of extracted report text."""

from __future__ import annotations

from ingest.clean import clean_page, clean_pages, repeated_edge_lines
from ingest.sanitize import display_name, sanitize_text


def test_blank_runs_page_numbers_and_url_lines_go():
    raw = "Intro line.\n\n \n\n\n2 \n\nhttp://www.example.org/x\n  www.example.com/y  \nBody text here."
    assert clean_page(raw) == "Intro line.\n\nBody text here."


def test_page_number_variants_are_removed_but_numbers_in_text_stay():
    raw = "Page 3\n- 4 -\n5 of 12\nMembership grew to 26 organisations.\n"
    assert clean_page(raw) == "Membership grew to 26 organisations."


def test_hyphenated_break_joined_unless_document_spells_it_hyphenated():
    text = "the informa-\ntion age and in-\nsitu work; in-situ again"
    cleaned = clean_page(text)
    assert "information age" in cleaned
    assert "in-situ work" in cleaned


def test_repeated_headers_and_footers_removed_across_pages():
    bodies = ["Rovers landed.", "Orbiters flew.", "Landers waited.", "Crews trained.", "Habitats grew."]
    pages = [f"ISECG Annual Report\n{body}\nMore on {body}\nConfidential page {i}" for i, body in enumerate(bodies, 1)]
    assert "isecg annual report" in repeated_edge_lines(pages)
    cleaned = clean_pages(pages)
    assert all("ISECG Annual Report" not in p and "Confidential" not in p for p in cleaned)
    assert cleaned[2] == "Landers waited.\nMore on Landers waited."


def test_headers_need_several_pages():
    pages = ["Title\nA.", "Title\nB."]
    assert repeated_edge_lines(pages) == set()


def test_control_zero_width_tag_and_surrogates_removed():
    raw = "a\x00b\u200bc\U000e0041d\u202ee\ud800f\x07g"
    assert sanitize_text(raw) == "abcde\ufffdfg"


def test_display_name_is_one_line():
    assert display_name("new\nline\u202e.txt") == "new\\nline.txt"


def test_footnote_reference_digits_are_dropped():
    assert clean_page("space activities1. Next") == "space activities. Next"
    assert "CO2" in clean_page("levels of CO2 rose")
