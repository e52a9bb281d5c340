"""QAService mechanics with fake embeddings: validation, abstention, citations, follow-ups."""

from __future__ import annotations

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding

from ingest.pipeline import IngestOptions, Ingestor
from retriever.search import HybridRetriever, HybridSearcher
from retriever.service import QAService, QuestionError, ServiceOptions, validate_question


class SpyEmbeddings(DeterministicFakeEmbedding):
    queries: int = 0

    def embed_query(self, text: str) -> list[float]:
        self.queries += 1
        return super().embed_query(text)


@pytest.fixture
def service(tiny_corpus, fake_store_factory):
    store = fake_store_factory()
    embeddings = SpyEmbeddings(size=32)
    Ingestor(store, embeddings, tiny_corpus, IngestOptions()).run()
    searcher = HybridSearcher(store, embeddings, check_seconds=0.0)
    return QAService(searcher, ServiceOptions(abstain_threshold=0.0, max_question_chars=200))


def test_validation_happens_before_any_embedding(service):
    with pytest.raises(QuestionError, match="empty"):
        service.ask("   \n ")
    with pytest.raises(QuestionError, match="too long"):
        service.ask("why " * 1000)
    assert service.searcher.embeddings.queries == 0


def test_validate_question_cleans_control_characters():
    assert validate_question("a\x00b\u200b c\ud800", 100) == "ab c\ufffd"


def test_answer_cites_the_passage_holding_the_quote(service):
    answer = service.ask("marker word quokkafig survey", mode="bm25")
    assert not answer.abstained
    assert answer.citations
    cited = answer.citations[0]
    assert cited.source == "gadgets.txt" and cited.page is None
    assert cited.quote in " ".join(cited.text.split())
    assert "[1]" in answer.answer
    assert answer.passages[0].rank == 1
    assert set(answer.timings_ms) >= {"retrieve", "answer", "total"}


def test_high_threshold_abstains_with_one_sentence(service):
    service.options = ServiceOptions(abstain_threshold=99.0)
    answer = service.ask("How fast does an unladen swallow fly?")
    assert answer.abstained and answer.citations == []
    assert answer.answer.count(".") == 1
    assert answer.abstain_reason == "weak_match" and "weakly" in answer.answer


def test_follow_up_is_rewritten_and_reported(service):
    history = [("When was the Widget Programme founded?", "It was founded in 2011 by the ZSO [1].")]
    answer = service.ask("Who founded it?", history)
    assert answer.rewritten_query and "widget" in answer.rewritten_query.casefold()


def test_follow_ups_have_their_own_abstention_threshold(service):
    history = [("When was the Widget Programme founded?", "It was founded in 2011 by the ZSO [1].")]
    service.options = ServiceOptions(abstain_threshold=99.0, followup_abstain_threshold=0.0)
    assert service.ask("Who set it up?", history).abstained is False
    assert service.ask("Who set up the Widget Programme?").abstained is True
    service.options = ServiceOptions(abstain_threshold=0.0, followup_abstain_threshold=99.0)
    assert service.ask("Who set it up?", history).abstained is True


def test_new_documents_show_up_after_ingest(service, tiny_corpus):
    (tiny_corpus / "extra.txt").write_text("The platypusberry experiment ran on the Moon in 2031.\n")
    Ingestor(service.searcher.store, service.searcher.embeddings, tiny_corpus, IngestOptions()).run()
    passages = service.search("platypusberry experiment", mode="bm25")
    assert passages[0].source == "extra.txt"


def test_langchain_retriever_interface(service):
    retriever = HybridRetriever(searcher=service.searcher, mode="bm25", k=2)
    docs = retriever.invoke("quokkafig")
    assert docs and docs[0].metadata["source"] == "gadgets.txt"


def test_question_about_an_unknown_acronym_abstains(service):
    answer = service.ask("How many gadgets does the XQZT programme own?")
    assert answer.abstained and answer.abstain_reason == "unknown_name"
    assert answer.answer.endswith("they never mention XQZT.")
    known = service.ask("How many gadgets did the Gadget Survey count in the ZSO report?")
    assert not known.abstained  # ZSO is defined in the corpus glossary


def test_a_kind_of_thing_the_corpus_never_names_is_an_abstention(service):
    answer = service.ask("Which submarine did the Gadget Survey count?")
    assert answer.abstained and answer.abstain_reason == "unknown_kind"
    assert answer.answer.endswith("they never mention any submarine.")
    known = service.ask("Which gadgets did the Gadget Survey count?")
    assert known.abstain_reason != "unknown_kind", known.answer


def test_a_count_or_role_the_quote_never_names_is_an_abstention(service):
    pages = service.ask("How many pages does the Gadget Survey report have?")
    assert pages.abstained and pages.abstain_reason == "not_stated"
    assert "“pages”" in pages.answer and pages.answer.count(".") == 1
    chair = service.ask("Who chairs the Widget Programme?")
    assert chair.abstained and "“chairs”" in chair.answer
    # with the step off the same question gets the best quote, which never counts pages
    quoted = service.ask("How many pages does the Gadget Survey report have?", disable=["slots"])
    assert not quoted.abstained and "page" not in quoted.answer
    assert quoted.abstain_reason is None


def test_a_capitalised_stop_word_is_no_unknown_acronym(service):
    # "us" is never indexed, so its document frequency says nothing about whether "US" occurs
    answer = service.ask("Which US scheme did the Gadget Survey count?")
    assert answer.abstain_reason != "unknown_name", answer.answer
    longer = service.ask("How many ITS studies did the Gadget Survey count?")  # "its", but three letters
    assert longer.abstain_reason == "unknown_name", longer.answer


def test_an_unknown_acronym_made_of_roman_letters_is_still_unknown(service):
    answer = service.ask("What did the IXV demonstrate?")
    assert answer.abstained and answer.abstain_reason == "unknown_name"
