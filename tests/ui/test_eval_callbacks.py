"""Evaluate tab: datasets chosen by name or upload, run through the service, reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.settings import Settings
from app.ui_chat import AskOptions
from app.ui_errors import UIError
from app.ui_eval import choose_dataset, list_datasets, run_evaluation
from evals.dataset import DatasetError

OPTIONS = AskOptions(k=4, mode="bm25", backend="extractive")
ITEMS = [
    {
        "id": "q1",
        "question": "How many distinct gadgets did the survey count?",
        "answers": ["412"],
        "evidence": ["counted 412 distinct gadgets"],
        "type": "numeric",
        "split": "dev",
    },
    {
        "id": "q2",
        "question": "What does the survey <img src=x onerror=alert(1)> measure?",
        "answers": [],
        "evidence": [],
        "type": "unanswerable",
    },
    {
        "id": "c1",
        "turns": [
            {
                "question": "When was the Widget Programme founded?",
                "answers": ["2011"],
                "evidence": ["founded in 2011"],
                "type": "date",
            },
            {
                "question": "Who founded it?",
                "standalone": "Who founded the Widget Programme?",
                "answers": ["Zanzibar Space Office"],
                "evidence": ["Zanzibar Space Office"],
                "type": "factoid",
            },
        ],
    },
]


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in ITEMS) + "\n", encoding="utf-8")
    return path


def test_the_shipped_datasets_are_listed():
    names = list_datasets(Settings().datasets_dir)
    assert "isecg-annual-report-2020.jsonl" in names and "conversations.jsonl" in names


def test_datasets_are_chosen_by_name_never_by_path(tmp_path, dataset):
    assert choose_dataset("tiny.jsonl", None, tmp_path, 2**20) == dataset
    for choice in ("../tiny.jsonl", str(dataset), "/etc/passwd", None):
        with pytest.raises(UIError, match="choose a dataset"):
            choose_dataset(choice, None, tmp_path / "elsewhere", 2**20)


def test_uploaded_datasets_are_checked(tmp_path, dataset):
    assert choose_dataset(None, str(dataset), tmp_path, 2**20) == dataset
    with pytest.raises(UIError, match="jsonl"):
        choose_dataset(None, str(tmp_path / "x.csv"), tmp_path, 2**20)
    with pytest.raises(UIError, match="at most"):
        choose_dataset(None, str(dataset), tmp_path, 10)


def test_run_evaluation_reports_metrics_chart_and_worst_items(fake_components, dataset, tmp_path):
    progress: list[float] = []
    view = run_evaluation(
        fake_components.service, dataset, OPTIONS, progress=lambda f, _: progress.append(f), report_root=tmp_path
    )
    assert view.items == 4 and view.label == "bm25 · k=4 · extractive"
    assert "answer accuracy" in view.metrics_markdown and "| numeric |" in view.per_type_markdown
    assert view.chart.read_bytes().startswith(b"\x89PNG")
    assert sorted(p.name for p in view.files) == ["chart.png", "metrics.json", "predictions.jsonl", "report.md"]
    assert all(p.parent.parent == tmp_path for p in view.files)
    assert progress == sorted(progress) and progress[0] == 0.0 and progress[-1] == 1.0 and len(progress) == 4
    # the fake service never abstains, so the unanswerable item is a wrong answer, listed and escaped
    assert "q2" in view.worst_html and "<img" not in view.worst_html
    predictions = [json.loads(line) for line in (view.files[-1]).read_text().splitlines()]
    assert [p["id"] for p in predictions] == ["q1", "q2", "c1/1", "c1/2"]
    assert predictions[3]["rewritten_query"]


def test_split_and_size_limits(fake_components, dataset):
    view = run_evaluation(fake_components.service, dataset, OPTIONS, split="dev")
    assert view.items == 1
    with pytest.raises(UIError, match="at most 2"):
        run_evaluation(fake_components.service, dataset, OPTIONS, max_items=2)


def test_a_malformed_dataset_is_a_dataset_error(fake_components, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "q", "type": "nonsense"}\n')
    with pytest.raises(DatasetError, match="bad.jsonl:1"):
        run_evaluation(fake_components.service, bad, OPTIONS)
