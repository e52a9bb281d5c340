"""Rendering: everything from the corpus or the user is escaped; markers link to their passage."""

from __future__ import annotations

from types import SimpleNamespace

from app.ui_render import (
    answer_markdown,
    chat_messages,
    documents_html,
    escape_markdown,
    file_lines_html,
    highlight,
    human_size,
    sources_html,
)

HOSTILE = '<img src=x onerror="alert(1)"> ![x](http://127.0.0.1:9/exfil) [link](javascript:alert(1)) http://e.x/ **b**'


def _citation(marker=1, text="Alpha. The quoted sentence. Omega.", start=7, end=27, chunk="c1"):
    return {
        "marker": marker,
        "chunk_id": chunk,
        "source": "report.pdf",
        "page": 3,
        "section": "1 Summary",
        "quote": text[start:end],
        "text": text,
        "quote_start": start,
        "quote_end": end,
    }


def _passage(rank, chunk, text="passage text", score=0.5):
    return {
        "rank": rank,
        "chunk_id": chunk,
        "source": "report.pdf",
        "page": 3,
        "section": "",
        "text": text,
        "score": score,
    }


def _answer(question="Q?", text="It is so [1].", citations=None, passages=None, **extra):
    citations = [_citation()] if citations is None else citations
    passages = [_passage(1, "c1"), _passage(2, "c2")] if passages is None else passages
    return {
        "question": question,
        "answer": text,
        "citations": citations,
        "passages": passages,
        "backend": "extractive",
        "rewritten_query": None,
        "timings_ms": {"total": 12.0},
        **extra,
    }


def test_escape_markdown_leaves_no_markup():
    out = escape_markdown(HOSTILE)
    assert "<" not in out and ">" not in out
    assert "![" not in out and "](" not in out
    assert "http://" not in out  # no autolink
    assert "**" not in out


def test_markers_become_links_only_when_cited():
    md = answer_markdown(_answer(text="First [1]. Not cited [7]. Both [1, 1]."), turn=2)
    assert md.count("(#isecg-src-2-1)") == 3
    assert "\\[7\\]" in md and "#isecg-src-2-7" not in md


def test_answer_markdown_escapes_corpus_text_and_keeps_list_items():
    md = answer_markdown(_answer(text=f"Items:\n- {HOSTILE}\n- second [1]"), turn=1)
    assert "<img" not in md and "![" not in md
    assert md.split("\n")[1].startswith("- ") and md.split("\n")[2].startswith("- second")


def test_answer_markdown_shows_what_was_searched():
    md = answer_markdown(_answer(question="Which of them?", rewritten_query="Which of the <agencies>?"), turn=1)
    assert "searched for" in md and "&lt;agencies&gt;" in md


def test_chat_messages_rebuild_the_conversation_with_error_turns():
    turns = [_answer(question="<b>q1</b>"), {"question": "q2", "error": "question too long"}]
    messages = chat_messages(turns)
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert "<b>" not in messages[0]["content"]
    assert messages[3]["content"].startswith("**Not answered:**")


def test_highlight_marks_the_quote_and_escapes_everything():
    text = "<b>bold</b> the quoted <i>part</i> end"
    start = text.index("the")
    end = text.index(" end")
    out = highlight(text, start, end)
    assert out == "&lt;b&gt;bold&lt;/b&gt; <mark>the quoted &lt;i&gt;part&lt;/i&gt;</mark> end"


def test_highlight_falls_back_to_the_quote_when_offsets_are_wrong():
    assert highlight("abc quote def", 50, 60, "quote") == "abc <mark>quote</mark> def"
    assert highlight("abc", 5, 1, "missing") == "abc"


def test_sources_show_latest_turn_and_hide_earlier_ones():
    html = sources_html([_answer(question="first"), {"question": "x", "error": "e"}, _answer(question="third")])
    assert 'data-turn="1" hidden' in html and 'data-turn="3">' in html
    assert 'id="isecg-src-1-1"' in html and 'id="isecg-src-3-1"' in html
    assert 'data-turn="2"' not in html
    assert "<mark>The quoted sentence.</mark>" in html
    assert "relevance 0.500" in html


def test_show_all_lists_the_other_retrieved_passages():
    turns = [_answer(passages=[_passage(1, "c1"), _passage(2, "c2", text="other passage")])]
    assert "other passage" not in sources_html(turns)
    assert "1 more retrieved passages" in sources_html(turns)
    assert "other passage" in sources_html(turns, show_all=True)


def test_abstained_answer_lists_the_closest_passages():
    turns = [_answer(text="not in the reports", citations=[], passages=[_passage(1, "c9", text="closest")])]
    assert "closest" in sources_html(turns)


def test_hostile_passage_text_is_inert_in_sources():
    citation = _citation(text=HOSTILE, start=0, end=10)
    html = sources_html([_answer(citations=[citation], passages=[_passage(1, "c1", text=HOSTILE)])], show_all=True)
    assert "<img" not in html and "&lt;img" in html


def test_documents_and_report_tables_escape_names():
    record = SimpleNamespace(
        source="<script>.md",
        title="<t>",
        pages=None,
        chunks=3,
        size=2048,
        ingested_at="2025-01-01T00:00:00+00:00",
        status="complete",
    )
    html = documents_html([record])
    assert "<script>" not in html and "&lt;script&gt;.md" in html and "2025-01-01 00:00:00 UTC" in html
    lines = file_lines_html([{"path": "a\nb<i>.md", "status": "rejected", "detail": "<b>no</b>"}])
    assert "<i>" not in lines and "<b>no" not in lines and "a\\nb" in lines


def test_human_size():
    assert [human_size(n) for n in (412, 5000, 3 * 2**20)] == ["412 B", "5 KiB", "3.0 MiB"]
