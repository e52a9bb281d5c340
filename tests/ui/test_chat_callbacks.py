"""Chat callbacks with a scripted service (exact control) and with the real service on fake embeddings."""

from __future__ import annotations

import logging

import pytest

from app.ui_chat import AskOptions, api_ask, chat_turn, history_pairs, new_conversation, parse_api_history
from app.ui_errors import UIError
from ingest.store import StoreMissingError
from retriever.records import Answer, Citation, Passage
from retriever.service import QuestionError
from tests.conftest import ANSWER_KEYS

OPTIONS = AskOptions(k=4, mode="bm25", backend="extractive")
LIMITS = {"max_question_chars": 200, "max_history_turns": 3}


class ScriptedService:
    """Streams a fixed answer in pieces and records what it was asked."""

    backends = {"extractive": None}

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.calls: list[tuple[str, list, dict]] = []
        self.fail_with = fail_with

    def _answer(self, question: str) -> Answer:
        text = "The passage says so."
        passage = Passage(rank=1, chunk_id="c1", source="doc.txt", text=f"Before. {text} After.", score=0.9)
        citation = Citation(
            marker=1,
            chunk_id="c1",
            source="doc.txt",
            quote=text,
            text=passage.text,
            quote_start=8,
            quote_end=8 + len(text),
        )
        return Answer(
            question=question,
            answer=f"{text} [1]",
            citations=[citation],
            passages=[passage],
            rewritten_query=f"{question} (rewritten)",
        )

    def stream(self, question, history=(), **kwargs):
        self.calls.append((question, list(history), kwargs))
        if self.fail_with is not None:
            raise self.fail_with
        answer = self._answer(question)
        for start in range(0, len(answer.answer), 5):
            yield answer.answer[start : start + 5]
        yield answer

    def ask(self, question, history=(), **kwargs):
        self.calls.append((question, list(history), kwargs))
        if not question.strip():
            raise QuestionError("question is empty")
        return self._answer(question)


def _last(generator):
    *_, last = generator
    return last


def test_a_turn_streams_then_settles_with_linked_markers_and_sources():
    service = ScriptedService()
    views = list(chat_turn(service, "What does it say?", [], OPTIONS, **LIMITS))
    first, *middle, last = views
    assert first[0][-2] == {"role": "user", "content": "What does it say\\?"}  # escaped Markdown
    assert first[0][-1]["content"] == "…"
    assert len(middle) >= 3 and "The passage" in middle[-1][0][-1]["content"]
    messages, turns, sources, box = last
    assert box == ""
    assert "[\\[1\\]](#isecg-src-1-1)" in messages[-1]["content"]
    assert "searched for" in messages[-1]["content"]
    assert turns[-1]["answer"] == "The passage says so. [1]"
    assert 'id="isecg-src-1-1"' in sources and "<mark>The passage says so.</mark>" in sources
    assert service.calls[0][2] == {"k": 4, "mode": "bm25", "backend": "extractive"}


def test_history_is_passed_as_question_answer_pairs_and_capped():
    service = ScriptedService()
    turns: list = []
    for n in range(5):
        _, turns, _, _ = _last(chat_turn(service, f"question {n}", turns, OPTIONS, **LIMITS))
    question, history, _ = service.calls[-1]
    assert question == "question 4"
    assert history == [(f"question {n}", "The passage says so. [1]") for n in (1, 2, 3)]


@pytest.mark.parametrize(("question", "message"), [("   \n", "empty"), ("why " * 100, "too long")])
def test_bad_questions_fail_before_anything_is_shown(question, message):
    service = ScriptedService()
    with pytest.raises(QuestionError, match=message):
        next(chat_turn(service, question, [], OPTIONS, **LIMITS))
    assert service.calls == []


def test_a_known_failure_becomes_a_warning_turn_kept_out_of_history():
    service = ScriptedService(fail_with=StoreMissingError("no store"))
    messages, turns, _, _ = _last(chat_turn(service, "anything?", [], OPTIONS, **LIMITS))
    assert "Corpus tab" in messages[-1]["content"] and messages[-1]["content"].startswith("**Not answered:**")
    assert history_pairs(turns, 5) == []


def test_a_bug_is_logged_and_shown_neutrally(caplog):
    service = ScriptedService(fail_with=RuntimeError("/secret/path exploded"))
    with caplog.at_level(logging.ERROR):
        messages, _, _, _ = _last(chat_turn(service, "anything?", [], OPTIONS, **LIMITS))
    assert "secret" not in messages[-1]["content"]
    assert "answering failed" in caplog.text
    assert "Could not answer" in messages[-1]["content"]


def test_new_conversation_empties_everything():
    chat, turns, sources, box = new_conversation()
    assert chat == [] and turns == [] and box == "" and "Ask a question" in sources


@pytest.mark.parametrize(
    ("k", "mode", "backend", "message"),
    [
        ("x", "hybrid", "extractive", "whole number"),
        (0, "hybrid", "extractive", "between"),
        (4, "magic", "extractive", "retrieval mode"),
        (4, "dense", "gpt", "unknown answer backend"),
    ],
)
def test_ask_options_are_checked_on_the_server(k, mode, backend, message):
    with pytest.raises(UIError, match=message):
        AskOptions.checked(k, mode, backend, ["extractive"])
    assert AskOptions.checked(6.0, "dense", "extractive", ["extractive"]) == AskOptions(6, "dense", "extractive")


def test_api_ask_returns_the_answer_contract():
    service = ScriptedService()
    result = api_ask(service, "What?", [["earlier?", "yes [1]"]], OPTIONS, **LIMITS)
    assert set(result) >= ANSWER_KEYS
    assert "id" not in result
    assert service.calls[0][1] == [("earlier?", "yes [1]")]


@pytest.mark.parametrize("history", ["not a list", [["only one"]], [[1, 2]], [{"q": "a"}]])
def test_api_history_must_be_pairs_of_strings(history):
    with pytest.raises(UIError, match="pairs"):
        parse_api_history(history, 3, 200)


def test_api_history_is_bounded():
    pairs = parse_api_history([["q" * 500, "a" * 10_000]] * 10, 3, 200)
    assert len(pairs) == 3 and len(pairs[0][0]) == 200 and len(pairs[0][1]) == 4000
    with pytest.raises(UIError, match="string"):
        api_ask(ScriptedService(), None, [], OPTIONS, **LIMITS)


def test_follow_up_through_the_real_service(fake_components):
    service = fake_components.service
    _, turns, _, _ = _last(chat_turn(service, "When was the Widget Programme founded?", [], OPTIONS, **LIMITS))
    messages, turns, sources, _ = _last(chat_turn(service, "Who founded it?", turns, OPTIONS, **LIMITS))
    assert "widget" in turns[-1]["rewritten_query"].casefold()
    assert "searched for" in messages[-1]["content"]
    assert "widgets.md" in sources
