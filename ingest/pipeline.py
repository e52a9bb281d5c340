"""Incremental ingest: corpus files → checked → loaded → cleaned → chunked → embedded → upserted.

Files are written in batches (``IngestOptions.batch_texts`` texts to embed, at least one file):
Chroma pays ~7 ms per write call on top of its per-row cost, and the model wastes less time on
partly filled and mixed-length batches in one big call than in many small ones; with one call
and one write per file, ingest was 20 % slower than the model alone, with batches of 4,000
texts 7 % (``bench/README.md``, section 1). Per batch, the write order is what makes a killed run
(``kill -9`` at any moment) safe to repeat:
1. the manifest records of its files are set to ``pending`` with the new hash, the new chunk ids
   and the ids that must go (``retired``: each file's earlier chunks, including those of an
   interrupted earlier attempt), so nothing written later is ever unknown to the manifest;
2. chunks whose row or any unit row is missing are embedded and upserted (ids are content hashes,
   so a repeat finds what is already written and embeds nothing for it);
3. the retired chunks are deleted, units first (a unit is never left without its chunk);
4. only then are the records marked ``complete``.
A file is "unchanged" only when its hash matches a complete record. The store generation is bumped
before the first write of a run and again at its end, so readers refresh even after a killed run.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from ingest.chunking import Chunk, ChunkingParams, build_chunks
from ingest.clean import clean_pages
from ingest.gates import GateResult, check_file, open_failure, open_regular
from ingest.glossary import extract_glossary
from ingest.loaders import Loaded, LoadError, PdfLimits, load_file
from ingest.report import FileReport, IngestReport
from ingest.sanitize import display_name, sanitize_text, source_name
from ingest.store import ChunkStore, FileRecord
from ingest.units import one_line

logger = logging.getLogger(__name__)

MAX_TITLE_CHARS = 300
PROGRESS_SLICE = 1000  # texts per model call while a progress bar is shown (~8 s on 2 cores)


@dataclass(frozen=True)
class IngestOptions:
    """Plain values the pipeline needs (the settings object stays in ``app``)."""

    chunking: ChunkingParams = field(default_factory=ChunkingParams)
    pdf: PdfLimits = field(default_factory=PdfLimits)
    max_bytes: int = 50 * 2**20
    ignore_names: tuple[str, ...] = ("README.md",)
    progress: bool = False
    batch_texts: int = 4000  # texts (chunks + units) embedded and written per batch of files


def discover(root: Path, ignore_names: Iterable[str], only: Sequence[Path] | None = None) -> list[tuple[str, Path]]:
    """(source name, path) of every candidate file under ``root``; hidden entries are skipped.

    Symlinked directories are listed but never followed (no escape from the root, no loops): the
    gate then reports them, so a user learns why their contents are missing. Symlinked files are
    listed and refused by the gate if they point outside the root.
    """
    ignored = set(ignore_names)
    found: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        links = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in links)
        for name in sorted([*filenames, *links]):
            if name.startswith(".") or name in ignored:
                continue
            path = Path(dirpath) / name
            if only is None or any(_within(path, scope) for scope in only):
                found.append((source_name(path.relative_to(root).as_posix()), path))
    return found


def _within(path: Path, scope: Path) -> bool:
    return path == scope or scope in path.parents


def file_sha256(path: Path) -> str:
    """Content hash, read through a checked descriptor (a FIFO swapped in cannot block it)."""
    digest = hashlib.sha256()
    with os.fdopen(open_regular(path), "rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def pretty_title(source: str) -> str:
    """A readable document title from its file name, when the file has no title of its own."""
    stem = Path(source).stem.replace("_", " ").replace("-", " ")
    return " ".join(w.upper() if w.casefold() in {"isecg", "ger", "nasa", "esa"} else w for w in stem.split())


def document_title(loaded: Loaded, source: str) -> str:
    """The PDF's own title (cleaned: it is untrusted metadata stored in Chroma) or one from the name."""
    title = one_line(sanitize_text(loaded.title or ""))[:MAX_TITLE_CHARS]
    return title or pretty_title(source)


@dataclass
class _Prepared:
    """A file read, cleaned and chunked, ready to be written."""

    loaded: Loaded
    text: str
    chunks: list[Chunk]


