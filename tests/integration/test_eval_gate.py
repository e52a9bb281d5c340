"""CI gate: the test split must not fall more than 2 points below the committed baseline (one
item for abstention, whose 13 unanswerable items move 7.7 points each), nor abstain falsely on
more than 2 points more of the answerable ones."""

from __future__ import annotations

import json

import pytest

from evals.dataset import Dataset, load_dataset
from evals.runner import RunConfig, run, summarize
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

BASELINE = ROOT / "evals" / "baselines" / "isecg-annual-report-2020.json"
DATASETS = [
    ROOT / "evals" / "datasets" / "isecg-annual-report-2020.jsonl",
    ROOT / "evals" / "datasets" / "conversations.jsonl",
]
TOLERANCE = 0.02
ONE_UNANSWERABLE = 0.08  # the test split has 13 unanswerable items (10 questions, 3 turns)


@pytest.fixture(scope="module")
def test_split_summary(report_service):
    merged = Dataset("gate")
    for path in DATASETS:
        merged.groups.extend(load_dataset(path).only_split("test").groups)
    _, scores = run(report_service, merged, RunConfig(name="gate"))
    return summarize(scores)


@pytest.mark.parametrize("metric", ["evidence_recall", "answer_accuracy"])
def test_no_regression_against_baseline(test_split_summary, metric):
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    assert test_split_summary[metric] >= baseline[metric] - TOLERANCE, (
        f"{metric} fell to {test_split_summary[metric]:.3f} from the baseline {baseline[metric]:.3f}; "
        "if this is intended, update evals/baselines/ in its own commit with the reason"
    )


def test_abstention_holds_against_baseline(test_split_summary):
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    got, was = test_split_summary["abstention_unanswerable"], baseline["abstention_unanswerable"]
    assert got >= was - ONE_UNANSWERABLE, f"abstention on unanswerable items fell to {got:.3f} from {was:.3f}"
    got, was = test_split_summary["false_abstention"], baseline["false_abstention"]
    assert got <= was + TOLERANCE, f"false abstention rose to {got:.3f} from {was:.3f}"


def test_the_run_had_no_errors(test_split_summary):
    assert test_split_summary["errors"] == 0
