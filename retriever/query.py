"""What a question asks for, and the query actually searched.

The kind of question decides the shape of the extractive answer (one sentence, a list, a few
key sentences); the glossary turns "NOSA" into "NOSA Norwegian Space Agency" and back, so either
form finds the passage.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from retriever.tokenize import AUXILIARIES, STOPWORDS, name_terms, terms, words

QuestionKind = Literal["numeric", "date", "list", "summary", "yesno", "factoid"]

_NUMERIC = re.compile(r"\bhow (?:many|much|big|large|often)\b|\bnumber of\b|\bcount\b|\bhow many\b", re.I)
_DATE = re.compile(
    r"\bwhen\b(?! it comes to\b)|\bwhat (?:year|date|month|day|time)\b|\bwhich (?:year|month|date|day)\b|"
    r"\bsince when\b|\bby when\b|\bwhat dates?\b|\bhow long ago\b",
    re.I,
)
# "What will the TWG focus on?" wants an overview; "What will it focus on enhancing?" and "What are
# these plans meant to prepare for?" ask one thing, so the verb must end the clause. "How is a
# summary of their work made public?" asks about a summary, not for one.
_CLAUSE_END = (
    r"(?=\s*(?:[?.!,]|$|(?:in|for|during|this|next|over|after|by|at|now|today|until|to|with|about|from|of|on|"
    r"regarding|since|within|under)\b))(?!.*\b(?:meant|intended|supposed|designed|expected|aimed|going)\b)"
)
_SUMMARY = re.compile(
    r"\bsummari[sz]|^(?!\s*(?:how|where|when|who|whom|why|which)\b).*\bsummar|"
    r"\bsum (?:it )?up\b|\brecap\b|\bbriefly\b|\bin short\b|\boverview\b|\boutline\b|"
    r"^(?!\s*(?:how|where|when|who|whom|why|which)\b).*(?:\brun-?down\b|\bwalk (?:me|us) through\b|"
    r"\bwhat (?:the|this|that|it) .*\bcovers\b)|"
    r"\bdescribe\b|\bin a nutshell\b|\bmain (?:points|activities|goals?)\b|"
    r"\bkey (?:points|activities|messages)\b|\btell me (?:about|more)\b|\bexplain\b|"
    r"\bwhat (?:is|was) the (?:role|goal|purpose|mandate|scope)\b|\bgist\b|"
    r"\bwhat (?:does|did|will) .+ (?:do|plan|cover|focus on|work on|add|provide|offer|contain)" + _CLAUSE_END + "|"
    # no copula between ("What are the technologies the TWG is focusing on?" asks for technologies)
    r"\bwhat (?:is|are|was|were|will|does|did) (?:(?!(?:is|are|was|were)\b)[\w'’-]+ )+"
    r"(?:doing|planning|focusing on|working on)(?!\s+to\b)" + _CLAUSE_END + "|"
    r"\bwhat are .+ plans" + _CLAUSE_END,
    re.I,
)
# "Which scheme were the technologies categorised by?" asks for a scheme: a plural noun after an
# auxiliary verb is the subject of the question's clause, not the thing asked for
_AUX = rf"(?:{'|'.join(sorted(AUXILIARIES))})"
_LIST_NOUNS = (
    r"(?:agencies|members|organisations|organizations|countries|groups|"
    r"topics|areas|events|documents|publications|themes|principles|domains|technologies|items|"
    r"conferences|reports|newcomers|nations|benefits|articles|activities)"
)
_LIST = re.compile(
    r"^(?:list|name|enumerate|which are)\b|\bwhat (?:were|are) (?:the|all)\b|\ball (?:the )?\w+s\b|"
    r"\bwhich of (?:them|these|those|the)\b|"
    r"\b(?:which|what|who) (?:(?:is|are|was|were) )?(?:(?!" + _AUX + r"\b)[\w'’]+ ){0,4}?"
    rf"{_LIST_NOUNS}\b",
    re.I,
)
# "What are the messages meant to tie in with?" and "What are agencies hoping to forge?" ask for
# the one purpose or aim of what they name, however plural that is
_AIM = re.compile(
    r"^\s*what\b.*\b(?:meant|intended|supposed|expected|hoping|trying|aiming|aimed|seeking|keen|eager) to\b", re.I
)
_NAMED_LIST = re.compile(rf"^\s*(?:what|which)\s+{_LIST_NOUNS}\b", re.I)  # "What benefits are expected …?"
_YESNO = re.compile(r"^(?:is|are|was|were|does|do|did|has|have|had|can|could|will|would|should)\b", re.I)
_QUESTION_WORDS = {"which", "what", "who", "whom", "when", "where", "why", "how", "whose", "did", "does", "do"}


@dataclass
class QueryPlan:
    """The question as understood: its kind, focus words and the text each retriever gets."""

    question: str
    kind: QuestionKind
    search_text: str
    lexical_text: str
    expansions: list[str] = field(default_factory=list)
    own_text: str = ""  # the question itself (+ glossary forms), without words carried from history
    head: str = ""  # the question as resolved, without carried words ("Which ones?" → "Which agencies?")
    name_variants: list[str] = field(default_factory=list)  # corpus terms for names it never uses ("Thai")

    @property
    def is_follow_up(self) -> bool:
        return self.own_text != self.search_text


_NAMES = re.compile(
    r"\b(?:agencies|members|organi[sz]ations|countries|nations|newcomers|partners|bodies|institutions|"
    r"who)\b",
    re.I,
)


def asks_for_names(question: str) -> bool:
    """Whether a list question wants named things (agencies, members) rather than topics or items."""
    return bool(_NAMES.search(question))


def classify(question: str) -> QuestionKind:
    """Rule-based kind from the question's wording (order matters: "how many ..." is numeric)."""
    if _NUMERIC.search(question):
        return "numeric"
    if _DATE.search(question):
        return "date"
    if _SUMMARY.search(question):
        return "summary"
    aim = _AIM.search(question) and not _NAMED_LIST.match(question)
    if _LIST.search(question) and not aim:
        return "list"
    if _YESNO.search(question.strip()):
        return "yesno"
    return "factoid"


