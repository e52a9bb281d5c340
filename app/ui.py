"""Gradio chat UI (first version): a chat over the reports with cited answers."""

from __future__ import annotations

import html
import logging
from typing import Any

from retriever.service import QAService, QuestionError

logger = logging.getLogger(__name__)


def _history_pairs(history: list[dict[str, Any]]) -> list[tuple[str, str]]:
    pairs, question = [], None
    for message in history:
        content = message.get("content")
        text = content if isinstance(content, str) else ""
        if message.get("role") == "user":
            question = text
        elif message.get("role") == "assistant" and question is not None:
            pairs.append((question, text))
            question = None
    return pairs


def respond(service: QAService, message: str, history: list[dict[str, Any]]) -> str:
    """One chat turn: the answer with its citations listed under it (HTML-escaped)."""
    try:
        answer = service.ask(message, _history_pairs(history))
    except QuestionError as exc:
        return f"⚠️ {html.escape(str(exc))}"
    lines = [html.escape(answer.answer)]
    for c in answer.citations:
        where = " · ".join(str(x) for x in (c.source, f"p. {c.page}" if c.page else None, c.section) if x)
        lines.append(f"\n[{c.marker}] {html.escape(where)}: “{html.escape(c.quote)}”")
    return "\n".join(lines)


def launch(components: Any) -> None:
    """Build and serve the chat on the configured loopback address."""
    import gradio as gr

    settings = components.settings
    service = components.service
    demo = gr.ChatInterface(lambda m, h: respond(service, m, h), title="ISECG reports — cited answers")
    demo.queue(max_size=settings.queue_size, default_concurrency_limit=settings.concurrency)
    demo.launch(server_name=settings.host, server_port=settings.port, show_error=False)
