"""Cleaning for text extracted from real reports: pure functions, page by page.

What real extracted reports contain, and what we do about it:
- runs of blank or whitespace-only lines → one blank line (a paragraph break);
- stray page-number lines ("2", "Page 3", "- 4 -", "5 of 12") → removed;
- bare URL lines (hyperlink targets dumped at the end of a page) → removed;
- headers/footers repeated at the top or bottom of most pages → removed;
- words hyphenated across a line break → joined, keeping the hyphen only where the document
  itself writes the word with one;
- zero-width, control and tag characters → removed (see ``sanitize``).

Cleaning keeps line structure: headings, list items and table rows are detected on lines later.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ingest.sanitize import sanitize_text

_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?[-–—(\[]?\s*\d{1,4}\s*[-–—)\]]?\s*(?:(?:of|/)\s*\d{1,4})?\s*$", re.I)
_URL_LINE = re.compile(r"^\s*(?:(?:https?|ftp)://|www\.)\S+\s*$", re.I)
_RULE_LINE = re.compile(r"^\s*[-_=*–—]{8,}\s*$")
# \b: start only at a word start. Without it every position inside a long run of letters (a base64
# blob, a 1 MB "word") retries the match to the end of the run: quadratic, hours for 1 MB.
_HYPHEN_BREAK = re.compile(r"\b(\w+)-\n[ \t]*([a-z]\w*)")
_BLANK_RUN = re.compile(r"\n(?:[ \t]*\n)+")
_WORD = re.compile(r"[\w-]+")
# A footnote reference glued to a word: "activities1." → "activities." (lower-case words only,
# so names like "CO2" or "H2O" are left alone).
_FOOTNOTE_REF = re.compile(r"(?<=[a-z]{4})\d{1,2}(?=[.,;:]?(?:\s|$))")


def _strip_lines(text: str) -> list[str]:
    """Tabs to spaces and trailing blanks off; leading indentation is kept (it marks headings)."""
    return [line.replace("\t", " ").rstrip() for line in text.split("\n")]


def _is_noise_line(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(line) or _URL_LINE.match(line))


def _edge_key(line: str) -> str:
    """Header/footer identity: case-folded, digits masked (running page numbers differ)."""
    return re.sub(r"\d+", "#", line.strip().casefold())


def repeated_edge_lines(pages: Sequence[str], edge: int = 2, share: float = 0.5) -> set[str]:
    """Lines found in the first/last ``edge`` non-blank lines of most pages (headers, footers).

    Only meaningful with at least three pages; a line must repeat on more than ``share`` of them,
    so a heading that happens to open two pages is not mistaken for a running header.
    """
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for page in pages:
        lines = [line for line in page.split("\n") if line.strip()]
        edges = {_edge_key(line) for line in lines[:edge] + lines[-edge:] if len(line.split()) <= 12}
        counts.update(key for key in edges if len(key) > 1)
    return {key for key, n in counts.items() if n >= 3 and n / len(pages) > share}


def _dehyphenate(text: str, vocabulary: Counter[str]) -> str:
    """Join ``infor-\\nmation``; keep the hyphen when the document spells the word hyphenated."""

    def join(match: re.Match[str]) -> str:
        head, tail = match.group(1), match.group(2)
        if vocabulary[f"{head}-{tail}".casefold()]:
            return f"{head}-{tail}"  # the document writes it with a hyphen elsewhere
        if vocabulary[f"{head}{tail}".casefold()]:
            return f"{head}{tail}"
        if vocabulary[head.casefold()] and vocabulary[tail.casefold()]:
            return f"{head}-{tail}"  # two real words: a compound ("long-term")
        return f"{head}{tail}"  # word fragments: a line-break hyphen ("informa-tion")

    return _HYPHEN_BREAK.sub(join, text)


def clean_page(text: str, drop: set[str] = frozenset(), vocabulary: Counter[str] | None = None) -> str:
    """Clean one page of extracted text (see the module docstring for what is fixed)."""
    lines = _strip_lines(sanitize_text(text).replace("\f", "\n"))
    kept = []
    for line in lines:
        if _is_noise_line(line) or (line.strip() and _edge_key(line) in drop):
            continue
        kept.append("" if _RULE_LINE.match(line) else _FOOTNOTE_REF.sub("", line))
    body = "\n".join(kept)
    body = _dehyphenate(body, vocabulary if vocabulary is not None else document_vocabulary([body]))
    body = _BLANK_RUN.sub("\n\n", body)
    return body.strip("\n")


def document_vocabulary(pages: Sequence[str]) -> Counter[str]:
    """Word counts over the whole document, used to decide how to join hyphenated breaks."""
    counts: Counter[str] = Counter()
    for page in pages:
        unbroken = _HYPHEN_BREAK.sub(" ", page)  # fragments of a broken word are not words
        counts.update(word.casefold() for word in _WORD.findall(unbroken))
    return counts


def clean_pages(pages: Sequence[str]) -> list[str]:
    """Clean every page of one document, using evidence from the whole document."""
    sanitized = [sanitize_text(page) for page in pages]
    drop = repeated_edge_lines(sanitized)
    vocabulary = document_vocabulary(sanitized)
    return [clean_page(page, drop, vocabulary) for page in sanitized]
