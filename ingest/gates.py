"""Checks made on a corpus file before anything opens it.

Why before: ``open()`` on a FIFO blocks forever, ``/dev/zero`` never ends, a symlink can point at
``/etc/passwd``, and a sparse 10 GiB file must be refused on its size, not after reading it.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ingest.decode import looks_utf16, nul_ratio

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES
_BINARY_MAGIC = (
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x7fELF",
    b"MZ",
    b"\x1f\x8b",
    b"BZh",
    b"7z\xbc\xaf",
    b"Rar!",
    b"\xd0\xcf\x11\xe0",
    b"SQLite format 3",
)


@dataclass(frozen=True)
class GateResult:
    """Either a loader kind ("pdf" / "text") or a skip reason code with a human detail.

    ``path`` is the resolved file: loaders read that, not the listed name, so a symlink swapped in
    after the check cannot redirect the read.
    """

    kind: str | None = None
    reason: str | None = None
    detail: str = ""
    size: int = 0
    path: Path | None = None


class NotRegularFileError(OSError):
    """What ``open_regular`` found is a FIFO, device, socket, directory or symlink."""


def open_regular(path: Path) -> int:
    """Open ``path`` for reading only if it is a regular file; returns the descriptor.

    Checking with ``stat`` first and opening later leaves a gap in which the file can be replaced.
    Here the descriptor itself is checked: ``O_NONBLOCK`` keeps a FIFO swapped in from blocking
    the open, ``O_NOFOLLOW`` refuses a symlink swapped in for the last path component.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotRegularFileError(errno.ELOOP, "is a symbolic link", str(path)) from exc
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotRegularFileError(errno.EINVAL, "not a regular file", str(path))
    return fd


def open_failure(exc: OSError) -> tuple[str, str]:
    """Reason code and detail for an ``OSError`` raised while opening or reading a corpus file."""
    if isinstance(exc, FileNotFoundError):
        return "vanished", "the file disappeared before it could be read"
    if isinstance(exc, NotRegularFileError):
        return "not_regular_file", f"not a regular file ({exc.strerror})"
    return "unreadable", f"cannot read: {exc.strerror or exc.__class__.__name__}"


def _skip(reason: str, detail: str) -> GateResult:
    return GateResult(reason=reason, detail=detail)


def _resolve(path: Path, root: Path) -> Path | GateResult:
    try:
        resolved = path.resolve(strict=True)
    except FileNotFoundError:
        return _skip("vanished", "the file disappeared before it could be read")
    except (OSError, RuntimeError) as exc:  # symlink loops raise here
        return _skip("not_regular_file", f"cannot resolve path: {exc.__class__.__name__}")
    if not resolved.is_relative_to(root.resolve()):
        return _skip("outside_root", "resolves to a location outside the corpus folder")
    return resolved


def _sniff(head: bytes, suffix: str) -> GateResult:
    """Type by magic bytes: PDF bytes are a PDF whatever the name; binaries are refused."""
    if b"%PDF-" in head[:1024]:
        return GateResult(kind="pdf")
    if suffix in PDF_SUFFIXES:
        return _skip("malformed", "named .pdf but has no PDF header")
    if head.startswith(_BINARY_MAGIC):
        return _skip("binary", "binary content (not text)")
    return GateResult(kind="text")


def check_file(path: Path, root: Path, max_bytes: int) -> GateResult:
    """Decide whether ``path`` may be loaded, without reading more than its first 64 KiB."""
    resolved = _resolve(path, root)
    if isinstance(resolved, GateResult):
        return resolved
    try:
        info = os.stat(resolved)
    except FileNotFoundError:
        return _skip("vanished", "the file disappeared before it could be read")
    if not stat.S_ISREG(info.st_mode):
        return _skip("not_regular_file", "not a regular file (device, FIFO or socket)")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return _skip("unsupported", f"unsupported file type {suffix or '(none)'}; use .pdf .txt .md")
    if info.st_size == 0:
        return _skip("empty", "the file is empty")
    if info.st_size > max_bytes:
        return _skip("too_large", f"{info.st_size / 2**20:.1f} MiB is over the {max_bytes / 2**20:.0f} MiB cap")
    try:
        with os.fdopen(open_regular(resolved), "rb") as handle:
            head = handle.read(65536)
    except OSError as exc:
        return _skip(*open_failure(exc))
    result = _sniff(head, suffix)
    if result.kind == "text" and nul_ratio(head) > 0.3 and not _utf16_bom_or_pattern(head):
        return _skip("binary", "binary content (mostly NUL bytes)")
    return GateResult(kind=result.kind, reason=result.reason, detail=result.detail, size=info.st_size, path=resolved)


def _utf16_bom_or_pattern(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff")) or looks_utf16(head) is not None
