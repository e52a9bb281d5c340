"""Eval datasets (JSONL): single questions and multi-turn conversations, one schema for both.

A conversation line has ``turns``; every turn is scored like a single item, with the id
``<conversation id>/<turn number>`` and the earlier turns as history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

TYPES = ("factoid", "date", "numeric", "paraphrase", "multi_hop", "list", "summary", "unanswerable", "adversarial")
ALL_REQUIRED = {"list", "summary", "adversarial"}
LONG_TYPES = {"list", "summary", "multi_hop", "adversarial"}


class DatasetError(ValueError):
    """A dataset line that does not follow the schema (with its line number)."""


@dataclass(frozen=True)
class Item:
    """One question to answer (a single item, or one turn of a conversation)."""

    id: str
    question: str
    type: str
    answers: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    split: str = "test"
    conversation: str | None = None
    turn: int = 0
    standalone: str | None = None

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


@dataclass
class Dataset:
    """Items grouped so conversations stay together and in order."""

    name: str
    groups: list[list[Item]] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return [item for group in self.groups for item in group]

    def only_split(self, split: str | None) -> Dataset:
        if not split:
            return self
        return Dataset(self.name, [g for g in self.groups if g and g[0].split == split])


def _item(raw: dict, where: str, **extra: object) -> Item:
    kind = raw.get("type")
    if kind not in TYPES:
        raise DatasetError(f"{where}: type must be one of {', '.join(TYPES)}, got {kind!r}")
    question = raw.get("question")
    if not isinstance(question, str) or not question.strip():
        raise DatasetError(f"{where}: missing question")
    return Item(
        id=str(extra.pop("id", raw.get("id", where))),
        question=question,
        type=kind,
        answers=tuple(raw.get("answers") or ()),
        evidence=tuple(raw.get("evidence") or ()),
        split=str(extra.pop("split", raw.get("split", "test"))),
        standalone=raw.get("standalone"),
        **extra,  # type: ignore[arg-type]
    )


def _group(raw: dict, where: str) -> list[Item]:
    if "turns" not in raw:
        return [_item(raw, where)]
    cid = str(raw.get("id", where))
    split = str(raw.get("split", "test"))
    return [
        _item(turn, f"{where} turn {n}", id=f"{cid}/{n}", split=split, conversation=cid, turn=n)
        for n, turn in enumerate(raw["turns"], start=1)
    ]


def load_dataset(path: Path) -> Dataset:
    """Read a JSONL dataset; a malformed line is a ``DatasetError`` naming the line."""
    dataset = Dataset(path.stem)
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{path.name}:{number}: not JSON ({exc.msg})") from exc
            dataset.groups.append(_group(raw, f"{path.name}:{number}"))
    ids = [item.id for item in dataset.items]
    if len(ids) != len(set(ids)):
        raise DatasetError(f"{path.name}: duplicate ids")
    return dataset
