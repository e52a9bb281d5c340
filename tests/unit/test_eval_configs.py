"""Eval configuration names: modes, backends, switched-off steps and per-run option values."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from app.cli import CliError
from evals.cli import parse_config
from evals.dataset import Dataset, Item
from evals.runner import RunConfig, run
from retriever.service import ServiceOptions


def test_a_name_sets_mode_steps_and_numeric_options():
    config = parse_config("bm25+no-rerank+abstain_threshold=0.39+followup_abstain_threshold=0.2", "extractive", None)
    assert (config.mode, config.backend, config.disable) == ("bm25", "extractive", ("rerank",))
    assert config.overrides == (("abstain_threshold", 0.39), ("followup_abstain_threshold", 0.2))


@pytest.mark.parametrize(
    ("name", "message"), [("hybrid+k=3", "unknown option 'k'"), ("abstain_threshold=high", "not a number")]
)
def test_bad_options_are_refused_in_one_line(name, message):
    with pytest.raises(CliError, match=message):
        parse_config(name, "extractive", None)


@dataclass
class _Answer:
    threshold: float

    def to_json_dict(self) -> dict:
        return {"answer": f"threshold {self.threshold}", "abstained": False, "passages": [], "citations": []}


@dataclass
class _Service:
    options: ServiceOptions = field(default_factory=ServiceOptions)

    def ask(self, question, history=(), **kwargs):
        return _Answer(self.options.abstain_threshold)


def test_overrides_hold_for_the_run_only():
    service = _Service()
    item = Item(id="a", question="q?", type="factoid", answers=("0.9",))
    dataset = Dataset("d", groups=[[item]])
    predictions, _ = run(service, dataset, RunConfig(overrides=(("abstain_threshold", 0.9),)))
    assert predictions[0]["answer"] == "threshold 0.9"
    assert service.options == ServiceOptions()
