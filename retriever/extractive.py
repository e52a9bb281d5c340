"""The default answerer: quote the units that answer the question, cite them, or abstain.

No language model: every word of an answer comes from a corpus passage, and every citation points
at the exact span quoted. The answer's shape follows the question's kind:
- one sentence (plus a second only when it covers what the first misses) for factoid, number and
  date questions;
- the run of list lines (with the sentence that introduces them) for list questions;
- the paragraph that best matches (or the one under a matching heading), topped up to three
  sentences from elsewhere when it is shorter, for summaries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from retriever.evidence import MONTHS, ScoredUnit, value_match
from retriever.query import QueryPlan, asks_for_names
from retriever.records import Citation, Passage
from retriever.tokenize import YEAR, name_terms, terms

ABSTAIN_TEXT = "The ingested reports do not answer this question."


@dataclass(frozen=True)
class Abstention:
    """Why there is no answer: a code for programs (``Answer.abstain_reason``) and a clause for
    people, added to the one-sentence abstention ("…: they never mention XQZT")."""

    reason: str
    detail: str = ""

    @property
    def text(self) -> str:
        return f"{ABSTAIN_TEXT[:-1]}: {self.detail}." if self.detail else ABSTAIN_TEXT


# Answer lengths from the eval contract (contracts.md): 400 characters, 1,000 for lists and summaries.
SHORT_LIMIT = 400
LONG_LIMIT = 1000

UnitLoader = Callable[[str], list[ScoredUnit]]


@dataclass
class Composed:
    """The answer text with its citations, or an abstention."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    confidence: float = 0.0


LISTY = ("line", "label")
RUNNER_UP = 0.9  # share of the best score a second sentence needs (tuned on the dev split)


@dataclass(frozen=True)
class Neighbourhood:
    """Access to whole chunks around a unit: all units of a chunk, and the chunk after it."""

    units_of: UnitLoader
    next_chunk: Callable[[str], str | None]
    previous_chunk: Callable[[str], str | None] = lambda _: None
    text_of: Callable[[str], str] = lambda _: ""  # a chunk's text (for its paragraph breaks)
    source_of: Callable[[str], str] = lambda _: ""  # a chunk's document (parts are numbered per document)


# "More documents can be found at …", "see the webpage": a sentence pointing elsewhere says nothing
_POINTER = re.compile(
    r"\b(?:can be (?:found|accessed|downloaded)|(?:is|are) available (?:at|on|from)|for more information|"
    r"click|visit (?:the|our))\b",
    re.I,
)


def _is_pointer(unit: ScoredUnit) -> bool:
    """A sentence whose only content is where to look ("… was completed in 2019 and is available
    on the website" carries a date, so it stays)."""
    has_value = value_match("numeric", unit.text) or value_match("date", unit.text)
    return bool(_POINTER.search(unit.text)) and not has_value


def _answerable(scored: Sequence[ScoredUnit]) -> list[ScoredUnit]:
    """Section headings locate passages and pointer sentences send readers away: neither answers."""
    return [u for u in scored if u.kind != "heading" and not _is_pointer(u)]


_BULLET = re.compile(r"^\s*([•◦▪*\-−–])\s")


def without_bullet(text: str) -> str:
    """A list line's text without its marker (an answer renders list lines with its own)."""
    return _BULLET.sub("", text, count=1)


def _sub_items(unit: ScoredUnit, near: Neighbourhood, limit: int) -> list[ScoredUnit]:
    """A short list line heading sub-items of another bullet ("• Effective" over "− ISECG workshops
    … provide value …"), with those sub-items: the heading alone says nothing."""
    own = _BULLET.match(unit.text)
    if own is None or len(unit.text.split()) > 5 or unit.text.rstrip().endswith((".", ":", ";")):
        return [unit]
    out, size, marker = [unit], len(unit.text), None
    for follower in _following(unit, near):
        sub = _BULLET.match(follower.text)
        if sub is None or sub.group(1) == own.group(1) or (marker and sub.group(1) != marker):
            break
        if size + len(follower.text) + 1 > limit:
            break
        marker = sub.group(1)
        out.append(follower)
        size += len(follower.text) + 1
    return out


def _following(unit: ScoredUnit, near: Neighbourhood) -> list[ScoredUnit]:
    """The units after ``unit`` in reading order: the rest of its chunk, then the next chunk's
    (without the lines the chunk overlap repeats)."""
    chunk = near.units_of(unit.chunk_id)
    own = sorted((u for u in chunk if u.n > unit.n), key=lambda u: u.n)
    following = near.next_chunk(unit.chunk_id)
    if not following:
        return own
    seen = {u.text for u in chunk}
    after = sorted(near.units_of(following), key=lambda u: u.n)
    while after and after[0].text in seen:  # the chunk overlap repeats the end of this chunk
        after.pop(0)
    return own + after


