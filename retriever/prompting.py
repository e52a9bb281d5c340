"""The generation prompt: numbered passages as quoted, untrusted data, then the question.

The wording lives in ``retriever/prompts/*.txt`` (package data) so it can be read and reviewed
as text. Corpus and user text only ever enter as *values* of those fixed templates: a template is
never built from them (LangChain's template-injection CVEs, e.g. CVE-2025-65106), and passage text
is neutralised so it cannot close its own ``<passage>`` wrapper. Instruction-like sentences are
redacted before the model sees them (``injection``).
"""

from __future__ import annotations

import logging
from functools import cache
from importlib import resources

from langchain_core.messages import BaseMessage
from langchain_core.prompts import ChatPromptTemplate

from retriever.injection import redact_instructions
from retriever.records import Passage

logger = logging.getLogger(__name__)


@cache
def load_prompt(name: str) -> str:
    """One prompt file from the package (``retriever/prompts/<name>``)."""
    return (resources.files("retriever") / "prompts" / name).read_text(encoding="utf-8")


@cache
def chat_prompt() -> ChatPromptTemplate:
    """System rules, then the passages and the question (variables: ``passages``, ``question``)."""
    return ChatPromptTemplate.from_messages(
        [("system", load_prompt("system.txt")), ("human", load_prompt("user.txt"))], template_format="f-string"
    )


def _neutral(text: str, *, attribute: bool = False) -> str:
    """Text that cannot open or close a wrapper tag (and, for attributes, cannot end the quote)."""
    text = text.replace("<", "‹").replace(">", "›")
    if attribute:
        text = " ".join(text.replace('"', "'").split())
    return text


def select_passages(passages: list[Passage], budget_chars: int) -> list[Passage]:
    """Passages in rank order while their text fits the budget; the first one always goes in."""
    chosen: list[Passage] = []
    used = 0
    for passage in passages:
        if chosen and used + len(passage.text) > budget_chars:
            break
        chosen.append(passage)
        used += len(passage.text)
    return chosen


def format_passage(number: int, passage: Passage, budget_chars: int) -> str:
    """One passage block: number, where it comes from, and its (redacted, neutralised) text."""
    text, _ = redact_instructions(passage.text[:budget_chars])
    return load_prompt("passage.txt").format(
        number=number,
        source=_neutral(passage.source, attribute=True),
        page="" if passage.page is None else passage.page,
        section=_neutral(passage.section, attribute=True),
        text=_neutral(text.strip()),
    )


def build_messages(question: str, passages: list[Passage], budget_chars: int) -> list[BaseMessage]:
    """The chat messages for one question over the given (already selected) passages."""
    blocks = "\n".join(format_passage(n, p, budget_chars) for n, p in enumerate(passages, start=1))
    return chat_prompt().format_messages(passages=blocks.strip(), question=question)
