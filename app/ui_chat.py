"""Chat callbacks: one turn, a new conversation, the ``ask`` API. No Gradio in here.

The conversation lives in a list of turns (Answer objects as dicts, or ``{"question", "error"}``)
kept in Gradio state; the chat view and the sources panel are both rebuilt from it. That keeps
the history sent to ``QAService`` equal to what the user saw answered, and the callbacks testable
with plain data.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from app.ui_errors import UIError, user_message
from app.ui_render import EMPTY_SOURCES, chat_messages, escape_markdown, sources_html
from retriever.records import Answer
from retriever.service import validate_question

logger = logging.getLogger(__name__)

MODES = ("hybrid", "dense", "bm25")
MAX_K = 30
# History answers only steer the follow-up rewrite; a client sending megabytes gains nothing.
MAX_HISTORY_ANSWER_CHARS = 4000

ChatView = tuple[list[dict[str, str]], list[dict[str, Any]], str, str]


class ChatService(Protocol):
    """The part of ``retriever.service.QAService`` the chat uses."""

    backends: dict[str, Any]

    def ask(self, question: str, history: Any = (), **kwargs: Any) -> Answer: ...

    def stream(self, question: str, history: Any = (), **kwargs: Any) -> Iterator[str | Answer]: ...


@dataclass(frozen=True)
class AskOptions:
    """Per-request choices from the Settings tab, checked on the server (clients can send anything)."""

    k: int
    mode: str
    backend: str

    @classmethod
    def checked(cls, k: Any, mode: Any, backend: Any, backends: Sequence[str]) -> AskOptions:
        try:
            k_value = int(k)
        except (TypeError, ValueError) as exc:
            raise UIError("number of passages must be a whole number") from exc
        if not 1 <= k_value <= MAX_K:
            raise UIError(f"number of passages must be between 1 and {MAX_K}")
        if mode not in MODES:
            raise UIError(f"retrieval mode must be one of {', '.join(MODES)}")
        if backend not in backends:
            raise UIError(f"unknown answer backend; available: {', '.join(backends)}")
        return cls(k_value, str(mode), str(backend))

    def as_kwargs(self) -> dict[str, Any]:
        return {"k": self.k, "mode": self.mode, "backend": self.backend}


def history_pairs(turns: Sequence[dict[str, Any]], max_turns: int) -> list[tuple[str, str]]:
    """(question, answer) pairs of the answered turns, oldest first, at most ``max_turns``."""
    pairs = [(str(t["question"]), str(t["answer"])) for t in turns if "error" not in t and "answer" in t]
    return pairs[-max_turns:] if max_turns > 0 else []


def new_conversation() -> ChatView:
    """Empty chat, empty state, empty sources, empty question box."""
    return [], [], EMPTY_SOURCES, ""


def chat_turn(
    service: ChatService,
    question: str,
    turns: list[dict[str, Any]],
    options: AskOptions,
    *,
    max_question_chars: int,
    max_history_turns: int,
    show_all: bool = False,
) -> Iterator[ChatView]:
    """Answer one question, streaming the text; yields (messages, turns, sources, question box).

    A bad question raises before anything is shown, so it stays in the box to be fixed. A failure
    while answering becomes a warning turn in the chat (kept out of the follow-up history).
    """
    cleaned = validate_question(question if isinstance(question, str) else "", max_question_chars)
    history = history_pairs(turns, max_history_turns)
    shown = chat_messages(turns) + [{"role": "user", "content": escape_markdown(cleaned)}]
    panel = sources_html(turns, show_all)  # the previous answer's sources until this one is ready
    yield [*shown, {"role": "assistant", "content": "…"}], turns, panel, ""
    text, answer = "", None
    try:
        for piece in service.stream(cleaned, history, **options.as_kwargs()):
            if isinstance(piece, Answer):
                answer = piece
            else:
                text += piece
                yield [*shown, {"role": "assistant", "content": escape_markdown(text)}], turns, panel, ""
    except Exception as exc:  # noqa: BLE001 - the chat shows a warning turn instead of dying
        message = user_message(exc)
        if message is None:
            logger.exception("answering failed")
        turns = [*turns, {"question": cleaned, "error": message or "Could not answer this question."}]
    else:
        if answer is None:
            turns = [*turns, {"question": cleaned, "error": "The answer backend returned nothing."}]
        else:
            turns = [*turns, answer.to_json_dict()]
    yield chat_messages(turns), turns, sources_html(turns, show_all), ""


def toggle_passages(turns: list[dict[str, Any]], show_all: bool) -> str:
    """Re-render the sources panel when "show all retrieved passages" changes."""
    return sources_html(turns, bool(show_all))


def parse_api_history(history: Any, max_turns: int, max_question_chars: int) -> list[tuple[str, str]]:
    """The API's ``history``: a list of [question, answer] pairs (JSON), checked and bounded."""
    if history is None:
        return []
    if not isinstance(history, list):
        raise UIError("history must be a list of [question, answer] pairs")
    pairs = []
    for entry in history:
        if not (isinstance(entry, list | tuple) and len(entry) == 2 and all(isinstance(x, str) for x in entry)):
            raise UIError("history must be a list of [question, answer] pairs")
        pairs.append((entry[0][:max_question_chars], entry[1][:MAX_HISTORY_ANSWER_CHARS]))
    return pairs[-max_turns:] if max_turns > 0 else []


def api_ask(
    service: ChatService,
    question: Any,
    history: Any,
    options: AskOptions,
    *,
    max_question_chars: int,
    max_history_turns: int,
) -> dict[str, Any]:
    """The ``/ask`` endpoint: one Answer object as a JSON dict (the ``ask --json`` contract)."""
    if not isinstance(question, str):
        raise UIError("question must be a string")
    pairs = parse_api_history(history, max_history_turns, max_question_chars)
    answer = service.ask(question, pairs, **options.as_kwargs())
    return answer.to_json_dict()
