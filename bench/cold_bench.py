"""Cold start and peak memory: a fresh ``isecg-qa ask`` process per corpus size.

Wall time from process start to the printed answer (imports, model load, store open, snapshot and
BM25 build, one question) and the process's peak resident memory (``wait4`` rusage). Run twice
per size: the first run may also pay for reading the store from disk into the page cache.

Usage: ``python -m bench.cold_bench 1k 10k 100k``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any

from bench.build_store import store_dir
from bench.common import table, write_result

QUESTION = "How many organisations belonged to ISECG at the end of 2020?"


def cold_run(size: str) -> dict[str, Any]:
    env = {**os.environ, "ISECG_QA_STORE_DIR": str(store_dir(size))}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "ask", QUESTION, "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    out = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"ask on the {size} store failed")
    answer = json.loads(out)
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "abstained": answer["abstained"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", choices=["1k", "10k", "100k"])
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    results = []
    for size in args.sizes:
        runs = [cold_run(size) for _ in range(args.runs)]
        results.append(
            {
                "size": size,
                "runs": runs,
                "cold_start_s": min(r["seconds"] for r in runs),
                "first_run_s": runs[0]["seconds"],
                "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
            }
        )
    print(table(results, ["size", "first_run_s", "cold_start_s", "peak_rss_mib"]))
    print(write_result("cold", {"question": QUESTION, "results": results}))


if __name__ == "__main__":
    main()
