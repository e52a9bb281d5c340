"""Check an on-disk store in a child process: ``python -m ingest.probe CHROMA_DIR``.

Why a child: Chroma can segfault while loading a vector index that a killed writer left truncated
(chroma#7238), and a ``try`` cannot catch that. The child opens the store read-only in spirit
(it writes nothing), checks SQLite with ``PRAGMA quick_check``, compares each collection's count
with its rows, and asks the vector index for a sample of stored vectors: each must find itself.
It prints one JSON object; the parent turns a crash, a timeout or a failed check into one reason.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SAMPLE = 20


@dataclass(frozen=True)
class ProbeResult:
    """``ok`` or what is wrong, in one line."""

    ok: bool
    detail: str = ""


def _quick_check(chroma_dir: Path) -> str:
    database = chroma_dir / "chroma.sqlite3"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        return str(connection.execute("PRAGMA quick_check").fetchone()[0])


def _check_collection(collection: Any) -> str | None:
    got = collection.get(include=["embeddings"])
    if collection.count() != len(got["ids"]):
        return f"{collection.name}: count {collection.count()} but {len(got['ids'])} rows"
    step = max(1, len(got["ids"]) // SAMPLE)
    for vector in got["embeddings"][::step]:
        hit = collection.query(query_embeddings=[list(vector)], n_results=1, include=["distances"])
        if not hit["distances"][0] or hit["distances"][0][0] > 1e-3:
            return f"{collection.name}: the vector index does not find stored vectors"
    return None


def check(chroma_dir: Path) -> dict[str, Any]:
    """Run in the child: every check, first failure wins."""
    import chromadb
    from chromadb.config import Settings

    if not (chroma_dir / "chroma.sqlite3").is_file():
        return {"ok": False, "detail": "no database file"}
    integrity = _quick_check(chroma_dir)
    if integrity != "ok":
        return {"ok": False, "detail": f"SQLite quick_check: {integrity[:200]}"}
    client = chromadb.PersistentClient(path=str(chroma_dir), settings=Settings(anonymized_telemetry=False))
    for collection in client.list_collections():
        problem = _check_collection(client.get_collection(collection.name))
        if problem:
            return {"ok": False, "detail": problem}
    return {"ok": True, "detail": ""}


def probe_store(chroma_dir: Path, timeout_s: float = 300) -> ProbeResult:
    """Run ``check`` in a child; a crash or hang is a finding, never the caller's crash."""
    try:
        done = subprocess.run(  # noqa: S603 - fixed command
            [sys.executable, "-m", "ingest.probe", str(chroma_dir)],
            capture_output=True,
            timeout=timeout_s,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return ProbeResult(False, f"opening the store took longer than {timeout_s:g} s")
    if done.returncode < 0:
        return ProbeResult(False, f"opening the store crashed the process (signal {-done.returncode})")
    try:
        result = json.loads(done.stdout.decode("utf-8", "replace").strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        return ProbeResult(False, f"opening the store failed: {tail[0][:200]}")
    return ProbeResult(bool(result.get("ok")), str(result.get("detail", "")))


RETRIES = 3  # a failure that holds over this many tries, a few seconds apart, is damage


def _checked(chroma_dir: Path, pause_s: float = 0.5) -> dict[str, Any]:
    """``check``, tried again when it fails: a process writing the store (an ingest, the UI's
    corpus tab) can hold SQLite's lock or be rewriting an index file for a moment, and a store
    reported corrupt gets rebuilt by ``doctor --fix``. Real damage fails every time."""
    result: dict[str, Any] = {"ok": False, "detail": "not checked"}
    for attempt in range(RETRIES):
        try:
            result = check(chroma_dir)
        except Exception as exc:  # noqa: BLE001 - every failure is a finding for the parent
            result = {"ok": False, "detail": f"{exc.__class__.__name__}: {exc}"[:300]}
        if result.get("ok") or attempt + 1 == RETRIES:
            break
        time.sleep(pause_s * (attempt + 1))
    return result


def main() -> None:
    sys.stdout.write(json.dumps(_checked(Path(sys.argv[1]))) + "\n")


if __name__ == "__main__":
    main()
