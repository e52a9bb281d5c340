"""Shared benchmark helpers: machine description, synthetic corpora, tables, JSON results."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
# generated corpora and stores are large: keep them out of the repository
WORK_DIR = Path(os.environ.get("ISECG_QA_BENCH_DIR", "/tmp/isecg-bench"))
SIZES = {"300": 300, "1k": 1_000, "10k": 10_000, "100k": 100_000}

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def machine() -> dict[str, Any]:
    """What the numbers were measured on (machines are shared: load average is part of it)."""
    model = ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next((line.split(":", 1)[1].strip() for line in out.splitlines() if "Model name" in line), "")
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu_model": model,
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def corpus(size: str, variants: int = 8) -> Path:
    """The synthetic corpus of that size, generated on first use (deterministic seed)."""
    from bench.synth import generate

    path = WORK_DIR / "corpora" / size
    if not (WORK_DIR / "corpora" / f"{size}.json").is_file():
        generate(path, SIZES[size], variants)
    return path


def corpus_stats(size: str) -> dict[str, Any]:
    return json.loads((WORK_DIR / "corpora" / f"{size}.json").read_text())


def percentiles(values: Sequence[float]) -> dict[str, float]:
    array = np.asarray(values, dtype=float)
    return {
        "p50": round(float(np.percentile(array, 50)), 2),
        "p95": round(float(np.percentile(array, 95)), 2),
        "n": len(values),
    }


def table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    """A markdown table (printed, and pasted into bench/README.md)."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(_cell(row.get(c, "")) for c in columns) + " |")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def write_result(name: str, payload: dict[str, Any]) -> Path:
    """bench/results/<name>.json with the machine description attached."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **payload}, indent=2) + "\n")
    return path
