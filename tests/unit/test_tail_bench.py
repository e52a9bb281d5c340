"""The tail benchmark's corpus split: the last files in ingest order move aside and come back."""

from __future__ import annotations

from pathlib import Path

from bench.tail_bench import restore, split_corpus
from ingest.pipeline import discover


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_split_moves_the_last_files_in_ingest_order_and_restore_puts_them_back(tmp_path: Path) -> None:
    source = tmp_path / "source"
    for i, name in enumerate(["b/2.txt", "a/1.txt", "a/9.txt", "c.txt", "b/1.txt"]):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(f"text {i}")
    order = [name for name, _ in discover(source, [])]

    head, side, moved = split_corpus(source, tmp_path / "work", 0.4)

    assert [p.relative_to(side).as_posix() for p in moved] == order[-2:]
    assert [name for name, _ in discover(head, [])] == order[:-2]
    restore(head, side, moved)
    assert _tree(head) == _tree(source)
