"""An in-memory view of the store for one generation: BM25 index, glossary, chunk neighbours.

Built when the store's generation changes (after an ingest), never per question; the generation
check itself is rate-limited and costs one metadata read.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ingest.glossary import merge_glossaries
from ingest.store import ChunkStore, FileRecord
from retriever.lexical import LexicalIndex
from retriever.sections import SectionIndex

logger = logging.getLogger(__name__)


@dataclass
class Snapshot:
    """Everything retrieval needs that depends on the whole corpus."""

    generation: int
    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    metas: list[dict[str, Any]] = field(default_factory=list)
    lexical: LexicalIndex = field(default_factory=lambda: LexicalIndex([], []))
    glossary: dict[str, str] = field(default_factory=dict)
    files: dict[str, FileRecord] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)
    by_place: dict[tuple[str, int], str] = field(default_factory=dict)
    sections: SectionIndex = field(default_factory=lambda: SectionIndex([]))

    def neighbour(self, chunk_id: str, step: int) -> str | None:
        """The chunk ``step`` places after (or before) ``chunk_id`` in the same document."""
        i = self.position.get(chunk_id)
        if i is None:
            return None
        meta = self.metas[i]
        return self.by_place.get((str(meta["source"]), int(meta["chunk_index"]) + step))

    def adjacent(self, chunk_id: str) -> set[str]:
        """The chunks just before and after ``chunk_id`` (their overlap repeats its edges)."""
        return {n for n in (self.neighbour(chunk_id, -1), self.neighbour(chunk_id, 1)) if n}

    def text_of(self, chunk_id: str) -> tuple[str, dict[str, Any]] | None:
        i = self.position.get(chunk_id)
        return None if i is None else (self.texts[i], self.metas[i])


def header_of(meta: dict[str, Any]) -> str:
    title, section = meta.get("title", ""), meta.get("section", "")
    return f"{title} — {section}" if section else str(title)


def build_snapshot(store: ChunkStore) -> Snapshot:
    """Read every chunk once and index it."""
    started = time.perf_counter()
    generation = store.generation()
    snap = Snapshot(generation=generation)
    for ids, texts, metas in store.iter_chunks():
        snap.ids.extend(ids)
        snap.texts.extend(texts)
        snap.metas.extend(metas)
    snap.position = {cid: i for i, cid in enumerate(snap.ids)}
    snap.by_place = {
        (str(m["source"]), int(m["chunk_index"])): cid for cid, m in zip(snap.ids, snap.metas, strict=True)
    }
    snap.lexical = LexicalIndex(snap.ids, [f"{header_of(m)}\n{t}" for t, m in zip(snap.texts, snap.metas, strict=True)])
    snap.sections = SectionIndex((cid, str(m.get("section", ""))) for cid, m in zip(snap.ids, snap.metas, strict=True))
    snap.files = store.files_manifest()
    snap.glossary = merge_glossaries([record.glossary for record in snap.files.values()])
    logger.info(
        "snapshot of generation %d: %d chunks in %.2f s", generation, len(snap.ids), time.perf_counter() - started
    )
    return snap


class SnapshotCache:
    """Holds the current snapshot and rebuilds it when the store's generation moves on."""

    def __init__(self, store: ChunkStore, check_seconds: float = 1.0) -> None:
        self.store = store
        self.check_seconds = check_seconds
        self._snapshot: Snapshot | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def get(self) -> Snapshot:
        now = time.monotonic()
        with self._lock:
            if self._snapshot is None:
                self._snapshot = build_snapshot(self.store)
                self._checked = now
            elif now - self._checked >= self.check_seconds:
                self._checked = now
                if self.store.generation() != self._snapshot.generation:
                    self._snapshot = build_snapshot(self.store)
            return self._snapshot

    def invalidate(self) -> None:
        """Force a rebuild on the next ``get`` (called after an in-process ingest)."""
        with self._lock:
            self._snapshot = None
