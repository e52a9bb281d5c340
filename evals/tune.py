"""Tune the extractive answerer's scoring weights and abstention threshold on a dev split.

    python -m evals.tune evals/datasets/isecg-annual-report-2020.jsonl evals/datasets/conversations.jsonl \
        evals/datasets/dev-extra.jsonl evals/datasets/dev-extra-conversations.jsonl --split dev

Every weight combination of a small grid runs the split through the real service; for each, the
abstention threshold is picked from the confidence distribution (best accuracy over all items
with false abstention capped). The winner is printed as ``ISECG_QA_*`` settings to copy into the
settings defaults. Tune on dev only: the test split must stay unseen.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import replace
from pathlib import Path

from evals.dataset import Dataset, load_dataset
from evals.runner import ItemScore, RunConfig, run


def best_threshold(scores: list[ItemScore], max_false_abstention: float = 0.08) -> tuple[float, float]:
    """(threshold, accuracy over all items) maximising accuracy with false abstention capped.

    Items are scored as if the threshold were the only abstention (the run used -inf): an
    answerable item counts when it was correct and its confidence clears the threshold; an
    unanswerable one when it doesn't, or when another step abstained on it anyway (an unknown
    name, a missing date): those abstentions happen at any threshold, so the false-abstention cap
    limits only the ones the threshold adds.
    """
    answerable = [s for s in scores if s.answerable]
    candidates = sorted({round(s.confidence, 4) for s in scores} | {0.0})
    best = (0.0, -1.0)
    for t in candidates:
        false_abstention = sum(not s.abstained and s.confidence < t for s in answerable) / max(len(answerable), 1)
        if false_abstention > max_false_abstention:
            continue
        right = sum(s.correct and s.confidence >= t for s in answerable)
        right += sum(s.abstained or s.confidence < t for s in scores if not s.answerable)
        accuracy = right / max(len(scores), 1)
        if accuracy > best[1]:
            best = (t, accuracy)
    return best


def tune(service, dataset: Dataset, grid: dict[str, list[float]]) -> list[dict]:
    """Run every combination; returns rows sorted best first."""
    base = service.options
    rows = []
    try:
        for values in itertools.product(*grid.values()):
            weights = replace(base.weights, **dict(zip(grid, values, strict=True)))
            service.options = replace(base, weights=weights, abstain_threshold=-1e9, followup_abstain_threshold=-1e9)
            _, scores = run(service, dataset, RunConfig(name="tune"))
            standalone = [s for s in scores if not s.follow_up]
            threshold, accuracy = best_threshold(standalone)
            followup_threshold, followup_accuracy = best_threshold([s for s in scores if s.follow_up])
            answer_accuracy = sum(s.correct for s in scores if s.answerable) / max(sum(s.answerable for s in scores), 1)
            right = accuracy * len(standalone) + followup_accuracy * (len(scores) - len(standalone))
            rows.append(
                {
                    **dict(zip(grid, values, strict=True)),
                    "threshold": threshold,
                    "followup_threshold": followup_threshold,
                    "accuracy_all": round(right / max(len(scores), 1), 4),
                    "answer_accuracy_no_abstain": round(answer_accuracy, 4),
                }
            )
    finally:
        service.options = base
    return sorted(rows, key=lambda r: (-r["accuracy_all"], -r["answer_accuracy_no_abstain"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("datasets", nargs="+", type=Path)
    parser.add_argument("--split", default="dev")
    args = parser.parse_args(argv)
    from app.logs import configure_logging
    from app.settings import Settings
    from app.wiring import Components

    configure_logging(0)
    merged = Dataset("tune")
    for path in args.datasets:
        merged.groups.extend(load_dataset(path).only_split(args.split).groups)
    grid = {"dense": [0.45, 0.55, 0.65], "lexical": [0.25, 0.35, 0.45], "value": [0.05, 0.1, 0.2]}
    rows = tune(Components(Settings()).service, merged, grid)
    for row in rows[:10]:
        sys.stdout.write(f"{row}\n")
    best = rows[0]
    sys.stdout.write(
        f"\nISECG_QA_WEIGHT_DENSE={best['dense']} ISECG_QA_WEIGHT_LEXICAL={best['lexical']} "
        f"ISECG_QA_WEIGHT_VALUE={best['value']} ISECG_QA_ABSTAIN_THRESHOLD={best['threshold']} "
        f"ISECG_QA_FOLLOWUP_ABSTAIN_THRESHOLD={best['followup_threshold']}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