def _expand_label(unit: ScoredUnit, near: Neighbourhood, limit: int) -> list[ScoredUnit]:
    """A caption ("ISECG Secretariat") says nothing alone: add the short lines that follow it.

    A table row that ends in a bracketed name or note is complete as it is."""
    if unit.kind == "line":
        return _sub_items(unit, near, limit)
    if unit.kind != "label" or "," in unit.text or len(unit.text.split()) > 5 or unit.text.endswith(")"):
        return [unit]  # a row ending in its bracketed name ("Russia State Space Corporation (Roscosmos)")
    siblings = {u.n: u for u in near.units_of(unit.chunk_id)}
    out, size = [unit], len(unit.text)
    n = unit.n + 1
    while n in siblings and len(out) < 4:
        follower = siblings[n]
        if follower.text == unit.text:  # the caption repeated by extraction
            n += 1
            continue
        if follower.kind == "heading" or len(follower.text) > 200 or size + len(follower.text) + 1 > limit:
            break
        out.append(follower)
        size += len(follower.text) + 1
        if follower.kind == "sentence" and follower.text.endswith((".", "!", "?")):
            break
        n += 1
    return out


# "This call led to …", "It describes …": the sentence leans on the one before it for its subject
_ANAPHORIC = re.compile(r"^(?:this|these|that|those|it|its|they|their|such|the latter|the former)\b", re.I)


def _with_antecedent(unit: ScoredUnit, near: Neighbourhood, limit: int) -> list[ScoredUnit]:
    """A sentence opening with "This …"/"It …" quoted with the sentence it refers back to.

    Quoted alone, "This call led to the establishment of ISECG" never says which call; the
    previous sentence of the same passage does.
    """
    if unit.kind != "sentence" or not _ANAPHORIC.match(unit.text):
        return [unit]
    pair = _preceding(unit, near)
    if pair is None or pair[0].kind != "sentence" or len(pair[0].text) + len(unit.text) + 8 > limit:
        return [unit]
    return list(pair)


def _preceding(unit: ScoredUnit, near: Neighbourhood) -> tuple[ScoredUnit, ScoredUnit] | None:
    """The unit before ``unit`` and ``unit`` itself, both from one passage (one citation).

    A chunk's first sentence is often the overlap with the previous chunk, where the same sentence
    has its antecedent in front of it; otherwise the previous chunk's last unit precedes it.
    """
    own = {u.n: u for u in near.units_of(unit.chunk_id)}
    if unit.n - 1 in own:
        return own[unit.n - 1], unit
    previous = near.previous_chunk(unit.chunk_id)
    units = near.units_of(previous) if previous else []
    for i, candidate in enumerate(units[1:], start=1):
        if candidate.text == unit.text:
            return units[i - 1], candidate
    return None


def _pick_sentences(
    scored: Sequence[ScoredUnit], weights: dict[str, float], near: Neighbourhood, limit: int
) -> list[ScoredUnit]:
    """The best unit (with what it refers back to), plus one covering question terms it misses."""
    chosen = _expand_label(scored[0], near, limit)
    if len(chosen) == 1:
        chosen = _with_antecedent(chosen[0], near, limit)
    covered = set().union(*(u.terms for u in chosen))
    missing = {t: w for t, w in weights.items() if t not in covered}
    size = sum(len(u.text) + 1 for u in chosen)
    if sum(missing.values()) < 0.35 * (sum(weights.values()) or 1.0):
        return chosen + _runner_up(scored, chosen, size, limit)
    for unit in scored[1:6]:
        gain = sum(w for t, w in missing.items() if t in unit.terms)
        if gain > 0 and unit.score >= 0.8 * scored[0].score and size + len(unit.text) + 8 <= limit:
            chosen.append(unit)
            break
    return chosen


_PIECE = re.compile(r"[^,;]+")


PIECE = "piece"  # the kind of a unit cut from an enumeration: quoted alone, never joined to a neighbour
ENUMERATION = 6  # pieces that make a sentence an enumeration
PIECE_WORDS = 8  # words a typical piece of one has at most


