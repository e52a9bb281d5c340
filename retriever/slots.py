"""Questions that name what they count or which role they ask about: the answer must say it.

"How many pages does the Supplement have?" finds sentences about the Supplement, and none of
them counts pages; "Which agency chairs the ERWG?" finds what the ERWG does, never who chairs it.
Sentence similarity cannot tell these apart from answerable questions (both score high), but a
quote that never mentions the counted thing or the role cannot be the answer. The patterns are
general English (count questions, role and payment words), not facts about any report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from retriever.tokenize import STOPWORDS, terms, words

# words that end the counted noun phrase: "how many agencies | joined", "how many pages | does"
_PHRASE_END = STOPWORDS | {
    "are", "were", "is", "was", "do", "does", "did", "have", "has", "had", "will", "would", "can",
    "could", "should", "may", "might", "there", "in", "on", "at", "by", "for", "from", "of",
}  # fmt: skip
_COUNT = re.compile(r"\bhow (?:many|much)\b", re.I)
# a role held or a payment made: the quote must use the word (any form) for the answer to hold
_ROLE_STEMS = {
    "chair": {"chair"},
    "head": {"head"},
    "lead": {"lead", "led"},
    "leader": {"leader", "lead", "led"},
    "director": {"director", "direct"},
    "direct": {"direct", "director"},
    "presid": {"presid"},
    "pay": {"pay"},
    "fund": {"fund"},
    "budget": {"budget"},
    "cost": {"cost"},
}
_ROLE_QUESTION = re.compile(r"^\s*(?:who|which|what|how much)\b", re.I)


def counted_phrase(question: str) -> list[str]:
    """The terms of the noun phrase after "how many/much" ("lunar surface exploration objectives")."""
    match = _COUNT.search(question)
    if match is None:
        return []
    phrase: list[str] = []
    for word in words(question[match.end() :]):
        if word in _PHRASE_END:
            break
        phrase.append(word)
    return terms(" ".join(phrase))


def role_stems(question: str) -> list[set[str]]:
    """For a who/which/how-much question, the role or payment words it asks about, as the stem
    sets an answer may use ("chairs" → {"chair"}, "leads" → {"lead", "led"})."""
    if not _ROLE_QUESTION.match(question):
        return []
    return [_ROLE_STEMS[t] for t in terms(question) if t in _ROLE_STEMS]


def missing_slot(question: str, answer_terms: Iterable[str]) -> str | None:
    """The counted thing or role the question asks about that the answer never names, if any."""
    said = set(answer_terms)
    phrase = counted_phrase(question)
    if phrase and not said & set(phrase):
        return " ".join(phrase)
    for stems in role_stems(question):
        if not said & stems:
            return sorted(stems)[0]
    return None
