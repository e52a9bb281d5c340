"""The second hop: follow a name the first quote introduces to the sentence that answers the rest.

"Is the country hosting the 72nd IAC a member, and through which agency?" names its subject only by
description ("the country hosting the 72nd IAC"). The first quote resolves the description (the
events list: "Dubai/UAE"); only then does the passage that answers the question (the members
table's UAE row) become findable, and it shares no word with the question's description. So when
a question refers to something by description, the names the first quote (or its section title)
brings in that the question never used are the bridge: the passages that mention them are
searched for, and the unit of those passages that holds a bridge name and best fits the question
becomes a second citation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from retriever.evidence import ScoredUnit
from retriever.lexical import LexicalIndex
from retriever.tokenize import ACRONYM, name_terms, terms

# Something named by description rather than by name: "the working group that prepares …",
# "the country where …", "the country hosting the …", "the scheme used to …", "in the same month",
# "the host country of …".
# The head is a lower-case noun: "the ERWG stop working on" names its subject.
_DESCRIBED = re.compile(
    r"\b[Tt]he (?:[a-z][\w’'-]* ){0,3}?[a-z][\w’'-]* (?:that|which|who|whose|where)\b"
    r"|\b[Tt]he (?:[a-z][\w’'-]* ){0,2}?[a-z][\w’'-]* (?:[a-z]+ing|used) (?:the|by|to|in|on|for|of)\b"
    r"|\b(?:the same|one of the)\b"
    r"|\b[Tt]he (?:host|home) (?:country|city|nation|state)\b"
    r"|\b(?:that|this|the same) (?:country|city|nation|state|place)\b"
)

Loader = Callable[[Sequence[str]], list[ScoredUnit]]


@dataclass(frozen=True)
class Hop:
    """Settings of the second hop (tuned on the dev split)."""

    names: int = 12  # most bridge names followed
    rarity: float = 0.5  # a followed name's IDF, as a share of the rarest name's
    passages: int = 3  # passages searched, per name followed
    most: int = 12  # passages read in all (their units are fetched from the store)
    limit: int = 1000  # characters of the whole answer (two passages' worth, as for lists)


def describes(question: str) -> bool:
    """Does the question refer to something by description (and so need a hop to name it)?"""
    return bool(_DESCRIBED.search(question))


def bridge_names(texts: Sequence[str], title: str, asked: set[str], lexical: LexicalIndex) -> dict[str, float]:
    """IDF weight of every name term in ``texts`` (and acronym in the section ``title``) that the
    question did not use."""
    found = [t for text in texts for t in name_terms(text)] + terms(" ".join(ACRONYM.findall(title)))
    names: dict[str, float] = {}
    for term in found:
        if term not in asked and lexical.document_frequency[term]:
            names[term] = lexical.idf(term)
    return names


def bridge_weights(chosen: Sequence[ScoredUnit], asked: Collection[str], lexical: LexicalIndex) -> dict[str, float]:
    """IDF of every name the first quote has and the question lacks: what a second hop into a
    long enumeration (a footnote listing 26 members) must quote the piece of ("DLR (Germany)"
    after "… co-chaired by DLR and ESA" for "the co-chair beside ESA"), not the question's words."""
    named = {t for u in chosen for t in name_terms(u.text)}  # names: a date or figure is no bridge
    return {t: lexical.idf(t) for t in named - set(asked) if lexical.document_frequency[t]}


def _followed(names: dict[str, float], hop: Hop) -> dict[str, float]:
    """The rare bridge names: a common one ("Exploration") leads everywhere."""
    top = max(names.values(), default=0.0)
    rare = sorted(((n, w) for n, w in names.items() if w >= hop.rarity * top), key=lambda pair: -pair[1])
    return dict(rare[: hop.names])


def _bridged_passages(names: dict[str, float], lexical: LexicalIndex, hop: Hop) -> list[str]:
    """Passages mentioning the bridge names: one BM25 search (its cost grows with the corpus),
    deep enough that every name can bring its own passages."""
    return [cid for cid, _ in lexical.search(" ".join(names), min(hop.passages * len(names), hop.most))]


def _quotable(unit: ScoredUnit) -> bool:
    """Headings and all-capitals title lines locate text but say nothing."""
    return unit.kind != "heading" and any(c.islower() for c in unit.text)


def _fit(unit: ScoredUnit, weights: dict[str, float], missing: dict[str, float], names: dict[str, float]) -> float:
    """How well a second-hop unit fits: its similarity to the question, the question terms it adds,
    and how much of it is about the bridge and the question (a table row about the bridge name beats
    a long list that mentions it in passing)."""
    total = sum(weights.values()) or 1.0
    gain = sum(w for t, w in missing.items() if t in unit.terms) / total
    wanted = weights.keys() | names.keys()
    focus = len(unit.terms & wanted) / (len(unit.terms) + 2)  # +2: a one-word caption is not all focus
    return unit.dense + gain + focus


def second_hop(
    chosen: Sequence[ScoredUnit],
    weights: dict[str, float],
    section: str,
    lexical: LexicalIndex,
    load: Loader,
    avoid: Collection[str] = (),
    hop: Hop = Hop(),
) -> ScoredUnit | None:
    """The unit, in another passage, that a name introduced by ``chosen`` leads to.

    ``avoid``: passages not to hop into besides the quote's own (its neighbours, whose overlap
    repeats the quote). The unit must say something the quote does not (a term it lacks).
    """
    if not chosen or not weights:
        return None
    names = _followed(bridge_names([u.text for u in chosen], section, set(weights), lexical), hop)
    if not names:
        return None
    skip = {u.chunk_id for u in chosen} | set(avoid)
    said = set().union(*(u.terms for u in chosen))
    missing = {t: w for t, w in weights.items() if t not in said}
    size = sum(len(u.text) + 6 for u in chosen)
    fits = [
        (_fit(u, weights, missing, names), u)
        for u in load([cid for cid in _bridged_passages(names, lexical, hop) if cid not in skip])
        if _quotable(u) and u.terms & names.keys() and u.terms - said and size + len(u.text) <= hop.limit
    ]
    return max(fits, key=lambda pair: pair[0])[1] if fits else None
