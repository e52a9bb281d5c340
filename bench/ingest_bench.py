"""Ingest throughput beside the raw throughput of the embedding model on the same texts.

In one process, on one synthetic corpus:
1. a dry run with fake embeddings lists every text the pipeline will embed (chunks with their
   contextual header, and every unit sentence);
2. ``raw``: the model encodes exactly those texts in one call (sentence-transformers sorts a
   call's texts by length, so this is the most favourable pure-encoding figure);
3. ``pipeline``: a full ingest into a fresh store with the embedding cache off; a recording
   wrapper checks it embeds the same texts and keeps the time spent inside the model;
   then ``raw`` again. Steps 3-4 repeat ``--rounds`` times for each ``--batch-texts`` size;
5. ``pipeline+cache``: a full ingest into another fresh store with the default content-hash cache.

Overhead = pipeline time / raw time - 1, each pipeline run against the mean of the raw runs just
before and after it, median over the rounds. On this shared machine two identical encodings can
differ by 10 %, so a single pair of runs cannot resolve a 10 % target; alternating runs cancels
drift and the median drops an outlier. Both use the same loaded model in the same run.

Usage: ``python -m bench.ingest_bench 1k [--backend torch] [--rounds 2] [--batch-texts 1000 4000]``
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from langchain_core.embeddings import DeterministicFakeEmbedding, Embeddings

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


def components(size: str, run: str, backend: str, cache_entries: int, batch_texts: int | None = None):
    """Components over the synthetic corpus of ``size`` and a fresh store named for the run."""
    store = WORK_DIR / "ingest-stores" / f"{size}-{backend}-{run}"
    shutil.rmtree(store, ignore_errors=True)
    return components_at(corpus(size), store, backend, cache_entries, batch_texts)


def components_at(
    corpus_dir: Path, store: Path, backend: str = "torch", cache_entries: int = 0, batch_texts: int | None = None
):
    """The app's composition root over any corpus and store, with the bench's model directory."""
    from app.settings import Settings
    from app.wiring import Components

    extra = {} if batch_texts is None else {"ingest_batch_texts": batch_texts}
    settings = Settings(
        corpus_dir=corpus_dir,
        store_dir=store,
        embedding_backend=backend,
        embedding_export_dir=WORK_DIR / "models",
        embedding_cache_entries=cache_entries,
        **extra,
    )
    return Components(settings)


def timed_ingest(parts) -> tuple[float, Any]:
    started = time.perf_counter()
    report = parts.ingest()
    return time.perf_counter() - started, report


def recorded(parts, inner: Embeddings) -> RecordingEmbeddings:
    """Put a recorder in front of ``inner`` (the fingerprint is computed from the real model first)."""
    parts.fingerprint  # noqa: B018
    recorder = RecordingEmbeddings(inner)
    parts.__dict__["embeddings"] = recorder
    return recorder


def timed_encode(model: Any, texts: list[str], sample: float = 1.0) -> float:
    """Seconds to encode ``texts`` in one call; with ``sample`` < 1, an estimate from a share of them.

    At 100k chunks (700k texts) one full encoding takes 1.5 h. A plain random sample overstates
    the time (5 %: +40 % at 1k), because the model pads each batch to its longest text and a
    sparse sample's length-sorted neighbours differ more. So the sample is whole batches of the
    length-sorted full list, every n-th one: each batch the model sees is one it would see in the
    full call, with the same padding."""
    chosen = texts if sample >= 1 else sampled_batches(texts, sample, model.encode_kwargs.get("batch_size", 32))
    started = time.perf_counter()
    model.embed_documents(chosen)
    return (time.perf_counter() - started) * len(texts) / len(chosen)


def sampled_batches(texts: list[str], sample: float, batch: int) -> list[str]:
    """The middle batch of every ``round(1 / sample)`` consecutive ones, the texts sorted by length
    longest first as sentence-transformers sorts them (per-batch cost falls along that order, so
    the middle one stands for its group better than a random one)."""
    ordered = sorted(texts, key=len, reverse=True)
    step = max(1, round(1 / sample))
    offset = step // 2
    return [t for start in range(offset * batch, len(ordered), step * batch) for t in ordered[start : start + batch]]


def pipeline_round(size: str, backend: str, model: Embeddings, batch_texts: int, texts: list[str]) -> dict[str, Any]:
    """One full ingest into a fresh store, cache off, with the already loaded model."""
    parts = components(size, f"plain-{batch_texts}", backend, cache_entries=0, batch_texts=batch_texts)
    parts.embeddings._model = model
    recorder = recorded(parts, parts.embeddings)
    seconds, report = timed_ingest(parts)
    if sorted(recorder.texts) != sorted(texts):
        raise SystemExit("the dry run and the pipeline embedded different texts")
    return {
        "batch_texts": batch_texts,
        "seconds": seconds,
        "embed_s": recorder.seconds,
        "chunks": report.chunks_embedded,
    }


def variant(batch_texts: int, rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Median ratios over the rounds of one write-batch size (each round against its own raw pair)."""
    mine = [r for r in rounds if r["batch_texts"] == batch_texts]
    return {
        "batch_texts": batch_texts,
        "overhead": round(statistics.median(r["seconds"] / r["raw_s"] - 1 for r in mine), 3),
        "per_call_penalty": round(statistics.median(r["embed_s"] / r["raw_s"] - 1 for r in mine), 3),
        "non_embedding_share": round(statistics.median(1 - r["embed_s"] / r["seconds"] for r in mine), 3),
        "pipeline_s": round(statistics.median(r["seconds"] for r in mine), 1),
        "pipeline_embed_s": round(statistics.median(r["embed_s"] for r in mine), 1),
    }


