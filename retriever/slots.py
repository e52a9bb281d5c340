"""Questions that name what they count, the role, event, kind of value or edition they ask about:
the answer must say it.

"How many pages does the Supplement have?" finds sentences about the Supplement, and none of
them counts pages; "Which agency chairs the ERWG?" finds what the ERWG does, never who chairs it.
Sentence similarity cannot tell these apart from answerable questions (both score high), but a
quote that never mentions the counted thing or the role cannot be the answer. The patterns are
general English (count questions, role and payment words), not facts about any report.

The same holds for the kind of value ("When did the agency join?" answered by a members-table row
with no date in it), for editions of a named thing and for the year of a count or date (see
``editions``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from retriever.editions import other_edition, other_year
from retriever.evidence import MONTHS, SEASONS, value_match
from retriever.query import asks_for_names
from retriever.tokenize import ACRONYM, AUXILIARIES, PART_NOUNS, RAW_WORD, STOPWORDS, stem, terms, words

# words that end the counted noun phrase: "how many agencies | joined", "how many pages | does"
PHRASE_END = STOPWORDS | {
    "are", "were", "is", "was", "do", "does", "did", "have", "has", "had", "will", "would", "can",
    "could", "should", "may", "might", "there", "in", "on", "at", "by", "for", "from", "of",
}  # fmt: skip
_COUNT = re.compile(r"\bhow (?:many|much)\b", re.I)
# a role held or a payment made: the quote must use the word (any form) for the answer to hold
_ROLE_STEMS = {
    "chair": {"chair"},
    "head": {"head"},
    "lead": {"lead", "led"},
    "leader": {"leader", "lead", "led"},
    "director": {"director", "direct"},
    "direct": {"direct", "director"},
    "presid": {"presid"},
    "pay": {"pay"},
    "fund": {"fund"},
    "budget": {"budget"},
    "cost": {"cost"},
}
_ROLE_QUESTION = re.compile(r"^\s*(?:who|which|what|how much)\b", re.I)
# an event a date question asks about: the quote must state that event, not another one of the
# same thing ("When will the report be published?" is not answered by when its study began)
_EVENT_STEMS = {
    "publish": {"publish", "releas", "issu"},
    "releas": {"publish", "releas", "issu"},
    "launch": {"launch"},
    "finish": {"finish", "complet", "conclud"},  # "When will the analysis be finished?"
    "complet": {"finish", "complet", "conclud"},
}
# an act of making a who/which question asks the doer of: the quote must state that act ("Who
# founded the centre?" is not answered by the members-table row naming it, nor "Who wrote the
# report?" by where it was published). Each verb accepts its near synonyms.
_FOUNDING = {"found", "establish", "creat", "form"}
_WRITING = {"write", "author", "draft", "prepar"}
_MAKING = {"build", "manufactur", "construct", "develop", "design"}
_ACT_STEMS = {
    **dict.fromkeys(("found", "establish", "creat"), _FOUNDING),
    **dict.fromkeys(("write", "author", "draft"), _WRITING),
    **dict.fromkeys(("build", "manufactur", "construct", "design", "invent"), _MAKING | {"invent"}),
    "sign": {"sign"},
    "own": {"own"},
    "win": {"win"},
}
_AGENT_QUESTION = re.compile(r"^\s*(?:who|which)\b", re.I)
_AGENT_REACH = 2  # words after who/which (and any auxiliary) where the verb can stand ("which company builds")
_WHEN_QUESTION = re.compile(r"^\s*(?:when|by when|until when|on what date|in which (?:year|month))\b", re.I)


def counted_words(question: str) -> list[str]:
    """The noun phrase after "how many/much", as written ("lunar surface exploration objectives")."""
    match = _COUNT.search(question)
    if match is None:
        return []
    phrase: list[str] = []
    for word in words(question[match.end() :]):
        if word in PHRASE_END:
            break
        phrase.append(word)
    return phrase


def counted_phrase(question: str) -> list[str]:
    """The terms of the noun phrase after "how many/much"."""
    return terms(" ".join(counted_words(question)))


def role_stems(question: str) -> dict[str, set[str]]:
    """For a who/which/how-much question, the role or payment words it asks about, with the stem
    sets an answer may use ("chairs" → {"chair"}, "leads" → {"lead", "led"})."""
    if not _ROLE_QUESTION.match(question):
        return {}
    return {t: _ROLE_STEMS[t] for t in terms(question) if t in _ROLE_STEMS}


def act_stems(question: str) -> dict[str, set[str]]:
    """For a who/which question, the act of making it asks the doer of, with the stem sets an
    answer may use ("Who founded …?" → {"found", "establish", "creat", "form"})."""
    if not _AGENT_QUESTION.match(question):
        return {}
    said = words(question)
    near = [w for w in said[1:] if w not in AUXILIARIES][:_AGENT_REACH]
    if said[0] == "which":  # "which design was chosen": the word after "which" is the noun asked for
        near = near[1:]
    return {stem(w): _ACT_STEMS[stem(w)] for w in near if stem(w) in _ACT_STEMS and w != "found"}  # "found": find


def event_stems(question: str) -> dict[str, set[str]]:
    """For a "when" question, the publication or launch it asks the date of, with the stem sets
    an answer may use ("published" → {"publish", "releas", "issu"})."""
    if not _WHEN_QUESTION.match(question):
        return {}
    return {t: _EVENT_STEMS[t] for t in terms(question) if t in _EVENT_STEMS}


# "How many agencies are based in Africa?": a count narrowed to a place the answer must name
_COUNTED_PLACE = re.compile(r"\b(?:in|from|based in|located in) ((?:[A-Z][a-z]+)(?: [A-Z][a-z]+)*)")


_NOT_PLACES = frozenset({*PART_NOUNS.split("|"), *MONTHS, *SEASONS})


def counted_place(question: str) -> list[str]:
    """The terms of the place a count question narrows its count to ("Africa"), if any."""
    if not _COUNT.search(question):
        return []
    match = _COUNTED_PLACE.search(question)
    first = match.group(1).split()[0].casefold() if match else ""
    if not match or first in _NOT_PLACES:  # "listed in Annex II", "joined in March"
        return []
    return terms(match.group(1))


def missing_slot(question: str, answer_terms: Iterable[str], entry: bool = False) -> str | None:
    """The counted thing, role or event the question asks about that the answer never names.

    ``entry``: the answer quotes a list entry (a title and its date in a publications or events
    list), which states its event by being listed, not in words.
    """
    said = set(answer_terms)
    phrase = counted_phrase(question)
    if phrase and not said & set(phrase):
        return " ".join(phrase)
    place = counted_place(question)
    if place and not said & set(place):
        return " ".join(place)
    asked = role_stems(question) | act_stems(question) | ({} if entry else event_stems(question))
    return next((word for word, stems in asked.items() if not said & stems), None)


_HOW_OFTEN = re.compile(r"\bhow (?:often|long)\b", re.I)


def missing_value(kind: str, quote: str, question: str = "") -> str | None:
    """ "date" or "number" when a date or count question's quote holds none ("how often" is
    answered by "annually", not a number)."""
    if kind not in ("date", "numeric") or value_match(kind, quote) or _HOW_OFTEN.search(question):
        return None
    return "date" if kind == "date" else "number"


def said_as(question: str, slot: str) -> str:
    """The question's own words for a slot's stems, as written and each once ("page" → "pages"),
    for telling the user."""
    wanted, shown, seen = set(slot.split()), [], set()
    for word in RAW_WORD.findall(question):
        found = set(terms(word)) & wanted - seen
        if found:
            shown.append(word)
            seen |= found
    return " ".join(shown) or slot


_WHICH_NAMES = re.compile(r"^\s*(?:which|who|name|list)\b", re.I)


def names_none(question: str, kind: str, quote: str, listed: bool, context: str = "") -> bool:
    """A "Which agencies …?" question answered by sentences that name fewer than two of them.

    When no list answers a question asking for named things, the sentence path quotes the best
    sentence, which can be about those things without naming any ("an initial group of 14 space
    agencies jointly released …"). Names are counted as acronyms the question does not use: how
    agencies and their like are named in reports (a sentence naming them in full is missed).
    ``context``: what a follow-up carried in from earlier turns; names there are not new either.
    """
    if kind != "list" or listed or not _WHICH_NAMES.match(question) or not asks_for_names(question):
        return False
    asked = {a.casefold() for a in ACRONYM.findall(f"{question} {context}")}
    return len({a.casefold() for a in ACRONYM.findall(quote)} - asked) < 2


# "Underlined events will include ISECG presentations.": which events are underlined, extracted
# text no longer shows, so a quote resting on such a mark cannot say which items carry it
# the mark as a property ("Underlined events …", "… in bold", "are highlighted"), not the verb
# ("The GER highlighted the importance …", "Agencies underlined the need …")
_MARK = r"(?:underlined|highlighted|shaded|bold(?:ed|face)?|itali[cs]i[sz]ed|colou?r-coded)"
_FORMATTING = re.compile(
    rf"^\W*{_MARK}\b|\bin (?:bold|italics?)\b|\b(?:is|are|was|were|be|been) {_MARK}\b",
    re.I,
)


_SENTENCES = re.compile(r"(?<=[.!?])\s+")


def rests_on_formatting(question: str, lead: str) -> str | None:
    """The formatting mark the answering quote points to (a question about the mark itself,
    "What do the underlined events mean?", is answered by it). Only whether or which items carry
    it is lost: ``gap`` asks this of yes/no and list questions alone ("How current is the events
    list?" is answered by the status date beside the mark), and only when the question asks
    about what the marked items have ("presentations"), not about the items ("Which events are
    listed?")."""
    sentence = next((part for part in _SENTENCES.split(lead) if _FORMATTING.search(part)), "")
    match = _FORMATTING.search(sentence)
    if match is None or _FORMATTING.search(question):
        return None
    before, after = terms(sentence[: match.start()]), terms(sentence[match.end() :])
    marked = before[-1:] or after[:1]  # "Underlined events …", "Events in bold …"
    said = set(before + after) - set(marked)  # what the marked items have: "include ISECG presentations"
    mark = re.sub(r"^\W*(?:(?:is|are|was|were|be|been) )?", "", match.group(0).casefold())
    return mark if said & set(terms(question)) else None


def gap(
    question: str,
    kind: str,
    said: Iterable[str],
    quote: str,
    lead: str,
    entry: bool = False,
    listed: bool = False,
    context: str = "",
) -> str | None:
    """What the answer lacks, as a clause for the user, or None when it has what was asked.

    ``said``: the answer's terms (with glossary forms); ``quote``: its text; ``lead``: the text of
    its first quote (the one that answers, checked for the edition); ``entry`` as in
    ``missing_slot``; ``listed``: the answer quotes list lines; ``context`` as in ``names_none``.
    """
    if names_none(question, kind, quote, listed, context):
        return "the closest passages do not name them"
    mark = rests_on_formatting(question, lead) if kind in ("yesno", "list") else None
    if mark:
        return f"the closest passages mark it as “{mark}”, which the extracted text no longer shows"
    slot = missing_slot(question, said, entry)
    if slot:
        return f"the closest passages never mention “{said_as(question, slot)}”"
    value = missing_value(kind, quote, question)
    if value:
        return f"the closest passages give no {value}"
    edition = other_edition(question, lead)
    if edition:
        return f"the closest passages are about other editions than the {edition}"
    year = other_year(question, kind, lead)
    return f"the closest passages give it for other years than {year}" if year else None
