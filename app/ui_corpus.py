"""Corpus tab callbacks: list, upload (checked, sanitised, never overwriting silently), remove.

An upload arrives as a file in Gradio's cache with a name the browser chose. Before it may enter
``corpus/`` it must pass the same gate the ingest uses (regular file, size cap, type by magic
bytes) and its extension must agree with what the bytes are. Its name is rebuilt from scratch
(no separators, no leading dots or dashes, no control characters) and it is written beside the
target under a hidden temporary name, then linked into place, so a concurrent ingest never sees a
half-written file and an existing file is never replaced unless the user asked for it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, Protocol

from app.settings import Settings
from app.ui_errors import UIError
from ingest.gates import check_file
from ingest.location import IngestLockedError
from ingest.report import IngestReport
from ingest.sanitize import sanitize_text
from ingest.store import FileRecord, StoreMissingError

logger = logging.getLogger(__name__)

UPLOAD_KINDS = {".pdf": "pdf", ".txt": "text", ".md": "text"}
MAX_NAME_BYTES = 150  # well under the usual 255-byte file-name limit, room for " (2)"
_FORBIDDEN = re.compile(r'[/\\<>:"|?*\x00-\x1f\x7f]')

Progress = Callable[[float, str], None]


class CorpusComponents(Protocol):
    """What the corpus tab needs from ``app.wiring.Components``."""

    settings: Settings

    @property
    def service(self) -> Any: ...

    def open_store(self) -> Any: ...

    def ingest(self, paths: list[Path] | None = None) -> IngestReport: ...


def _no_progress(fraction: float, message: str) -> None:
    """Progress sink for callers that show none."""


def safe_filename(name: str, reserved: Sequence[str] = ()) -> str:
    """A corpus file name built from an uploaded one, or ``UIError`` when nothing usable is left."""
    cleaned = " ".join(_FORBIDDEN.sub("_", sanitize_text(name)).split())
    stem, dot, suffix = cleaned.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    if suffix not in UPLOAD_KINDS:
        raise UIError(f"{cleaned or 'file'}: only PDF, TXT and MD files can be added")
    stem = stem.lstrip(".-_ ").rstrip(". ")
    while len(stem.encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    if not stem:
        raise UIError(f"{cleaned}: the file name has no usable characters")
    safe = stem + suffix
    if safe in reserved:
        raise UIError(f"{safe}: that name is reserved in the corpus folder; rename the file")
    return safe


def check_upload(path: Path, name: str, max_bytes: int) -> str:
    """The loader kind ("pdf"/"text") when the upload may enter the corpus; ``UIError`` otherwise."""
    expected = UPLOAD_KINDS[Path(name).suffix.lower()]
    gate = check_file(path, path.parent, max_bytes)
    if gate.reason:
        raise UIError(f"{name}: {gate.detail}")
    if gate.kind != expected:
        raise UIError(f"{name}: the content is {gate.kind}, which does not match the .{name.rsplit('.', 1)[-1]} name")
    return expected


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def _numbered(corpus: Path, name: str) -> Path:
    stem, suffix = name.rsplit(".", 1)
    n = 2
    while os.path.lexists(corpus / f"{stem} ({n}).{suffix}"):
        n += 1
    return corpus / f"{stem} ({n}).{suffix}"


def store_upload(source: Path, name: str, corpus_dir: Path, *, replace: bool = False) -> tuple[Path, str]:
    """Copy an upload into the corpus; returns (path, how) with how in new/identical/replaced/renamed."""
    corpus = corpus_dir.resolve()
    corpus.mkdir(parents=True, exist_ok=True)
    target = corpus / name
    if target.parent != corpus:
        raise UIError(f"{name}: not a plain file name")
    temporary = corpus / f".upload-{uuid.uuid4().hex}.part"  # hidden: ingest skips dot files
    try:
        shutil.copyfile(source, temporary)
        existing_file = target.is_file() and not target.is_symlink()
        if existing_file and _sha256(target) == _sha256(temporary):
            return target, "identical"
        if existing_file and replace:
            os.replace(temporary, target)
            return target, "replaced"
        for _ in range(100):
            chosen = target if not os.path.lexists(target) else _numbered(corpus, name)
            try:
                os.link(temporary, chosen)  # atomic, and fails instead of overwriting
            except FileExistsError:
                continue
            return chosen, "new" if chosen == target else "renamed"
        raise UIError(f"{name}: could not find a free file name")
    finally:
        temporary.unlink(missing_ok=True)


def list_documents(components: CorpusComponents) -> list[FileRecord]:
    """The manifest of the active store, by file name (empty before the first ingest)."""
    try:
        manifest = components.open_store().files_manifest()
    except StoreMissingError:
        return []
    return [manifest[source] for source in sorted(manifest)]


def _ingest_one(components: CorpusComponents, path: Path, note: str = "") -> list[dict[str, Any]]:
    try:
        report = components.ingest([path])
    except IngestLockedError:
        name = path.name
        detail = "another ingest is running; this file will be picked up by the next ingest"
        return [{"path": name, "status": "saved", "detail": detail}]
    lines = [asdict(f) for f in report.files]
    if note:
        for line in lines:
            line["detail"] = " ".join(x for x in (line.get("detail"), note) if x)
    return lines


def _refresh_search(components: CorpusComponents) -> None:
    """Make the running service see the new store generation on the next question."""
    components.service.searcher.snapshots.invalidate()


_HOW = {
    "renamed": "a different file already had that name, so it was saved as {name}",
    "identical": "the same file was already in the corpus",
    "replaced": "replaced the earlier file of that name",
}


def add_documents(
    components: CorpusComponents, uploads: Sequence[str], *, replace: bool = False, progress: Progress = _no_progress
) -> list[dict[str, Any]]:
    """Check, store and ingest uploaded files; one report line per file (rejected ones included)."""
    settings = components.settings
    max_bytes = int(settings.max_upload_mb * 2**20)
    lines: list[dict[str, Any]] = []
    stored: list[tuple[Path, str]] = []
    for upload in uploads:
        original = Path(upload).name
        try:
            name = safe_filename(original, settings.ignore_names)
            check_upload(Path(upload), name, max_bytes)
            stored.append(store_upload(Path(upload), name, settings.corpus_dir, replace=replace))
        except UIError as exc:
            lines.append({"path": original, "status": "rejected", "detail": str(exc)})
    for done, (path, how) in enumerate(stored):
        progress(done / len(stored), f"ingesting {path.name} ({done + 1} of {len(stored)})")
        lines.extend(_ingest_one(components, path, _HOW.get(how, "").format(name=path.name)))
    if stored:
        progress(1.0, "done")
        _refresh_search(components)
    logger.info("upload: %d stored, %d rejected", len(stored), len(uploads) - len(stored))
    return lines


def remove_document(components: CorpusComponents, source: str, *, progress: Progress = _no_progress) -> list[dict]:
    """Delete one ingested document's file and ingest its path so its chunks go too."""
    known = {record.source for record in list_documents(components)}
    if not source or source not in known:
        raise UIError("choose a document from the list to remove")
    corpus = components.settings.corpus_dir.resolve()
    path = corpus / source
    if not path.parent.resolve().is_relative_to(corpus):
        raise UIError("that document is not inside the corpus folder")
    progress(0.1, f"removing {path.name}")
    if path.is_symlink() or path.is_file():
        path.unlink()
    lines = _ingest_one(components, path)
    _refresh_search(components)
    progress(1.0, "done")
    return lines


def ingest_corpus(components: CorpusComponents) -> list[dict[str, Any]]:
    """Bring the store in line with everything in the corpus folder (files copied in by hand)."""
    report = components.ingest()
    _refresh_search(components)
    return [asdict(f) for f in report.files if f.status != "unchanged"] or [
        {"path": "(all files)", "status": "unchanged", "detail": "nothing to do"}
    ]
