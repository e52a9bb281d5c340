"""Faster embedding: batch size and threads (torch), then ONNX and int8 ONNX, measured side by side.

1. ``settings``: raw encoding of a fixed sample of what ingest embeds (chunks with their header
   plus their unit sentences) with torch at several batch sizes and thread counts.
2. ``backends``: for torch, onnx and onnx-int8, in interleaved rounds (so machine noise hits all
   three alike): raw encoding of the sample, and a full ingest (default pipeline, cache on) of a
   300-chunk synthetic corpus; then each backend builds a store of the real report and runs the
   eval set's test split through the CLI (``isecg-qa eval --split test``) for evidence recall.

A backend becomes the default only if its ingest throughput is at least 2x torch's while evidence
recall drops by at most one point.

Usage: ``python -m bench.embed_bench [--rounds 2]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import WORK_DIR, corpus, table, write_result

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "evals" / "datasets" / "isecg-annual-report-2020.jsonl"
BACKENDS = ("torch", "onnx", "onnx-int8")


def sample_texts(files: int = 10) -> tuple[list[str], list[str]]:
    """Chunk and unit texts of the first files of the 1k corpus, exactly as ingest embeds them."""
    from ingest.chunking import ChunkingParams, build_chunks
    from ingest.clean import clean_pages
    from ingest.loaders import PdfLimits, load_file
    from ingest.pipeline import pretty_title

    chunk_texts, unit_texts = [], []
    for path in sorted(corpus("1k").glob("*.txt"))[:files]:
        loaded = load_file(path, "text", PdfLimits())
        title = loaded.title or pretty_title(path.name)
        _, chunks = build_chunks(path.name, "0", title, clean_pages(loaded.pages), [None], ChunkingParams())
        chunk_texts += [f"{c.header()}\n\n{c.text}" for c in chunks]
        unit_texts += [u.text for c in chunks for u in c.units]
    return chunk_texts, unit_texts


def spec(backend: str, batch_size: int = 64, threads: int = 0):
    from ingest.embedding import EmbeddingSpec, backend_model_id, packaged_model

    path, model_id = packaged_model()
    return EmbeddingSpec(
        path=path,
        model_id=backend_model_id(model_id, backend),
        batch_size=batch_size,
        threads=threads,
        backend=backend,  # type: ignore[arg-type]
        export_dir=WORK_DIR / "models",
    )


def encode_rate(model, chunk_texts: list[str], unit_texts: list[str]) -> dict[str, float]:
    started = time.perf_counter()
    model.embed_documents(chunk_texts)
    model.embed_documents(unit_texts)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "chunks_per_s": round(len(chunk_texts) / seconds, 2)}


def torch_settings(chunk_texts: list[str], unit_texts: list[str]) -> list[dict[str, Any]]:
    from ingest.embedding import make_embeddings

    rows = []
    for batch, threads in ((16, 2), (32, 2), (64, 2), (128, 2), (64, 1)):
        model = make_embeddings(spec("torch", batch, threads))
        model.embed_documents(["warm up"])
        rows.append({"batch_size": batch, "threads": threads, **encode_rate(model, chunk_texts, unit_texts)})
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    return rows


def ingest_rate(backend: str, model, round_no: int) -> float:
    """Chunks/s of a full default ingest (cache on) of the 300-chunk corpus with this backend."""
    from app.settings import Settings
    from app.wiring import Components

    store = WORK_DIR / "embed-stores" / f"{backend}-{round_no}"
    shutil.rmtree(store, ignore_errors=True)
    settings = Settings(
        corpus_dir=corpus("300"), store_dir=store, embedding_backend=backend, embedding_export_dir=WORK_DIR / "models"
    )
    parts = Components(settings)
    parts.embeddings._model = model  # loaded once per backend, outside the clock
    started = time.perf_counter()
    report = parts.ingest()
    return report.chunks_embedded / (time.perf_counter() - started)


def eval_recall(backend: str) -> dict[str, Any]:
    """Build a store of the real report with this backend, then run the test split through the CLI."""
    store = WORK_DIR / "eval-stores" / backend
    shutil.rmtree(store, ignore_errors=True)
    env = {
        **os.environ,
        "ISECG_QA_STORE_DIR": str(store),
        "ISECG_QA_EMBEDDING_BACKEND": backend,
        "ISECG_QA_EMBEDDING_EXPORT_DIR": str(WORK_DIR / "models"),
    }
    cli = [sys.executable, "-m", "app"]
    subprocess.run([*cli, "ingest", "--json"], env=env, check=True, capture_output=True, cwd=ROOT)
    out = subprocess.run(
        [*cli, "eval", str(DATASET), "--split", "test", "--json"], env=env, check=True, capture_output=True, cwd=ROOT
    ).stdout
    return next(iter(json.loads(out).values()))


def agreement(models: dict[str, Any], texts: list[str]) -> dict[str, float]:
    """Lowest and mean cosine between each backend's vectors and torch's on the same texts."""
    reference = np.asarray(models["torch"].embed_documents(texts))
    result = {}
    for name, model in models.items():
        if name != "torch":
            cos = np.sum(np.asarray(model.embed_documents(texts)) * reference, axis=1)
            result[name] = {"min_cos": round(float(cos.min()), 4), "mean_cos": round(float(cos.mean()), 4)}
    return result


def backends(
    chunk_texts: list[str], unit_texts: list[str], rounds: int, names: tuple[str, ...] = BACKENDS
) -> dict[str, Any]:
    """Rounds alternate the order (ABC, CBA, ...) so a steady drift in machine load cancels out."""
    from ingest.embedding import make_embeddings

    models = {b: make_embeddings(spec(b)) for b in names}
    for model in models.values():
        model.embed_documents(["warm up"])
    raw: dict[str, list[float]] = {b: [] for b in names}
    ingest: dict[str, list[float]] = {b: [] for b in names}
    for round_no in range(rounds):
        order = names if round_no % 2 == 0 else tuple(reversed(names))
        for backend in order:
            raw[backend].append(encode_rate(models[backend], chunk_texts, unit_texts)["chunks_per_s"])
            ingest[backend].append(ingest_rate(backend, models[backend], round_no))
    rows = []
    for backend in names:
        rows.append(
            {
                "backend": backend,
                "raw_chunks_per_s": round(float(np.mean(raw[backend])), 2),
                "ingest_chunks_per_s": round(float(np.mean(ingest[backend])), 2),
                "raw_runs": raw[backend],
                "ingest_runs": [round(x, 2) for x in ingest[backend]],
            }
        )
    torch_row = rows[0]
    for row in rows:
        row["ingest_speedup"] = round(row["ingest_chunks_per_s"] / torch_row["ingest_chunks_per_s"], 2)
        row["raw_speedup"] = round(row["raw_chunks_per_s"] / torch_row["raw_chunks_per_s"], 2)
    return {"rows": rows, "agreement": agreement(models, chunk_texts[:50] + unit_texts[:200])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--skip-settings", action="store_true")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated, torch first")
    parser.add_argument("--skip-eval", action="store_true", help="speed only (recall does not depend on load)")
    parser.add_argument("--name", default="embedding")
    args = parser.parse_args()
    chunk_texts, unit_texts = sample_texts()
    result: dict[str, Any] = {
        "sample": {"chunks": len(chunk_texts), "units": len(unit_texts)},
        "versions": {p: version(p) for p in ("torch", "sentence-transformers", "transformers", "onnxruntime")},
    }
    if not args.skip_settings:
        result["torch_settings"] = torch_settings(chunk_texts, unit_texts)
        print(table(result["torch_settings"], ["batch_size", "threads", "seconds", "chunks_per_s"]))
    result["backends"] = backends(chunk_texts, unit_texts, args.rounds, tuple(args.backends.split(",")))
    for row in [] if args.skip_eval else result["backends"]["rows"]:
        metrics = eval_recall(row["backend"])
        row["eval"] = metrics
        row["evidence_recall"] = metrics.get("evidence_recall")
    base = result["backends"]["rows"][0].get("evidence_recall")
    for row in result["backends"]["rows"]:
        if base is not None and row.get("evidence_recall") is not None:
            row["recall_delta_points"] = round(100 * (row["evidence_recall"] - base), 2)
    columns = ["backend", "raw_chunks_per_s", "raw_speedup", "ingest_chunks_per_s", "ingest_speedup"]
    print(table(result["backends"]["rows"], [*columns, "evidence_recall", "recall_delta_points"]))
    print(json.dumps(result["backends"]["agreement"]))
    print(write_result(args.name, result))


if __name__ == "__main__":
    main()
