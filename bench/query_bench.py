"""Warm question latency at each corpus size, split by stage; BM25 build time and memory.

For every store (built by ``bench.build_store``) one process loads the service, answers one
question to warm up (model, snapshot, BM25), then asks and searches the eval set's test questions
``--rounds`` times. Stage times come from ``Answer.timings_ms``. Also measured on the same store:
the unit fetch for 20 candidates by id vs by a ``chunk_id $in`` metadata filter, and building the
BM25 index of the whole store (time, and peak Python-tracked memory via ``tracemalloc``, which
includes numpy/scipy arrays).

Usage: ``python -m bench.query_bench 1k 10k 100k [--rounds 3]``
"""

from __future__ import annotations

import argparse
import json
import random
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bench.build_store import store_dir
from bench.common import corpus_stats, percentiles, table, write_result

DATASET = Path(__file__).resolve().parent.parent / "evals" / "datasets" / "isecg-annual-report-2020.jsonl"
STAGES = ("embed", "dense", "bm25", "fusion", "rerank", "retrieve", "answer", "total")


def questions(split: str = "test") -> list[str]:
    rows = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row["question"] for row in rows if row.get("split") == split]


def service_for(size: str):
    from app.settings import Settings
    from app.wiring import Components

    components = Components(Settings(store_dir=store_dir(size), corpus_dir=store_dir(size) / "unused"))
    return components.service


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


def latency(service, items: list[str], rounds: int) -> dict[str, Any]:
    """p50/p95 of ``search`` wall time and of every ``ask`` stage over ``rounds`` passes."""
    stages: dict[str, list[float]] = {s: [] for s in STAGES}
    search: list[float] = []
    for _ in range(rounds):
        for question in items:
            started = time.perf_counter()
            service.search(question)
            search.append(_ms(started))
            answer = service.ask(question)
            for stage in STAGES:
                if stage in answer.timings_ms:
                    stages[stage].append(answer.timings_ms[stage])
    return {"search": percentiles(search), "ask": {s: percentiles(v) for s, v in stages.items() if v}}


def unit_fetch(service, items: list[str], repeats: int = 3) -> dict[str, Any]:
    """Fetching the units of each question's 20 candidates: by id (used) vs metadata filter (before)."""
    store = service.searcher.store
    candidate_sets = [service.searcher.search(q).ids[:20] for q in items]
    by_id, by_filter = [], []
    for _ in range(repeats):
        for ids in candidate_sets:
            started = time.perf_counter()
            store.units_for(ids)
            by_id.append(_ms(started))
            started = time.perf_counter()
            store.units_by_filter(ids)
            by_filter.append(_ms(started))
    return {"by_id_ms": percentiles(by_id), "by_filter_ms": percentiles(by_filter)}


def bm25_build(service) -> dict[str, Any]:
    """Rebuild the BM25 index over the snapshot's texts (what a generation change costs)."""
    from retriever.lexical import LexicalIndex
    from retriever.snapshot import header_of

    snap = service.searcher.snapshots.get()
    texts = [f"{header_of(m)}\n{t}" for t, m in zip(snap.texts, snap.metas, strict=True)]
    tracemalloc.start()
    started = time.perf_counter()
    index = LexicalIndex(snap.ids, texts)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"docs": len(index), "seconds": round(seconds, 2), "peak_mib": round(peak / 2**20, 1)}


def run(size: str, rounds: int, sample: int) -> dict[str, Any]:
    items = questions()
    random.Random(0).shuffle(items)
    items = items[:sample]
    started = time.perf_counter()
    service = service_for(size)
    service.ask(items[0])
    first = time.perf_counter() - started
    result = {
        "size": size,
        "chunks": service.searcher.store.count(),
        "corpus": corpus_stats(size),
        "first_question_s": round(first, 2),
        **latency(service, items, rounds),
        "unit_fetch": unit_fetch(service, items),
        "bm25_build": bm25_build(service),
    }
    build = store_dir(size) / "build.json"
    if build.is_file():
        result["store_build"] = json.loads(build.read_text())
    return result


def rows_of(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for r in results:
        ask = r["ask"]
        rows.append(
            {
                "size": r["size"],
                "chunks": r["chunks"],
                "search p50/p95": f"{r['search']['p50']:.0f} / {r['search']['p95']:.0f}",
                "ask p50/p95": f"{ask['total']['p50']:.0f} / {ask['total']['p95']:.0f}",
                **{s: ask[s]["p50"] for s in ("embed", "dense", "bm25", "fusion", "rerank", "answer") if s in ask},
                "units by id / filter": (
                    f"{r['unit_fetch']['by_id_ms']['p50']:.1f} / {r['unit_fetch']['by_filter_ms']['p50']:.1f}"
                ),
                "BM25 build s": r["bm25_build"]["seconds"],
                "BM25 MiB": r["bm25_build"]["peak_mib"],
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", choices=["1k", "10k", "100k"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sample", type=int, default=40, help="test questions per round")
    parser.add_argument("--name", default="query")
    args = parser.parse_args()
    results = [run(size, args.rounds, args.sample) for size in args.sizes]
    base = results[0]["ask"]["total"]["p50"]
    for r in results:
        r["ask_p50_vs_first_size"] = round(r["ask"]["total"]["p50"] / base, 2)
    columns = list(rows_of(results)[0])
    print(table(rows_of(results), columns))
    print("ask p50 relative to", results[0]["size"], {r["size"]: r["ask_p50_vs_first_size"] for r in results})
    print(write_result(args.name, {"results": results}))


if __name__ == "__main__":
    main()
