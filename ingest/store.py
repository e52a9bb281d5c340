"""The Chroma store: chunks, their answer units, and the per-file manifest, in one database.

Three collections share a name prefix:
- ``<prefix>-chunks``: passages (cosine space), embedded with their contextual header;
- ``<prefix>-units``: the sentences / list lines of every chunk, embedded one by one, so answer
  extraction never embeds text at question time. A unit row is only its vector and its chunk id:
  its text is a slice of the chunk's text and its offsets, kind and page are packed into the
  chunk's metadata (``unit_spans``), because every unit write costs time per column and units
  are 6x as many rows as chunks (a third of ingest's non-embedding time, ``bench/README.md``);
- ``<prefix>-files``: one record per corpus file (hash, chunk ids, state). A record is marked
  ``complete`` only after that file's chunks were written, so a killed ingest is redone, never
  trusted.

The chunk collection's metadata records the embedding model and chunking settings that built it;
opening it with different ones raises ``StoreMismatchError`` instead of returning garbage.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from chromadb.api import ClientAPI
from chromadb.errors import NotFoundError

from ingest.chunking import Chunk
from ingest.units import Unit, one_line

logger = logging.getLogger(__name__)

REBUILD_HINT = "run `isecg-qa ingest --rebuild` to rebuild the store from the corpus"
_WRITE_BATCH = 1000
UNITS_KEY = "units"  # chunk metadata: how many units ``<chunk_id>:0`` … ``<chunk_id>:<n-1>`` exist
UNIT_SPANS_KEY = "unit_spans"  # chunk metadata: JSON [[start, end, kind, page], ...] of its units


class StoreError(RuntimeError):
    """Base for store problems the user can act on."""


class StoreMismatchError(StoreError):
    """The store was built with another embedding model or chunking settings."""


class StoreMissingError(StoreError):
    """No store has been built yet."""


@dataclass(frozen=True)
class Fingerprint:
    """What built a store; compared on every open."""

    embedding_model: str
    dimension: int
    chunking: str

    def as_metadata(self) -> dict[str, str | int]:
        return {f"isecg_qa_{key}": value for key, value in asdict(self).items()}

    @classmethod
    def from_metadata(cls, metadata: dict[str, Any] | None) -> Fingerprint | None:
        metadata = metadata or {}
        try:
            return cls(**{key: metadata[f"isecg_qa_{key}"] for key in ("embedding_model", "dimension", "chunking")})
        except KeyError:
            return None

    def describe_difference(self, other: Fingerprint) -> str:
        diffs = [
            f"{key}: store has {getattr(other, key)!r}, settings ask for {getattr(self, key)!r}"
            for key in ("embedding_model", "dimension", "chunking")
            if getattr(self, key) != getattr(other, key)
        ]
        return "; ".join(diffs)


@dataclass
class FileRecord:
    """Manifest entry for one corpus file."""

    source: str
    sha256: str
    status: str  # "pending" while its chunks are being written, then "complete"
    chunk_ids: list[str] = field(default_factory=list)
    pages: int | None = None
    title: str = ""
    ingested_at: str = ""
    size: int = 0
    glossary: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)  # ids a pending write must delete (crash recovery)

    @property
    def chunks(self) -> int:
        return len(self.chunk_ids)


def unit_id(chunk_id: str, n: int) -> str:
    """Units are numbered within their chunk, so their ids are as deterministic as the chunk's."""
    return f"{chunk_id}:{n}"


def pack_units(units: Sequence[Unit]) -> str:
    """A chunk's unit table as one compact string (Chroma metadata values are scalars)."""
    rows = [[u.start, u.end, u.kind, -1 if u.page is None else u.page] for u in units]
    return json.dumps(rows, separators=(",", ":"))


