"""Pure metric functions (the scoring rules of the eval contract). No I/O, no service.

- Retrieval: evidence is retrieved when its whitespace-normalised, case-folded text lies in the
  first ``budget`` characters of the ranked passages (so bigger chunks don't win for free).
- Answers: correct when the required answer strings occur as whole words (markers removed), the
  answer did not abstain, and it is concise (400 characters, 1,000 for long types).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from evals.dataset import ALL_REQUIRED, LONG_TYPES

_MARKERS = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]|【\d+】")
SHORT_LIMIT, LONG_LIMIT = 400, 1000


def normalize(text: str) -> str:
    """Case-folded, whitespace-normalised text."""
    return " ".join(text.casefold().split())


def context_window(passages: Sequence[str], budget: int = 4000) -> str:
    """The first ``budget`` characters of the ranked passages, normalised."""
    return " ".join(normalize(p) for p in passages)[:budget]


def evidence_found(evidence: Sequence[str], passages: Sequence[str], budget: int = 4000) -> list[bool]:
    """For each evidence string: is it inside the context budget?"""
    window = context_window(passages, budget)
    return [normalize(e) in window for e in evidence]


def first_relevant_rank(evidence: Sequence[str], passages: Sequence[str]) -> int | None:
    """1-based rank of the first passage holding any evidence string."""
    wanted = [normalize(e) for e in evidence]
    for rank, passage in enumerate(passages, start=1):
        text = normalize(passage)
        if any(e in text for e in wanted):
            return rank
    return None


def reciprocal_rank(evidence: Sequence[str], passages: Sequence[str]) -> float:
    rank = first_relevant_rank(evidence, passages)
    return 0.0 if rank is None else 1.0 / rank


def ndcg_at_k(evidence: Sequence[str], passages: Sequence[str], k: int = 10) -> float:
    """Evidence-level nDCG@k: each evidence string earns gain once, at the first passage holding it.

    The ideal ranking puts every evidence string in its own passage at the top, so duplicates of
    one passage can never push the score above 1 (LlamaIndex PR #22683).
    """
    wanted = [normalize(e) for e in evidence]
    if not wanted:
        return 0.0
    credited: set[int] = set()
    dcg = 0.0
    for rank, passage in enumerate(passages[:k], start=1):
        text = normalize(passage)
        new = [i for i, e in enumerate(wanted) if i not in credited and e in text]
        if new:
            credited.update(new)
            dcg += len(new) / math.log2(rank + 1)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(wanted), k) + 1))
    return dcg / ideal


def strip_markers(answer: str) -> str:
    return _MARKERS.sub(" ", answer)


def contains_answer(answer: str, expected: str) -> bool:
    """Whole-word, case-folded, whitespace-normalised match ("26" is not found in "2026")."""
    target = normalize(expected)
    if not target:
        return False
    pattern = r"(?<!\w)" + re.escape(target) + r"(?!\w)"
    return re.search(pattern, normalize(strip_markers(answer))) is not None


def length_limit(kind: str) -> int:
    return LONG_LIMIT if kind in LONG_TYPES else SHORT_LIMIT


def answer_correct(answer: str, abstained: bool, expected: Sequence[str], kind: str) -> bool:
    """The contract's correctness rule for answerable items."""
    if abstained or not expected or len(strip_markers(answer).strip()) > length_limit(kind):
        return False
    hits = [contains_answer(answer, e) for e in expected]
    return all(hits) if kind in ALL_REQUIRED else any(hits)


def cites_evidence(evidence: Sequence[str], cited_texts: Sequence[str]) -> bool:
    """Does any cited passage hold an evidence string?"""
    texts = [normalize(t) for t in cited_texts]
    return any(normalize(e) in t for e in evidence for t in texts)


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolation percentile (q in 0..100); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def term_recall(reference: str, candidate: str, stop: frozenset[str] = frozenset()) -> float:
    """Share of the reference's content words found in the candidate (rewrite quality)."""
    ref = {w for w in re.findall(r"\w+", reference.casefold()) if w not in stop}
    got = set(re.findall(r"\w+", candidate.casefold()))
    return len(ref & got) / len(ref) if ref else 1.0
