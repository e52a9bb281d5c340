"""Human-readable terminal output for reports, answers and passages."""

from __future__ import annotations

import textwrap

from ingest.report import STATUSES, IngestReport
from ingest.sanitize import display_name
from retriever.records import Answer, Passage


def _where(source: str, page: int | None, section: str) -> str:
    parts = [display_name(source)]
    if page is not None:
        parts.append(f"p. {page}")
    if section:
        parts.append(section)
    return " · ".join(parts)


def render_ingest(report: IngestReport) -> str:
    """One line per file that is not unchanged, then the totals."""
    lines = []
    for f in report.files:
        if f.status == "unchanged":
            continue
        reason = f" ({f.reason}: {f.detail})" if f.reason else ""
        size = f", {f.chunks} chunks" if f.chunks else ""
        lines.append(f"{f.status:>9}  {display_name(f.path)}{size}{reason}")
    counts = report.counts()
    totals = ", ".join(f"{counts[s]} {s}" for s in STATUSES)
    lines.append(f"{totals}; {report.chunks_embedded} chunks embedded in {report.seconds:.1f} s")
    return "\n".join(lines)


def render_answer(answer: Answer) -> str:
    """The answer, then each citation with its source and quoted sentence."""
    lines = [answer.answer]
    if answer.rewritten_query:
        lines.append(f"\n(searched: {answer.rewritten_query})")
    if answer.citations:
        lines.append("")
    for c in answer.citations:
        lines.append(f"[{c.marker}] {_where(c.source, c.page, c.section)}")
        lines.append(textwrap.indent(textwrap.fill(f"“{c.quote}”", width=96), "    "))
    if answer.fallback_reason:
        lines.append(f"\n(answered by {answer.backend}: {answer.fallback_reason})")
    return "\n".join(lines)


def render_passages(passages: list[Passage]) -> str:
    """Ranked passages with a short preview."""
    lines = []
    for p in passages:
        preview = " ".join(p.text.split())[:300]
        lines.append(f"{p.rank}. [{p.score:.3f}] {_where(p.source, p.page, p.section)}")
        lines.append(textwrap.indent(textwrap.fill(preview, width=96), "    "))
    return "\n".join(lines) if lines else "no passages found"
