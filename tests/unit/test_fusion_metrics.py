"""Pure functions: reciprocal rank fusion and the eval metrics, on hand-made cases."""

from __future__ import annotations

import math

import pytest

from evals import metrics as m
from retriever.fusion import reciprocal_rank_fusion


def test_rrf_exact_scores_and_order():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "a"]], k=60)
    assert [i for i, _ in fused] == ["a", "b", "c"]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[2][1] == pytest.approx(1 / 63)


def test_rrf_ignores_duplicates_and_checks_weights():
    assert reciprocal_rank_fusion([["a", "a", "b"]], k=0) == [("a", 1.0), ("b", pytest.approx(1 / 3))]
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], weights=[1, 2])


def test_evidence_within_budget():
    passages = ["x" * 3990, "The   EVIDENCE sentence is here."]
    assert m.evidence_found(["evidence sentence"], passages, budget=4000) == [False]
    assert m.evidence_found(["evidence sentence"], passages, budget=5000) == [True]


def test_reciprocal_rank_and_ndcg_exact():
    passages = ["nothing", "has alpha", "has beta and alpha"]
    assert m.reciprocal_rank(["alpha"], passages) == 0.5
    assert m.reciprocal_rank(["gamma"], passages) == 0.0
    dcg = 1 / math.log2(3) + 1 / math.log2(4)
    ideal = 1 + 1 / math.log2(3)
    assert m.ndcg_at_k(["alpha", "beta"], passages) == pytest.approx(dcg / ideal)
    assert m.ndcg_at_k(["alpha"], ["alpha", "alpha", "alpha"]) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("answer", "expected", "kind", "ok"),
    [
        ("Membership grew to 26 organisations [1].", ["26"], "numeric", True),
        ("It happened in 2026 [1].", ["26"], "numeric", False),
        ("AEB and AEM [1][2]", ["AEB", "AEM", "NOSA"], "list", False),
        ("AEB, AEM and NOSA [1]", ["AEB", "AEM", "NOSA"], "list", True),
        ("x" * 401 + " 26", ["26"], "numeric", False),
        ("x" * 700 + " 26", ["26"], "multi_hop", True),
        ("Founded in   May\n2007 [3]", ["may 2007"], "date", True),
    ],
)
def test_answer_correctness(answer, expected, kind, ok):
    assert m.answer_correct(answer, False, expected, kind) is ok


def test_abstained_answers_are_never_correct():
    assert not m.answer_correct("26", True, ["26"], "numeric")


def test_cites_evidence_and_percentiles():
    assert m.cites_evidence(["Some Fact"], ["a passage with some  fact inside"])
    assert m.percentile([10, 20, 30, 40], 50) == 25
    assert m.percentile([], 95) == 0.0
    assert m.term_recall("agencies joined 2020 Asia", "Which of them are from Asia? (agencies joined 2020)") == 1.0


def _score(confidence: float, answerable: bool, correct: bool = True):
    from evals.runner import ItemScore

    return ItemScore("x", "factoid", "dev", answerable, correct and answerable, False, confidence=confidence)


def test_best_threshold_separates_when_the_scores_do_and_stays_at_zero_when_they_dont():
    from evals.tune import best_threshold

    separable = [_score(0.8, True), _score(0.7, True), _score(0.3, False), _score(0.2, False)]
    threshold, accuracy = best_threshold(separable)
    assert 0.3 < threshold <= 0.7 and accuracy == 1.0
    inverted = [_score(0.35, True), _score(0.7, True), _score(0.66, False), _score(0.54, False)]
    assert best_threshold(inverted, max_false_abstention=0.0) == (0.0, 0.5)


def test_best_threshold_counts_abstentions_made_by_other_steps():
    from dataclasses import replace

    from evals.tune import best_threshold

    caught = replace(_score(0.9, False), abstained=True, correct=True)  # e.g. the quote gives no date
    scores = [_score(0.8, True), _score(0.7, True), caught, _score(0.2, False)]
    threshold, accuracy = best_threshold(scores)
    assert 0.2 < threshold <= 0.7 and accuracy == 1.0
    lost = replace(_score(0.9, True), abstained=True, correct=False)  # a step's false abstention
    assert best_threshold([lost, _score(0.2, False)], max_false_abstention=0.0) == (0.9, 0.5)


def test_abstention_curves_follow_the_two_thresholds():
    from dataclasses import replace

    from evals.runner import abstention_curves

    standalone = [_score(0.8, True), _score(0.2, False)]
    follow_ups = [replace(_score(0.3, True), follow_up=True), replace(_score(0.7, False), follow_up=True)]
    curves = abstention_curves(standalone + follow_ups)
    at_half = {kind: next(p for p in curve if p["threshold"] >= 0.5) for kind, curve in curves.items()}
    assert at_half["standalone"]["abstention_unanswerable"] == 1.0
    assert at_half["standalone"]["false_abstention"] == 0.0
    assert at_half["follow-ups"]["abstention_unanswerable"] == 0.0
    assert at_half["follow-ups"]["false_abstention"] == 1.0


def test_abstentions_are_counted_by_reason_and_shown_in_the_report(tmp_path):
    from dataclasses import replace

    from evals.report import write_report
    from evals.runner import summarize

    scores = [
        replace(_score(0.1, False), abstained=True, abstain_reason="not_stated"),
        replace(_score(0.1, False), abstained=True, abstain_reason="not_stated"),
        replace(_score(0.1, True), abstained=True, abstain_reason="weak_match"),
        replace(_score(0.1, False), abstained=True),  # a backend that gives no reason
        _score(0.9, True),
    ]
    summary = summarize(scores)
    assert summary["abstention_reasons"] == {
        "unanswerable": {"not_stated": 2, "unknown": 1},
        "answerable": {"weak_match": 1},
    }
    write_report(tmp_path, "run", summary, [], [], [], {})
    assert "| not_stated | 2 | 0 |\n| unknown | 1 | 0 |\n| weak_match | 0 | 1 |" in (tmp_path / "report.md").read_text()
