"""Harness for kill -9 tests: ingest runs in forked children that the test SIGKILLs at will.

Children come from a ``forkserver`` that imported the whole app once, so a child starts in
milliseconds instead of paying ~5-10 s of torch / transformers / chromadb imports each time; what
runs in it is exactly ``isecg-qa ingest`` (``app.cli.main``). The store is read back in a fresh
child too, so nothing cached in the test process (Chroma keeps one client per path) can hide
what is on disk, and a crash while reopening a damaged store cannot take the test down.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

PRELOAD = [
    "app.cli",
    "app.wiring",
    "ingest.pipeline",
    "retriever.search",
    "chromadb",
    "langchain_huggingface",
    "sentence_transformers",
    "tests.reliability.crash",
]
COLLECTIONS = ("isecg-qa-chunks", "isecg-qa-units", "isecg-qa-files")


def context() -> multiprocessing.context.ForkServerContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def _nothing() -> None:
    """Child body that only proves the server is up."""


def warm_up() -> None:
    """Start the forkserver (it imports the app once, ~5-10 s) before anything is timed."""
    process = context().Process(target=_nothing)
    process.start()
    process.join(300)
    assert process.exitcode == 0


def _redirect(stdout: str | None) -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(os.open(stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644) if stdout else devnull, 1)
    os.dup2(devnull, 2)


def _cli(env: dict[str, str], argv: list[str], stdout: str | None) -> None:
    """Child body: ``isecg-qa ARGV`` with ``env`` added; stdout to a file or discarded."""
    _redirect(stdout)
    os.environ.update(env)
    from tqdm import tqdm

    from app.cli import main

    tqdm.set_lock(threading.RLock())  # not tqdm's multiprocessing lock: a killed child would leak it

    raise SystemExit(main(argv))


def start_cli(env: dict[str, str], argv: list[str], stdout: Path | None = None) -> multiprocessing.Process:
    process = context().Process(target=_cli, args=(env, argv, str(stdout) if stdout else None))
    process.start()
    return process


def run_cli(env: dict[str, str], argv: list[str], stdout: Path | None = None, timeout: float = 120) -> float:
    """Run to completion; returns seconds taken (asserts exit 0)."""
    started = time.perf_counter()
    process = start_cli(env, argv, stdout)
    process.join(timeout)
    assert process.exitcode == 0, f"isecg-qa {' '.join(argv)} exited {process.exitcode}"
    return time.perf_counter() - started


def kill_after(env: dict[str, str], argv: list[str], seconds: float) -> bool:
    """Start ``isecg-qa ARGV`` and SIGKILL it after ``seconds``; True if it was still running."""
    process = start_cli(env, argv)
    process.join(seconds)
    alive = process.is_alive()
    if alive:
        os.kill(process.pid, signal.SIGKILL)
    process.join(30)
    return alive and process.exitcode == -signal.SIGKILL


def _dump(store_root: str, out: str) -> None:
    """Child body: every collection of the active store as JSON (ids, documents, metadata, vectors)."""
    import chromadb
    from chromadb.config import Settings

    name = (Path(store_root) / "CURRENT").read_text().strip()
    client = chromadb.PersistentClient(
        path=str(Path(store_root) / "stores" / name / "chroma"), settings=Settings(anonymized_telemetry=False)
    )
    state: dict[str, Any] = {"store": name}
    for collection_name in COLLECTIONS:
        collection = client.get_collection(collection_name)
        got = collection.get(include=["documents", "metadatas", "embeddings"])
        rows = {
            i: {"document": d, "metadata": m, "embedding": [float(x) for x in e]}
            for i, d, m, e in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True)
        }
        nearest_ok = True
        for row_id in sorted(rows)[:: max(1, len(rows) // 15)]:  # HNSW agrees with SQLite
            hit = collection.query(query_embeddings=[rows[row_id]["embedding"]], n_results=1)
            nearest_ok &= bool(hit["distances"][0]) and hit["distances"][0][0] < 1e-3
        state[collection_name] = {"rows": rows, "count": collection.count(), "nearest_ok": nearest_ok}
    Path(out).write_text(json.dumps(state))


def read_state(store_root: Path, out: Path) -> dict[str, Any]:
    process = context().Process(target=_dump, args=(str(store_root), str(out)))
    process.start()
    process.join(120)
    assert process.exitcode == 0, f"reading the store back crashed (exit {process.exitcode})"
    return json.loads(out.read_text())


def comparable(state: dict[str, Any]) -> dict[str, Any]:
    """What must match a clean run exactly: ids, texts and metadata of chunks and units, and the
    manifest minus its timestamps. Vectors are compared separately (float tolerance)."""
    out: dict[str, Any] = {}
    for name in ("isecg-qa-chunks", "isecg-qa-units"):
        out[name] = {i: (r["document"], r["metadata"]) for i, r in state[name]["rows"].items()}
    manifest = {}
    for source, row in state["isecg-qa-files"]["rows"].items():
        record = json.loads(row["document"])
        record.pop("ingested_at", None)
        manifest[source] = record
    out["manifest"] = manifest
    return out


def vectors(state: dict[str, Any]) -> dict[str, list[float]]:
    return {i: r["embedding"] for name in ("isecg-qa-chunks", "isecg-qa-units") for i, r in state[name]["rows"].items()}


def stop_forkserver() -> None:
    """End the preloaded server (it would otherwise live until the test session exits)."""
    from multiprocessing import forkserver

    with contextlib.suppress(Exception):
        forkserver._forkserver._stop()
