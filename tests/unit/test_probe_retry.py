"""The store probe tries again before calling a store damaged: a writer in another process can
hold SQLite's lock or be rewriting an index file for a moment, and ``doctor --fix`` rebuilds a
store reported corrupt. Damage that stays is still reported."""

from __future__ import annotations

from pathlib import Path

from ingest import probe


def _flaky(failures: list[object]):
    def check(_: Path) -> dict:
        if failures:
            failure = failures.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return failure
        return {"ok": True, "detail": ""}

    return check


def test_a_passing_failure_is_tried_again(monkeypatch):
    locked = [RuntimeError("database is locked"), {"ok": False, "detail": "units: index does not find vectors"}]
    monkeypatch.setattr(probe, "check", _flaky(locked))
    assert probe._checked(Path("x"), pause_s=0.0) == {"ok": True, "detail": ""}


def test_a_failure_that_stays_is_reported(monkeypatch):
    monkeypatch.setattr(probe, "check", _flaky([ValueError("malformed segment")] * probe.RETRIES))
    assert probe._checked(Path("x"), pause_s=0.0) == {"ok": False, "detail": "ValueError: malformed segment"}
