"""Structure-aware chunking: headings start chunks, paragraphs and list items stay whole.

Every chunk is an exact slice of the cleaned document text (``text[start:end]``), so offsets map
back, and its id is a content hash, so re-ingesting the same text never duplicates anything.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field, replace

from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.structure import Block, SectionTracker, find_blocks, heading_text
from ingest.units import Unit, _sentence_spans, split_units

PAGE_SEPARATOR = "\n\n"
# Real report text averages ~6 characters per word; 16 only binds on pathological text.
MAX_CHARS_PER_WORD = 16


@dataclass(frozen=True)
class ChunkingParams:
    """Chunk sizes in words; recorded in the store so a mismatch is caught (see ``store``)."""

    target_words: int = 170
    max_words: int = 230
    min_words: int = 40
    overlap_words: int = 25
    version: int = 12  # bump when cleaning, chunking, unit rules or the unit layout in the store change

    def fingerprint(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @property
    def max_chars(self) -> int:
        """Hard character cap per chunk, far above what ``max_words`` of real words take."""
        return self.max_words * MAX_CHARS_PER_WORD


@dataclass(frozen=True)
class Chunk:
    """One stored passage with everything a citation needs."""

    id: str
    source: str
    doc_sha256: str
    index: int
    text: str
    start: int
    end: int
    page: int | None
    page_end: int | None
    section: str
    title: str
    units: tuple[Unit, ...] = field(default=(), compare=False)

    def header(self) -> str:
        """Contextual header embedded and indexed with the text (not stored in it)."""
        return f"{self.title} — {self.section}" if self.section else self.title

    def metadata(self) -> dict[str, str | int]:
        """Chroma metadata: scalars only; a missing page is -1 (Chroma has no null)."""
        return {
            "source": self.source,
            "doc_sha256": self.doc_sha256,
            "chunk_index": self.index,
            "start": self.start,
            "end": self.end,
            "page": -1 if self.page is None else self.page,
            "page_end": -1 if self.page_end is None else self.page_end,
            "section": self.section,
            "title": self.title,
        }


@dataclass
class _Piece:
    start: int
    end: int
    words: int
    section: str
    heading: bool = False
    top_level: bool = False


def _main_section(body: list[_Piece]) -> str:
    """The section holding most of a chunk's words (small sections merge into neighbours)."""
    weights: Counter[str] = Counter()
    for piece in body:
        weights[piece.section] += piece.words
    return weights.most_common(1)[0][0]


def _block_pieces(text: str, block: Block, max_words: int) -> list[tuple[int, int, int]]:
    """A block as one piece, or cut at sentence ends when it alone is longer than a chunk."""
    words = len(text[block.start : block.end].split())
    if words <= max_words:
        return [(block.start, block.end, words)]
    pieces: list[tuple[int, int, int]] = []
    for start, end in _sentence_spans(text[block.start : block.end], block.start):
        n = len(text[start:end].split())
        if pieces and pieces[-1][2] + n <= max_words:
            pieces[-1] = (pieces[-1][0], end, pieces[-1][2] + n)
        elif n <= max_words:
            pieces.append((start, end, n))
        else:  # one enormous "sentence" (a table dump, a 50 MB line): cut by words
            pieces.extend(_word_windows(text, start, end, max_words))
    return pieces


def _word_count(text: str) -> int:
    return len(text.split())


def _word_windows(text: str, start: int, end: int, max_words: int) -> list[tuple[int, int, int]]:
    """A run with no sentence end (a flattened table, a 50 MB line) cut into ``max_words`` windows.

    LangChain's recursive splitter does the cutting, preferring line breaks, then semicolons and
    commas, then spaces; separators stay attached, so every piece is an exact slice of ``text``
    and is found again by a forward-only search (linear over the whole run).
    """
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=max_words,
        chunk_overlap=0,
        length_function=_word_count,
        separators=["\n", "; ", ", ", " "],
        keep_separator="end",
        strip_whitespace=True,
    )
    out, pos = [], start
    for piece in splitter.split_text(text[start:end]):
        piece_start = text.index(piece, pos, end)
        pos = piece_start + len(piece)
        out.append((piece_start, pos, _word_count(piece)))
    return out


def _pieces(text: str, params: ChunkingParams) -> list[_Piece]:
    tracker = SectionTracker()
    pieces: list[_Piece] = []
    for block in find_blocks(text):
        if block.kind == "heading":
            tracker.enter(block.level, heading_text(text[block.start : block.end]))
            top = block.level == 1
            pieces.append(_Piece(block.start, block.end, 0, tracker.section, True, top))
            continue
        for start, end, words in _block_pieces(text, block, params.max_words):
            pieces.append(_Piece(start, end, words, tracker.section))
    return pieces


