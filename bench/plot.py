"""Latency and memory against corpus size, from bench/results/query.json and cold.json."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from bench.common import RESULTS_DIR  # noqa: E402


def main() -> None:
    query = json.loads((RESULTS_DIR / "query.json").read_text())["results"]
    cold = {r["size"]: r for r in json.loads((RESULTS_DIR / "cold.json").read_text())["results"]}
    chunks = [r["chunks"] for r in query]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for label, values in (
        ("ask p50", [r["ask"]["total"]["p50"] for r in query]),
        ("ask p95", [r["ask"]["total"]["p95"] for r in query]),
        ("search p50", [r["search"]["p50"] for r in query]),
        ("embed p50", [r["ask"]["embed"]["p50"] for r in query]),
        ("dense p50", [r["ask"]["dense"]["p50"] for r in query]),
        ("bm25 p50", [r["ask"]["bm25"]["p50"] for r in query]),
    ):
        left.plot(chunks, values, marker="o", label=label)
    left.set(xscale="log", yscale="log", xlabel="chunks in store", ylabel="ms (warm)", title="Question latency")
    left.legend(fontsize=8)
    left.grid(alpha=0.3, which="both")
    right.plot(chunks, [cold[r["size"]]["peak_rss_mib"] for r in query], marker="o", label="peak RSS, one ask")
    right.plot(chunks, [r["bm25_build"]["peak_mib"] for r in query], marker="o", label="BM25 build peak")
    right.set(xscale="log", xlabel="chunks in store", ylabel="MiB", title="Memory")
    right.legend(fontsize=8)
    right.grid(alpha=0.3, which="both")
    fig.tight_layout()
    target = RESULTS_DIR / "scaling.png"
    fig.savefig(target, dpi=110)
    print(target)


if __name__ == "__main__":
    main()
