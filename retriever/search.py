"""Hybrid search: dense chunk vectors, dense unit (sentence) vectors and BM25, fused with RRF.

Modes for comparison runs: ``dense`` (chunk vectors only), ``bm25`` (lexical only) and ``hybrid``
(all three rankings fused). The query vector is computed once and handed on, because the answer
step scores sentences with it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from langchain_chroma import Chroma
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever

from ingest.store import ChunkStore
from retriever.fusion import reciprocal_rank_fusion
from retriever.snapshot import Snapshot, SnapshotCache

logger = logging.getLogger(__name__)

MODES = ("hybrid", "dense", "bm25")


@dataclass
class Candidates:
    """Fused candidate chunk ids, best first, with what each retriever said about them."""

    ids: list[str]
    fused: dict[str, float]
    vector: list[float]
    snapshot: Snapshot
    dense: dict[str, float] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)
    vectors: list[list[float]] = field(default_factory=list)  # query vectors used to score units


class HybridSearcher:
    """Owns the store handles and the corpus snapshot; one per process."""

    def __init__(
        self,
        store: ChunkStore,
        embeddings: Embeddings,
        *,
        candidates: int = 30,
        rrf_k: int = 60,
        check_seconds: float = 1.0,
    ) -> None:
        self.store = store
        self.embeddings = embeddings
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.snapshots = SnapshotCache(store, check_seconds)
        self._vectorstore: Chroma | None = None

    @property
    def vectorstore(self) -> Chroma:
        """LangChain's view of the chunk collection; re-made when a rebuild swapped the store."""
        name = self.store.chunk_collection_name
        if self._vectorstore is None or self._vectorstore._collection_name != name:
            self._vectorstore = Chroma(
                client=self.store.client,
                collection_name=name,
                embedding_function=self.embeddings,
                create_collection_if_not_exists=False,
            )
        return self._vectorstore

    def _dense_chunks(self, vector: list[float], n: int) -> dict[str, float]:
        hits = self.vectorstore.similarity_search_by_vector_with_relevance_scores(vector, k=n)
        return {doc.id: 1.0 - distance for doc, distance in hits if doc.id}

    def _dense_units(self, vector: list[float], n: int) -> list[str]:
        got = self.store.units.query(query_embeddings=[vector], n_results=n, include=["metadatas"])
        ranking: list[str] = []
        for meta in got["metadatas"][0]:
            if meta["chunk_id"] not in ranking:
                ranking.append(meta["chunk_id"])
        return ranking

    def search(
        self, query: str, mode: str = "hybrid", lexical_query: str | None = None, unit_ranking: bool = True
    ) -> Candidates:
        """Candidate chunks for ``query`` (``lexical_query`` lets BM25 see glossary expansions).

        ``unit_ranking`` adds the sentence-vector ranking to hybrid fusion (off only in ablations).
        """
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; use one of {', '.join(MODES)}")
        timings: dict[str, float] = {}
        started = time.perf_counter()
        snapshot = self.snapshots.get()
        vector = self.embeddings.embed_query(query)
        timings["embed"] = _ms(started)
        n = min(self.candidates, max(len(snapshot.ids), 1))
        rankings: list[list[str]] = []
        dense: dict[str, float] = {}
        if mode in ("hybrid", "dense") and snapshot.ids:
            t = time.perf_counter()
            dense = self._dense_chunks(vector, n)
            rankings.append(list(dense))
            if mode == "hybrid" and unit_ranking:
                rankings.append(self._dense_units(vector, 3 * n))
            timings["dense"] = _ms(t)
        if mode in ("hybrid", "bm25"):
            t = time.perf_counter()
            rankings.append([cid for cid, _ in snapshot.lexical.search(lexical_query or query, n)])
            timings["bm25"] = _ms(t)
        t = time.perf_counter()
        fused = dict(reciprocal_rank_fusion(rankings, k=self.rrf_k))
        timings["fusion"] = _ms(t)
        ids = [cid for cid in fused if cid in snapshot.position][:n]
        return Candidates(ids, fused, vector, snapshot, dense, timings)


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)


class HybridRetriever(BaseRetriever):
    """The searcher as a LangChain ``BaseRetriever`` (for use in any LangChain chain)."""

    searcher: HybridSearcher
    mode: str = "hybrid"
    k: int = 6

    model_config = {"arbitrary_types_allowed": True}

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        found = self.searcher.search(query, self.mode)
        docs = []
        for cid in found.ids[: self.k]:
            text, meta = found.snapshot.text_of(cid) or ("", {})
            docs.append(Document(id=cid, page_content=text, metadata={**meta, "score": found.fused[cid]}))
        return docs