def clip_enumeration(
    unit: ScoredUnit, kind: str, weights: dict[str, float], near: Neighbourhood, limit: int
) -> ScoredUnit:
    """An enumeration too long for a short answer, cut to the comma-separated piece that best
    matches.

    A footnote listing 26 members in one sentence answers "And Portugal?" with one of its pieces
    ("PT Space (Portugal)"); quoting all of it buries the answer and breaks the length limit.
    A long sentence that is no enumeration stays whole (its pieces are clauses, not answers), and
    a date or count question only takes a piece holding a date or number. The piece keeps its
    exact offsets, so its citation still points at the words quoted.
    """
    raw = near.text_of(unit.chunk_id)[unit.start : unit.end] or unit.text
    if len(unit.text) <= limit or len(raw) != unit.end - unit.start:
        return unit
    pieces = [m for m in _PIECE.finditer(raw) if m.group().strip()]
    lengths = sorted(len(m.group().split()) for m in pieces)
    if len(pieces) < ENUMERATION or lengths[len(lengths) // 2] > PIECE_WORDS:
        return unit
    if kind in ("date", "numeric"):
        pieces = [m for m in pieces if value_match(kind, m.group())]
    gain = {m.start(): sum(weights.get(t, 0.0) for t in set(terms(m.group()))) for m in pieces}
    best = max(pieces, key=lambda m: gain[m.start()], default=None)
    if best is None or gain[best.start()] <= 0:
        return unit
    text = best.group()
    start = unit.start + best.start() + len(text) - len(text.lstrip())
    end = unit.start + best.end() - (len(text) - len(text.rstrip()))
    return replace(unit, text=" ".join(text.split()), start=start, end=end, kind=PIECE, terms=frozenset(terms(text)))


def _runner_up(scored: Sequence[ScoredUnit], chosen: list[ScoredUnit], size: int, limit: int) -> list[ScoredUnit]:
    """A second sentence scoring nearly as well as the best, when the two say different things.

    When two sentences are this close, the ranking cannot tell which one answers; quoting both
    (each cited) is more useful than a coin toss, and stays within the short-answer length.
    """
    for unit in scored[1:4]:
        if unit in chosen or any(_similar(unit, c) for c in chosen):
            continue
        if unit.score >= RUNNER_UP * scored[0].score and size + len(unit.text) + 8 <= limit:
            return [unit]
        break
    return []


def _is_listy(unit: ScoredUnit) -> bool:
    return unit.kind in LISTY or unit.text.rstrip().endswith(":")


def _list_run(anchor: ScoredUnit, near: Neighbourhood) -> list[ScoredUnit]:
    """The run of list lines around ``anchor`` with the sentence introducing it.

    Lists often straddle a chunk boundary, so a run that reaches the end of its chunk carries on
    into the next chunk (skipping the lines the chunk overlap repeats).
    """
    by_n = {u.n: u for u in near.units_of(anchor.chunk_id)}
    first = last = anchor.n
    intro = anchor.text.rstrip().endswith(":")  # an intro starts its list: never reach back past it
    while not intro and first - 1 in by_n and by_n[first - 1].kind in LISTY:
        first -= 1
    while last + 1 in by_n and by_n[last + 1].kind in LISTY:
        last += 1
    if not intro and first - 1 in by_n and by_n[first - 1].text.rstrip().endswith(":"):
        first -= 1
    run = _distinct([by_n[n] for n in range(first, last + 1) if n in by_n])
    following = near.next_chunk(anchor.chunk_id) if last == max(by_n) else None
    if following:
        seen = {u.text for u in run}
        for unit in near.units_of(following):
            if unit.text in seen:
                continue
            if unit.kind not in LISTY:
                break
            run.append(unit)
            seen.add(unit.text)
    return run


def _distinct(units: list[ScoredUnit]) -> list[ScoredUnit]:
    """Each text once: extraction repeats captions ("ISECG Working Groups" twice in a row), and a
    list of one line said twice is no list."""
    seen: set[str] = set()
    return [u for u in units if not (u.text in seen or seen.add(u.text))]


_NAMED = re.compile(r"\b[A-Z][A-Za-z]*[A-Z]\b|\([A-Z][A-Za-z ]+\)")


def _entity_share(run: list[ScoredUnit]) -> float:
    """Share of a list's entries that name something (an acronym, a bracketed name).

    "Which agencies …?" wants a list of agencies, not a list of news topics that happens to
    mention one; lists of names are told apart by their entries carrying names.
    """
    entries = [u for u in run if u.kind in LISTY]
    return sum(1 for u in entries if _NAMED.search(u.text)) / len(entries) if entries else 0.0


def _anchor_ok(unit: ScoredUnit, top: float) -> bool:
    """List lines near the top anchor a list; so does a ":" intro a little further down."""
    intro = unit.text.rstrip().endswith(":")
    return _is_listy(unit) and unit.score >= (0.7 if intro else 0.8) * top


def _best_runs(
    scored: Sequence[ScoredUnit], near: Neighbourhood, limit: int, names: bool = True
) -> list[list[ScoredUnit]]:
    """Candidate lists near the top, best first (a run needs at least two entries); lists of
    named things get a bonus only when the question asks for names (agencies, members, …)."""
    top = scored[0].score
    runs: list[tuple[float, list[ScoredUnit]]] = []
    seen: set[tuple[str, int]] = set()
    for anchor in [u for u in scored[:8] if _anchor_ok(u, top)]:
        if (anchor.chunk_id, anchor.n) in seen:
            continue
        run = _list_run(anchor, near)
        seen.update((u.chunk_id, u.n) for u in run)
        if sum(1 for u in run if u.kind in LISTY) >= 2:
            bonus = 0.15 * _entity_share(run) if names else 0.0
            score = max(u.score for u in run) + 0.02 * min(len(run), 6) + bonus
            runs.append((score, _trim(run, limit)))
    runs.sort(key=lambda pair: -pair[0])
    return [run for score, run in runs if score >= 0.9 * runs[0][0]][:2] if runs else []


def _trim(run: list[ScoredUnit], limit: int) -> list[ScoredUnit]:
    out, size = [], 0
    for unit in run:
        if size + len(unit.text) + 3 > limit:
            break
        out.append(unit)
        size += len(unit.text) + 3
    return out


CAPTION_REACH = 2  # units between a caption and the list it stands over (a note, a sub-title)


def _run_after_caption(best: ScoredUnit, near: Neighbourhood, limit: int) -> list[list[ScoredUnit]]:
    """The list under the best unit when that is its caption ("Underlined events will include
    ISECG presentations." over the events list, a "NOTE:" line between): a list question
    matched by the words over a list is answered by the list."""
    if _is_listy(best):
        return []
    after = sorted((u for u in near.units_of(best.chunk_id) if u.n > best.n), key=lambda u: u.n)
    for unit in after[: CAPTION_REACH + 1]:  # in its own passage: a list past a chunk end is another one
        if unit.kind in ("heading", "label"):  # a new part, or a caption or contact line of its own
            return []
        if unit.kind == "line" or unit.text.rstrip().endswith(":"):
            run = [u for u in _list_run(unit, near) if _is_listy(u)]
            return [_trim(run, limit)] if len(run) >= 2 else []
    return []


def _pick_list(scored: Sequence[ScoredUnit], near: Neighbourhood, limit: int, names: bool = True) -> list[ScoredUnit]:
    """The best list (two if they are about equally good and both fit); none if no list matches."""
    runs = _best_runs(scored, near, limit, names) or _run_after_caption(scored[0], near, limit)
    if not runs:
        return []
    chosen = list(runs[0])
    if len(runs) > 1 and sum(len(u.text) + 3 for u in chosen + runs[1]) <= limit:
        chosen += runs[1]
    return chosen


def _similar(a: ScoredUnit, b: ScoredUnit) -> bool:
    union = a.terms | b.terms
    return bool(union) and len(a.terms & b.terms) / len(union) > 0.6


def _section_anchor(scored: Sequence[ScoredUnit]) -> ScoredUnit | None:
    """A heading matching the question about as well as its best sentence names the section asked
    about ("Sum up the technology and gap assessment work" → "Technology and Gap Assessment")."""
    best = next((u for u in scored if u.kind != "heading"), None)
    if best is None:
        return None
    headings = (u for u in scored[:5] if u.kind == "heading" and not _is_pointer(u))
    return next((u for u in headings if u.score >= 0.9 * best.score), None)


# "How did ISECG come about?", "What is the history of …?": asked for its origins, a report answers
# under a heading like "Background" or "History"
_ORIGIN_QUESTION = re.compile(
    r"\bcome about\b|\bcame about\b|\bcame (?:in)?to (?:being|existence)\b|\bhistory of\b|\borigins?\b|"
    r"\bhow (?:did|was|were) .+ (?:start|begin|began|set up|founded|established|created|formed)\b",
    re.I,
)
_ORIGIN_HEADINGS = frozenset(terms("background history origins"))


def _origin_heading(scored: Sequence[ScoredUnit], question: str) -> ScoredUnit | None:
    """For a question about how something came about, the heading that most nearly is
    "Background" or "History" ("Background" rather than "Scope and Background"), if any."""
    if not _ORIGIN_QUESTION.search(question):
        return None
    headings = [u for u in scored if u.kind == "heading" and u.terms & _ORIGIN_HEADINGS]
    return max(headings, key=lambda u: len(u.terms & _ORIGIN_HEADINGS) / len(u.terms), default=None)


_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _paragraph(unit: ScoredUnit, near: Neighbourhood) -> list[ScoredUnit]:
    """The units of ``unit``'s paragraph (its chunk's text between blank lines), in reading order."""
    breaks = [m.start() for m in _BLANK_LINE.finditer(near.text_of(unit.chunk_id))]
    block = sum(1 for b in breaks if b < unit.start)
    low = breaks[block - 1] if block else -1
    high = breaks[block] if block < len(breaks) else float("inf")
    return [u for u in near.units_of(unit.chunk_id) if low < u.start < high]


def _paragraph_under(heading: ScoredUnit, near: Neighbourhood) -> list[ScoredUnit]:
    """The paragraph right under a heading (none if the heading ends its passage)."""
    after = [u for u in near.units_of(heading.chunk_id) if u.n > heading.n and u.kind != "heading"]
    return _paragraph(after[0], near) if after else []


def _pick_summary(
    scored: Sequence[ScoredUnit],
    near: Neighbourhood,
    limit: int,
    anchor: ScoredUnit | None = None,
    topic: frozenset[str] = frozenset(),
) -> list[ScoredUnit]:
    """Key sentences of the best-matching paragraph (or of the section whose heading matches), in
    reading order.

    An overview question is usually about one topic, and its author wrote one paragraph about
    it: that paragraph's sentences summarise it better than the best sentences scattered over the
    corpus or over a passage that moves on to other topics. Weak sentences go first when it is
    longer than the answer may be; a short one is topped up from the next best. The paragraph is
    quoted whole: keeping only its sentences that score well lost dev items.
    """
    top = scored[0]
    if anchor is not None and _off_topic(anchor, _paragraph_under(anchor, near), top, topic):
        anchor = None
    if anchor is None and len(listed := _with_its_list([top], near, limit)) > 1:
        return listed  # "… a common set of themes:" summarised by its list, whose lines are paragraphs
    if anchor is None:
        pool = _paragraph(top, near)
    else:  # the section's opening paragraph, and what else of its passage matches
        opening = {(u.chunk_id, u.n) for u in _paragraph_under(anchor, near)}
        section = [u for u in near.units_of(anchor.chunk_id) if u.n > anchor.n]  # not what precedes it
        pool = [u for u in section if (u.chunk_id, u.n) in opening or u.score >= 0.5 * top.score]
    pool = [u for u in pool if u.kind in ("sentence", "line") and not _is_pointer(u)]
    chosen = _fit(pool or [top], limit)
    if anchor is not None and chosen and len(chosen) < 3:  # the section reads on before anything else
        chosen = chosen + _fit(_rest_of_section(chosen[-1], near), limit - sum(len(u.text) + 6 for u in chosen))
    if len(chosen) < 3:
        chosen = chosen + _top_up(chosen, scored, (anchor or top).chunk_id, limit)
    return _antecedents(chosen, near, limit) if chosen else [top]


def _antecedents(chosen: list[ScoredUnit], near: Neighbourhood, limit: int) -> list[ScoredUnit]:
    """A topped-up "This call led to …" with the sentence it refers back to, where it fits."""
    out: list[ScoredUnit] = []
    said = {u.text for u in chosen}  # by text: the chunk overlap repeats a sentence under another place
    size = sum(len(u.text) + 6 for u in chosen)
    for unit in chosen:
        pair = _with_antecedent(unit, near, limit)
        before = pair[0] if len(pair) == 2 else None
        if before and before.text not in said and size + len(before.text) + 6 <= limit:
            out.append(before)
            said.add(before.text)
            size += len(before.text) + 6
        out.append(unit)
    return out


def _top_up(chosen: list[ScoredUnit], scored: Sequence[ScoredUnit], home: str, limit: int) -> list[ScoredUnit]:
    """Up to four sentences in all: the next best from other passages than ``home``, close to the
    best score and not repeating what is chosen."""
    own = {(u.chunk_id, u.n) for u in chosen}
    extra = [
        u
        for u in scored[1:12]
        if u.kind in ("sentence", "line")
        and (u.chunk_id, u.n) not in own
        and u.chunk_id != home
        and u.score >= 0.65 * scored[0].score
        and not any(_similar(u, c) for c in chosen)
    ]
    return _fit(extra, limit - sum(len(u.text) + 6 for u in chosen))[: 4 - len(chosen)]


def _rest_of_section(unit: ScoredUnit, near: Neighbourhood) -> list[ScoredUnit]:
    """The sentences and list lines after ``unit`` up to the next heading."""
    rest = []
    for follower in _following(unit, near):
        if follower.kind == "heading":
            break
        if follower.kind in ("sentence", "line") and not _is_pointer(follower):
            rest.append(follower)
    return rest


_ABOUT = re.compile(r"\b(?:about|regarding|concerning|on the (?:subject|topic) of)\b", re.I)


def _topic(question: str) -> frozenset[str]:
    """What a summary question says it is about ("… says about technology"); empty when it names
    no topic beside its section ("Sum up the technology and gap assessment work")."""
    parts = _ABOUT.split(question)
    return frozenset(terms(parts[-1])) if len(parts) > 1 else frozenset()


# Words that ask for a summary rather than say what it is about
_REQUEST_TERMS = frozenset(
    terms("summarise summarize summary sum up recap briefly overview outline describe explain tell say gist")
)


def _off_topic(anchor: ScoredUnit, opening: list[ScoredUnit], top: ScoredUnit, topic: frozenset[str]) -> bool:
    """The question names a section and a topic within it ("what the executive summary says about
    technology"): the section's opening paragraph, if it never mentions the topic while the best
    sentence does, is the wrong paragraph to quote."""
    rest = topic - anchor.terms - _REQUEST_TERMS
    return bool(rest & top.terms) and not any(rest & u.terms for u in opening)


def _fit(units: list[ScoredUnit], limit: int) -> list[ScoredUnit]:
    """Drop the weakest units until the rest fit in ``limit`` characters; keep reading order."""
    kept = list(units)
    while kept and sum(len(u.text) + 6 for u in kept) > limit:
        kept.remove(min(kept, key=lambda u: u.score))
    return kept


NAME_IDF = 1.0  # a name this rare in the corpus (IDF) says what the answer is about
NAMING_SHARE = 0.8  # how close to the best a sentence naming it must score


def _naming_first(scored: Sequence[ScoredUnit], plan: QueryPlan, weights: dict[str, float]) -> list[ScoredUnit]:
    """The best unit that names the rare thing the question names ("Russia", or "Thailand" for
    "Thai"), first, when it scores close to a best unit that never names it."""
    named = [*name_terms(plan.question), *plan.name_variants]
    rare = {t for t in named if weights.get(t, 0.0) >= NAME_IDF}
    if not rare or scored[0].terms & rare:
        return list(scored)
    for unit in scored[1:10]:
        if rare <= unit.terms and unit.score >= NAMING_SHARE * scored[0].score:
            return [unit, *(u for u in scored if u is not unit)]
    return list(scored)


_MONTH_NAME = re.compile(rf"\b(?:{'|'.join(m.capitalize() for m in MONTHS)})\b")  # "May" the month, not "may"


def _month_first(scored: Sequence[ScoredUnit], question: str) -> list[ScoredUnit]:
    """The best unit naming the month the question names ("Which webnews item came out in
    March?"), first, when the best unit names none.

    Dated list entries ("… Exploration Planning March") score low on meaning, while the sentence
    introducing their list scores high and names no month. A unit giving another year than the
    one asked ("status of March 2021" for "March 2020") does not count."""
    asked = set(_MONTH_NAME.findall(question.strip()[1:]))  # "May I ask …" names no month
    if not asked or asked <= set(_MONTH_NAME.findall(scored[0].text)):
        return list(scored)
    years = set(YEAR.findall(question))
    for unit in scored[1:15]:
        other_years = set(YEAR.findall(unit.text)) - years
        if asked <= set(_MONTH_NAME.findall(unit.text)) and not (years and other_years):
            return [unit, *(u for u in scored if u is not unit)]
    return list(scored)


def select_units(
    plan: QueryPlan, scored: Sequence[ScoredUnit], weights: dict[str, float], near: Neighbourhood
) -> list[ScoredUnit]:
    """The units an answer of this kind should quote."""
    candidates = _answerable(scored)
    if not candidates:
        return []
    if plan.kind == "list":
        listed = _pick_list(candidates, near, LONG_LIMIT, asks_for_names(plan.search_text))
        if listed:  # no list found: the items are named in a sentence, if at all
            return listed
    titles = _section_titles(scored, plan.question, near) or _numbered_parts(scored, plan.question, near)
    if titles:
        return titles
    if plan.kind == "summary":
        anchor = _origin_heading(scored, plan.question) or _section_anchor(scored)
        return _pick_summary(candidates, near, LONG_LIMIT, anchor, _topic(plan.question))
    ranked = _naming_first(candidates, plan, weights)
    if plan.kind != "date":  # a date question asks for the month; any other one names it as a condition
        ranked = _month_first(ranked, plan.question)
    if plan.kind != "list":  # a list question wants every matching piece, not the best one
        ranked[0] = clip_enumeration(ranked[0], plan.kind, weights, near, SHORT_LIMIT)
    chosen = _pick_sentences(ranked, weights, near, SHORT_LIMIT)
    if plan.kind in ("date", "numeric"):  # an intro holding the figure asked for answers alone
        return _with_list_lead(chosen, plan.kind, near, SHORT_LIMIT)
    return _with_its_list(chosen, near, SHORT_LIMIT)


# "What does Annex II list?", "What is in Annex I?": what a named part of a report holds
_CONTENTS = re.compile(
    r"^\s*what (?:does|do|did|will) (?:the )?\S.* (?:list|contain|include|cover|hold|describe)\s*[?.!]*\s*$|"
    r"^\s*what(?:'s|’s| is| are) (?:in|under)\b",
    re.I,
)
_SENTENCE_ENDS = (".", "!", "?", ":")
_TITLE_MOST = 2  # title lines under a heading that name what its part holds


def _section_titles(scored: Sequence[ScoredUnit], question: str, near: Neighbourhood) -> list[ScoredUnit]:
    """For a question about what a named part holds, the title lines right under its heading
    ("Annex II" → "ISECG Members (status of March 2021)"); empty when the part starts with prose.

    Those lines name the part's contents, while its best matching sentence (a members-table
    row) is one item of them."""
    anchor = _section_anchor(scored) if _CONTENTS.search(question) else None
    return [] if anchor is None else _titles_under(anchor, near)


def _titles_under(heading: ScoredUnit, near: Neighbourhood) -> list[ScoredUnit]:
    """The title lines right under a heading, before its first sentence, list item or table row."""
    titles: list[ScoredUnit] = []
    for unit in _following(heading, near):
        if titles and unit.text == titles[-1].text:  # a title the extraction repeated
            continue
        kinds = ("label",) if titles else ("heading", "label", "line")  # then a label, not a row or a part
        closed = unit.text.rstrip().endswith(_SENTENCE_ENDS)
        if unit.kind not in kinds or closed or without_bullet(unit.text) != unit.text:
            break
        titles.append(unit)
        if len(titles) == _TITLE_MOST:
            break
    return titles


# "Which annexes does the report have?": its numbered parts are its headings, not a list in it
_PARTS_QUESTION = re.compile(
    r"^\s*(?:which|what|list|name)\b.*\b(annexes|appendices|chapters|parts)\b(?!\s+of\b)", re.I
)  # "Which parts of the Moon …?" asks about the Moon
_PART_NOUN = {"annexes": "annex", "appendices": "appendix", "chapters": "chapter", "parts": "part"}
_PART_HEADING = r"^\s*{noun}\s+([IVX]{{1,5}}|\d{{1,3}})\s*$"


def _numbered_parts(scored: Sequence[ScoredUnit], question: str, near: Neighbourhood) -> list[ScoredUnit]:
    """The headings of the numbered parts a question asks for, once each, in their order, each
    with the title line under it ("Annex II", "ISECG Members (status of March 2021)")."""
    match = _PARTS_QUESTION.search(question)
    if match is None:
        return []
    heading = re.compile(_PART_HEADING.format(noun=_PART_NOUN[match.group(1).casefold()]), re.I)
    headings = [u for u in scored if u.kind == "heading" and heading.match(u.text)]
    document = near.source_of(headings[0].chunk_id) if headings else ""  # the best-matching part's
    parts: dict[str, ScoredUnit] = {}
    for unit in headings:
        if near.source_of(unit.chunk_id) == document:
            parts.setdefault(terms(unit.text)[-1], unit)  # "annex2" for "Annex II" and "Annex 2"
    ordered = sorted(parts.items(), key=lambda pair: int(re.sub(r"\D", "", pair[0]) or 0))
    if len(ordered) < 2:
        return []
    return [u for _, unit in ordered for u in [unit, *_titles_under(unit, near)[:1]]]


def _with_its_list(chosen: list[ScoredUnit], near: Neighbourhood, limit: int) -> list[ScoredUnit]:
    """A quote that introduces a list ("… a common set of exploration themes and benefits:") says
    nothing without it: the list lines that follow replace whatever else was picked."""
    if not chosen or not chosen[0].text.rstrip().endswith(":"):
        return chosen
    run = _trim(_list_run(chosen[0], near), limit)
    return run if sum(1 for u in run if u.kind in LISTY) >= 2 else chosen


def _with_list_lead(chosen: list[ScoredUnit], kind: str, near: Neighbourhood, limit: int) -> list[ScoredUnit]:
    """A list entry that names the thing asked about but not the date or figure asked for, quoted
    after the line introducing its list when that line holds it ("In 2020 ISECG agencies welcomed
    six new members:" for "When did GISTDA join?")."""
    first = chosen[0]
    if first.kind not in LISTY or any(value_match(kind, u.text) for u in chosen):
        return chosen
    lead = _list_lead(first, near)
    if lead is None or not value_match(kind, lead.text) or len(lead.text) + len(first.text) + 8 > limit:
        return chosen
    return [lead, first]


def _list_lead(entry: ScoredUnit, near: Neighbourhood, reach: int = 12) -> ScoredUnit | None:
    """The ":"-ended line a list entry hangs from, searched back over list lines (into the
    previous chunk when the list starts a chunk); None when a sentence comes first."""
    chunk_id: str | None = entry.chunk_id
    before = [u for u in near.units_of(entry.chunk_id) if u.n < entry.n]
    for _ in range(2):
        for unit in reversed(before[-reach:]):
            if unit.text.rstrip().endswith(":"):
                return unit
            if unit.kind not in LISTY:
                return None
        chunk_id = near.previous_chunk(chunk_id) if chunk_id else None
        before = near.units_of(chunk_id) if chunk_id else []
    return None


def quote_blocks(units: Sequence[ScoredUnit]) -> list[list[ScoredUnit]]:
    """Group consecutive units of the same passage: one citation per block."""
    blocks: list[list[ScoredUnit]] = []
    for unit in units:
        last = blocks[-1][-1] if blocks else None
        joined = last is not None and PIECE not in (last.kind, unit.kind)
        if joined and last.chunk_id == unit.chunk_id and last.n + 1 == unit.n:
            blocks[-1].append(unit)
        else:
            blocks.append([unit])
    return blocks


def _citation(marker: int, block: list[ScoredUnit], passage: Passage) -> Citation:
    start, end = block[0].start, block[-1].end
    quote = " ".join(passage.text[start:end].split())
    page = block[0].page if block[0].page is not None else passage.page
    return Citation(
        marker=marker,
        chunk_id=passage.chunk_id,
        source=passage.source,
        page=page,
        section=passage.section,
        quote=quote,
        text=passage.text,
        quote_start=start,
        quote_end=end,
    )


def _render(block: list[ScoredUnit], markers: list[int], as_list: bool) -> str:
    cite = f" [{', '.join(map(str, markers))}]"
    if not as_list or len(block) == 1 or not any(u.kind in LISTY for u in block):
        return " ".join(u.text for u in block) + cite
    lines = [u.text if u.text.endswith(":") else f"- {u.text.lstrip('•-–−* ')}" for u in block]
    return "\n".join(lines) + cite


def compose_answer(
    units: Sequence[ScoredUnit],
    passages: dict[str, Passage],
    plan: QueryPlan,
    lead: str = "",
    also: dict[int, ScoredUnit] | None = None,
) -> Composed:
    """Render chosen units as an answer with ``[n]`` markers and matching citations.

    ``also`` maps a block (by its index in ``quote_blocks(units)``) to a restatement in another
    passage, cited beside it: "… members. [1, 2]".
    """
    citations: list[Citation] = []
    parts: list[str] = [lead] if lead else []
    as_list = plan.kind == "list"
    for i, block in enumerate(quote_blocks(units)):
        passage = passages.get(block[0].chunk_id)
        if passage is None:
            continue
        markers = [len(citations) + 1]
        citations.append(_citation(markers[0], block, passage))
        restated = (also or {}).get(i)
        if restated is not None and restated.chunk_id in passages:
            markers.append(len(citations) + 1)
            citations.append(_citation(markers[1], [restated], passages[restated.chunk_id]))
        parts.append(_render(block, markers, as_list))
    text = ("\n" if as_list else " ").join(parts)
    return Composed(text=_MARKER_SPACE.sub(" [", text), citations=citations)


_MARKER_SPACE = re.compile(r"\s+\[")
