"""Ingest throughput beside the raw throughput of the embedding model on the same texts.

In one process, on one synthetic corpus:
1. ``pipeline``: a full ingest into a fresh store with the embedding cache off; a recording
   wrapper keeps every text the pipeline embeds (chunks with their contextual header, and every
   unit sentence) and the time spent inside the model;
2. ``raw``: the same model encodes exactly those texts in one call (sentence-transformers sorts a
   call's texts by length, so this is the most favourable pure-encoding figure);
3. ``pipeline+cache``: a full ingest into another fresh store with the default content-hash cache.

Overhead = pipeline time / raw time - 1. Both use the same loaded model in the same run, so the
ratio survives a noisy shared machine better than either number alone.

Usage: ``python -m bench.ingest_bench 1k [--backend torch]``
"""

from __future__ import annotations

import argparse
import shutil
import time
from typing import Any

from langchain_core.embeddings import Embeddings

from bench.common import SIZES, WORK_DIR, corpus, corpus_stats, table, write_result

COLUMNS = [
    "size",
    "backend",
    "chunks",
    "texts_embedded",
    "distinct_texts",
    "raw_chunks_per_s",
    "pipeline_chunks_per_s",
    "overhead",
    "non_embedding_share",
    "per_file_calls_penalty",
    "pipeline_cached_chunks_per_s",
    "cache_speedup",
]


class RecordingEmbeddings(Embeddings):
    """Passes through to the model and remembers what it was asked to embed, and for how long."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.texts: list[str] = []
        self.seconds = 0.0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        started = time.perf_counter()
        vectors = self.inner.embed_documents(texts)
        self.seconds += time.perf_counter() - started
        self.texts.extend(texts)
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def components(size: str, run: str, backend: str, cache_entries: int):
    from app.settings import Settings
    from app.wiring import Components

    store = WORK_DIR / "ingest-stores" / f"{size}-{backend}-{run}"
    shutil.rmtree(store, ignore_errors=True)
    settings = Settings(
        corpus_dir=corpus(size),
        store_dir=store,
        embedding_backend=backend,
        embedding_export_dir=WORK_DIR / "models",
        embedding_cache_entries=cache_entries,
    )
    return Components(settings)


def timed_ingest(parts) -> tuple[float, Any]:
    started = time.perf_counter()
    report = parts.ingest()
    return time.perf_counter() - started, report


def run(size: str, backend: str) -> dict[str, Any]:
    plain = components(size, "plain", backend, cache_entries=0)
    model = plain.embeddings.model  # load before any clock starts
    model.embed_documents(["warm up"])
    recorder = RecordingEmbeddings(plain.embeddings)
    plain.fingerprint  # noqa: B018 - computed from the real model before the swap
    plain.__dict__["embeddings"] = recorder
    pipeline_s, report = timed_ingest(plain)
    chunks = report.chunks_embedded

    started = time.perf_counter()
    model.embed_documents(recorder.texts)
    raw_s = time.perf_counter() - started

    cached = components(size, "cached", backend, cache_entries=1_000_000)
    cached.embeddings._model = model  # the same loaded model, with a fresh cache in front
    cached_s, _ = timed_ingest(cached)
    cache = cached.embeddings.cache
    return {
        "size": size,
        "backend": backend,
        "corpus": corpus_stats(size),
        "chunks": chunks,
        "texts_embedded": len(recorder.texts),
        "distinct_texts": cache.misses,
        "raw_s": round(raw_s, 1),
        "pipeline_s": round(pipeline_s, 1),
        "pipeline_embed_s": round(recorder.seconds, 1),
        "pipeline_cached_s": round(cached_s, 1),
        "raw_chunks_per_s": round(chunks / raw_s, 2),
        "pipeline_chunks_per_s": round(chunks / pipeline_s, 2),
        "pipeline_cached_chunks_per_s": round(chunks / cached_s, 2),
        "overhead": round(pipeline_s / raw_s - 1, 3),
        # the model's own time inside the pipeline (its per-file calls) vs everything else
        "non_embedding_share": round(1 - recorder.seconds / pipeline_s, 3),
        "per_file_calls_penalty": round(recorder.seconds / raw_s - 1, 3),
        "cache_speedup": round(pipeline_s / cached_s, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", choices=list(SIZES))
    parser.add_argument("--backend", default="torch", choices=["torch", "onnx", "onnx-int8"])
    parser.add_argument("--name", default="ingest")
    args = parser.parse_args()
    results = [run(size, args.backend) for size in args.sizes]
    print(table(results, COLUMNS))
    print(write_result(args.name, {"results": results}))


if __name__ == "__main__":
    main()
