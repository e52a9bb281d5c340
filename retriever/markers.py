"""Cut a model's reply into sentences and read the citation markers it wrote, tolerantly.

Models cite in many shapes: ``[1]``, ``[1, 3]``, ``[1][2]``, ``[1-3]``, ``[Passage 2]``, ``【1】``
(full-width brackets, common in models trained on Chinese data). A marker only ever *proposes*
which passage supports a sentence: numbers outside the passages actually given are dropped here,
and whether the passage really supports the sentence is decided by ``citations_verify``.

Sentences are cut so that markers written after the full stop (``… members. [1]``) stay with the
sentence they follow, and so that a growing streamed reply can be cut the same way: a sentence is
complete once something other than a marker follows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MARKER = re.compile(
    r"[\[【［]\s*\^?\s*(?:(?:passages?|sources?|refs?|references?|docs?|documents?)\s*#?\s*)?"
    r"(\d{1,3}(?:\s*(?:,|;|and|&|[-–—])\s*\d{1,3})*)\s*[\]】］]",
    re.IGNORECASE,
)
_END = re.compile(r"[.!?]+['\"”’)]*")
_ABBREVIATION = re.compile(r"(?:\b(?i:e\.g|i\.e|etc|vs|no|dr|mr|ms|st|fig|approx|cf)|\b[A-Z])\.$")
_OPEN_BRACKET = re.compile(r"\s*[\[【［][^\]】］]*$")
_BULLET = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)])\s+")
_ABSTAIN = re.compile(
    r"\b(?:passages?|reports?|documents?|context|text)\b[^.]{0,30}\b(?:do(?:es)?\s*n[o']t|not|never)\b"
    r"[^.]{0,20}\b(?:answer|contain|say|mention|provide|include|specify|state|give)"
    r"|\bno (?:information|mention|answer)\b|\b(?:i do not|i don't|cannot|can't|unable to) (?:know|answer|find)\b",
    re.IGNORECASE,
)
_MAX_RANGE = 10


@dataclass(frozen=True)
class RawSentence:
    """A span of the reply; ``new_line`` is true when it starts a line after the first."""

    text: str
    start: int
    end: int
    new_line: bool


@dataclass(frozen=True)
class ParsedSentence:
    """A sentence without its markers, the valid passage numbers it cited and the dropped ones."""

    text: str
    cited: tuple[int, ...]
    dropped: tuple[int, ...]
    new_line: bool = False

    @property
    def claim(self) -> str:
        """The text to verify: without a list bullet or item number ("1. ", "- ")."""
        return _BULLET.sub("", self.text, count=1)


def marker_numbers(group: str) -> list[int]:
    """``"1, 3-5"`` → ``[1, 3, 4, 5]``; ranges longer than a few passages are not expanded."""
    numbers: list[int] = []
    for part in re.split(r"\s*(?:,|;|and|&)\s*", group):
        bounds = re.split(r"\s*[-–—]\s*", part.strip())
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            low, high = int(bounds[0]), int(bounds[1])
            numbers.extend(range(low, high + 1) if 0 <= high - low <= _MAX_RANGE else [low, high])
        elif bounds[0].isdigit():
            numbers.append(int(bounds[0]))
    return numbers


def _absorb_markers(line: str, pos: int) -> int:
    """Move ``pos`` past any markers (and the spaces before them) that follow it."""
    while True:
        probe = pos
        while probe < len(line) and line[probe] in " \t":
            probe += 1
        found = _MARKER.match(line, probe)
        if not found:
            return pos
        pos = found.end()


def _line_spans(line: str, base: int) -> list[tuple[int, int]]:
    spans, start = [], 0
    bullet = _BULLET.match(line)  # "1. item" starts a list item, it does not end a sentence
    for end_mark in _END.finditer(line, bullet.end() if bullet else 0):
        end = _absorb_markers(line, end_mark.end())
        rest = line[end:]
        if not rest.strip() or not rest[0].isspace() or _OPEN_BRACKET.match(rest):
            continue  # end of the line (handled below), "1.5" / "U.S.A", or a marker still arriving
        if _ABBREVIATION.search(line[start : end_mark.end()].rstrip("'\"”’)")):
            continue
        spans.append((base + start, base + end))
        start = end
    if line[start:].strip():
        spans.append((base + start, base + len(line.rstrip())))
    return spans


def sentence_spans(text: str) -> list[RawSentence]:
    """All sentences of ``text`` in order; lines never share a sentence."""
    out: list[RawSentence] = []
    base = 0
    for line in text.split("\n"):
        for i, (start, end) in enumerate(_line_spans(line, base)):
            piece = text[start:end]
            lead = len(piece) - len(piece.lstrip())
            out.append(RawSentence(piece.strip(), start + lead, end, new_line=i == 0 and bool(out)))
        base += len(line) + 1
    return out


def complete_sentences(buffer: str, final: bool) -> list[RawSentence]:
    """The sentences of a streamed reply that can no longer change (all of them when ``final``)."""
    spans = sentence_spans(buffer)
    if final or not spans:
        return spans
    if "\n" in buffer[spans[-1].end :]:
        return spans
    return spans[:-1]


def parse_sentence(raw: RawSentence, passages: int) -> ParsedSentence:
    """Strip markers from a sentence; keep the numbers 1..``passages``, report the others."""
    cited: list[int] = []
    dropped: list[int] = []
    for match in _MARKER.finditer(raw.text):
        for number in marker_numbers(match.group(1)):
            target = cited if 1 <= number <= passages else dropped
            if number not in target:
                target.append(number)
    text = _OPEN_BRACKET.sub("", _MARKER.sub("", raw.text))
    text = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(text.split()))
    return ParsedSentence(text, tuple(cited), tuple(dropped), raw.new_line)


def parse_reply(text: str, passages: int) -> list[ParsedSentence]:
    """Every sentence of a whole reply, parsed."""
    return [parse_sentence(raw, passages) for raw in sentence_spans(text)]


def is_abstention(text: str) -> bool:
    """True when a sentence says the passages do not hold the answer."""
    return bool(_ABSTAIN.search(text))
