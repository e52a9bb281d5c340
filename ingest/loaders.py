"""Load a checked corpus file into page texts.

PDFs are parsed by ``ingest.pdf_worker`` in a child process with a wall-clock timeout and an
address-space cap: pypdf's own advice is that the caller must contain its failures, and a hang
or a segfault cannot be caught with ``try``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.decode import decode_bytes
from ingest.gates import open_failure, open_regular

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


def _open(path: Path) -> int:
    """A descriptor of ``path`` if it is still a regular file (see ``gates.open_regular``)."""
    try:
        return open_regular(path)
    except OSError as exc:
        raise LoadError(*open_failure(exc)) from exc


def load_text(path: Path, max_bytes: int | None = None) -> Loaded:
    """Read a .txt/.md file as one unpaged document (``page`` is null in citations).

    Reads at most ``max_bytes`` + 1: a file that grew past the cap after the gate looked at it is
    refused, not read to the end.
    """
    try:
        with os.fdopen(_open(path), "rb") as handle:
            data = handle.read(-1 if max_bytes is None else max_bytes + 1)
    except OSError as exc:
        raise LoadError(*open_failure(exc)) from exc
    if max_bytes is not None and len(data) > max_bytes:
        raise LoadError("too_large", f"the file grew past the {max_bytes / 2**20:.0f} MiB cap while being read")
    decoded = decode_bytes(data)
    warnings = [decoded.warning] if decoded.warning else []
    return Loaded(pages=[decoded.text], page_numbers=[None], warnings=warnings)


def _resource_limits(memory_mb: int, timeout_s: float) -> Callable[[], None]:
    """What the child runs before exec: the caps that make a hostile PDF harmless.

    - address space: a decompression bomb or runaway allocation fails with MemoryError;
    - CPU seconds, a little above the wall-clock timeout: if the parent is killed (``kill -9``
      during ingest) an orphaned worker stuck in a pypdf loop still dies instead of spinning on;
    - no core file: a segfaulting parser must not write hundreds of MB into the working directory.

    The numbers are computed here, in the parent: between fork and exec the child of a threaded
    process (the UI ingests uploads) should run as little Python as possible.
    """
    memory = memory_mb * 2**20
    cpu = math.ceil(timeout_s) + 2
    limits = (
        (resource.RLIMIT_AS, (memory, memory)),
        (resource.RLIMIT_CPU, (cpu, cpu + 2)),
        (resource.RLIMIT_CORE, (0, 0)),
    )

    def apply() -> None:
        for which, value in limits:
            resource.setrlimit(which, value)

    return apply


def _run_worker(path: Path, limits: PdfLimits) -> subprocess.CompletedProcess[bytes]:
    """Start the worker on an already checked descriptor (it reads ``/dev/fd/N``, not the name)."""
    fd = _open(path)
    try:
        proc = subprocess.Popen(  # noqa: S603 - fixed command, no shell, no file name in argv
            [*limits.command, f"/dev/fd/{fd}", str(limits.max_pages)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(fd,),
            preexec_fn=_resource_limits(limits.memory_mb, limits.timeout_s),  # noqa: PLW1509
            start_new_session=True,  # its own process group: a timeout kills everything it started
        )
    finally:
        os.close(fd)
    try:
        out, err = proc.communicate(timeout=limits.timeout_s)
    except subprocess.TimeoutExpired as exc:
        _kill_group(proc)
        raise LoadError("timeout", f"parsing took longer than {limits.timeout_s:g} s") from exc
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the worker's whole group, then reap it (a grandchild must not hold the pipes open)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.kill()
    proc.communicate()


def _crash_reason(returncode: int, stderr: bytes) -> LoadError:
    if returncode < 0:
        signum = -returncode
        if signum == signal.SIGXCPU:
            return LoadError("timeout", "the PDF parser used up its CPU allowance")
        name = signal.Signals(signum).name if signum in signal.valid_signals() else str(signum)
        return LoadError("crashed", f"the PDF parser died with signal {name}")
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


def load_file(path: Path, kind: str, limits: PdfLimits, max_bytes: int | None = None) -> Loaded:
    """Dispatch on the kind decided by ``gates.check_file``."""
    return load_pdf(path, limits) if kind == "pdf" else load_text(path, max_bytes)
