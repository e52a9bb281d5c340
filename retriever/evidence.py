"""Score the answer units (sentences, list lines) of candidate passages against the question.

A unit's score mixes its embedding similarity to the question, the IDF-weighted share of the
question's content terms it contains, and whether it holds the kind of value asked for (a number
for "how many", a date for "when"). Passages are then re-ranked by their best unit, which is the
"sentence-level re-scoring" that lets the right passage rise into the context budget.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from retriever.query import QueryPlan
from retriever.snapshot import Snapshot
from retriever.tokenize import ACRONYM, AUXILIARIES, STOPWORDS, part_numerals, terms

# A count or amount: digits that are not a year, or a number word ("one" is too often a pronoun).
_NUMBER = re.compile(
    r"\b(?!(?:19|20)\d{2}\b)\d+(?:[.,]\d+)?\b|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundred|thousand|million|dozen)\b",
    re.I,
)
MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
)  # fmt: skip
SEASONS = ("spring", "summer", "autumn", "fall", "winter")
_DATE = re.compile(
    rf"\b(?:19|20)\d{{2}}\b|\b(?:{'|'.join(MONTHS)}|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b|"
    rf"\b(?:{'|'.join(SEASONS)})\b",
    re.I,
)


@dataclass
class ScoredUnit:
    """One candidate answer unit with the signals that ranked it."""

    chunk_id: str
    n: int
    text: str
    start: int
    end: int
    kind: str
    dense: float
    lexical: float
    value: float
    score: float
    terms: frozenset[str]
    page: int | None = None
    vector: np.ndarray | None = field(default=None, repr=False, compare=False)  # its embedding


@dataclass(frozen=True)
class Weights:
    """Mixing weights for unit scores (tuned on the dev split, kept as settings)."""

    dense: float = 0.55
    lexical: float = 0.35
    value: float = 0.20
    passage: float = 0.05


def value_match(kind: str, text: str) -> float:
    """1 when the unit holds the kind of value the question asks for."""
    if kind == "numeric":
        return 1.0 if _NUMBER.search(text) else 0.0
    if kind == "date":
        return 1.0 if _DATE.search(text) else 0.0
    return 0.0


CARRIED_WEIGHT = 0.5  # words a follow-up borrowed from earlier turns count half


def query_term_weights(plan: QueryPlan, snapshot: Snapshot) -> dict[str, float]:
    """IDF weight of every content term of the searched query that occurs in the corpus.

    Terms the corpus never uses can't tell one unit from another (they would only shrink every
    overlap score). Terms carried in from earlier turns weigh less than the question's own.
    """
    own = set(terms(plan.own_text or plan.search_text))
    weights = {}
    for term in set(terms(plan.search_text)) | own:
        if snapshot.lexical.document_frequency[term]:
            weights[term] = snapshot.lexical.idf(term) * (1.0 if term in own else CARRIED_WEIGHT)
    return weights


def specificity(weights: dict[str, float], scale: float = 3.0) -> float:
    """How much a full match of these terms means: matching only "ISECG" and "2020" means little."""
    return 1.0 - math.exp(-sum(weights.values()) / scale)


def unknown_acronyms(question: str, snapshot: Snapshot) -> list[str]:
    """Acronyms in the question that the corpus never uses ("How many astronauts are on the ISS?").

    A question about a named thing the reports never mention cannot be answered from them,
    however similar its other words are; ordinary words missing from the corpus are not evidence
    of that (users paraphrase), but an unknown acronym names something specific.
    """
    known = {short.casefold() for short in snapshot.glossary}
    numerals = part_numerals(question)
    unknown = []
    for token in ACRONYM.findall(question):
        base = token[:-1] if token.endswith("s") and len(token) > 2 else token
        folded = base.casefold()
        if folded in known or snapshot.lexical.document_frequency[folded] or len(base) < 2:
            continue
        if base in numerals:  # "Annex II": a part number, indexed with its noun
            continue
        if len(base) == 2 and folded in STOPWORDS:  # "US": stop words are not indexed, so the corpus can't say
            continue  # (three letters and more, "WHO" or "ITS", are read as acronyms)
        unknown.append(token)
    return unknown


# "Which lunar rover will fly first?", "What software does the group use?": the kind of thing
# asked for is a common noun, and a report that never uses it names no thing of that kind. Kinds
# a report fills without using the word (a country, a month, an email address) do not count.
_WHICH_WHAT = re.compile(r"^\s*(?:which|what)\s+(.*)", re.I | re.S)
_RAW_WORD = re.compile(r"[^\W_]+(?:[’'][^\W_]+)?")
_GENERIC_KINDS = frozenset({
    "thing", "things", "one", "ones", "kind", "kinds", "sort", "sorts", "type", "types", "category",
    "categories", "scheme", "schemes", "name", "names", "word", "words", "term", "terms", "country",
    "countries", "nation", "nations", "city", "cities", "place", "places", "location", "region", "month",
    "months", "year", "years", "date", "dates", "day", "days", "time", "period", "season", "number",
    "numbers", "amount", "figure", "share", "person", "people", "body", "bodies", "entity", "entities",
    "organisation", "organisations", "organization", "organizations", "institution", "institutions", "email",
    "mail", "address", "phone", "telephone", "website", "site", "url", "link", "abbreviation", "acronym",
    "title", "titles", "part", "parts", "way", "ways", "role", "reason", "purpose", "aim", "goal", "idea",
    "good", "edition", "editions", "version", "versions", "issue", "round", "session", "else",
})  # fmt: skip


def asked_kind(question: str) -> str | None:
    """The common noun naming what a which/what question asks for ("rover"), or None.

    Only where the noun phrase's end is plain: before an auxiliary ("which lunar rover will …",
    "what software does …": its last word) or a lone noun before "of" ("the population of …").
    Elsewhere its head cannot be told from a modifier or a verb without a parser ("What is the
    main focus of …", "Which newcomers joined …"), and a wrong guess would refuse the question.
    """
    match = _WHICH_WHAT.match(question)
    if match is None:
        return None
    raw = _RAW_WORD.findall(match.group(1))
    while raw and raw[0].casefold() in AUXILIARIES | {"the", "a", "an"}:
        raw = raw[1:]
    phrase: list[str] = []
    end = ""
    for word in raw[:4]:
        if word.casefold() in AUXILIARIES or word.casefold() in STOPWORDS:
            end = word.casefold()
            break
        phrase.append(word)
    if end in AUXILIARIES and phrase:
        head = phrase[-1]
    elif end == "of" and len(phrase) == 1:
        head = phrase[0]
    else:
        return None
    # "What is steering …?": a word in -ing there is the question's verb, not a kind
    verb = head.casefold().endswith("ing")
    return None if verb or head[0].isupper() or head.casefold() in _GENERIC_KINDS else head


def unknown_kind(question: str, snapshot: Snapshot) -> str | None:
    """The kind of thing asked for when the corpus never uses the word (in any form)."""
    head = asked_kind(question)
    known = {short.casefold() for short in snapshot.glossary}
    if head is None or head.casefold() in known:
        return None
    stems = terms(head)
    return head if stems and not any(snapshot.lexical.document_frequency[t] for t in stems) else None


def _brevity(text: str) -> float:
    """Very short units (captions, table cells) get inflated similarity; damp it."""
    return min(1.0, 0.7 + 0.3 * len(text.split()) / 10)


def score_units(
    plan: QueryPlan,
    vectors: Sequence[Sequence[float]],
    units: dict,
    snapshot: Snapshot,
    passage_rank: dict[str, int],
    weights: Weights = Weights(),
) -> list[ScoredUnit]:
    """Score every unit returned by ``ChunkStore.units_for``; best first."""
    if not units["ids"]:
        return []
    q_weights = query_term_weights(plan, snapshot)
    total = sum(q_weights.values()) or 1.0
    informative = specificity(q_weights)
    matrix = np.asarray(units["embeddings"], dtype=np.float32)
    dense = np.max(matrix @ np.asarray(vectors, dtype=np.float32).T, axis=1)
    scored = []
    for i, (text, meta) in enumerate(zip(units["documents"], units["metadatas"], strict=True)):
        unit_terms = frozenset(terms(text))
        lexical = informative * sum(w for t, w in q_weights.items() if t in unit_terms) / total
        value = value_match(plan.kind, text)
        rank = passage_rank.get(meta["chunk_id"], 99)
        score = (
            weights.dense * float(dense[i]) * _brevity(text)
            + weights.lexical * lexical
            + weights.value * value
            + weights.passage / (1 + rank)
        )
        scored.append(
            ScoredUnit(
                meta["chunk_id"],
                int(meta["n"]),
                text,
                int(meta["start"]),
                int(meta["end"]),
                str(meta["kind"]),
                float(dense[i]),
                lexical,
                value,
                score,
                unit_terms,
                _page(meta.get("page")),
                matrix[i],
            )
        )
    scored.sort(key=lambda u: (-u.score, passage_rank.get(u.chunk_id, 99), u.n))
    return scored


def _page(value: object) -> int | None:
    return None if value is None or int(value) < 0 else int(value)


def rerank_passages(
    candidates: Sequence[str], scored: Sequence[ScoredUnit], fused: dict[str, float], mix: float = 0.7
) -> list[tuple[str, float]]:
    """Order passages by their best unit's score mixed with their fused retrieval rank."""
    best: dict[str, float] = {}
    for unit in scored:
        best.setdefault(unit.chunk_id, unit.score)
    ranked = []
    for rank, cid in enumerate(candidates):
        prior = 1.0 / (1 + rank)
        ranked.append((cid, mix * best.get(cid, 0.0) + (1 - mix) * prior * 0.5))
    return sorted(ranked, key=lambda pair: -pair[1])
