"""Answer units: the sentences, list lines and table rows an extractive answer can quote.

Units are found once, at ingest, and embedded beside their chunk, so answering a question never
has to split or embed passage text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

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
_CLOSED = (".", "!", "?", ":", ";", ".)", ".”", '."')


@dataclass(frozen=True)
class Unit:
    """One quotable unit: offsets into the text it was cut from, and its one-line form."""

    start: int
    end: int
    text: str
    kind: str  # "sentence" | "line" (list item, table row) | "label" | "heading"
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
    return _join_asides(spans, text, base)


def _join_asides(spans: list[tuple[int, int]], text: str, base: int) -> list[tuple[int, int]]:
    """A bracketed aside after a sentence ("… presentations. (Status April 2021)") belongs to it:
    alone it is no statement, and the sentence without it loses the date."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        piece = text[start - base : end - base].strip()
        if out and piece.startswith("(") and piece.endswith(")") and len(piece) <= 60:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _is_line_list(lines: list[str]) -> bool:
    """Short lines without sentence punctuation read as a list or flattened table."""
    if len(lines) < 2:
        return False
    listy = sum(1 for line in lines if is_title_like(line.strip()))
    return listy / len(lines) >= 0.6


def _line_spans(lines: list[str], base: int) -> list[tuple[int, int, str]]:
    spans, pos = [], base
    for line in lines:
        spans.append((pos, pos + len(line), line))
        pos += len(line) + 1
    return spans


# "Agency (GISTDA)", "(NASA)": the end of a table row the PDF wrapped onto a second line
_ROW_TAIL = re.compile(r"^\s*(?:\(|\S+(?:\s\S+)?\s*\([^()]+\)\s*$)")


def _table_rows(lines: list[str], base: int) -> list[tuple[int, int, str]]:
    """One unit per line of a flattened table, with a wrapped row's tail joined to its row.

    "Thailand Geo-informatics and Space Technology Development" + "Agency (GISTDA)" is one row;
    quoted alone, the first line never names the agency. A line continues the previous one when
    it opens with a bracket, or is a word or two ending in a bracketed name while the previous
    line has not yet closed one ("AEB (Brazil)" / "AEM (Mexico)" stay two rows).
    """
    rows: list[tuple[int, int, str]] = []
    for start, end, line in _line_spans(lines, base):
        if rows and line.strip() and _ROW_TAIL.match(line) and not rows[-1][2].rstrip().endswith(")"):
            rows[-1] = (rows[-1][0], end, f"{rows[-1][2]} {line.strip()}")
        else:
            rows.append((start, end, line))
    return rows


def _bullet_items(lines: list[str], base: int) -> list[tuple[int, int, str]]:
    """Each bullet with its continuation lines is one unit; lines before the first bullet are prose."""
    items: list[list] = []
    for start, end, line in _line_spans(lines, base):
        if _BULLET.match(line) or not items:
            items.append([start, end, "line" if _BULLET.match(line) else "sentence"])
        else:
            items[-1][1] = end
    return [(s, e, k) for s, e, k in items]


def _paragraph_units(text: str, base: int) -> list[tuple[int, int, str]]:
    """Units of one blank-line separated paragraph.

    - a paragraph with bullets: one unit per bullet item (continuation lines included);
    - a paragraph of short title-like lines (a flattened table): one unit per line;
    - a lone short title-like line: a "label" (a heading-like caption such as "ISECG Secretariat");
    - prose: one unit per sentence.
    """
    lines = text.split("\n")
    if any(_BULLET.match(line) for line in lines):
        out = []
        for start, end, kind in _bullet_items(lines, base):
            piece = text[start - base : end - base]
            if kind == "line" or len(piece) < 120:
                out.append((start, end, kind))
            else:
                out.extend((s, e, "sentence") for s, e in _sentence_spans(piece, start))
        return out
    if _is_line_list(lines):
        return [(s, e, "line") for s, e, _ in _table_rows(lines, base)]
    if len(lines) <= 2 and is_title_like(" ".join(lines).strip()) and len(text.split()) <= 8:
        return [(base, base + len(text), "label")]
    return [(s, e, "sentence") for s, e in _sentence_spans(text, base)]


def _segments(text: str, headings: Sequence[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """Paragraphs of ``text`` as (start, end, is_heading); a heading is always its own segment,
    even when extraction ran it into the following paragraph without a blank line."""
    cuts = sorted({0, len(text)} | {p for span in headings for p in span if 0 <= p <= len(text)})
    segments: list[tuple[int, int, bool]] = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        is_heading = any(h_start <= left < h_end for h_start, h_end in headings)
        pos = left
        for part in _PARA_BREAK.split(text[left:right]):
            base = text.index(part, pos) if part else pos
            pos = base + len(part)
            if part.strip():
                segments.append((base, base + len(part), is_heading))
    return segments


def split_units(text: str, headings: Sequence[tuple[int, int]] = ()) -> list[Unit]:
    """All answer units of ``text`` in order; offsets index ``text`` exactly.

    ``headings`` are (start, end) spans of section headings in ``text``: units there get the kind
    "heading" (they locate a passage but never answer a question on their own).
    """
    pieces: list[tuple[int, int, str]] = []
    for seg_start, seg_end, is_heading in _segments(text, headings):
        part = text[seg_start:seg_end]
        spans = [(seg_start, seg_end, "heading")] if is_heading else _paragraph_units(part, seg_start)
        for start, end, kind in spans:
            raw = text[start:end]
            lead = len(raw) - len(raw.lstrip())
            pieces.append((start + lead, start + len(raw.rstrip()), kind))
    units = [Unit(s, e, one_line(text[s:e]), k) for s, e, k in _join_continuations(pieces, text)]
    # a short heading ("Annex I") still locates its section; a short line or sentence is noise
    return _demote_dangling_intros([u for u in units if len(u.text) >= MIN_UNIT_CHARS or u.kind == "heading"])


def _join_continuations(pieces: list[tuple[int, int, str]], text: str) -> list[tuple[int, int, str]]:
    """A piece opening in lower case after a list line or sentence left open continues it: page
    breaks put blank lines inside sentences ("… that invest in and perform space exploration" /
    "activities.")."""
    out: list[tuple[int, int, str]] = []
    for start, end, kind in pieces:
        if out and kind == "sentence" and text[start : start + 1].islower():
            before_start, before_end, before_kind = out[-1]
            if before_kind in ("line", "sentence") and not text[before_start:before_end].endswith(_CLOSED):
                out[-1] = (before_start, end, before_kind)
                continue
        out.append((start, end, kind))
    return out


def _demote_dangling_intros(units: list[Unit]) -> list[Unit]:
    """ "Found on:" with nothing after it (the URLs were cleaned away) answers nothing: treat such
    an intro like a heading, which locates a passage but is never quoted as an answer."""
    out = list(units)
    for i, unit in enumerate(out):
        follower = out[i + 1] if i + 1 < len(out) else None
        dangling = follower is not None and follower.kind not in ("line", "label")
        last_and_short = follower is None and len(unit.text.split()) <= 12
        if unit.text.endswith(":") and (dangling or last_and_short):
            out[i] = replace(unit, kind="heading")
    return out