def _overlap_start(text: str, previous: list[_Piece], overlap_words: int) -> int | None:
    """Start of the trailing sentences of the previous chunk that fit in ``overlap_words``."""
    last = previous[-1]
    if last.heading or overlap_words <= 0:
        return None
    chosen = None
    total = 0
    for start, end in reversed(_sentence_spans(text[last.start : last.end], last.start)):
        total += len(text[start:end].split())
        if total > overlap_words:
            break
        chosen = start
    whole_chunk = chosen == previous[0].start
    return None if chosen is None or whole_chunk else chosen


def plan_chunks(text: str, params: ChunkingParams) -> list[tuple[int, int, str]]:
    """(start, end, section) of every chunk of a cleaned document."""
    spans: list[tuple[int, int, str]] = []
    current: list[_Piece] = []

    def flush(next_piece: _Piece | None) -> None:
        body = [p for p in current if not p.heading]
        if body:
            spans.append((current[0].start, current[-1].end, _main_section(body)))
        carry = None
        if body and next_piece and not next_piece.heading and next_piece.section == body[-1].section:
            carry = _overlap_start(text, current, params.overlap_words)
        current.clear()
        if carry is not None:
            current.append(_Piece(carry, carry, 0, next_piece.section, heading=True))

    words = 0  # words in ``current``, kept as a running total: summing per piece is quadratic
    for piece in _pieces(text, params):  # when thousands of headings pile up with no body
        needed = params.min_words // 4 if piece.top_level else params.min_words
        if (
            piece.heading
            and words >= max(needed, 1)
            or not piece.heading
            and current
            and (
                words + piece.words > params.max_words
                or (words + piece.words > params.target_words and words >= params.min_words)
            )
        ):
            flush(piece)
            words = 0
        current.append(piece)
        words += piece.words
    flush(None)
    return [capped for span in spans for capped in _cap_span(text, span, params.max_chars)]


def _cap_span(text: str, span: tuple[int, int, str], max_chars: int) -> list[tuple[int, int, str]]:
    """A span cut at whitespace into pieces of at most ``max_chars`` (untouched when it fits).

    Word limits cannot bound a chunk made of one 2 MB "word" (a base64 blob) or of a long run of
    headings with no text under them; this character cap does, without changing normal chunks.
    """
    start, end, section = span
    if end - start <= max_chars:
        return [span]
    out = []
    while start < end:
        while start < end and text[start].isspace():
            start += 1
        if start >= end:
            break
        stop = min(start + max_chars, end)
        if stop < end:
            cut = max(text.rfind(" ", start, stop), text.rfind("\n", start, stop))
            stop = cut if cut > start else stop
        piece_end = stop
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        out.append((start, piece_end, section))
        start = stop
    return out


def chunk_id(source: str, text: str, occurrence: int) -> str:
    """Content hash: same source and text give the same id on every run and machine."""
    digest = hashlib.sha256(f"{source}\x00{occurrence}\x00{text}".encode()).hexdigest()
    return digest[:32]


def join_pages(pages: list[str]) -> tuple[str, list[int]]:
    """Document text from cleaned pages, and the offset where each page starts."""
    starts, parts, pos = [], [], 0
    for page in pages:
        starts.append(pos)
        parts.append(page)
        pos += len(page) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(parts), starts


def build_chunks(
    source: str,
    doc_sha256: str,
    title: str,
    pages: list[str],
    page_numbers: list[int | None],
    params: ChunkingParams,
) -> tuple[str, list[Chunk]]:
    """Chunk one cleaned document; returns the document text the offsets refer to."""
    text, starts = join_pages(pages)
    headings = [(b.start, b.end) for b in find_blocks(text) if b.kind == "heading"]
    seen: Counter[str] = Counter()
    chunks = []
    for index, (start, end, section) in enumerate(plan_chunks(text, params)):
        body = text[start:end]
        occurrence = seen[body]
        seen[body] += 1

        def page_at(offset: int) -> int | None:
            return page_numbers[bisect.bisect_right(starts, offset) - 1]

        first, last = page_at(start), page_at(max(start, end - 1))
        inside = [(max(s, start) - start, min(e, end) - start) for s, e in headings if s < end and e > start]
        units = tuple(replace(u, page=page_at(start + u.start)) for u in split_units(body, inside))
        chunks.append(
            Chunk(
                id=chunk_id(source, body, occurrence),
                source=source,
                doc_sha256=doc_sha256,
                index=index,
                text=body,
                start=start,
                end=end,
                page=first,
                page_end=last,
                section=section,
                title=title,
                units=units,
            )
        )
    return text, chunks