def glossary_expansions(text: str, glossary: dict[str, str]) -> list[str]:
    """The other form of every acronym or long name in ``text`` (from the corpus glossary)."""
    found: list[str] = []
    folded = text.casefold()
    tokens = set(re.findall(r"[A-Za-z][A-Za-z0-9&]+", text))
    for short, long_form in glossary.items():
        if short in tokens and long_form.casefold() not in folded:
            found.append(long_form)
        elif long_form.casefold() in folded and short not in tokens:
            found.append(short)
    return found


def focus_words(text: str) -> list[str]:
    """Content words of a question (no stop or question words), in order."""
    return [w for w in words(text) if w not in STOPWORDS and w not in _QUESTION_WORDS]


# Phrasal verbs whose verb alone means something else ("set up" is no "set of twelve"): their
# plain equivalents, which reports use, replace them in what is searched (general English, not
# tuned to any report; the particle is a stop word, so only the misleading verb would be left)
_PHRASAL = {
    r"(?:set|sets|setting) up": "establish",
    r"(?:take|takes|took|taken|taking) part": "participate",
    r"(?:carry|carries|carried|carrying) out": "conduct",
    r"(?:put|puts|putting) out": "publish",
    r"(?:sign|signs|signed|signing) up": "join",
    r"(?:look|looks|looked|looking) into": "investigate",
    r"(?:find|finds|found|finding) out": "learn",
    r"(?:come|comes|came|coming) up with": "develop",
    r"(?:give|gives|gave|given|giving) up": "abandon",
    r"(?:team|teams|teamed|teaming) up": "collaborate",
    r"(?:back|backs|backed|backing) up": "support",
    r"(?:keep|keeps|kept|keeping) track": "track",
    r"(?:wrap|wraps|wrapped|wrapping) up": "complete",
    r"(?:turn|turns|turned|turning) down": "reject",
    r"(?:swap|swaps|swapped|swapping) notes": "exchange",
    # "join in on everything", not "joined in which period" or "joined in 2020"
    r"(?:join|joins|joined|joining) in(?= on\b| with\b|\s*[?.!,]|\s*$)": "participate",
}
# Words that set a tone and name nothing ("In plain terms, what is ISECG actually for?"): left in,
# "terms" matched "Terms of Reference"
_FILLER = re.compile(
    r"\b(?:in (?:plain|simple|simpler|layman'?s|everyday|other|general|short|brief) (?:terms|words|english)|"
    r"in a nutshell|actually|basically|exactly|really|roughly|essentially|simply|just|kind of|sort of)\b,?\s*",
    re.I,
)
_PHRASAL_RE = re.compile(r"\b(" + "|".join(f"(?:{p})" for p in _PHRASAL) + r")\b(?!-)", re.I)
_PHRASAL_COMPILED = [(re.compile(rf"^{p}$", re.I), plain) for p, plain in _PHRASAL.items()]


def plain_verbs(text: str) -> str:
    """``text`` as searched: phrasal verbs replaced by plain ones ("set up" → "establish"), filler
    words left out."""

    def plain(match: re.Match[str]) -> str:
        return next(word for pattern, word in _PHRASAL_COMPILED if pattern.match(match.group(1)))

    return _PHRASAL_RE.sub(plain, _FILLER.sub("", text))


def plan_query(
    question: str,
    glossary: dict[str, str],
    search_base: str | None = None,
    variants: Callable[[str], list[str]] | None = None,
) -> QueryPlan:
    """Build the plan; ``search_base`` is the rewritten standalone query for follow-ups.

    ``variants`` maps a word the corpus never uses to corpus words sharing its prefix
    ("Thai" → "thailand"); they are added for lexical matching only.
    """
    base = plain_verbs(search_base or question)
    found = [v for t in terms(base) for v in (variants(t) if variants else [])]
    expansions = glossary_expansions(base, glossary) + found
    extra = " ".join(expansions)
    own = plain_verbs(question)
    own_found = [v for t in terms(own) for v in (variants(t) if variants else [])]
    own_extra = " ".join(glossary_expansions(own, glossary) + own_found)
    # "Which ones?" resolved to "Which agencies? (…)": the resolved head says what is asked
    head = question if not search_base or search_base.startswith(question.strip()) else search_base.split(" (", 1)[0]
    return QueryPlan(
        question=question,
        kind=classify(head),
        head=head,
        search_text=f"{base} {extra}".strip(),
        lexical_text=f"{base} {extra}".strip(),
        expansions=expansions,
        own_text=f"{own} {own_extra}".strip() if search_base else f"{base} {extra}".strip(),
        name_variants=[v for t in name_terms(own) for v in (variants(t) if variants else [])],
    )