def writes_only(size: str, backend: str) -> dict[str, Any]:
    """Everything but the model, at sizes where real embedding takes hours: an ingest whose
    embeddings are LangChain's deterministic fake (hash-seeded random vectors, ~0 s)."""
    parts = components(size, "dry", backend, cache_entries=0)
    recorder = recorded(parts, DeterministicFakeEmbedding(size=parts.embeddings.dimension))
    seconds, report = timed_ingest(parts)
    chunks = report.chunks_embedded
    return {
        "size": size,
        "chunks": chunks,
        "texts_embedded": len(recorder.texts),
        "seconds": round(seconds, 1),
        "fake_embedding_s": round(recorder.seconds, 1),
        "non_embedding_s": round(seconds - recorder.seconds, 1),
        "non_embedding_ms_per_chunk": round(1000 * (seconds - recorder.seconds) / chunks, 2),
    }


def cached_ingest(size: str, backend: str, model: Any) -> tuple[float, int]:
    """A full ingest with the default content-hash cache: seconds and distinct texts embedded."""
    parts = components(size, "cached", backend, cache_entries=1_000_000)
    parts.embeddings._model = model  # the same loaded model, with a fresh cache in front
    seconds, _ = timed_ingest(parts)
    return seconds, parts.embeddings.cache.misses


def sample_error(model: Any, texts: list[str], sample: float) -> float | None:
    """How far the sampled batches' padded token count, scaled up, is from the full list's: the
    sampling design's own error, free of timing noise (10k chunks, 5 %: 0.6 %)."""
    if sample >= 1:
        return None
    st = model._client
    batch = model.encode_kwargs.get("batch_size", 32)

    def padded(chosen: list[str]) -> int:
        ordered = sorted(chosen, key=len, reverse=True)
        ids = st.tokenizer(ordered, truncation=True, max_length=st.max_seq_length)["input_ids"]
        return sum(len(part) * max(map(len, part)) for part in (ids[i : i + batch] for i in range(0, len(ids), batch)))

    chosen = sampled_batches(texts, sample, batch)
    return round(padded(chosen) * len(texts) / len(chosen) / padded(texts) - 1, 4)


def run(size: str, backend: str, batches: list[int], rounds: int, sample: float, cached: bool) -> dict[str, Any]:
    dry = components(size, "dry", backend, cache_entries=0)
    texts = recorded(dry, DeterministicFakeEmbedding(size=dry.embeddings.dimension))
    dry.ingest()
    model = components(size, "model", backend, cache_entries=0).embeddings.model  # loaded before any clock
    model.embed_documents(["warm up"])
    error = sample_error(model, texts.texts, sample)
    raws = [timed_encode(model, texts.texts, sample)]
    done = []
    for _ in range(rounds):  # raw, pipeline, raw, pipeline, ... raw: each pipeline between two raws
        for batch_texts in batches:
            done.append(pipeline_round(size, backend, model, batch_texts, texts.texts))
            raws.append(timed_encode(model, texts.texts, sample))
            done[-1]["raw_s"] = (raws[-2] + raws[-1]) / 2
    chunks = done[0]["chunks"]
    cached_s, distinct = cached_ingest(size, backend, model) if cached else (None, None)
    variants = [variant(b, done) for b in batches]
    main, raw_s = variants[0], statistics.median(raws)
    return {
        "size": size,
        "backend": backend,
        "corpus": corpus_stats(size),
        "chunks": chunks,
        "texts_embedded": len(texts.texts),
        "distinct_texts": distinct,
        "rounds": rounds,
        "raw_sample": sample,
        "raw_sample_padded_tokens_error": error,
        "raw_runs_s": [round(x, 1) for x in raws],
        "raw_s": round(raw_s, 1),
        "pipeline_s": main["pipeline_s"],
        "pipeline_embed_s": main["pipeline_embed_s"],
        "pipeline_cached_s": cached_s and round(cached_s, 1),
        "raw_chunks_per_s": round(chunks / raw_s, 2),
        "pipeline_chunks_per_s": round(chunks / main["pipeline_s"], 2),
        "pipeline_cached_chunks_per_s": cached_s and round(chunks / cached_s, 2),
        "overhead": main["overhead"],
        # the model's own time inside the pipeline (its per-batch calls) vs everything else
        "non_embedding_share": main["non_embedding_share"],
        "per_file_calls_penalty": main["per_call_penalty"],
        "cache_speedup": cached_s and round(main["pipeline_s"] / cached_s, 2),
        "variants": variants,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", choices=list(SIZES))
    parser.add_argument("--backend", default="torch", choices=["torch", "onnx", "onnx-int8"])
    parser.add_argument("--name", default="ingest")
    parser.add_argument("--rounds", type=int, default=2, help="pipeline runs per batch size, each between two raw runs")
    parser.add_argument(
        "--batch-texts", type=int, nargs="+", default=[1000], help="write-batch sizes to compare (first = reported)"
    )
    parser.add_argument(
        "--raw-sample", type=float, default=1.0, help="encode this random share of the texts for raw runs, scaled up"
    )
    parser.add_argument("--no-cached", action="store_true", help="skip the ingest with the embedding cache on")
    parser.add_argument("--writes-only", action="store_true", help="fake embeddings: the cost of everything else")
    args = parser.parse_args()
    if args.writes_only:
        results = [writes_only(size, args.backend) for size in args.sizes]
        print(table(results, list(results[0])))
        print(write_result(args.name, {"results": results}))
        return
    results = [
        run(size, args.backend, args.batch_texts, args.rounds, args.raw_sample, not args.no_cached)
        for size in args.sizes
    ]
    print(table(results, COLUMNS))
    print(write_result(args.name, {"results": results}))


if __name__ == "__main__":
    main()
