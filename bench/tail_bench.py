"""Ingest overhead at scale, measured on the last files: the tail of a corpus into a store that
already holds the rest, beside the raw encoding of the same texts.

A full 100k-chunk ingest takes 1.6 h and a full raw encoding of its texts another 1.3 h, so one
clean raw / pipeline / raw triple does not fit an idle window on this shared machine. The costs
that grow with the store (HNSW inserts into a big graph, SQLite B-trees, manifest lookups) are at
their largest for the last files, so the overhead of ingesting the last ``--tail`` share of the
files into a store holding the others is an upper bound for the per-chunk overhead of the whole
ingest. The store is a copy of the one ``bench.ingest_bench <size>`` wrote (real embeddings);
the tail's files are first removed from it by an ingest without them (the pipeline's own delete
path), then ingested again, timed, between two raw encodings of exactly the texts it embeds.
The timed ingest also re-checks every unchanged file (a fresh ingest would not): that cost is in
the overhead too.

Usage: ``python -m bench.tail_bench 100k --tail 0.1`` (after ``python -m bench.ingest_bench 100k
--batch-texts 4000 …`` has built ``ingest-stores/100k-torch-plain-4000``)
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

from langchain_core.embeddings import DeterministicFakeEmbedding

from bench.common import SIZES, WORK_DIR, corpus, table, write_result
from bench.ingest_bench import components_at, recorded, timed_encode, timed_ingest
from ingest.store import StoreMismatchError

COLUMNS = ["size", "tail_files", "tail_chunks", "texts", "raw_s", "pipeline_s", "model_s", "outside_s", "overhead"]


def split_corpus(source: Path, work: Path, tail: float) -> tuple[Path, Path, list[Path]]:
    """A copy of the corpus in ``work``, and a side directory holding its last ``tail`` share of
    files (last in the order the pipeline ingests them)."""
    from ingest.pipeline import discover

    shutil.rmtree(work, ignore_errors=True)
    head, side = work / "corpus", work / "side"
    shutil.copytree(source, head)
    files = [path for _, path in discover(head, [])]
    moved = []
    for path in files[len(files) - max(1, round(tail * len(files))) :]:
        target = side / path.relative_to(head)
        target.parent.mkdir(parents=True, exist_ok=True)
        moved.append(path.rename(target))
    return head, side, moved


def restore(head: Path, side: Path, moved: list[Path]) -> None:
    """Put the tail's files back where ``split_corpus`` took them from."""
    for path in moved:
        target = head / path.relative_to(side)
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)


def tail_texts(side: Path, batch_texts: int) -> list[str]:
    """Every text the tail's ingest will embed: a fake-embedding ingest of the tail alone."""
    dry = components_at(side, WORK_DIR / "tail" / "dry-store", batch_texts=batch_texts)
    shutil.rmtree(WORK_DIR / "tail" / "dry-store", ignore_errors=True)
    recorder = recorded(dry, DeterministicFakeEmbedding(size=dry.embeddings.dimension))
    dry.ingest()
    return recorder.texts


def run(size: str, tail: float, batch_texts: int, source: Path) -> dict[str, Any]:
    if not (source / "CURRENT").is_file():
        raise SystemExit(f"no store at {source}: run `python -m bench.ingest_bench {size} --batch-texts {batch_texts}`")
    store = WORK_DIR / "tail" / f"{size}-store"
    shutil.rmtree(store, ignore_errors=True)
    shutil.copytree(source, store)
    head, side, moved = split_corpus(corpus(size), WORK_DIR / "tail" / size, tail)
    try:
        removed = components_at(head, store, batch_texts=batch_texts).ingest()
    except StoreMismatchError as exc:
        raise SystemExit(f"{source}: {exc} (rebuild it with `python -m bench.ingest_bench {size} …`)") from None
    texts = tail_texts(side, batch_texts)
    parts = components_at(head, store, batch_texts=batch_texts)
    model = parts.embeddings.model
    model.embed_documents(["warm up"])
    raws = [timed_encode(model, texts)]
    restore(head, side, moved)
    recorder = recorded(parts, parts.embeddings)
    seconds, report = timed_ingest(parts)
    raws.append(timed_encode(model, texts))
    if sorted(recorder.texts) != sorted(texts):
        raise SystemExit("the tail ingest embedded different texts than the dry run listed")
    raw = sum(raws) / 2
    return {
        "size": size,
        "tail_files": len(moved),
        "removed_chunks": sum(f.chunks for f in removed.files if f.status == "removed"),
        "tail_chunks": report.chunks_embedded,
        "texts": len(texts),
        "raw_runs_s": [round(x, 1) for x in raws],
        "raw_s": round(raw, 1),
        "pipeline_s": round(seconds, 1),
        "model_s": round(recorder.seconds, 1),
        "outside_s": round(seconds - recorder.seconds, 1),
        "overhead": round(seconds / raw - 1, 3),
        "model_calls_penalty": round(recorder.seconds / raw - 1, 3),
        "outside_share_of_raw": round((seconds - recorder.seconds) / raw, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=list(SIZES))
    parser.add_argument("--tail", type=float, default=0.1, help="share of the files (the last ones) to time")
    parser.add_argument("--batch-texts", type=int, default=4000)
    parser.add_argument("--name", default="ingest-tail")
    args = parser.parse_args()
    source = WORK_DIR / "ingest-stores" / f"{args.size}-torch-plain-{args.batch_texts}"
    result = run(args.size, args.tail, args.batch_texts, source)
    print(table([result], COLUMNS))
    print(write_result(args.name, {"results": [result]}))


if __name__ == "__main__":
    main()
