"""Check every generated sentence against the passages it cites, and cite it by code.

A sentence is kept only when the passage(s) it cites support it on three counts:
- lexical overlap: the share of the sentence's content terms (stemmed, stop words out) found in
  the cited passage(s);
- embedding similarity: the best cosine between the sentence and one sentence of the passage(s),
  with the unit vectors stored at ingest and the service's own embedding model;
- numbers: every number the sentence states appears in the cited passage(s) — the cheapest way
  to catch the commonest hallucination.
Thresholds for the first two are tuned on the eval set's dev split and passed in as settings.

A sentence without a (valid) marker is tried against each passage on its own and attributed to
the one that supports it best: small models rarely cite, and the citation is built by code anyway.
Instruction-like passage sentences (``injection``) never count as support.

The ``Citation`` records of the final answer come from retrieval metadata only: source, page and
section of the passage, and as ``quote`` the passage sentence that best supports the answer
sentence, with its offsets. Nothing the model wrote ends up in a citation.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from retriever.injection import looks_like_instruction
from retriever.markers import ParsedSentence
from retriever.records import Citation, Passage
from retriever.tokenize import NUMBER_WORDS, terms

logger = logging.getLogger(__name__)

_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)


def numbers_in(text: str) -> frozenset[str]:
    """Numbers stated in ``text``, digits or words, normalised ("1,200" → "1200", "five" → "5")."""
    found = {m.group(0).replace(",", "").rstrip(".") for m in _DIGITS.finditer(text)}
    found.update(NUMBER_WORDS[m.group(1).casefold()] for m in _WORD.finditer(text))
    return frozenset(found)


@dataclass(frozen=True)
class SupportThresholds:
    """Minimum lexical overlap and embedding similarity for a sentence to count as supported."""

    min_overlap: float = 1.0
    min_similarity: float = 0.9


@dataclass(frozen=True)
class EvidenceUnit:
    """One quotable sentence of a prompt passage, with what the checks need."""

    number: int
    text: str
    start: int
    end: int
    page: int | None
    vector: np.ndarray
    terms: frozenset[str]
    numbers: frozenset[str]


class Evidence:
    """The passages given to the model, numbered as in the prompt, cut into their stored units."""

    def __init__(self, passages: Sequence[Passage], units: dict[str, Any]) -> None:
        self.passages = list(passages)
        self.units: dict[int, list[EvidenceUnit]] = {n: [] for n in range(1, len(self.passages) + 1)}
        number_of = {p.chunk_id: n for n, p in enumerate(self.passages, start=1)}
        vectors = units.get("embeddings")
        rows = zip(
            units.get("documents") or [], units.get("metadatas") or [], [] if vectors is None else vectors, strict=True
        )
        for text, meta, vector in rows:
            number = number_of.get(str(meta.get("chunk_id")))
            if number is None or looks_like_instruction(text):
                continue
            page = meta.get("page")
            unit = EvidenceUnit(
                number,
                text,
                int(meta["start"]),
                int(meta["end"]),
                None if page is None or int(page) < 0 else int(page),
                _unit_vector(vector),
                frozenset(terms(text)),
                numbers_in(text),
            )
            self.units[number].append(unit)

    @property
    def numbers(self) -> list[int]:
        return list(self.units)


def _unit_vector(vector: Sequence[float]) -> np.ndarray:
    array = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(array))
    return array / norm if norm > 0 else array


@dataclass
class Support:
    """The verdict on one sentence; ``quotes`` holds one unit per passage that supports it."""

    sentence: ParsedSentence
    supported: bool
    reason: str
    overlap: float = 0.0
    similarity: float = 0.0
    quotes: list[EvidenceUnit] = field(default_factory=list)


class SupportChecker:
    """Verifies sentences against an ``Evidence`` with fixed thresholds."""

    def __init__(self, evidence: Evidence, thresholds: SupportThresholds) -> None:
        self.evidence = evidence
        self.thresholds = thresholds

    def check(self, sentence: ParsedSentence, vector: Sequence[float]) -> Support:
        """Supported by the cited passages, or (uncited) by the single passage that fits best."""
        sentence_terms = frozenset(terms(sentence.claim))
        if not sentence_terms:
            return Support(sentence, False, "no_content")
        v = _unit_vector(vector)
        groups = [sentence.cited] if sentence.cited else [(n,) for n in self.evidence.numbers]
        best: Support | None = None
        for group in groups:
            verdict = self._check_group(sentence, sentence_terms, v, group)
            if best is None or (verdict.supported, verdict.overlap + verdict.similarity) > (
                best.supported,
                best.overlap + best.similarity,
            ):
                best = verdict
        return best or Support(sentence, False, "no_passages")

    def _check_group(
        self, sentence: ParsedSentence, sentence_terms: frozenset[str], v: np.ndarray, group: Sequence[int]
    ) -> Support:
        units = [u for n in group for u in self.evidence.units.get(n, [])]
        if not units:
            return Support(sentence, False, "no_units")
        similarities = np.stack([u.vector for u in units]) @ v
        overlap = len(sentence_terms & frozenset().union(*(u.terms for u in units))) / len(sentence_terms)
        similarity = float(similarities.max())
        claimed = numbers_in(sentence.claim)
        missing = claimed - frozenset().union(*(u.numbers for u in units))
        verdict = Support(sentence, False, "ok", round(overlap, 4), round(similarity, 4))
        if missing:
            verdict.reason = "numbers"
        elif overlap < self.thresholds.min_overlap:
            verdict.reason = "overlap"
        elif similarity < self.thresholds.min_similarity:
            verdict.reason = "similarity"
        else:
            verdict.supported = True
            verdict.quotes = _quotes(units, similarities, sentence_terms, claimed)
        return verdict


def _quotes(
    units: list[EvidenceUnit], similarities: np.ndarray, sentence_terms: frozenset[str], numbers: frozenset[str]
) -> list[EvidenceUnit]:
    """Per passage, the unit that best supports the sentence: similar, sharing its terms and numbers."""
    best: dict[int, tuple[float, EvidenceUnit]] = {}
    for unit, similarity in zip(units, similarities, strict=True):
        shared = len(sentence_terms & unit.terms) / len(sentence_terms)
        stated = len(numbers & unit.numbers) / len(numbers) if numbers else 0.0
        score = 0.5 * float(similarity) + 0.5 * shared + 0.5 * stated
        if shared > 0 and (unit.number not in best or score > best[unit.number][0]):
            best[unit.number] = (score, unit)
    if not best:  # supported through similarity alone: quote the closest unit
        i = int(similarities.argmax())
        return [units[i]]
    return [unit for _, unit in sorted(best.values(), key=lambda pair: -pair[0])]


class CitationBook:
    """Renders kept sentences with ``[n]`` markers and collects one ``Citation`` per quoted unit."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.passages = list(passages)
        self.citations: list[Citation] = []
        self._markers: dict[tuple[str, int, int], int] = {}
        self.chars = 0

    def render(self, support: Support) -> str:
        """The sentence as it joins the answer (leading separator included)."""
        markers = "".join(f"[{self._marker(unit)}]" for unit in support.quotes)
        separator = "" if not self.chars else ("\n" if support.sentence.new_line else " ")
        piece = f"{separator}{support.sentence.text} {markers}".rstrip()
        self.chars += len(piece)
        return piece

    def _marker(self, unit: EvidenceUnit) -> int:
        passage = self.passages[unit.number - 1]
        key = (passage.chunk_id, unit.start, unit.end)
        if key not in self._markers:
            self._markers[key] = len(self.citations) + 1
            self.citations.append(
                Citation(
                    marker=self._markers[key],
                    chunk_id=passage.chunk_id,
                    source=passage.source,
                    page=unit.page if unit.page is not None else passage.page,
                    section=passage.section,
                    quote=" ".join(passage.text[unit.start : unit.end].split()),
                    text=passage.text,
                    quote_start=unit.start,
                    quote_end=unit.end,
                )
            )
        return self._markers[key]
