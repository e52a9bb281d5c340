"""Load a checked corpus file into page texts.

PDFs are parsed by ``ingest.pdf_worker`` in a child process with a wall-clock timeout and an
address-space cap: pypdf's own advice is that the caller must contain its failures, and a hang
or a segfault cannot be caught with ``try``.
"""

from __future__ import annotations

import json
import logging
import resource
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.decode import decode_bytes

logger = logging.getLogger(__name__)

WORKER_COMMAND: tuple[str, ...] = (sys.executable, "-m", "ingest.pdf_worker")


@dataclass(frozen=True)
class PdfLimits:
    """Resource caps for one PDF parse."""

    timeout_s: float = 60.0
    memory_mb: int = 2048
    max_pages: int = 5000
    command: Sequence[str] = WORKER_COMMAND  # tests swap in workers that hang or crash


@dataclass(frozen=True)
class Loaded:
    """Raw page texts (cleaning comes later) and what the loader noticed."""

    pages: list[str]
    page_numbers: list[int | None]
    title: str | None = None
    warnings: list[str] = field(default_factory=list)


class LoadError(Exception):
    """A per-file failure with a reason code for the ingest report."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def load_text(path: Path) -> Loaded:
    """Read a .txt/.md file as one unpaged document (``page`` is null in citations)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise LoadError("vanished", "the file disappeared while it was being read") from exc
    except OSError as exc:
        raise LoadError("unreadable", exc.strerror or exc.__class__.__name__) from exc
    decoded = decode_bytes(data)
    warnings = [decoded.warning] if decoded.warning else []
    return Loaded(pages=[decoded.text], page_numbers=[None], warnings=warnings)


def _limit_memory(memory_mb: int) -> None:
    """Runs in the child before exec: cap its address space (a decompression bomb hits this)."""
    limit = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _run_worker(path: Path, limits: PdfLimits) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.Popen(  # noqa: S603 - fixed command, path passed as an argument
        [*limits.command, str(path), str(limits.max_pages)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: _limit_memory(limits.memory_mb),  # noqa: PLW1509
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=limits.timeout_s)
    except subprocess.TimeoutExpired as exc:
        proc.kill()
        proc.communicate()
        raise LoadError("timeout", f"parsing took longer than {limits.timeout_s:g} s") from exc
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _crash_reason(returncode: int, stderr: bytes) -> LoadError:
    if returncode < 0:
        name = signal.Signals(-returncode).name if -returncode in signal.valid_signals() else ""
        return LoadError("crashed", f"the PDF parser died with signal {name or -returncode}")
    if b"MemoryError" in stderr:
        return LoadError("limit_reached", "the PDF parser ran out of its memory allowance")
    return LoadError("crashed", f"the PDF parser exited with status {returncode}")


def load_pdf(path: Path, limits: PdfLimits) -> Loaded:
    """Parse a PDF in an isolated child; one record per page, page numbers from 1."""
    done = _run_worker(path, limits)
    try:
        result = json.loads(done.stdout.decode("utf-8", "replace") or "null")
    except json.JSONDecodeError:
        result = None
    if done.returncode != 0 or not isinstance(result, dict):
        raise _crash_reason(done.returncode, done.stderr)
    if result.get("status") != "ok":
        raise LoadError(str(result.get("status", "malformed")), str(result.get("detail", "")))
    pages = [str(page) for page in result.get("pages", [])]
    return Loaded(
        pages=pages,
        page_numbers=list(range(1, len(pages) + 1)),
        title=result.get("title"),
        warnings=list(result.get("warnings", [])),
    )


def load_file(path: Path, kind: str, limits: PdfLimits) -> Loaded:
    """Dispatch on the kind decided by ``gates.check_file``."""
    return load_pdf(path, limits) if kind == "pdf" else load_text(path)
