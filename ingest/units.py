"""Answer units: the sentences, list lines and table rows an extractive answer can quote.

Units are found once, at ingest, and embedded beside their chunk, so answering a question never
has to split or embed passage text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.structure import _BULLET, is_title_like

# A sentence ends at . ! ? (optionally closed by a quote/bracket) followed by a space and a
# capital, digit or opening quote. Common abbreviations do not end sentences.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])['’”\")]?\s+(?=[A-Z0-9‘“\"(•])")
_ABBREVIATIONS = (
    "e.g.",
    "i.e.",
    "etc.",
    "Oct.",
    "Sept.",
    "Dec.",
    "Nov.",
    "Jan.",
    "Feb.",
    "Aug.",
    "No.",
    "Dr.",
    "Mr.",
    "Ms.",
    "St.",
    "vs.",
    "approx.",
    "Fig.",
)
_PARA_BREAK = re.compile(r"\n[ \t]*\n")
MIN_UNIT_CHARS = 8


@dataclass(frozen=True)
class Unit:
    """One quotable unit: offsets into the text it was cut from, and its one-line form."""

    start: int
    end: int
    text: str
    kind: str  # "sentence" | "line"
    page: int | None = None


def one_line(text: str) -> str:
    """Collapse whitespace: the form units are embedded, compared and quoted in."""
    return " ".join(text.split())


def _sentence_spans(text: str, base: int) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _SENTENCE_BREAK.finditer(text):
        head = text[start : match.start() + 1]
        if head.rstrip().endswith(_ABBREVIATIONS):
            continue
        spans.append((base + start, base + match.start() + 1))
        start = match.end()
    spans.append((base + start, base + len(text.rstrip())))
    return spans


def _is_line_list(lines: list[str]) -> bool:
    """Short lines without sentence punctuation read as a list or flattened table."""
    if len(lines) < 2:
        return False
    listy = sum(1 for line in lines if _BULLET.match(line) or is_title_like(line.strip()))
    return listy / len(lines) >= 0.6


def _paragraph_units(text: str, base: int) -> list[tuple[int, int, str]]:
    lines = text.split("\n")
    if _is_line_list(lines):
        spans, pos = [], base
        for line in lines:
            spans.append((pos, pos + len(line), "line"))
            pos += len(line) + 1
        return spans
    # bullet items inside prose paragraphs are their own units
    spans, pos, current = [], base, None
    for line in lines:
        if _BULLET.match(line) or current is None:
            if current is not None:
                spans.append(current)
            current = [pos, pos + len(line)]
        else:
            current[1] = pos + len(line)
        pos += len(line) + 1
    if current is not None:
        spans.append(current)
    out = []
    for start, end in spans:
        kind = "line" if _BULLET.match(text[start - base : end - base]) else "sentence"
        out.extend((s, e, kind) for s, e in _sentence_spans(text[start - base : end - base], start))
    return out


def split_units(text: str) -> list[Unit]:
    """All answer units of ``text`` in order; offsets index ``text`` exactly."""
    units: list[Unit] = []
    pos = 0
    for part in [*_PARA_BREAK.split(text)]:
        base = text.index(part, pos) if part else pos
        pos = base + len(part)
        for start, end, kind in _paragraph_units(part, base):
            raw = text[start:end]
            lead = len(raw) - len(raw.lstrip())
            start, end = start + lead, start + len(raw.rstrip())
            line = one_line(text[start:end])
            if len(line) >= MIN_UNIT_CHARS:
                units.append(Unit(start, end, line, kind))
    return units
