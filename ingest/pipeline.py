"""Incremental ingest: corpus files → checked → loaded → cleaned → chunked → embedded → upserted.

Per file, the write order is what makes a killed run safe to repeat:
1. the manifest record is set to ``pending`` with the new hash;
2. chunks whose ids are not in the store yet are embedded and upserted (ids are content hashes,
   so a repeat finds the ones already written and embeds nothing for them);
3. chunks of this file that are no longer produced are deleted;
4. only then is the record marked ``complete``.
A file is "unchanged" only when its hash matches a complete record.
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
from ingest.gates import check_file
from ingest.glossary import extract_glossary
from ingest.loaders import LoadError, PdfLimits, load_file
from ingest.report import FileReport, IngestReport
from ingest.sanitize import fix_surrogates
from ingest.store import ChunkStore, FileRecord

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestOptions:
    """Plain values the pipeline needs (the settings object stays in ``app``)."""

    chunking: ChunkingParams = field(default_factory=ChunkingParams)
    pdf: PdfLimits = field(default_factory=PdfLimits)
    max_bytes: int = 50 * 2**20
    ignore_names: tuple[str, ...] = ("README.md",)
    progress: bool = False


def discover(root: Path, ignore_names: Iterable[str], only: Sequence[Path] | None = None) -> list[tuple[str, Path]]:
    """(source name, path) of every candidate file under ``root``; hidden entries are skipped.

    Symlinked directories are not followed (no escape from the root, no loops); symlinked files
    are listed and later refused by the gate if they point outside the root.
    """
    ignored = set(ignore_names)
    found: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or name in ignored:
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if only is None or any(_within(path, scope) for scope in only):
                found.append((fix_surrogates(rel), path))
    return found


def _within(path: Path, scope: Path) -> bool:
    return path == scope or scope in path.parents


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def pretty_title(source: str) -> str:
    """A readable document title from its file name, when the file has no title of its own."""
    stem = Path(source).stem.replace("_", " ").replace("-", " ")
    return " ".join(w.upper() if w.casefold() in {"isecg", "ger", "nasa", "esa"} else w for w in stem.split())


class Ingestor:
    """Brings one store in line with one corpus folder."""

    def __init__(self, store: ChunkStore, embeddings: Embeddings, corpus_root: Path, options: IngestOptions) -> None:
        self.store = store
        self.embeddings = embeddings
        self.root = corpus_root.resolve()
        self.options = options

    def run(self, paths: Sequence[Path] | None = None) -> IngestReport:
        """Ingest everything (or only ``paths``): add, update, skip unchanged, remove deleted."""
        started = time.perf_counter()
        scope = [p.resolve() for p in paths] if paths else None
        report = IngestReport()
        manifest = self.store.files_manifest()
        candidates = discover(self.root, self.options.ignore_names, scope)
        seen = {source for source, _ in candidates}
        bar = tqdm(candidates, desc="ingest", unit="file", disable=not self.options.progress)
        for source, path in bar:
            bar.set_postfix_str(source[-40:], refresh=False)
            line = self._ingest_file(source, path, manifest.get(source), report)
            report.files.append(line)
        for source in sorted(set(manifest) - seen):
            if scope is None or any(_within(self.root / source, s) for s in scope):
                self._remove(source, manifest[source])
                report.files.append(FileReport(source, "removed", chunks=manifest[source].chunks))
        if report.changed:
            self.store.bump_generation()
        report.seconds = time.perf_counter() - started
        return report

    def _ingest_file(self, source: str, path: Path, record: FileRecord | None, report: IngestReport) -> FileReport:
        gate = check_file(path, self.root, self.options.max_bytes)
        if gate.reason:
            return self._skip(source, record, gate.reason, gate.detail)
        try:
            sha = file_sha256(path)
        except FileNotFoundError:
            return self._skip(source, record, "vanished", "the file disappeared while it was being read")
        if record and record.sha256 == sha and record.status == "complete":
            return FileReport(source, "unchanged", pages=record.pages, chunks=record.chunks)
        try:
            loaded = load_file(path, gate.kind or "text", self.options.pdf)
        except LoadError as exc:
            return self._skip(source, record, exc.reason, exc.detail)
        title = loaded.title or pretty_title(source)
        text, chunks = build_chunks(
            source, sha, title, clean_pages(loaded.pages), loaded.page_numbers, self.options.chunking
        )
        if not chunks:
            reason = "no_text" if gate.kind == "pdf" else "empty"
            return self._skip(
                source, record, reason, "no extractable text (a scan needs OCR)" if gate.kind == "pdf" else "no text"
            )
        pages = len(loaded.pages) if gate.kind == "pdf" else None
        new = FileRecord(
            source,
            sha,
            "pending",
            [c.id for c in chunks],
            pages,
            title,
            datetime.now(UTC).isoformat(timespec="seconds"),
            gate.size,
            extract_glossary(text),
            list(loaded.warnings),
        )
        report.chunks_embedded += self._write(new, chunks)
        status = "updated" if record else "added"
        for warning in loaded.warnings:
            logger.warning("%s: %s", source, warning)
        return FileReport(source, status, pages=pages, chunks=len(chunks), warnings=list(loaded.warnings))

    def _write(self, record: FileRecord, chunks: list[Chunk]) -> int:
        """The crash-safe write order described in the module docstring; returns chunks embedded."""
        self.store.put_file(record)
        present = self.store.existing_ids([c.id for c in chunks])
        todo = [c for c in chunks if c.id not in present]
        if todo:
            chunk_vectors = self.embeddings.embed_documents([f"{c.header()}\n\n{c.text}" for c in todo])
            unit_vectors = self.embeddings.embed_documents([u.text for c in todo for u in c.units])
            self.store.upsert(todo, chunk_vectors, unit_vectors)
        stale = self.store.ids_for_source(record.source) - set(record.chunk_ids)
        if stale:
            self.store.delete(sorted(stale))
        record.status = "complete"
        self.store.put_file(record)
        return len(todo)

    def _remove(self, source: str, record: FileRecord) -> None:
        ids = self.store.ids_for_source(source) | set(record.chunk_ids)
        self.store.delete(sorted(ids))
        self.store.delete_file(source)

    def _skip(self, source: str, record: FileRecord | None, reason: str, detail: str) -> FileReport:
        """A file that can't be (re)ingested; an earlier version's chunks would be stale, so go."""
        if record is not None:
            self._remove(source, record)
        logger.warning("skipped %s: %s (%s)", source.encode("unicode_escape").decode(), reason, detail)
        return FileReport(source, "skipped", reason=reason, detail=detail)
