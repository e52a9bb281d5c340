"""Acronym glossary built from the corpus itself ("NOSA" ↔ "Norwegian Space Agency").

Space-agency reports are acronym-dense and users ask with either form, so the retriever expands
queries with the other form. Pairs are found with the Schwartz–Hearst rule: every letter of the
short form must appear, in order, in the long form, and its first letter must start a word.
"""

from __future__ import annotations

import re
from collections import Counter

_PAREN_SHORT = re.compile(r"\(([A-Za-z][A-Za-z0-9&.\-]{1,11})\)")
_LEADING_SHORT = re.compile(r"^\s*(?:[•\-–]\s*)?([A-Z][A-Za-z0-9&]{1,11}),\s+([^\n(]{3,120})", re.M)
_WORD_BREAK = re.compile(r"[\s\-/]+")


def _is_short_form(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    return 2 <= len(letters) <= 10 and sum(c.isupper() for c in letters) >= max(2, len(letters) // 2)


def best_long_form(short: str, candidate: str) -> str | None:
    """Schwartz–Hearst: the shortest tail of ``candidate`` that spells ``short``."""
    chars = [c.casefold() for c in short if c.isalnum()]
    text = candidate.casefold()
    s_index, l_index = len(chars) - 1, len(text) - 1
    while s_index >= 0:
        c = chars[s_index]
        while l_index >= 0 and (text[l_index] != c or (s_index == 0 and l_index > 0 and text[l_index - 1].isalnum())):
            l_index -= 1
        if l_index < 0:
            return None
        s_index -= 1
        l_index -= 1
    start = l_index + 1
    long_form = candidate[start:].strip(" ,;:–-\"'“”‘’")
    words = _WORD_BREAK.split(long_form)
    if len(words) < 2 or len(words) > len(chars) + 4 or long_form.casefold() == short.casefold():
        return None
    return long_form


def _window_before(text: str, end: int, short: str) -> str:
    """The words just before ``(SHORT)``, at most len(short)+5 of them, on the same line group."""
    head = text[max(0, end - 200) : end]
    head = re.split(r"[()]|\n[ \t]*\n", head)[-1].replace("\n", " ")
    words = head.split()
    return " ".join(words[-(len(short) + 5) :])


def extract_glossary(text: str) -> dict[str, str]:
    """Map short form → long form for every pair the document defines."""
    found: dict[str, Counter[str]] = {}
    for match in _PAREN_SHORT.finditer(text):
        short = match.group(1).strip(".-")
        if _is_short_form(short):
            long_form = best_long_form(short, _window_before(text, match.start(), short))
            if long_form:
                found.setdefault(short, Counter())[long_form] += 1
    for match in _LEADING_SHORT.finditer(text):
        short, rest = match.group(1), match.group(2).strip()
        if _is_short_form(short):
            long_form = best_long_form(short, rest.split(",")[0])
            prefix = rest.split(",")[0]
            if long_form and prefix.casefold().startswith(long_form.casefold()[:3]):
                found.setdefault(short, Counter())[long_form] += 1
    return {short: forms.most_common(1)[0][0] for short, forms in found.items()}


def merge_glossaries(glossaries: list[dict[str, str]]) -> dict[str, str]:
    """One glossary for the whole corpus; the most frequent long form wins on conflicts."""
    votes: dict[str, Counter[str]] = {}
    for glossary in glossaries:
        for short, long_form in glossary.items():
            votes.setdefault(short, Counter())[long_form] += 1
    return {short: forms.most_common(1)[0][0] for short, forms in votes.items()}