def unit_rows(chunk_id: str, text: str, metadata: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(id, text, metadata) of a chunk's units, rebuilt from the chunk's row.

    The metadata has the keys readers have always used (``chunk_id``, ``n``, ``start``, ``end``,
    ``kind``, ``page``), so the layout of the unit rows stays the store's business.
    """
    spans = json.loads(str(metadata.get(UNIT_SPANS_KEY) or "[]"))
    return [
        (
            unit_id(chunk_id, n),
            one_line(text[start:end]),
            {"chunk_id": chunk_id, "n": n, "start": start, "end": end, "kind": kind, "page": page},
        )
        for n, (start, end, kind, page) in enumerate(spans)
    ]


def _batches(items: Sequence[Any], size: int = _WRITE_BATCH) -> Iterator[slice]:
    for start in range(0, len(items), size):
        yield slice(start, start + size)


def _unit_number(unit_row_id: str) -> int:
    """``n`` of ``<chunk_id>:<n>``; -1 for an id of another shape (reported by ``doctor``)."""
    tail = unit_row_id.rpartition(":")[2]
    return int(tail) if tail.isdigit() else -1


class ChunkStore:
    """Read/write access to one isecg-qa store inside a Chroma client."""

    def __init__(
        self,
        client: ClientAPI,
        fingerprint: Fingerprint,
        *,
        prefix: str = "isecg-qa",
        create: bool = False,
        locate: Callable[[], str | None] | None = None,
    ) -> None:
        """``locate`` (server mode) returns the active prefix, which a rebuild elsewhere may change."""
        self.client = client
        self.fingerprint = fingerprint
        self.locate = locate
        self._open(prefix, create)

    def _open(self, prefix: str, create: bool) -> None:
        self.prefix = prefix
        self.chunk_collection_name = f"{prefix}-chunks"
        self.chunks = self._open_chunks(create)
        self.units = self._collection(f"{prefix}-units", create, space="cosine")
        self.files = self._collection(f"{prefix}-files", create, space="l2")

    def follow_pointer(self) -> bool:
        """Switch to the active store if another process swapped in a rebuilt one; True if moved."""
        prefix = self.locate() if self.locate else None
        if prefix is None or prefix == self.prefix:
            return False
        logger.info("store %s replaced by %s; switching", self.prefix, prefix)
        self._open(prefix, create=False)
        return True

    def _collection(self, name: str, create: bool, *, space: str, metadata: dict | None = None):
        if create:
            return self.client.get_or_create_collection(
                name, configuration={"hnsw": {"space": space}}, metadata=metadata, embedding_function=None
            )
        try:
            return self.client.get_collection(name, embedding_function=None)
        except (NotFoundError, ValueError) as exc:
            raise StoreMissingError("no store has been built yet: run `isecg-qa ingest`") from exc

    def _open_chunks(self, create: bool):
        collection = self._collection(
            self.chunk_collection_name, create, space="cosine", metadata=self.fingerprint.as_metadata()
        )
        found = Fingerprint.from_metadata(collection.metadata)
        if found is None:
            raise StoreMismatchError(f"the store has no build record; {REBUILD_HINT}")
        if found != self.fingerprint:
            difference = self.fingerprint.describe_difference(found)
            raise StoreMismatchError(f"the store was built with different settings ({difference}); {REBUILD_HINT}")
        return collection

    # --- chunks --------------------------------------------------------------------------
    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for part in _batches(ids):
            found.update(self.chunks.get(ids=list(ids[part]), include=[])["ids"])
        return found

    def ids_for_source(self, source: str) -> set[str]:
        return set(self.chunks.get(where={"source": source}, include=[])["ids"])

    def existing_unit_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for part in _batches(ids):
            found.update(self.units.get(ids=list(ids[part]), include=[])["ids"])
        return found

    def incomplete(self, chunks: Sequence[Chunk]) -> list[Chunk]:
        """Chunks whose row or any of whose unit rows is missing: what a (re)write must embed.

        Checking units too makes a repeat self-healing: a run killed between writing units and
        their chunk, or between deleting them, leaves nothing half-written behind for good.
        """
        have_chunks = self.existing_ids([c.id for c in chunks])
        have_units = self.existing_unit_ids([unit_id(c.id, i) for c in chunks for i in range(len(c.units))])
        return [
            c
            for c in chunks
            if c.id not in have_chunks or any(unit_id(c.id, i) not in have_units for i in range(len(c.units)))
        ]

    def upsert(
        self, chunks: Sequence[Chunk], chunk_vectors: Sequence[Sequence[float]], unit_vectors: Sequence[Sequence[float]]
    ) -> None:
        """Idempotent write of chunks and their units (units first: a chunk is never unit-less)."""
        owners = [c.id for c in chunks for _ in c.units]
        ids = [unit_id(c.id, i) for c in chunks for i in range(len(c.units))]
        for part in _batches(ids):
            self.units.upsert(
                ids=ids[part],
                embeddings=[list(v) for v in unit_vectors[part]],
                metadatas=[{"chunk_id": owner} for owner in owners[part]],  # what ``delete`` filters on
            )
        for part in _batches(chunks):
            rows = chunks[part]
            self.chunks.upsert(
                ids=[c.id for c in rows],
                embeddings=[list(v) for v in chunk_vectors[part]],
                documents=[c.text for c in rows],
                # the unit count lets readers fetch units by id (``units_for``) and doctor check them
                metadatas=[
                    {**c.metadata(), UNITS_KEY: len(c.units), UNIT_SPANS_KEY: pack_units(c.units)} for c in rows
                ],
            )

    def delete(self, ids: Sequence[str]) -> None:
        """Remove chunks and their units; units first, so a kill in between orphans no unit."""
        for part in _batches(ids):
            batch = list(ids[part])
            self.units.delete(where={"chunk_id": {"$in": batch}})
            self.chunks.delete(ids=batch)

    def count(self) -> int:
        return self.chunks.count()

    def iter_chunks(self, page: int = 2000) -> Iterator[tuple[list[str], list[str], list[dict]]]:
        """All chunks (ids, texts, metadata) page by page; used to build the BM25 index."""
        offset = 0
        while True:
            got = self.chunks.get(include=["documents", "metadatas"], limit=page, offset=offset)
            if not got["ids"]:
                return
            yield got["ids"], got["documents"], got["metadatas"]
            offset += len(got["ids"])

    def chunk_metadata(self, page: int = 5000) -> dict[str, dict[str, Any]]:
        """Metadata of every chunk by id (no texts, no vectors): what ``doctor`` checks."""
        return {i: m for i, m in zip(*self._all(self.chunks, page), strict=True)}

    def unit_chunks(self, page: int = 5000) -> dict[str, tuple[str, int]]:
        """(chunk id, number within the chunk) of every unit, by unit id."""
        ids, metas = self._all(self.units, page)
        return {i: (str(m.get("chunk_id", "")), _unit_number(i)) for i, m in zip(ids, metas, strict=True)}

    @staticmethod
    def _all(collection: Any, page: int) -> tuple[list[str], list[dict[str, Any]]]:
        ids: list[str] = []
        metas: list[dict[str, Any]] = []
        while True:
            got = collection.get(include=["metadatas"], limit=page, offset=len(ids))
            if not got["ids"]:
                return ids, metas
            ids += got["ids"]
            metas += [dict(m or {}) for m in got["metadatas"]]

    def units_for(self, chunk_ids: Sequence[str]) -> dict[str, Any]:
        """Unit texts, offsets and vectors of the given chunks, in chunk order.

        Two primary-key lookups (the chunks' rows, then their units' vectors by the deterministic
        ids ``<chunk_id>:<n>``), so the cost depends on the number of candidates, not on the size
        of the store. A unit whose row is missing (an ingest killed mid-write, until the re-run
        repairs it) is left out.
        """
        if not chunk_ids:
            return {"ids": [], "embeddings": [], "metadatas": [], "documents": []}
        wanted = self._unit_rows_of(chunk_ids)
        return self._with_vectors(wanted, self.units.get(ids=[r[0] for r in wanted], include=["embeddings"]))

    def units_by_filter(self, chunk_ids: Sequence[str]) -> dict[str, Any]:
        """The same through a ``chunk_id $in`` metadata filter (the slower way; kept for benchmarks)."""
        found = self.units.get(where={"chunk_id": {"$in": list(chunk_ids)}}, include=["embeddings"])
        return self._with_vectors(self._unit_rows_of(chunk_ids), found)

    def _unit_rows_of(self, chunk_ids: Sequence[str]) -> list[tuple[str, str, dict[str, Any]]]:
        """The units of the given chunks (in their order), rebuilt from the chunk rows."""
        got = self.chunks.get(ids=list(chunk_ids), include=["metadatas", "documents"])
        rows = {
            cid: unit_rows(cid, doc, meta)
            for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }
        return [row for cid in chunk_ids for row in rows.get(cid, [])]

    @staticmethod
    def _with_vectors(rows: list[tuple[str, str, dict[str, Any]]], found: dict[str, Any]) -> dict[str, Any]:
        vectors = dict(zip(found["ids"], found["embeddings"], strict=True))
        present = [r for r in rows if r[0] in vectors]
        return {
            "ids": [r[0] for r in present],
            "embeddings": [vectors[r[0]] for r in present],
            "metadatas": [r[2] for r in present],
            "documents": [r[1] for r in present],
        }

    def get_chunks(self, ids: Sequence[str]) -> dict[str, Any]:
        return self.chunks.get(ids=list(ids), include=["documents", "metadatas"])

    # --- manifest ------------------------------------------------------------------------
    def files_manifest(self) -> dict[str, FileRecord]:
        got = self.files.get(include=["documents"])
        return {i: FileRecord(**json.loads(doc)) for i, doc in zip(got["ids"], got["documents"], strict=True)}

    def put_file(self, record: FileRecord) -> None:
        self.put_files([record])

    def put_files(self, records: Sequence[FileRecord]) -> None:
        """One write for many records: each Chroma call costs milliseconds whatever its size."""
        for part in _batches(records):
            rows = records[part]
            self.files.upsert(
                ids=[r.source for r in rows],
                embeddings=[[1.0]] * len(rows),
                documents=[json.dumps(asdict(r)) for r in rows],
                metadatas=[{"sha256": r.sha256, "status": r.status} for r in rows],
            )

    def delete_file(self, source: str) -> None:
        self.files.delete(ids=[source])

    def generation(self) -> int:
        """Bumped after every ingest that changed something; readers refresh caches on change.

        It lives in the server's (or the directory's) collection metadata, so every process sharing
        the store sees another's ingest. A rebuild starts its new store one past the old one's
        value, so a switch of store (``follow_pointer``) is always a change of generation too.
        """
        self.follow_pointer()
        metadata = self.client.get_collection(self.files.name, embedding_function=None).metadata or {}
        return int(metadata.get("generation", 0))

    def bump_generation(self) -> int:
        return self.set_generation(self.generation() + 1)

    def set_generation(self, value: int) -> int:
        self.files.modify(metadata={"generation": value})
        return value
