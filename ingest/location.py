"""Where the store lives on disk, the single-writer lock, and the rebuild-then-swap dance.

Layout under the store root (default ``.isecg-qa/``)::

    CURRENT              name of the active store directory (replaced atomically)
    .lock                held (flock) by the one running ingest
    stores/<name>/       a Chroma PersistentClient directory
    stores/<name>/.readers   shared flock held by every process that has this store open

``ingest --rebuild`` builds a new directory beside the active one and points ``CURRENT`` at it only
when it is complete, so a failed or killed rebuild leaves the old store in service. An old store is
deleted only once no process holds it open (a running UI keeps answering from the store it opened;
the next ingest after it exits deletes it).

On a Chroma server (``ServerLocation``) a store is a collection-name prefix instead of a folder,
and the pointer is the metadata of one small collection (``<base>-pointer``), which the server
updates atomically. The ``.lock`` file still serialises ingests, but only between processes on
this host that share the store root.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from chromadb.api import ClientAPI
from chromadb.errors import NotFoundError

logger = logging.getLogger(__name__)


class IngestLockedError(RuntimeError):
    """Another ingest holds the store: Chroma is not safe with two writers."""


READERS = ".readers"


class StoreLocation:
    """The store root folder and its active store directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._held: dict[Path, int] = {}
        self._lock_owner: int | None = None

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
        (path / READERS).touch()
        return path

    def activate(self, path: Path) -> None:
        """Point CURRENT at ``path`` atomically (write a temp file, fsync, rename, fsync the folder)."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".CURRENT.{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(path.name)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.pointer)
        _fsync_dir(self.root)

    def hold(self, path: Path) -> bool:
        """Mark ``path`` as open by this process (a shared flock kept until exit); False if it is gone.

        ``remove_inactive`` skips held stores, so replacing the store under a running UI never
        deletes the files its Chroma client is reading.
        """
        if path in self._held:
            return True
        try:
            fd = os.open(path / READERS, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except FileNotFoundError:
            return False
        fcntl.flock(fd, fcntl.LOCK_SH)
        if not path.is_dir():  # deleted while we waited for the lock
            os.close(fd)
            return False
        self._held[path] = fd
        return True

    def release(self, path: Path) -> None:
        """Drop this process's hold on ``path`` (it no longer reads that store)."""
        fd = self._held.pop(path, None)
        if fd is not None:
            os.close(fd)

    def open_current(self) -> Path | None:
        """The active store, held for reading; None before the first ingest.

        Retries when a rebuild swaps the store between reading CURRENT and taking the hold.
        """
        for _ in range(5):
            path = self.current()
            if path is None:
                return None
            if self.hold(path) and self.current() == path:
                return path
        return self.current()

    def remove_inactive(self) -> list[Path]:
        """Delete store directories CURRENT no longer names and no process holds; returns those kept."""
        active = self.current()
        kept = []
        for path in sorted((self.root / "stores").glob("*")):
            if not path.is_dir() or path == active or path in self._held:
                continue
            if not _remove_unless_held(path):
                logger.info("keeping old store %s: a running process still has it open", path.name)
                kept.append(path)
        return kept

    @contextlib.contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Exclusive, non-blocking: a second ingest fails at once with a clear message.

        Re-entrant for the thread that holds it (``doctor --fix`` runs an ingest under its own
        lock); any other thread or process gets ``IngestLockedError``, as Chroma needs one writer.
        """
        if self._lock_owner == threading.get_ident():
            yield
            return
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
            self._lock_owner = threading.get_ident()
            try:
                yield
            finally:
                self._lock_owner = None
                fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_unless_held(path: Path) -> bool:
    """Delete a store directory only if no reader holds it (exclusive flock, never waits)."""
    try:
        fd = os.open(path / READERS, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        shutil.rmtree(path, ignore_errors=True)
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return False
    try:
        shutil.rmtree(path, ignore_errors=True)
    finally:
        os.close(fd)
    return True


def _fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (a power cut must not bring the old CURRENT back)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


STORE_SUFFIXES = ("-chunks", "-units", "-files")


class ServerLocation:
    """Rebuild-and-swap on a Chroma server: stores are name prefixes, a pointer names the active one.

    The first store is ``<base>`` itself; a rebuild writes ``<base>--<time>-<random>`` and then
    points at it. The store that was active before stays until the next rebuild, so a process that
    has not yet seen the swap can finish the questions it is answering.
    """

    def __init__(self, client: ClientAPI, base: str = "isecg-qa") -> None:
        self.client = client
        self.base = base

    @property
    def pointer_name(self) -> str:
        return f"{self.base}-pointer"

    def _pointer(self) -> dict:
        try:
            return dict(self.client.get_collection(self.pointer_name, embedding_function=None).metadata or {})
        except (NotFoundError, ValueError):
            return {}

    def current(self) -> str | None:
        """The active prefix, or None before the first ingest (one metadata read)."""
        return self._pointer().get("current") or None

    def current_or_new(self) -> str:
        """The active prefix, or ``base`` made active (first ingest, or a server from before pointers)."""
        found = self.current()
        if found is None:
            self.activate(self.base)
            found = self.base
        return found

    def fresh(self) -> str:
        """A new prefix, not active yet."""
        return f"{self.base}--{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"

    def activate(self, prefix: str) -> None:
        """Point at ``prefix``; the store it replaces is remembered as ``previous``."""
        previous = self.current() or ""
        pointer = self.client.get_or_create_collection(self.pointer_name, embedding_function=None)
        pointer.modify(metadata={"current": prefix, "previous": previous if previous != prefix else ""})

    def generation_of(self, prefix: str) -> int:
        """The generation counter of any store (even one built with other settings)."""
        try:
            metadata = self.client.get_collection(f"{prefix}-files", embedding_function=None).metadata or {}
        except (NotFoundError, ValueError):
            return 0
        return int(metadata.get("generation", 0))

    def remove_inactive(self) -> list[str]:
        """Delete the collections of every store of this base except the active and previous one."""
        pointer = self._pointer()
        keep = {pointer.get("current"), pointer.get("previous")}
        removed = []
        for collection in self.client.list_collections():
            name = collection.name
            prefix = next((name[: -len(s)] for s in STORE_SUFFIXES if name.endswith(s)), None)
            mine = prefix is not None and (prefix == self.base or prefix.startswith(f"{self.base}--"))
            if mine and prefix not in keep:
                self.client.delete_collection(name)
                removed.append(name)
        return removed
