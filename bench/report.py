"""Markdown tables for bench/README.md, made from bench/results/*.json (so the README can't drift)."""

from __future__ import annotations

import json
from typing import Any

from bench.common import RESULTS_DIR, table
from bench.ingest_bench import COLUMNS
from bench.query_bench import rows_of


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS_DIR / f"{name}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def machine_line(result: dict[str, Any]) -> str:
    m = result["machine"]
    return (
        f"_{m['cpu_model']}, {m['cores']} cores, {m['memory_gib']} GiB; load average at the end "
        f"{' / '.join(str(x) for x in m['load_average'])}; {m['when']} UTC_"
    )


def ingest_section(result: dict[str, Any]) -> str:
    for r in result["results"]:
        r.setdefault("non_embedding_share", round(1 - r["pipeline_embed_s"] / r["pipeline_s"], 3))
        r.setdefault("per_file_calls_penalty", round(r["pipeline_embed_s"] / r["raw_s"] - 1, 3))
    seconds = ["raw_s", "pipeline_s", "pipeline_embed_s", "pipeline_cached_s"]
    columns = COLUMNS[:5] + seconds + COLUMNS[5:]
    parts = [table(result["results"], columns)]
    variants = [{"size": r["size"], **v} for r in result["results"] for v in r.get("variants", [])]
    if variants:  # write-batch sizes compared in the same run (median over rounds)
        order = ["batch_texts", "pipeline_s", "pipeline_embed_s", "overhead", "per_call_penalty", "non_embedding_share"]
        parts.append(table(variants, ["size", *order]))
    notes = [f"_{r['size']}: {r['note']}_" for r in result["results"] if r.get("note")]
    return "\n\n".join([*parts, *notes, machine_line(result)])


def writes_section(result: dict[str, Any]) -> str:
    """``ingest_bench --writes-only``: everything but the model, by corpus size."""
    return table(result["results"], list(result["results"][0])) + "\n\n" + machine_line(result)


def tail_section(result: dict[str, Any]) -> str:
    """``tail_bench``: the last files of a corpus into a store holding the rest."""
    from bench.tail_bench import COLUMNS as TAIL

    columns = [*TAIL, "model_calls_penalty", "outside_share_of_raw", "raw_runs_s"]
    return table(result["results"], columns) + "\n\n" + machine_line(result)


def query_section(result: dict[str, Any]) -> str:
    rows = rows_of(result["results"])
    for row, r in zip(rows, result["results"], strict=True):
        row["ask p50 vs 1k"] = r.get("ask_p50_vs_first_size")
        row["first question s"] = r["first_question_s"]
    return table(rows, list(rows[0])) + "\n\n" + machine_line(result)


def cold_section(result: dict[str, Any]) -> str:
    return (
        table(result["results"], ["size", "first_run_s", "cold_start_s", "peak_rss_mib"])
        + "\n\n"
        + machine_line(result)
    )


def embedding_section(result: dict[str, Any]) -> str:
    parts = []
    if "torch_settings" in result:
        parts.append(table(result["torch_settings"], ["batch_size", "threads", "seconds", "chunks_per_s"]))
    columns = [
        "backend",
        "raw_chunks_per_s",
        "raw_speedup",
        "ingest_chunks_per_s",
        "ingest_speedup",
        "evidence_recall",
        "recall_delta_points",
    ]
    parts.append(table(result["backends"]["rows"], columns))
    parts.append("Agreement with torch vectors: `" + json.dumps(result["backends"]["agreement"]) + "`")
    parts.append(f"Sample: {result['sample']}; versions: {result['versions']}")
    parts.append(machine_line(result))
    return "\n\n".join(parts)


def main() -> None:
    for name, render in (
        ("ingest", ingest_section),
        ("ingest-batched", ingest_section),
        ("ingest-10k", ingest_section),
        ("ingest-writes", writes_section),
        ("ingest-100k", ingest_section),
        ("ingest-tail-100k", tail_section),
        ("query", query_section),
        ("query-1k-v6", query_section),
        ("query-100k-v6", query_section),
        ("query-100k-v11", query_section),
        ("query-100k-s15", query_section),
        ("query-100k-s16", query_section),
        ("cold", cold_section),
        ("embedding", embedding_section),
    ):
        result = _load(name)
        if result is not None:
            print(f"### {name}\n\n{render(result)}\n")


if __name__ == "__main__":
    main()
