"""Resolve follow-up questions against the conversation before retrieval, without an LLM.

"Which of them are from Asia?" cannot be searched on its own. When a question leans on the
previous turn (pronouns, "what about …", very few content words), the previous turn's subject is
carried into the query: its focus words and the names its answer quoted. The rewritten query is
returned so the UI can show what was searched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from retriever.query import focus_words

_ANAPHORA = re.compile(
    r"\b(?:it|its|they|them|their|theirs|this|that|these|those|there|he|she|his|her|one|ones|"
    r"former|latter|same|such|above|mentioned|else|also|too|either|both)\b",
    re.I,
)
_CONTINUATION = re.compile(
    r"^\s*(?:and|but|or|so|also|then|what about|how about|and what|same for|why|how come)\b", re.I
)
_NAME = re.compile(r"[‘“\"]([^’”\"]{4,80})[’”\"]|\b([A-Z][A-Za-z]*[A-Z][A-Za-z]*)\b")
_MARKER = re.compile(r"\[\d+(?:,\s*\d+)*\]")


def leans_on_history(question: str) -> bool:
    """True when the question needs the earlier conversation to be understood."""
    if _CONTINUATION.search(question) or _ANAPHORA.search(question):
        return True
    return len(focus_words(question)) <= 2


def salient_names(answer: str, limit: int = 4) -> list[str]:
    """Quoted titles and acronyms from an answer: the things a follow-up may point at."""
    names: list[str] = []
    for quoted, acronym in _NAME.findall(_MARKER.sub("", answer)):
        name = quoted or acronym
        if name and name not in names:
            names.append(name)
        if len(names) >= limit:
            break
    return names


def standalone_query(question: str, history: Sequence[tuple[str, str]]) -> str | None:
    """The follow-up with the previous turn's subject carried in, or None if it stands alone.

    ``history`` is (question, answer) pairs, oldest first. Earlier follow-ups are resolved first,
    so a chain of three follow-ups still carries the original subject.
    """
    if not history or not leans_on_history(question):
        return None
    previous_q, previous_a = history[-1]
    previous = standalone_query(previous_q, history[:-1]) or previous_q
    own = set(focus_words(question))
    carried = [w for w in focus_words(previous) if w not in own][:8]
    names = [n for n in salient_names(previous_a, limit=4) if n.casefold() not in question.casefold()]
    if len(names) > 3:  # a list answer: its names are the list, not the subject of the next turn
        names = []
    subject = " ".join(dict.fromkeys(carried + names))
    return f"{question.strip()} ({subject})" if subject else None
