"""Questions from the issues over the real ISECG report."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_membership_question_answers_26_with_supporting_citation(report_service):
    answer = report_service.ask("How many organisations belonged to ISECG at the end of 2020?")
    assert not answer.abstained
    assert "26" in answer.answer
    assert len(answer.answer) <= 400
    assert any("26" in c.quote and c.quote in " ".join(c.text.split()) for c in answer.citations)


def test_unrelated_question_abstains(report_service):
    answer = report_service.ask("What is the recipe for a good sourdough bread?")
    assert answer.abstained


def test_store_mismatch_is_refused(report_components, tmp_path):
    from app.settings import Settings
    from app.wiring import Components
    from ingest.store import StoreMismatchError

    other = Components(
        Settings(
            corpus_dir=report_components.settings.corpus_dir,
            store_dir=report_components.settings.store_dir,
            chunk_target_words=99,
        )
    )
    with pytest.raises(StoreMismatchError, match="ingest --rebuild"):
        other.open_store()


def test_a_described_country_is_followed_to_its_members_row(report_service):
    question = (
        "Which member organisation is from the country where the Global Space Exploration Conference takes place?"
    )
    answer = report_service.ask(question)
    assert "Roscosmos" in answer.answer
    assert [c.section.split(" › ")[0] for c in answer.citations] == ["3 Outlook for 2021", "Annex II"]
    ranks = {p.chunk_id: p.rank for p in answer.passages}
    first, second = (ranks[c.chunk_id] for c in answer.citations)
    assert second == first + 1  # the second hop's passage follows the one it was reached from
    assert [p.rank for p in answer.passages] == list(range(1, len(answer.passages) + 1))
    single = report_service.ask(question, disable=["bridge"])
    assert "Roscosmos" not in single.answer  # the first hop alone names the country, not the agency
