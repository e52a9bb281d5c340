"""Restatements: where the reports say the quoted thing again, cite that place too.

Reports repeat themselves: the executive summary restates the highlights, a list of publications
appears in two annexes, a new member is named in a list and in the members table. A quote cited
from one place is then also stated, nearly word for word, in another, and a reader checking the
answer may know (or find) the other one first. A second citation to the restatement costs no
answer text (one more marker) and shows that the answer does not rest on a single sentence.

A restatement must be close in meaning (embedding cosine), in wording (share of content terms)
and carry exactly the same numbers, so "72nd IAC, Dubai, 2021" never "restates" "73rd IAC, Paris,
2022".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from retriever.evidence import ScoredUnit

_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Restating:
    """How close a sentence must be to count as a restatement (read off the dev split's pairs)."""

    cosine: float = 0.85
    overlap: float = 0.75  # Jaccard share of content terms
    terms: int = 4  # fewer content terms than this: a label or running header, not a statement


def restates(a: ScoredUnit, b: ScoredUnit, rule: Restating = Restating()) -> bool:
    """Does ``b`` say what ``a`` says, in other words or another place?"""
    if a.vector is None or b.vector is None or min(len(a.terms), len(b.terms)) < rule.terms:
        return False
    if set(_NUMBER.findall(a.text)) != set(_NUMBER.findall(b.text)):
        return False
    overlap = len(a.terms & b.terms) / len(a.terms | b.terms)
    return overlap >= rule.overlap and float(np.dot(a.vector, b.vector)) >= rule.cosine


def restatements(
    blocks: Sequence[Sequence[ScoredUnit]],
    scored: Sequence[ScoredUnit],
    nearby: Callable[[str, str], bool],
    rule: Restating = Restating(),
) -> dict[int, ScoredUnit]:
    """For each block (by index), the best restatement of one of its units in another passage.

    ``nearby(a, b)``: chunks ``a`` and ``b`` are the same or adjacent passages (whose overlap
    repeats text without restating it).
    """
    used = {(u.chunk_id, u.n) for block in blocks for u in block}  # quoted, or cited already
    found: dict[int, ScoredUnit] = {}
    for i, block in enumerate(blocks):
        options = [
            (float(np.dot(unit.vector, other.vector)), other)
            for unit in block
            for other in scored
            if other.kind != "heading"
            and (other.chunk_id, other.n) not in used
            and not nearby(unit.chunk_id, other.chunk_id)
            and restates(unit, other, rule)
        ]
        if options:
            found[i] = max(options, key=lambda pair: pair[0])[1]
            used.add((found[i].chunk_id, found[i].n))
    return found
