"""False-premise detection: "Why did ISECG shrink in 2020?" when the reports say it grew.

A premise is contradicted when the question uses a word and the best evidence uses its opposite
(grow/shrink, join/leave, continue/drop, binding/non-binding) but never the word itself. The
opposites are a small, general English lexicon (stems), not facts about any report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from retriever.evidence import ScoredUnit, value_match
from retriever.slots import PHRASE_END
from retriever.tokenize import ACRONYM, RAW_WORD, count_value, stem, terms, words

PREMISE_NOTE = "The reports do not support the premise of this question; they say:"

_PAIRS = [
    ("shrink", "grow"),
    ("shrink", "increase"),
    ("shrink", "expand"),
    ("shrank", "grew"),
    ("shrunk", "grown"),
    ("decrease", "increase"),
    ("fall", "increase"),  # "fell" and "fallen" stem to "fall"
    ("fall", "grow"),
    ("fall", "expand"),
    ("declin", "grow"),
    ("reduc", "increase"),
    ("fewer", "more"),
    ("smaller", "larger"),
    ("leav", "join"),
    ("left", "join"),
    ("left", "welcom"),
    ("quit", "join"),
    ("withdraw", "join"),
    ("lose", "gain"),
    ("lost", "gain"),
    ("drop", "continu"),
    ("stop", "continu"),
    ("abandon", "continu"),
    ("end", "continu"),
    ("cancel", "release"),
    ("cancel", "continu"),
    ("halt", "continu"),
    ("paus", "continu"),
    ("start", "complet"),
    ("begin", "complet"),
    ("began", "complet"),
    ("finish", "start"),
    ("close", "open"),
    ("dissolv", "establish"),
    ("reject", "approv"),
    ("fail", "complet"),
    ("oppose", "support"),
    ("mandatori", "option"),
    ("compulsori", "option"),
    ("requir", "option"),
]
_OPPOSITES: dict[str, set[str]] = {}
for left, right in _PAIRS:
    _OPPOSITES.setdefault(stem(left), set()).add(stem(right))
    _OPPOSITES.setdefault(stem(right), set()).add(stem(left))
_SEASON_FALL = re.compile(r"\b(?:the|in|this|last|next|early|late|of)\s+fall\b", re.I)  # autumn, not a drop
_NEGATED = re.compile(r"\b(?:non|not|no|never|without)[\s-]+(\w+)", re.I)


def _negated_stems(text: str) -> set[str]:
    return {stem(word.casefold()) for word in _NEGATED.findall(text)}


def contradicting_units(
    question: str, scored: Sequence[ScoredUnit], depth: int = 6, close: float = 0.85
) -> list[ScoredUnit]:
    """Top units that state the opposite of a word in the question (empty if none do).

    Only units scoring close to the best one count: a contradiction buried deep in the ranking is
    more likely about something else.
    """
    asked = set(terms(_SEASON_FALL.sub(" ", question)))
    answerable = [u for u in scored if u.kind != "heading"]
    if not answerable:
        return []
    top = _about(question, [u for u in answerable[:depth] if u.score >= close * answerable[0].score])
    if not top:
        return []
    if any(asked & _negated_stems(u.text) for u in top):
        return [u for u in top if asked & _negated_stems(u.text)][:2]
    opposite = {o for word in asked for o in _OPPOSITES.get(word, ()) if o not in asked}
    if not opposite:
        return []
    used_as_asked = [u for u in top if asked & u.terms & set(_OPPOSITES)]
    against = [u for u in top if u.terms & opposite and u not in used_as_asked]
    if not against or len(against) < len(used_as_asked):
        return []
    # the premise is refuted: gather the strongest statements of the opposite, a little deeper
    deeper = [u for u in answerable[:15] if u.terms & opposite and u not in against and u.score >= 0.6 * top[0].score]
    return _corrections(against, deeper)


def _about(question: str, units: list[ScoredUnit]) -> list[ScoredUnit]:
    """The units naming every acronym of the question that the units name at all.

    "Why did the ERWG stop …?" is not refuted by "the TWG will continue …": a contradiction
    counts only for the body the question is about. An acronym none of the units use (a glossary
    form may stand in for it) constrains nothing.
    """
    named = set(terms(" ".join(ACRONYM.findall(question))))
    named &= set().union(*(u.terms for u in units)) if units else set()
    return [u for u in units if named <= u.terms]


def _corrections(against: list[ScoredUnit], deeper: list[ScoredUnit], limit: int = 900) -> list[ScoredUnit]:
    """Up to three correcting statements that fit in ``limit`` characters.

    The best contradiction comes first; the rest prefer statements with a figure in them ("rose
    by six, to 26"), because a user told their premise is wrong wants the concrete facts.
    """
    rest = against[1:] + deeper
    rest.sort(key=lambda u: (-value_match("numeric", u.text), -u.score))
    chosen: list[ScoredUnit] = []
    size = 0
    for unit in against[:1] + rest:
        if len(chosen) == 3 or size + len(unit.text) + 6 > limit:
            break
        chosen.append(unit)
        size += len(unit.text) + 6
    return chosen


# "Why was it released by just three agencies?": a why-question presupposes what it states
_WHY = re.compile(r"^\s*(?:why|how come)\b", re.I)


def stated_counts(text: str) -> list[tuple[str, str]]:
    """(number, counted noun) for each count ``text`` states: "14 space agencies" → ("14",
    "agenc"); the noun is the last plural of the up to five words after the number."""
    tokens = words(text)
    found = []
    for i, token in enumerate(tokens):
        value = count_value(token)
        if value is None:
            continue
        phrase = []
        for word in tokens[i + 1 : i + 6]:
            if word in PHRASE_END or count_value(word) is not None:
                break
            phrase.append(word)
        plurals = [stem(w) for w in phrase if w.endswith("s") and len(w) > 3]
        if plurals:
            found.append((value, plurals[-1]))
    return found


def miscounting_units(question: str, scored: Sequence[ScoredUnit], depth: int = 8) -> list[ScoredUnit]:
    """The top unit counting what a why-question counts, with another number ("Why did ISECG
    publish only two webnews articles?" against "… published five webnews articles …")."""
    if not _WHY.match(question):
        return []
    asked = dict((noun, value) for value, noun in stated_counts(question))
    answerable = [u for u in scored if u.kind != "heading"]
    if not asked or not answerable:
        return []
    for unit in answerable[:depth]:
        counts = stated_counts(unit.text)
        said = {noun for value, noun in counts if noun in asked and value == asked[noun]}
        if unit.score >= 0.6 * answerable[0].score and any(n in asked and n not in said for _, n in counts):
            return [unit]
    return []


# "Why did the strategy only consider robotic missions?": "only" presupposes nothing else
_ONLY = re.compile(
    r"(?<!\bnot )(?<!\bif )\b(?:only|solely|exclusively|purely|just)\s+((?:[\w’'-]+\s+){0,2}[\w’'-]+)", re.I
)
_AUXILIARY_BEFORE = re.compile(r"\b(?:do|does|did|will|would|can|could|should|may|might|must)\b[^,;]*$", re.I)
_AND = {"and", "both", "plus"}


def _exclusive_words(question: str) -> set[str]:
    """Stems of the content words right after "only" in a why-question (not counts: "only three
    agencies" is a count premise; not the verb of "did … only publish"; not "not only … but also")."""
    if not _WHY.match(question) or re.search(r"\bbut also\b", question, re.I):  # "not only … but also"
        return set()
    stems: set[str] = set()
    for match in _ONLY.finditer(question):
        said = words(match.group(1))
        if any(count_value(word) is not None for word in said):
            continue
        verb_next = match.group(1)[:1].islower() and _AUXILIARY_BEFORE.search(question[: match.start()])
        if verb_next:  # "did ISECG only publish …": the verb, not what it was done to ("admit only NASA")
            said = said[1:]
        stems |= set(terms(" ".join(said)))
    return stems


def _joined(unit: ScoredUnit, asked: set[str]) -> bool:
    """Whether the unit names an asked word beside another with "and" ("human and robotic",
    "Mars and … the Moon"); an "and" inside a name ("Aeronautics and Space") joins nothing."""
    raw = RAW_WORD.findall(unit.text)
    tokens = [t.casefold() for t in raw]

    def conjunction(i: int) -> bool:
        inside_name = 0 < i < len(raw) - 1 and raw[i - 1][0].isupper() and raw[i + 1][0].isupper()
        return tokens[i] in _AND and not inside_name

    for i, token in enumerate(tokens):
        if stem(token) in asked and any(conjunction(j) for j in range(max(0, i - 3), min(len(tokens), i + 2))):
            return True
    return False


def overlooked_units(question: str, scored: Sequence[ScoredUnit], depth: int = 8) -> list[ScoredUnit]:
    """The top unit naming, beside something else, what a why-question says was the only one
    ("Why did the strategy only consider robotic missions?" against "coordinated human and
    robotic space exploration")."""
    asked = _exclusive_words(question)
    answerable = [u for u in scored if u.kind != "heading"]
    if not asked or not answerable:
        return []
    for unit in answerable[:depth]:
        if unit.score >= 0.6 * answerable[0].score and _joined(unit, asked):
            return [unit]
    return []
