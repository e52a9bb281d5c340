"""Find the structure of a cleaned document: headings, list items and paragraphs, with offsets.

Headings are what make chunks citable ("3 Outlook for 2021 › Technology Working Group (TWG)") and
what contextual chunk headers are built from. Reports mark them in three ways we can see in text:
numbered section titles, Annex/Appendix titles, and short title-case lines that introduce prose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["heading", "item", "para"]

_NUMBERED = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2})*)\.?\s+[A-Z][^\n]{1,90}$")
_ANNEX = re.compile(r"^\s*(?:Annex|Appendix|Chapter|Part)\s+(?:[IVXLC]+|\d{1,2}|[A-H])\b[^\n]{0,80}$")
_MARKDOWN = re.compile(r"^\s{0,3}(#{1,6})\s+\S")
_BULLET = re.compile(r"^\s*(?:[•▪●◦‣∙·*−–-]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+\S")
_SENTENCE_END = re.compile(r"[.!?:;,]['’”\")]?\s*$")
_FULL_STOP = re.compile(r"[.!?]['’”\")]?\s*$")
_CONNECTOR = re.compile(r"^\s*(?:and|of|for|in|on|to|the|with|–|-)\b", re.I)
_SMALL_WORDS = {"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}


@dataclass(frozen=True)
class Block:
    """A unit the chunker never splits (unless it alone exceeds the chunk limit)."""

    start: int
    end: int
    kind: BlockKind
    level: int = 0


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of every line, without the newline."""
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def strong_heading_level(line: str) -> int:
    """Level of a numbered, Annex or Markdown heading line; 0 when it is not one."""
    if len(line.split()) > 14 or line.rstrip().endswith((".", ",", ";")):
        return 0
    if match := _MARKDOWN.match(line):
        return len(match.group(1))
    if _ANNEX.match(line):
        return 1
    if match := _NUMBERED.match(line):
        return match.group(1).count(".") + 1
    return 0


def is_title_like(line: str) -> bool:
    """Short, no closing punctuation, mostly capitalised words: the shape of a heading."""
    words = line.split()
    if not 1 <= len(words) <= 12 or len(line.strip()) > 90 or _SENTENCE_END.search(line):
        return False
    if not (words[0][0].isupper() or words[0][0].isdigit() or words[0][0] in "‘'\"“"):
        return False
    content = [w for w in words if w.casefold() not in _SMALL_WORDS and w[0].isalpha()]
    capitalised = sum(1 for w in content if w[0].isupper())
    return not content or capitalised / len(content) >= 0.6


def _is_prose(text: str) -> bool:
    """Sentences, not a list: enough words, a capital start and sentence punctuation."""
    words = text.split()
    if len(words) < 12 or not words[0][:1].isupper():
        return False
    return bool(re.search(r"[.!?:][\s'’”\")]", text + " "))


def _shape(line: str) -> tuple[bool, bool, bool]:
    """Coarse shape of a line; list entries share it ("AEB, ...", "AEM, ...", "NOSA, ...")."""
    first = line.split()[0] if line.split() else ""
    return first.rstrip(",").isupper(), "," in line, line.rstrip().endswith(")")


def _paragraphs(text: str) -> list[list[tuple[int, int]]]:
    """Lines grouped into blank-line separated paragraphs, as offsets."""
    groups: list[list[tuple[int, int]]] = [[]]
    for start, end in _lines(text):
        if text[start:end].strip():
            groups[-1].append((start, end))
        elif groups[-1]:
            groups.append([])
    return [g for g in groups if g]


def _split_strong_headings(paragraphs: list[list[tuple[int, int]]], text: str) -> list[list]:
    """A numbered/Annex heading can sit right after a paragraph (page breaks eat blank lines)."""
    out = []
    for para in paragraphs:
        current: list[tuple[int, int]] = []
        for span in para:
            if strong_heading_level(text[span[0] : span[1]]):
                if current:
                    out.append(current)
                out.append([span])
                current = []
            else:
                current.append(span)
        if current:
            out.append(current)
    return out


