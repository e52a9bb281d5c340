"""The committed eval datasets follow the schema and quote the corpus verbatim."""

from __future__ import annotations

from collections import Counter

import pytest

from evals.dataset import TYPES, load_dataset
from evals.metrics import contains_answer, normalize
from ingest.clean import clean_pages
from tests.conftest import REPORT, ROOT

DATASETS = ROOT / "evals" / "datasets"


@pytest.fixture(scope="module")
def corpus_texts():
    raw = REPORT.read_text(encoding="utf-8")
    return normalize(raw), normalize(clean_pages([raw])[0])


ALL = ["isecg-annual-report-2020.jsonl", "conversations.jsonl", "dev-extra.jsonl", "dev-extra-conversations.jsonl"]


@pytest.mark.parametrize("name", ALL)
def test_every_evidence_string_is_in_the_corpus(name, corpus_texts):
    raw, cleaned = corpus_texts
    for item in load_dataset(DATASETS / name).items:
        for evidence in item.evidence:
            assert normalize(evidence) in raw, f"{item.id}: evidence not in the report: {evidence!r}"
            assert normalize(evidence) in cleaned, f"{item.id}: cleaning destroyed evidence: {evidence!r}"
            assert 40 <= len(evidence) <= 200 and "\n" not in evidence


def test_schema_rules_and_coverage():
    items = load_dataset(DATASETS / "isecg-annual-report-2020.jsonl").items
    assert len(items) >= 100
    counts = Counter(item.type for item in items)
    assert all(counts[t] >= 8 for t in TYPES), counts
    assert {item.split for item in items} == {"dev", "test"}
    _check_items(items)


def test_the_extra_dev_items_are_dev_only_and_follow_the_same_rules():
    items = [i for name in ALL[2:] for i in load_dataset(DATASETS / name).items]
    assert {item.split for item in items} == {"dev"}
    assert {item.type for item in items} == set(TYPES)
    _check_items(items)


def _check_items(items) -> None:
    for item in items:
        if item.type == "unanswerable":
            assert not item.answers and not item.evidence
        else:
            assert item.answers and item.evidence, item.id
            joined = " ".join(item.evidence)
            hits = [contains_answer(joined, a) for a in item.answers]
            assert any(hits), f"{item.id}: no answer string in its evidence"


def test_conversations_have_follow_ups():
    groups = load_dataset(DATASETS / "conversations.jsonl").groups
    assert len(groups) >= 10
    assert all(3 <= len(g) <= 4 for g in groups)
    assert all(item.standalone for g in groups for item in g)
