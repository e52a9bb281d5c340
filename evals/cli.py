"""``isecg-qa eval``: run datasets, write predictions and reports, compare configurations."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

from evals.dataset import Dataset, DatasetError, load_dataset
from evals.report import metrics_table, write_report
from evals.runner import RunConfig, abstention_curves, run, summarize
from retriever.service import FEATURES, ServiceOptions

MODES = ("hybrid", "dense", "bm25")
# numeric service options a configuration may set for its run only
TUNABLE = tuple(f.name for f in fields(ServiceOptions) if f.type in ("float", float))


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("datasets", nargs="+", type=Path, help="JSONL dataset(s)")
    parser.add_argument("--predictions-out", type=Path, help="write one prediction per line here")
    parser.add_argument("--report-dir", type=Path, help="write metrics.json, report.md and chart.png here")
    parser.add_argument("--split", choices=["dev", "test"], help="only items of this split")
    parser.add_argument("--compare", help="comma-separated configurations, e.g. dense,bm25,hybrid")
    parser.add_argument("--k", type=int, help="number of passages")
    parser.add_argument("--backend", help="answer backend (default from settings)")
    parser.add_argument("--mode", choices=MODES, help="retrieval mode")
    parser.add_argument("--json", action="store_true", help="print metrics as JSON")
    parser.add_argument("--write-baseline", type=Path, help="save the headline metrics as a baseline JSON file")


def parse_config(name: str, backend: str, k: int | None) -> RunConfig:
    """A configuration name joins parts with "+": a retrieval mode, a backend, ``no-<step>``
    for each pipeline step to switch off (``hybrid+no-rerank+no-glossary``), and ``option=value``
    for a numeric service option (``abstain_threshold=0.39``)."""
    mode, chosen, disable, overrides = None, backend, [], []
    for part in name.split("+"):
        if part in MODES:
            mode = part
        elif part.startswith("no-"):
            disable.append(part[3:])
        elif "=" in part:
            overrides.append(_override(part))
        elif part != "default":
            chosen = part
    return RunConfig(name=name, mode=mode, backend=chosen, k=k, disable=tuple(disable), overrides=tuple(overrides))


def _override(part: str) -> tuple[str, float]:
    from app.cli import CliError

    key, _, value = part.partition("=")
    if key not in TUNABLE:
        raise CliError(f"unknown option {key!r} in {part!r}; numeric options: {', '.join(TUNABLE)}", 2)
    try:
        return key, float(value)
    except ValueError:
        raise CliError(f"{part!r}: {value!r} is not a number", 2) from None


def check_config(config: RunConfig, backends: list[str]) -> None:
    """Refuse a misspelt configuration before anything runs (it would otherwise score zero)."""
    from app.cli import CliError

    unknown = [f"no-{step}" for step in config.disable if step not in FEATURES]
    if config.backend not in backends:
        unknown.insert(0, config.backend)
    if unknown:
        parts = [*MODES, *backends, *(f"no-{step}" for step in FEATURES)]
        raise CliError(
            f"unknown part {', '.join(map(repr, unknown))} in configuration {config.name!r}; "
            f"join these with '+': {', '.join(parts)}",
            2,
        )


def _load(paths: list[Path], split: str | None) -> Dataset:
    merged = Dataset("+".join(p.stem for p in paths))
    for path in paths:
        merged.groups.extend(load_dataset(path).only_split(split).groups)
    return merged


def run_eval_command(args: argparse.Namespace, components: Callable[[argparse.Namespace], Any]) -> int:
    """Entry point used by ``app.cli``; ``components`` builds the service (composition root)."""
    from app.cli import CliError

    try:
        dataset = _load(args.datasets, args.split)
    except (DatasetError, OSError) as exc:
        raise CliError(str(exc), 2) from exc
    built = components(args)
    backend = args.backend or built.settings.backend
    names = args.compare.split(",") if args.compare else [args.mode or "default"]
    progress = sys.stderr.isatty() and not args.json
    configs = [parse_config(name.strip(), backend, args.k) for name in names]
    for config in configs:
        check_config(config, list(built.service.backends))
    results: dict[str, dict] = {}
    for config in configs:
        predictions, scores = run(built.service, dataset, config, progress=progress)
        summary = summarize(scores)
        results[config.name] = summary
        if args.predictions_out and len(names) == 1:
            _write_predictions(args.predictions_out, predictions)
        if args.write_baseline and len(names) == 1:
            write_baseline(args.write_baseline, summary, dataset.name, args.split)
        if args.report_dir:
            target = args.report_dir if len(names) == 1 else args.report_dir / config.name
            write_report(
                target,
                f"{dataset.name} · {config.name}",
                summary,
                dataset.items,
                predictions,
                scores,
                abstention_curves(scores),
            )
    _print(results, args.json, dataset)
    return 0


BASELINE_KEYS = (
    "evidence_recall",
    "all_evidence_hit_rate",
    "mrr",
    "ndcg@10",
    "answer_accuracy",
    "abstention_unanswerable",
    "false_abstention",
    "cited_evidence_rate",
    "follow_up_accuracy",
)


def write_baseline(path: Path, summary: dict, dataset: str, split: str | None) -> None:
    """Headline metrics only: what the CI gate compares against (latency is machine noise)."""
    payload = {"dataset": dataset, "split": split, **{k: summary[k] for k in BASELINE_KEYS if k in summary}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def _write_predictions(path: Path, predictions: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for prediction in predictions:
            handle.write(json.dumps(prediction, ensure_ascii=False) + "\n")


def _print(results: dict[str, dict], as_json: bool, dataset: Dataset) -> None:
    if as_json:
        sys.stdout.write(json.dumps(results, indent=2) + "\n")
        return
    sys.stdout.write(f"{dataset.name}: {len(dataset.items)} items\n\n{metrics_table(results)}\n")
