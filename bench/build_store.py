"""Build a large store quickly for the query-latency benchmarks, through the real pipeline.

Embedding 100k passages of ~230 tokens with MiniLM on two shared cores takes hours (measured in
``ingest_bench``), and query latency does not depend on how the stored vectors were computed,
only on how many there are and their dimension. So this runs the real ``Ingestor`` (chunking,
units, manifest, Chroma writes, generation bump) with one difference, stated wherever its numbers
are shown: a chunk's vector is the normalised mean of the real MiniLM vectors of its sentences
instead of an embedding of its header and text. Unit vectors are real MiniLM embeddings (each
distinct sentence embedded once through the content-hash cache).

At 100k chunks the pipeline's writes (per file when the 100k store was built; now in batches of
``ISECG_QA_INGEST_BATCH_TEXTS``) would take hours here, so ``--bulk`` runs the same loader,
cleaner, chunker, glossary and ``ChunkStore.upsert`` but writes 1,000 chunks (and their ~9,000
units) per call and the manifest at the end; the store it makes is the same as the pipeline's
(same ids, documents, metadata, manifest and generation).

Usage: ``python -m bench.build_store 100k [--bulk]``
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import shutil
import time
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from bench.common import WORK_DIR, corpus, corpus_stats
from ingest.units import split_units

logger = logging.getLogger(__name__)

_HEADER = re.compile(r"\A[^\n]*\n\n")


class SentenceMeanEmbeddings(Embeddings):
    """Units: the real model (cached). Chunks (``header\\n\\ntext``): mean of their units' vectors."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts or "\n\n" not in texts[0]:  # unit texts are single-spaced sentences
            return self.inner.embed_documents(texts)
        sentences = [[u.text for u in split_units(_HEADER.sub("", t))] or [t] for t in texts]
        flat = self.inner.embed_documents([s for group in sentences for s in group])
        vectors, at = [], 0
        for group in sentences:
            mean = np.mean(np.asarray(flat[at : at + len(group)], dtype=np.float32), axis=0)
            vectors.append((mean / (np.linalg.norm(mean) or 1.0)).tolist())
            at += len(group)
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def store_dir(size: str) -> Path:
    return WORK_DIR / "stores" / size


def bulk_ingest(components, embeddings: Embeddings, batch: int = 1000) -> int:
    """The pipeline's per-file steps without its per-file writes; returns chunks written."""
    from datetime import UTC, datetime

    from ingest.chunking import build_chunks
    from ingest.clean import clean_pages
    from ingest.glossary import extract_glossary
    from ingest.loaders import PdfLimits, load_file
    from ingest.pipeline import discover, file_sha256, pretty_title
    from ingest.store import FileRecord

    settings = components.settings
    store = components.open_store(create=True)
    params = components_chunking(settings)
    pending, records, written = [], [], 0

    def flush() -> None:
        chunk_vectors = embeddings.embed_documents([f"{c.header()}\n\n{c.text}" for c in pending])
        unit_vectors = embeddings.embed_documents([u.text for c in pending for u in c.units])
        store.upsert(pending, chunk_vectors, unit_vectors)
        logger.info("%d chunks written", written + len(pending))

    for source, path in discover(settings.corpus_dir, settings.ignore_names):
        loaded, sha = load_file(path, "text", PdfLimits()), file_sha256(path)
        title = loaded.title or pretty_title(source)
        text, chunks = build_chunks(source, sha, title, clean_pages(loaded.pages), loaded.page_numbers, params)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        glossary = extract_glossary(text)
        records.append(FileRecord(source, sha, "complete", [c.id for c in chunks], None, title, now, 0, glossary))
        pending.extend(chunks)
        if len(pending) >= batch:
            flush()
            written, pending = written + len(pending), []
    if pending:
        flush()
        written += len(pending)
    for record in records:
        store.put_file(record)
    store.bump_generation()
    return written


def components_chunking(settings):
    from app.wiring import chunking_params

    return chunking_params(settings)


def _current(settings) -> bool:
    """Whether the store there opens with today's settings: a store built before a chunking or
    model change must be rebuilt, or the benchmarks would refuse it (or measure the old layout)."""
    from app.wiring import Components
    from ingest.store import StoreError

    components = Components(settings)
    store_dir = components.location.open_current()
    if store_dir is None:
        return False
    try:
        components.open_store(store_dir=store_dir)
    except StoreError as exc:  # other settings, or a store that no longer opens: build it again
        logger.info("rebuilding %s: %s", settings.store_dir, exc)
        return False
    components.location.release(store_dir)  # held while open; the benchmark opens it again itself
    return True


def build(size: str, bulk: bool = False) -> dict:
    """Build (or reuse) the benchmark store for ``size``; returns what it took."""
    from app.settings import Settings
    from app.wiring import Components

    target = store_dir(size)
    done = target / "build.json"
    settings = Settings(corpus_dir=corpus(size), store_dir=target, embedding_cache_entries=500_000)
    if done.is_file() and _current(settings):
        return json.loads(done.read_text())
    shutil.rmtree(target, ignore_errors=True)
    components = Components(settings)
    real = components.embeddings
    components.fingerprint  # noqa: B018 - computed from the real model before the swap
    components.__dict__["embeddings"] = SentenceMeanEmbeddings(real)  # replaces the cached_property value
    started = time.perf_counter()
    chunks = bulk_ingest(components, components.embeddings) if bulk else components.ingest().chunks_embedded
    seconds = time.perf_counter() - started
    cache = real.cache
    result = {
        "size": size,
        "corpus": corpus_stats(size),
        "chunks": chunks,
        "writes": "bulk (1,000 chunks per call)" if bulk else "pipeline (batches of ISECG_QA_INGEST_BATCH_TEXTS)",
        "seconds": round(seconds, 1),
        "distinct_texts_embedded": cache.misses if cache else None,
        "cache_hits": cache.hits if cache else None,
        "chunk_vectors": "normalised mean of the chunk's unit vectors (see bench/build_store.py)",
    }
    done.write_text(json.dumps(result, indent=2))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", choices=["300", "1k", "10k", "100k"])
    parser.add_argument("--bulk", action="store_true", help="write 1,000 chunks per call (see module doc)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for size in args.sizes:
        print(json.dumps(build(size, args.bulk)))


if __name__ == "__main__":
    main()
