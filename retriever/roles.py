"""Whose role a quote names: "Who is the chair of ISECG?" is not answered by "The Tiger Team is
… co-chaired by DLR and ESA".

``slots`` makes a role question's quote use the role's word; this checks the role belongs to the
body the question names. Both sides are read without a parser, so the check speaks only when
both are plain: the question names the body ("chair of ISECG", "the ISECG chair", "Who chairs the
ERWG?") and the quote states whose role it is (the subject of "… is chaired by", the object of
"X chairs Y", "chair of Y"). A body the question only describes ("the initiative of the group
that …") is a second hop's business, and is never refused here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from retriever.tokenize import ACRONYM, names_in, terms

_ROLE_NOUN = r"(?:co-?)?(?:chair|chairs|chairperson|chairman|chairwoman|head|leader|director|president)"
_ROLE_VERB = r"(?:co-?)?(?:chairs|chaired|heads|headed|leads|led|directs|directed)"
_ROLE_VERB_ASKED = r"(?:co-?)?(?:chairs?|heads?|leads?|directs?)"  # "Which agencies co-chair …?"
_NAME = r"[A-Z][\w&’'-]*(?: (?:of |for |and )?[A-Z][\w&’'-]*)*"

_ASKED = [
    re.compile(rf"\b{_ROLE_NOUN} of (?P<body>(?:the )?{_NAME})"),
    # the verb only right after who/which (and its noun): "What led ESA to …" asks a cause
    re.compile(
        rf"(?:^|[,;] (?:and )?|\band )\s*(?i:who|which(?: [\w-]+)?) (?:will )?{_ROLE_VERB_ASKED} "
        rf"(?P<body>(?:(?:the|its|their) )?{_NAME})"
    ),
    re.compile(rf"(?<!^)(?<![.?!] )\b(?P<body>{_NAME})(?:’s|'s)? {_ROLE_NOUN}\b"),
]
_HELD = [
    re.compile(
        rf"^(?P<body>.+?) (?:is|are|was|were|will be|has been|have been) [^.]*?(?P<role>{_ROLE_VERB}) by\b", re.I
    ),
    re.compile(rf"\b(?P<role>{_ROLE_NOUN}) of (?P<body>(?:the )?{_NAME})"),
    re.compile(rf"\b(?P<role>{_ROLE_VERB}) (?P<body>(?:the )?{_NAME})"),
]
_NOUNS = {
    "chair": "chair",
    "lead": "leader",
    "led": "leader",
    "head": "head",
    "direct": "director",
    "presid": "president",
}


def _first(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    return next((match for pattern in patterns if (match := pattern.search(text))), None)


def _body(match: re.Match[str]) -> str:
    body = match.group("body").strip()
    return "the " + body[4:] if body.startswith("The ") else body


def asked_bodies(question: str) -> list[str]:
    """The bodies whose role a question names ("ISECG" in "Who is the chair of ISECG?"); a question
    asking two things may name two ("Who chairs the SCWG, and who co-chairs its Tiger Team?")."""
    found = [_body(match) for pattern in _ASKED for match in pattern.finditer(question.strip())]
    return list(dict.fromkeys(found))


def _plain(body: str) -> bool:
    """A subject that names something: not "It", "The group" or "In 2020, the chairmanship"."""
    return 0 < len(body.split()) <= 6 and bool(names_in(body) or ACRONYM.search(body))


def other_holder(question: str, lead: str, expand: Callable[[str], str] = lambda text: text) -> str | None:
    """ "the chair of the Tiger Team, not of ISECG" when the quote names the role of another body
    than the question does; None when they agree or either side is unclear. ``expand`` adds the
    glossary forms of a text ("ERWG" and "Exploration Roadmap Working Group" are one body)."""
    asked = asked_bodies(question)
    match = _first(_HELD, lead.strip()) if asked else None
    if not asked or not match or not _plain(held := _body(match)):
        return None
    if any(set(terms(expand(body))) & set(terms(expand(held))) for body in asked):
        return None
    role = match.group("role").casefold()
    noun = next((noun for stem, noun in _NOUNS.items() if stem in role), "chair")
    return f"the closest passages name the {noun} of {held}, not of {' or '.join(asked)}"
