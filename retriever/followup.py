"""Resolve follow-up questions against the conversation before retrieval, without an LLM.

"Which of them are from Asia?" cannot be searched on its own. When a question leans on the
previous turn (pronouns, "what about …", very few content words), the previous turn's subject is
carried into the query: its focus words and the names its answer quoted. The rewritten query is
returned so the UI can show what was searched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from retriever.evidence import ScoredUnit
from retriever.extractive import without_bullet
from retriever.query import focus_words
from retriever.slots import counted_words
from retriever.tokenize import ACRONYM, names_in

_ANAPHORA = re.compile(
    r"\b(?:it|its|they|them|their|theirs|this|that|these|those|there|he|she|his|her|one|ones|"
    r"former|latter|same|such|above|mentioned|else|also|too|either|both)\b",
    re.I,
)
_POINTING = re.compile(r"\b(?:it|its|they|them|their|theirs|this|that|these|those|he|she|his|her)\b", re.I)
_CONTINUATION = re.compile(
    r"^\s*(?:and|but|or|so|also|then|what about|how about|and what|same for|why|how come)\b", re.I
)
_NAME = re.compile(r"[‘“\"]([^’”\"]{4,80})[’”\"]|\b([A-Z][A-Za-z]*[A-Z][A-Za-z]*)\b")
_SWAP = re.compile(r"^\s*(?:and|what about|how about|same for)\b", re.I)
_MARKER = re.compile(r"\[\d+(?:,\s*\d+)*\]")


# "Which paper is there in a full version?", "There are other members?": an existential "there"
# points at no place ("Which agencies were there?" does)
_EXISTENTIAL = re.compile(r"\b(?:is|are|was|were)\s+there\b(?=\s+\w)|^\s*there\s+(?:is|are|was|were)\b", re.I)


def leans_on_history(question: str) -> bool:
    """True when the question needs the earlier conversation to be understood."""
    question = _EXISTENTIAL.sub(" ", question)
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
    so a chain of three follow-ups still carries the original subject. The names asked about go
    first ("… (ERWG summary work …)"): with only so many words carried, the thing a pronoun points
    at must not be the word cut off. "And Portugal?" after a question about Poland swaps the name:
    Poland, and the names its answer quoted, stay behind.
    """
    resolved = _resolve(question, history)
    return f"{resolved[0]} ({resolved[1]})" if resolved else None


def _resolve(question: str, history: Sequence[tuple[str, str]]) -> tuple[str, str] | None:
    """(the question as asked, or with "ones" resolved; the words carried in), or None."""
    if not history or not leans_on_history(question):
        return None
    previous_q, previous_a = history[-1]
    earlier = _resolve(previous_q, history[:-1])
    previous_head = earlier[0] if earlier else previous_q.strip()
    previous = f"{previous_head} ({earlier[1]})" if earlier else previous_q
    own = set(focus_words(question))
    # names as the user wrote them in any earlier question (carried words come back case-folded)
    known = set(focus_words(" ".join(name for q in [previous, *(q for q, _ in history)] for name in names_in(q))))
    old_names = [w for w in dict.fromkeys(focus_words(previous)) if w in known and w not in own]
    swapped = _swaps_subject(question, own, old_names)
    rest = [w for w in focus_words(previous) if w not in own and w not in old_names]
    carried = rest[:8] if swapped else list(dict.fromkeys(old_names + rest))[:8]
    # names the previous answer quoted from the reports; a refusal ("… never mention “Africa”") cites none
    quoted = salient_names(previous_a, limit=4) if _MARKER.search(previous_a) else []
    names = [n for n in quoted if n.casefold() not in question.casefold()]
    if len(names) > 3 or swapped:  # a list answer's names are the list, not the next turn's subject
        names = []
    subject = " ".join(dict.fromkeys(carried + names))
    return (_the_counted(question, previous_head), subject) if subject else None


# "Which ones?", "Who are they?", "Name them": the things the previous question counted; the
# question must end there ("Who were they working with?" asks something else)
_THE_ONES = re.compile(r"^\s*(?:(which|what) ones|(who|what) (?:are|were) they|(name|list) them)\s*[?.!]*\s*$", re.I)
_HOW_MANY = re.compile(r"\bhow many\b", re.I)


def _the_counted(question: str, previous: str) -> str:
    """The question with "ones"/"they"/"them" replaced by what the previous question counted:
    "Which ones?" after "How many agencies were behind it?" asks "Which agencies?"."""
    match = _THE_ONES.match(question)
    counted = counted_words(previous) if _HOW_MANY.search(previous) else []
    plural = [i for i, word in enumerate(counted) if word.endswith("s")]
    counted = counted[: plural[-1] + 1] if plural else counted  # "new members", not "new members joined"
    if match is None or not counted:
        return question.strip()
    verb = next(group for group in match.groups() if group)
    end = question.strip()[-1] if question.strip()[-1] in "?.!" else "?"
    return f"{verb.capitalize()} {' '.join(counted)}{end}"


def _swaps_subject(question: str, own: set[str], old_names: list[str]) -> bool:
    """ "And Portugal?", "What about the IAWG?": the same question about a newly named thing
    ("What about its annual report?" points back with "its": no swap)."""
    if not _SWAP.match(question) or not old_names or _POINTING.search(question):
        return False
    new_names = set(focus_words(" ".join(names_in(question)))) | {w.casefold() for w in ACRONYM.findall(question)}
    return bool(new_names & own - set(old_names))


# "What else …?", "Any other …?": the previous answer is exactly what is not asked for
_MORE = re.compile(r"\b(?:else|other|others|another|besides|apart from|in addition|additionally)\b", re.I)


NEARBY = 0.1  # score bonus, as a share, for a "what else" unit from the passage just quoted (dev split)


def unsaid(question: str, scored: list[ScoredUnit], previous_answer: str) -> list[ScoredUnit]:
    """After "What else …?", the units the previous answer quoted are out of the running, and
    the rest of their passages come first among close scores.

    Its carried-in subject makes the sentence just quoted match such a follow-up best, and that
    sentence is exactly what it does not ask for; "what else" asks for more of the same, which the
    report writes next to it ("… will review the website. Further activities will comprise …").
    (Moving repeated units down after any follow-up was measured too: it lost dev turns whose
    answer rightly overlaps the previous one.)
    """
    if not _MORE.search(question):
        return scored
    answer = " ".join(previous_answer.split())
    said = [u for u in scored if without_bullet(" ".join(u.text.split())) in answer]
    if not said or len(said) == len(scored):
        return scored
    places = {u.chunk_id for u in said}
    fresh = [replace(u, score=u.score * (1 + NEARBY)) if u.chunk_id in places else u for u in scored if u not in said]
    return sorted(fresh, key=lambda u: -u.score)
