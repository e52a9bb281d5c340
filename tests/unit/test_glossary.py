"""Acronym glossary extraction and query expansion."""

from __future__ import annotations

from ingest.clean import clean_pages
from ingest.glossary import best_long_form, extract_glossary, merge_glossaries
from retriever.query import glossary_expansions


def test_report_glossary(report_text):
    glossary = extract_glossary(clean_pages([report_text])[0])
    assert glossary["NOSA"] == "Norwegian Space Agency"
    assert glossary["ISRU"] == "In-situ Resource Utilisation"
    assert glossary["TWG"] == "Technology Working Group"
    assert glossary["AEB"] == "Agência Espacial Brasileira"
    assert "DLR" not in glossary  # its long form is German; no wrong pairing from the table


def test_schwartz_hearst_rejects_non_matches():
    assert best_long_form("XYZ", "Norwegian Space Agency") is None
    assert best_long_form("ToR", "formulation of Terms of Reference") == "Terms of Reference"


def test_expansion_both_ways():
    glossary = {"NOSA": "Norwegian Space Agency"}
    assert glossary_expansions("When did NOSA join?", glossary) == ["Norwegian Space Agency"]
    assert glossary_expansions("When did the norwegian space agency join?", glossary) == ["NOSA"]
    assert glossary_expansions("When did Norway join?", glossary) == []


def test_merge_prefers_majority():
    merged = merge_glossaries([{"A": "Alpha Beta"}, {"A": "Alpha Beta"}, {"A": "Another"}])
    assert merged == {"A": "Alpha Beta"}
