"""BM25 over chunk texts with ``bm25s`` (sparse, vectorised; far faster than ``rank_bm25``)."""

from __future__ import annotations

import bisect
import logging
import math
from collections import Counter
from collections.abc import Sequence
from functools import cached_property

import bm25s
import numpy as np

from retriever.tokenize import terms

logger = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets DEBUG on its logger at import


# what is left of a stemmed demonym after its country ("brazil|ian", "japan|es", "korea|n")
_DEMONYM_ENDINGS = frozenset({"n", "an", "ian", "ean", "es", "ese", "i", "ish"})


class LexicalIndex:
    """An in-memory BM25 index over a fixed list of documents, plus document frequencies.

    Built once per store generation (see ``snapshot``), never per question.
    """

    def __init__(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        self.ids = list(ids)
        tokenized = [terms(text) for text in texts]
        self.document_frequency: Counter[str] = Counter()
        for tokens in tokenized:
            self.document_frequency.update(set(tokens))
        self._bm25: bm25s.BM25 | None = None
        if self.ids:
            self._bm25 = bm25s.BM25()
            # an empty document would break bm25s' vocabulary; give it a placeholder token
            self._bm25.index([t or ["\x00"] for t in tokenized], show_progress=False)

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def _sorted_vocabulary(self) -> list[str]:
        return sorted(self.document_frequency)

    def variants(self, term: str, most: int = 3) -> list[str]:
        """Corpus terms that share a stem-like prefix with an unknown ``term`` ("thai" → "thailand").

        The stemmer does not link demonyms and derived forms; a prefix of at least five letters
        on either side usually does. A corpus term shorter than ``term`` must leave a demonym
        ending ("brazil|ian", "vietnam|es"), or "eventu(ally)" would find "event". Only used for
        terms the corpus never contains as such.
        """
        if len(term) < 4 or self.document_frequency[term]:
            return []
        shorter = (term[:n] for n in range(len(term) - 1, 4, -1))
        found = [p for p in shorter if self.document_frequency[p] and term[len(p) :] in _DEMONYM_ENDINGS][:1]
        words = self._sorted_vocabulary
        i = bisect.bisect_left(words, term)
        while i < len(words) and words[i].startswith(term) and len(found) < most:
            found.append(words[i])
            i += 1
        return found

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency (used to weigh query-term overlap)."""
        n = max(len(self.ids), 1)
        return math.log(1 + (n - self.document_frequency[term] + 0.5) / (self.document_frequency[term] + 0.5))

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Top ``k`` (id, score) with a positive BM25 score."""
        if self._bm25 is None:
            return []
        tokens = [t for t in terms(query) if t in self._bm25.vocab_dict]
        if not tokens:
            return []
        scores = self._bm25.get_scores(tokens)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]