def _split_run_in_titles(paragraphs: list[list[tuple[int, int]]], text: str) -> tuple[list[list], set[int]]:
    """Headings that lost the blank line around them (page breaks eat blank lines): a title-shaped
    last line after a finished sentence, before a paragraph that starts a new sentence ("…
    throughout 2021." / "Major International Events Related to Space Exploration"), and a
    title-shaped first line before prose ("ISECG at a Glance: Scope and Background" / "ISECG, the
    International Space Exploration Coordination Group serves …"). Returns the paragraphs with
    such lines split off, and the start offsets of those lines."""
    out: list[list] = []
    titles: set[int] = set()
    for i, para in enumerate(paragraphs):
        following = paragraphs[i + 1] if i + 1 < len(paragraphs) else None
        if _leading_title(para, text):
            out.append([para[0]])
            titles.add(para[0][0])
            para = para[1:]
        if _trailing_title(para, following, text):
            out.extend([para[:-1], [para[-1]]])
            titles.add(para[-1][0])
        else:
            out.append(para)
    return out, titles


def _leading_title(para: list[tuple[int, int]], text: str) -> bool:
    lines = [text[s:e].strip() for s, e in para]
    rest = text[para[1][0] : para[-1][1]] if len(para) >= 2 else ""
    return bool(rest) and is_title_like(lines[0]) and lines[1][:1].isupper() and _is_prose(rest)


def _trailing_title(para: list[tuple[int, int]], following: list[tuple[int, int]] | None, text: str) -> bool:
    lines = [text[s:e] for s, e in para]
    starts_sentence = following is not None and text[following[0][0] : following[0][1]].strip()[:1].isupper()
    return (
        len(para) >= 2 and starts_sentence and bool(_FULL_STOP.search(lines[-2])) and is_title_like(lines[-1].strip())
    )


def _heading_paragraph(lines: list[str], next_text: str | None, previous: list[str]) -> bool:
    """A one- or two-line paragraph of title shape that introduces prose is a heading.

    The last entry of a list of short lines is followed by prose too; it is told apart by
    sharing the shape of the entry before it.
    """
    if len(lines) > 2 or not is_title_like(lines[0]):
        return False
    if len(previous) == 1 and is_title_like(previous[0]) and _shape(previous[0]) == _shape(lines[0]):
        return False
    if len(lines) == 2 and not (_CONNECTOR.match(lines[1]) and is_title_like(_CONNECTOR.sub("", lines[1]).strip())):
        return False
    return next_text is not None and _is_prose(next_text)


def _items(para: list[tuple[int, int]], text: str) -> Iterator[tuple[int, int, BlockKind]]:
    """Split a paragraph at bullet lines: each bullet with its continuation lines is one item."""
    current: list[tuple[int, int]] = []
    kind: BlockKind = "para"
    for span in para:
        if _BULLET.match(text[span[0] : span[1]]) and current:
            yield current[0][0], current[-1][1], kind
            current = []
        if not current:
            kind = "item" if _BULLET.match(text[span[0] : span[1]]) else "para"
        current.append(span)
    if current:
        yield current[0][0], current[-1][1], kind


def find_blocks(text: str) -> list[Block]:
    """Cut a cleaned document into headings, list items and paragraphs, in order."""
    paragraphs, run_in = _split_run_in_titles(_split_strong_headings(_paragraphs(text), text), text)
    blocks: list[Block] = []
    previous: list[str] = []
    for i, para in enumerate(paragraphs):
        lines = [text[s:e] for s, e in para]
        start, end = para[0][0], para[-1][1]
        level = strong_heading_level(lines[0]) if len(para) == 1 else 0
        if level or start in run_in:
            blocks.append(Block(start, end, "heading", level))
            previous = []
            continue
        following = paragraphs[i + 1] if i + 1 < len(paragraphs) else None
        next_text = text[following[0][0] : following[-1][1]] if following else None
        is_heading = _heading_paragraph(lines, next_text, previous)
        previous = [] if is_heading else lines
        if is_heading:
            blocks.append(Block(start, end, "heading", 0))
            continue
        blocks.extend(Block(s, e, kind) for s, e, kind in _items(para, text))
    return blocks


def heading_text(text: str) -> str:
    """A heading as shown in citations: Markdown marks dropped, whitespace collapsed."""
    return " ".join(text.strip().lstrip("#").split())


class SectionTracker:
    """Keeps the path of open headings; title-like headings nest under the last strong one."""

    def __init__(self) -> None:
        self._path: list[tuple[int, str]] = []

    def enter(self, level: int, title: str) -> None:
        """Open a heading; level 0 means "one below the current strong heading"."""
        if level == 0:
            strong = [lvl for lvl, _ in self._path if lvl < 99]
            level = (strong[-1] if strong else 0) + 99
        while self._path and self._path[-1][0] >= level:
            self._path.pop()
        self._path.append((level, title))

    @property
    def section(self) -> str:
        return " › ".join(title for _, title in self._path)
