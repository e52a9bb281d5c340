"""Screening dev candidates against the test split prints ids and overlaps, never test text."""

from __future__ import annotations

import json

from evals.overlap import jaccard, main


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_candidates_close_to_a_test_question_are_dropped_and_test_text_never_shown(tmp_path, capsys):
    test = _write(
        tmp_path / "test.jsonl",
        [
            {"id": "t1", "split": "test", "type": "unanswerable", "question": "Who chairs the widget council?",
             "answers": [], "evidence": []},
            {"id": "t2", "split": "dev", "type": "unanswerable", "question": "Which gadget was launched first?",
             "answers": [], "evidence": []},
        ],
    )  # fmt: skip
    candidates = _write(
        tmp_path / "candidates.jsonl",
        [
            {"id": "c1", "split": "dev", "type": "unanswerable", "question": "Who chairs the widget council now?",
             "answers": [], "evidence": []},
            {"id": "c2", "split": "dev", "type": "unanswerable", "question": "Which gadget was launched first?",
             "answers": [], "evidence": []},  # the same as a dev item: no matter
        ],
    )  # fmt: skip
    assert main([str(candidates), "--against", str(test)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == ["c1\tDROP\t1.00", "c2\tkeep\t0.00"]
    assert "widget" not in out.casefold()


def test_jaccard():
    assert jaccard({"a", "b"}, {"b", "c"}) == 1 / 3
    assert jaccard(set(), set()) == 0.0
