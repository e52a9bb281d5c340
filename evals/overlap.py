"""Screen new dev questions against the test split without reading the test split.

    python -m evals.overlap CANDIDATES.jsonl [--against DATASET.jsonl ...] [--limit 0.5]

A report has only so many facts, so fresh dev questions often land close to test items; tuning on
such a question is tuning on the test item. For every candidate (single items, or every turn of a
conversation, by its ``standalone`` form) this prints its id, ``keep`` or ``DROP`` and the highest
content-term Jaccard overlap with any test question. It never prints test text: the point is to
drop a candidate unread, not to learn what the test split asks.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from evals.dataset import Item, load_dataset
from retriever.tokenize import terms

DATASETS = Path(__file__).resolve().parent / "datasets"
DEFAULT_AGAINST = (DATASETS / "isecg-annual-report-2020.jsonl", DATASETS / "conversations.jsonl")
LIMIT = 0.5  # the overlap at which the dev items of evals/datasets were dropped


def _text(item: Item) -> str:
    return item.standalone or item.question


def jaccard(a: set[str], b: set[str]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def overlaps(candidates: Iterable[Item], test: Sequence[Item]) -> list[tuple[str, float]]:
    """(candidate id, highest content-term Jaccard with any test item) for every candidate."""
    test_terms = [set(terms(_text(item))) for item in test]
    return [
        (item.id, max((jaccard(set(terms(_text(item))), t) for t in test_terms), default=0.0)) for item in candidates
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("candidates", type=Path)
    parser.add_argument("--against", type=Path, nargs="+", default=list(DEFAULT_AGAINST))
    parser.add_argument("--limit", type=float, default=LIMIT)
    args = parser.parse_args(argv)
    test = [item for path in args.against for item in load_dataset(path).only_split("test").items]
    for item_id, best in overlaps(load_dataset(args.candidates).items, test):
        sys.stdout.write(f"{item_id}\t{'DROP' if best >= args.limit else 'keep'}\t{best:.2f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
