"""Where the store lives on disk, the single-writer lock, and the rebuild-then-swap dance.

Layout under the store root (default ``.isecg-qa/``)::

    CURRENT              name of the active store directory (replaced atomically)
    .lock                held (flock) by the one running ingest
    stores/<name>/       a Chroma PersistentClient directory

``ingest --rebuild`` builds a new directory beside the active one and points ``CURRENT`` at it only
when it is complete, so a failed or killed rebuild leaves the old store in service.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

logger = logging.getLogger(__name__)


class IngestLockedError(RuntimeError):
    """Another ingest holds the store: Chroma is not safe with two writers."""


class StoreLocation:
    """The store root folder and its active store directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def pointer(self) -> Path:
        return self.root / "CURRENT"

    def current(self) -> Path | None:
        """The active store directory, or None before the first ingest."""
        try:
            name = self.pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        path = self.root / "stores" / name
        return path if name and path.is_dir() else None

    def current_or_new(self) -> Path:
        """The active store, or a fresh one made active at once (first ingest)."""
        found = self.current()
        if found is not None:
            return found
        fresh = self.fresh()
        self.activate(fresh)
        return fresh

    def fresh(self) -> Path:
        """A new, empty store directory that is not active yet."""
        path = self.root / "stores" / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
        path.mkdir(parents=True)
        return path

    def activate(self, path: Path) -> None:
        """Point CURRENT at ``path`` atomically (write a temp file, fsync, rename)."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".CURRENT.{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(path.name)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.pointer)

    def remove_inactive(self) -> None:
        """Delete store directories that CURRENT no longer names (old stores, failed rebuilds)."""
        active = self.current()
        for path in (self.root / "stores").glob("*"):
            if path.is_dir() and path != active:
                shutil.rmtree(path, ignore_errors=True)

    @contextlib.contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Exclusive, non-blocking: a second ingest fails at once with a clear message."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+", encoding="utf-8") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise IngestLockedError(
                    f"another ingest is running on this store ({self.root}); wait for it to finish"
                ) from exc
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
