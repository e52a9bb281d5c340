"""The default answerer: quote the units that answer the question, cite them, or abstain.

No language model: every word of an answer comes from a corpus passage, and every citation points
at the exact span quoted. The answer's shape follows the question's kind:
- one sentence (plus a second only when it covers what the first misses) for factoid, number and
  date questions;
- the run of list lines (with the sentence that introduces them) for list questions;
- two to four key sentences, without near-duplicates, for summaries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from retriever.evidence import ScoredUnit
from retriever.query import QueryPlan
from retriever.records import Citation, Passage

ABSTAIN_TEXT = "The ingested reports do not answer this question."
SHORT_LIMIT = 400
LONG_LIMIT = 1000

UnitLoader = Callable[[str], list[ScoredUnit]]


@dataclass
class Composed:
    """The answer text with its citations, or an abstention."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    confidence: float = 0.0


def _coverage(unit: ScoredUnit, weights: dict[str, float]) -> float:
    total = sum(weights.values()) or 1.0
    return sum(w for t, w in weights.items() if t in unit.terms) / total


def _pick_sentences(scored: Sequence[ScoredUnit], weights: dict[str, float], limit: int) -> list[ScoredUnit]:
    """The best unit, plus one that covers question terms the best one misses."""
    chosen = [scored[0]]
    missing = {t: w for t, w in weights.items() if t not in scored[0].terms}
    if sum(missing.values()) < 0.35 * (sum(weights.values()) or 1.0):
        return chosen
    for unit in scored[1:6]:
        gain = sum(w for t, w in missing.items() if t in unit.terms)
        fits = len(chosen[0].text) + len(unit.text) + 8 <= limit
        if gain > 0 and unit.score >= 0.8 * scored[0].score and fits:
            chosen.append(unit)
            break
    return chosen


def _is_listy(unit: ScoredUnit) -> bool:
    return unit.kind == "line" or unit.text.rstrip().endswith(":")


def _list_run(anchor: ScoredUnit, siblings: list[ScoredUnit]) -> list[ScoredUnit]:
    """The contiguous run of list lines around ``anchor`` (plus the sentence introducing it)."""
    by_n = {u.n: u for u in siblings}
    first = last = anchor.n
    while first - 1 in by_n and by_n[first - 1].kind == "line":
        first -= 1
    while last + 1 in by_n and (by_n[last + 1].kind == "line" or anchor.text.endswith(":") and last == anchor.n):
        last += 1
    if first - 1 in by_n and by_n[first - 1].text.rstrip().endswith(":"):
        first -= 1
    return [by_n[n] for n in range(first, last + 1) if n in by_n]


def _pick_list(scored: Sequence[ScoredUnit], load_units: UnitLoader, limit: int) -> list[ScoredUnit]:
    top = scored[0]
    anchors = [u for u in scored[:6] if _is_listy(u) and u.score >= 0.85 * top.score]
    anchor = anchors[0] if anchors else top
    run = _list_run(anchor, load_units(anchor.chunk_id))
    if len(run) <= 1:
        return _pick_summary(scored, limit)
    out, size = [], 0
    for unit in run:
        if size + len(unit.text) + 3 > limit:
            break
        out.append(unit)
        size += len(unit.text) + 3
    return out


def _similar(a: ScoredUnit, b: ScoredUnit) -> bool:
    union = a.terms | b.terms
    return bool(union) and len(a.terms & b.terms) / len(union) > 0.6


def _pick_summary(scored: Sequence[ScoredUnit], limit: int, most: int = 4) -> list[ScoredUnit]:
    chosen: list[ScoredUnit] = []
    size = 0
    for unit in scored[:12]:
        if unit.score < 0.75 * scored[0].score or len(chosen) == most:
            break
        if any(_similar(unit, c) for c in chosen) or size + len(unit.text) + 6 > limit:
            continue
        chosen.append(unit)
        size += len(unit.text) + 6
    return chosen


def select_units(
    plan: QueryPlan, scored: Sequence[ScoredUnit], weights: dict[str, float], load_units: UnitLoader
) -> list[ScoredUnit]:
    """The units an answer of this kind should quote."""
    if plan.kind == "list":
        return _pick_list(scored, load_units, LONG_LIMIT)
    if plan.kind == "summary":
        return _pick_summary(scored, LONG_LIMIT)
    return _pick_sentences(scored, weights, SHORT_LIMIT)


def _blocks(units: Sequence[ScoredUnit]) -> list[list[ScoredUnit]]:
    """Group consecutive units of the same passage: one citation per block."""
    blocks: list[list[ScoredUnit]] = []
    for unit in units:
        if blocks and blocks[-1][-1].chunk_id == unit.chunk_id and blocks[-1][-1].n + 1 == unit.n:
            blocks[-1].append(unit)
        else:
            blocks.append([unit])
    return blocks


def _citation(marker: int, block: list[ScoredUnit], passage: Passage) -> Citation:
    start, end = block[0].start, block[-1].end
    quote = " ".join(passage.text[start:end].split())
    page = block[0].page if block[0].page is not None else passage.page
    return Citation(
        marker=marker,
        chunk_id=passage.chunk_id,
        source=passage.source,
        page=page,
        section=passage.section,
        quote=quote,
        text=passage.text,
        quote_start=start,
        quote_end=end,
    )


def _render(block: list[ScoredUnit], marker: int, as_list: bool) -> str:
    if not as_list or len(block) == 1:
        return " ".join(u.text for u in block) + f" [{marker}]"
    lines = [u.text if u.text.endswith(":") else f"- {u.text.lstrip('•-–−* ')}" for u in block]
    return "\n".join(lines) + f" [{marker}]"


def compose_answer(units: Sequence[ScoredUnit], passages: dict[str, Passage], plan: QueryPlan) -> Composed:
    """Render chosen units as an answer with ``[n]`` markers and matching citations."""
    citations: list[Citation] = []
    parts: list[str] = []
    as_list = plan.kind == "list"
    for block in _blocks(units):
        passage = passages.get(block[0].chunk_id)
        if passage is None:
            continue
        marker = len(citations) + 1
        citations.append(_citation(marker, block, passage))
        parts.append(_render(block, marker, as_list))
    text = ("\n" if as_list else " ").join(parts)
    return Composed(text=_MARKER_SPACE.sub(" [", text), citations=citations)


_MARKER_SPACE = re.compile(r"\s+\[")