@dataclass
class _Pending:
    """A file whose new manifest record and chunks wait in the current write batch."""

    record: FileRecord
    chunks: list[Chunk]

    @property
    def texts(self) -> int:
        return sum(1 + len(c.units) for c in self.chunks)


class Ingestor:
    """Brings one store in line with one corpus folder."""

    def __init__(self, store: ChunkStore, embeddings: Embeddings, corpus_root: Path, options: IngestOptions) -> None:
        self.store = store
        self.embeddings = embeddings
        self.root = corpus_root.resolve()
        self.options = options
        self._generation_bumped = False
        self._bar: tqdm | None = None

    def run(self, paths: Sequence[Path] | None = None) -> IngestReport:
        """Ingest everything (or only ``paths``): add, update, skip unchanged, remove deleted."""
        started = time.perf_counter()
        scope = [p.resolve() for p in paths] if paths else None
        report = IngestReport()
        manifest = self.store.files_manifest()
        candidates = discover(self.root, self.options.ignore_names, scope)
        seen: dict[str, Path] = {}
        batch: list[_Pending] = []
        bar = tqdm(candidates, desc="ingest", unit="file", disable=not self.options.progress)
        self._bar = bar if self.options.progress else None
        for source, path in bar:
            bar.set_postfix_str(source[-40:], refresh=False)
            if source in seen:
                report.files.append(self._duplicate(source, path, seen[source]))
                continue
            seen[source] = path
            report.files.append(self._ingest_file(source, path, manifest.get(source), batch))
            if sum(p.texts for p in batch) >= self.options.batch_texts:
                report.chunks_embedded += self._flush(batch)
        report.chunks_embedded += self._flush(batch)
        for source in sorted(set(manifest) - set(seen)):
            if scope is None or any(_within(self.root / source, s) for s in scope):
                self._remove(source, manifest[source])
                report.files.append(FileReport(source, "removed", chunks=manifest[source].chunks))
        if report.changed:
            self.store.bump_generation()
        report.seconds = time.perf_counter() - started
        return report

    def _ingest_file(self, source: str, path: Path, record: FileRecord | None, batch: list[_Pending]) -> FileReport:
        """Skip, or prepare the file and queue its write in ``batch``; its report either way."""
        gate = check_file(path, self.root, self.options.max_bytes)
        if gate.reason or gate.path is None:
            return self._skip(source, record, gate.reason or "vanished", gate.detail)
        try:
            sha = file_sha256(gate.path)
        except OSError as exc:
            return self._skip(source, record, *open_failure(exc))
        if record and record.sha256 == sha and record.status == "complete":
            return FileReport(source, "unchanged", pages=record.pages, chunks=record.chunks)
        prepared = self._prepare(source, gate, sha)
        if isinstance(prepared, FileReport):
            return self._skip(source, record, prepared.reason or "malformed", prepared.detail)
        pages = len(prepared.loaded.pages) if gate.kind == "pdf" else None
        new = FileRecord(
            source,
            sha,
            "pending",
            [c.id for c in prepared.chunks],
            pages,
            document_title(prepared.loaded, source),
            datetime.now(UTC).isoformat(timespec="seconds"),
            gate.size,
            extract_glossary(prepared.text),
            list(prepared.loaded.warnings),
        )
        batch.append(self._queue(new, record, prepared.chunks))
        for warning in prepared.loaded.warnings:
            logger.warning("%s: %s", display_name(source), warning)
        status = "updated" if record else "added"
        return FileReport(
            source, status, pages=pages, chunks=len(prepared.chunks), warnings=list(prepared.loaded.warnings)
        )

    def _prepare(self, source: str, gate: GateResult, sha: str) -> _Prepared | FileReport:
        """Load, clean and chunk one file; every failure is a reason on the file, never a raise."""
        assert gate.path is not None and gate.kind is not None
        try:
            loaded = load_file(gate.path, gate.kind, self.options.pdf, self.options.max_bytes)
        except LoadError as exc:
            return FileReport(source, "skipped", reason=exc.reason, detail=exc.detail)
        try:
            text, chunks = build_chunks(
                source,
                sha,
                document_title(loaded, source),
                clean_pages(loaded.pages),
                loaded.page_numbers,
                self.options.chunking,
            )
        except (MemoryError, RecursionError) as exc:
            return FileReport(source, "skipped", reason="limit_reached", detail=exc.__class__.__name__)
        if not chunks:
            if gate.kind == "pdf":
                return FileReport(source, "skipped", reason="no_text", detail="no extractable text (a scan needs OCR)")
            return FileReport(source, "skipped", reason="empty", detail="no text")
        return _Prepared(loaded, text, chunks)

    def _queue(self, record: FileRecord, previous: FileRecord | None, chunks: list[Chunk]) -> _Pending:
        """Work out which of the file's chunk ids must go once its new ones are written.

        Only a file the manifest knows can have chunks stored: every write is preceded by its
        ``pending`` record, and a removal deletes the record last. So the store is asked (a
        metadata filter whose cost grows with the store: 10 ms per file at 10k chunks, 30 ms at
        100k) only for known files, to catch leftovers the record does not list; chunks of an
        unknown source can only come from outside damage, which ``doctor`` reports and fixes.
        """
        known: set[str] = set()
        if previous is not None:
            known = self.store.ids_for_source(record.source) | set(previous.chunk_ids) | set(previous.retired)
        record.retired = sorted(known - set(record.chunk_ids))
        return _Pending(record, chunks)

    def _flush(self, batch: list[_Pending]) -> int:
        """The crash-safe write order described in the module docstring; returns chunks embedded."""
        if not batch:
            return 0
        records = [p.record for p in batch]
        self._before_first_change()
        self.store.put_files(records)
        todo = self.store.incomplete([c for p in batch for c in p.chunks])
        retired = [i for r in records for i in r.retired]
        logger.debug("writing %d files: %d chunks to embed, %d to retire", len(batch), len(todo), len(retired))
        if todo:
            # one call for every chunk and unit of the batch: the model batches (and length-sorts)
            # across them all, where one file's dozen chunks alone would make inefficient batches
            texts = [f"{c.header()}\n\n{c.text}" for c in todo] + [u.text for c in todo for u in c.units]
            vectors = self._embed(texts)
            self.store.upsert(todo, vectors[: len(todo)], vectors[len(todo) :])
        if retired:
            self.store.delete(retired)
        for record in records:
            record.status, record.retired = "complete", []
        self.store.put_files(records)
        batch.clear()
        return len(todo)

    def _embed(self, texts: list[str]) -> list[list[float]]:
        """Embed a batch; with a progress bar, in length-sorted slices so the bar moves.

        One batch is ~30 s of model time on 2 cores. Slices of the length-sorted texts are as
        uniform as the model's own sorted batches, so slicing costs only the calls themselves.
        """
        if self._bar is None or len(texts) <= PROGRESS_SLICE:
            return self.embeddings.embed_documents(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors: list[list[float]] = [[] for _ in texts]
        for start in range(0, len(order), PROGRESS_SLICE):
            part = order[start : start + PROGRESS_SLICE]
            self._bar.set_postfix_str(f"embedding {start:,}/{len(texts):,} texts")
            for i, vector in zip(part, self.embeddings.embed_documents([texts[i] for i in part]), strict=True):
                vectors[i] = vector
        return vectors

    def _before_first_change(self) -> None:
        """Bump the generation once before writing: a run killed later still made readers refresh."""
        if not self._generation_bumped:
            self.store.bump_generation()
            self._generation_bumped = True

    def _remove(self, source: str, record: FileRecord) -> None:
        self._before_first_change()
        ids = self.store.ids_for_source(source) | set(record.chunk_ids) | set(record.retired)
        self.store.delete(sorted(ids))
        self.store.delete_file(source)

    def _skip(self, source: str, record: FileRecord | None, reason: str, detail: str) -> FileReport:
        """A file that can't be (re)ingested; an earlier version's chunks would be stale, so go."""
        if record is not None:
            self._remove(source, record)
        logger.warning("skipped %s: %s (%s)", display_name(source), reason, detail)
        return FileReport(source, "skipped", reason=reason, detail=detail)

    def _duplicate(self, source: str, path: Path, first: Path) -> FileReport:
        """Two files whose names escape to the same source name: only the first is ingested."""
        detail = f"its name escapes to the same source name as {display_name(first.name)}"
        logger.warning("skipped %s: duplicate_name (%s)", display_name(source), detail)
        return FileReport(source, "skipped", reason="duplicate_name", detail=detail)
