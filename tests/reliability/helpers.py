"""Assertions shared by the reliability tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ingest.report import FileReport, IngestReport


def by_path(report: IngestReport) -> dict[str, FileReport]:
    return {f.path: f for f in report.files}


def assert_retrievable(components, canary: str) -> None:
    """The canary's chunk is stored and searchable: the best BM25 hit. The full hybrid path runs too.

    Only BM25 is asserted on: the tiny test model's vectors mean nothing, so in a corpus of hundreds
    of chunks the dense rankings can push a lexical-only hit out of the fused top k.
    """
    service = components.service
    lexical = service.search(canary, k=3, mode="bm25")
    assert lexical and canary in lexical[0].text, f"{canary} not retrievable by BM25"
    assert service.search(canary, k=6), "hybrid search returned nothing"


def assert_absent(components, text: str) -> None:
    """No stored chunk contains ``text``."""
    store = components.service.searcher.store
    for _, documents, _ in store.iter_chunks():
        assert not any(text in d for d in documents), f"{text!r} found in the store"


def sqlite_quick_check(store_dir: Path) -> str:
    """``PRAGMA quick_check`` of the active Chroma database, on a read-only connection."""
    name = (store_dir / "CURRENT").read_text().strip()
    database = store_dir / "stores" / name / "chroma" / "chroma.sqlite3"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        return connection.execute("PRAGMA quick_check").fetchone()[0]


def load_bench(name: str = "load_test"):
    """``bench/<name>.py`` as a module: the tests run the very code the benchmark runs."""
    import importlib.util
    import sys

    module_name = f"bench_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    path = Path(__file__).resolve().parents[2] / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def serve_ui(components, **launch_overrides):
    """The real app (``app.ui``) for ``components`` on a free loopback port; returns (demo, url)."""
    import os

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from app.ui import build_ui, launch_kwargs

    demo = build_ui(components)
    kwargs = {**launch_kwargs(components.settings), **launch_overrides}
    _, url, _ = demo.launch(**kwargs, prevent_thread_lock=True, quiet=True)
    return demo, url.rstrip("/")
