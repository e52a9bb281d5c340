"""Evaluate tab callbacks: pick or upload a dataset, run it through the service, report.

Scoring and reports are ``evals``' job (``run``, ``summarize``, ``write_report``); this module
only chooses the dataset safely, feeds progress to the UI and hands back what to display.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.ui_chat import AskOptions
from app.ui_errors import UIError
from app.ui_render import worst_items_html
from evals.dataset import Dataset, load_dataset
from evals.report import metrics_table, per_type_table, write_report
from evals.runner import AnswerService, RunConfig, abstention_curves, run, summarize

logger = logging.getLogger(__name__)

SPLITS = ("all", "dev", "test")

Progress = Callable[[float, str], None]


def _no_progress(fraction: float, message: str) -> None:
    """Progress sink for callers that show none."""


@dataclass
class EvalView:
    """What the tab shows after a run, plus the report files offered for download."""

    label: str
    items: int
    metrics_markdown: str
    per_type_markdown: str
    chart: Path
    worst_html: str
    files: list[Path] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def list_datasets(datasets_dir: Path) -> list[str]:
    """Names of the JSONL datasets shipped with the project (the dropdown's choices)."""
    if not datasets_dir.is_dir():
        return []
    return sorted(p.name for p in datasets_dir.glob("*.jsonl") if p.is_file() and not p.name.startswith("."))


def choose_dataset(choice: str | None, upload: str | None, datasets_dir: Path, max_bytes: int) -> Path:
    """An uploaded file wins; otherwise a name from the list (never a path sent by the client)."""
    if upload:
        path = Path(upload)
        if path.suffix.lower() != ".jsonl":
            raise UIError("an uploaded dataset must be a .jsonl file")
        if not path.is_file() or path.stat().st_size > max_bytes:
            raise UIError(f"the dataset must be a file of at most {max_bytes / 2**20:.0f} MiB")
        return path
    if choice and choice in list_datasets(datasets_dir):
        return datasets_dir / choice
    raise UIError("choose a dataset from the list or upload one")


def _load(path: Path, split: str, max_items: int) -> Dataset:
    dataset = load_dataset(path).only_split(None if split == "all" else split)
    if not dataset.items:
        raise UIError(f"the dataset has no items in the {split!r} split")
    if len(dataset.items) > max_items:
        raise UIError(f"the dataset has {len(dataset.items)} items; the UI runs at most {max_items}")
    return dataset


def _write_predictions(path: Path, predictions: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for prediction in predictions:
            handle.write(json.dumps(prediction, ensure_ascii=False) + "\n")
    return path


def run_evaluation(
    service: AnswerService,
    path: Path,
    options: AskOptions,
    *,
    split: str = "all",
    max_items: int = 2000,
    progress: Progress = _no_progress,
    report_root: Path | None = None,
) -> EvalView:
    """Run one dataset with the chosen settings and write the usual report files."""
    dataset = _load(path, split, max_items)
    label = f"{options.mode} · k={options.k} · {options.backend}"
    config = RunConfig(name=label, mode=options.mode, backend=options.backend, k=options.k)
    predictions: list[dict] = []
    scores = []
    total = len(dataset.items)
    for group in dataset.groups:  # one conversation (or question) at a time, for the progress bar
        progress(len(scores) / total, f"{len(scores)} of {total} questions")
        done_predictions, done_scores = run(service, Dataset(dataset.name, [group]), config)
        predictions += done_predictions
        scores += done_scores
    progress(1.0, "writing the report")
    summary = summarize(scores)
    out = Path(tempfile.mkdtemp(prefix="isecg-qa-eval-", dir=report_root))
    files = write_report(
        out, f"{dataset.name} · {label}", summary, dataset.items, predictions, scores, abstention_curves(scores)
    )
    logger.info("eval of %s (%s): %d items", dataset.name, label, total)
    return EvalView(
        label=label,
        items=total,
        metrics_markdown=metrics_table({label: summary}),
        per_type_markdown=per_type_table(summary),
        chart=out / "chart.png",
        worst_html=worst_items_html(dataset.items, predictions, scores),
        files=[*files, _write_predictions(out / "predictions.jsonl", predictions)],
        summary=summary,
    )
