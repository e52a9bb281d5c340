"""``QAService``: the one entry point the CLI, the UI and the eval harness all use.

``ask`` runs a LangChain runnable chain: ``retrieve`` (follow-up resolution, glossary expansion,
hybrid search, sentence-level re-scoring) then ``answer`` (the extractive answerer by default; a
generative backend can replace that last step).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from ingest.sanitize import sanitize_text
from retriever.bridge import bridge_weights, describes, second_hop
from retriever.corroborate import restatements
from retriever.evidence import (
    ScoredUnit,
    Weights,
    query_term_weights,
    rerank_passages,
    score_units,
    unknown_acronyms,
    unknown_kind,
)
from retriever.extractive import (
    ABSTAIN_TEXT,
    LISTY,
    SHORT_LIMIT,
    Abstention,
    Neighbourhood,
    clip_enumeration,
    compose_answer,
    quote_blocks,
    select_units,
)
from retriever.followup import standalone_query, unsaid
from retriever.premise import PREMISE_NOTE, contradicting_units, miscounting_units, overlooked_units
from retriever.query import QueryPlan, glossary_expansions, plan_query
from retriever.records import Answer, Passage
from retriever.roles import other_holder
from retriever.search import Candidates, HybridSearcher
from retriever.slots import gap
from retriever.tokenize import terms

logger = logging.getLogger(__name__)

History = Sequence[tuple[str, str]]


class QuestionError(ValueError):
    """The question is empty or too long: the caller's mistake, reported in one line."""


@dataclass(frozen=True)
class ServiceOptions:
    """Plain values for the service (from the settings object, via ``app``)."""

    k: int = 6
    mode: str = "hybrid"
    max_question_chars: int = 1000
    abstain_threshold: float = 0.30
    # follow-ups ("What's the Thai one's full name?") have few words of their own and score lower
    # against every sentence, so they get their own threshold (tuned on dev conversation turns)
    followup_abstain_threshold: float = 0.0
    rerank_depth: int = 20
    weights: Weights = field(default_factory=Weights)
    disabled: frozenset[str] = frozenset()  # steps switched off, for ablation runs (see FEATURES)


_UNQUOTABLE = Abstention("nothing_found", "nothing in them could be quoted as an answer")
SECTION_SHARE = 0.8  # a named section's best unit, as a share of the best anywhere (dev split)
FEATURES = (
    "followup",
    "glossary",
    "variants",
    "units",
    "rerank",
    "premise",
    "unknown_names",
    "slots",
    "sections",
    "bridge",
    "restatements",
    "novelty",
)


@dataclass
class Retrieved:
    """Output of the retrieve step, input of every answer backend."""

    question: str
    plan: QueryPlan
    rewritten: str | None
    passages: list[Passage]
    scored: list[ScoredUnit]
    term_weights: dict[str, float]
    candidates: Candidates
    timings_ms: dict[str, float]
    disabled: frozenset[str] = frozenset()


def validate_question(question: str, max_chars: int) -> str:
    """Sanitise and bound a question before any embedding work happens."""
    if len(question) > max_chars * 4:  # reject huge payloads before even cleaning them
        raise QuestionError(f"question too long (max {max_chars} characters)")
    cleaned = " ".join(sanitize_text(question).split())
    if not cleaned:
        raise QuestionError("question is empty")
    if len(cleaned) > max_chars:
        raise QuestionError(f"question too long ({len(cleaned)} characters; max {max_chars})")
    return cleaned


class QAService:
    """Answers questions over the store with cited passages."""

    def __init__(
        self, searcher: HybridSearcher, options: ServiceOptions, backends: dict[str, Runnable] | None = None
    ) -> None:
        self.searcher = searcher
        self.options = options
        self.backends: dict[str, Runnable] = {"extractive": RunnableLambda(self._extractive)}
        self.backends.update(backends or {})

    # --- the chain -------------------------------------------------------------------------
    def chain(self, backend: str = "extractive") -> Runnable:
        """retrieve | answer, as a LangChain runnable."""
        if backend not in self.backends:
            raise QuestionError(f"unknown backend {backend!r}; available: {', '.join(self.backends)}")
        return RunnableLambda(self._retrieve) | self.backends[backend]

    def ask(
        self,
        question: str,
        history: History = (),
        *,
        k: int | None = None,
        mode: str | None = None,
        backend: str = "extractive",
        disable: Sequence[str] = (),
    ) -> Answer:
        """Answer one question (``history`` is (question, answer) pairs, oldest first).

        ``disable`` switches off pipeline steps (names in ``FEATURES``) so an eval can show what
        each one adds.
        """
        started = time.perf_counter()
        request = {
            "question": validate_question(question, self.options.max_question_chars),
            "history": list(history),
            "k": k or self.options.k,
            "mode": mode or self.options.mode,
            "disable": self._disabled(disable),
        }
        answer: Answer = self.chain(backend).invoke(request)
        answer.timings_ms["total"] = round((time.perf_counter() - started) * 1000, 2)
        return answer

    def stream(self, question: str, history: History = (), **kwargs: Any) -> Iterator[str | Answer]:
        """Text pieces as they are ready, then the final ``Answer``.

        A backend runnable with a ``stream_answer(found)`` method (the generative ones) streams its
        own pieces from the retrieved passages; any other backend's answer is cut into pieces.
        """
        backend = kwargs.get("backend", "extractive")
        streamer = getattr(self.backends.get(backend), "stream_answer", None)
        if streamer is None:
            answer = self.ask(question, history, **kwargs)
            yield from _pieces(answer.answer)
            yield answer
            return
        started = time.perf_counter()
        request = {
            "question": validate_question(question, self.options.max_question_chars),
            "history": list(history),
            "k": kwargs.get("k") or self.options.k,
            "mode": kwargs.get("mode") or self.options.mode,
            "disable": self._disabled(kwargs.get("disable", ())),
        }
        for piece in streamer(self._retrieve(request)):
            if isinstance(piece, Answer):
                piece.timings_ms["total"] = round((time.perf_counter() - started) * 1000, 2)
            yield piece

    def search(self, query: str, *, k: int | None = None, mode: str | None = None) -> list[Passage]:
        """Ranked passages only, no answer (``isecg-qa search``)."""
        request = {
            "question": validate_question(query, self.options.max_question_chars),
            "history": [],
            "k": k or self.options.k,
            "mode": mode or self.options.mode,
            "disable": self.options.disabled,
        }
        return self._retrieve(request).passages

    def _disabled(self, disable: Sequence[str]) -> frozenset[str]:
        unknown = set(disable) - set(FEATURES)
        if unknown:
            raise QuestionError(f"unknown feature(s) {', '.join(sorted(unknown))}; known: {', '.join(FEATURES)}")
        return self.options.disabled | frozenset(disable)

    # --- steps -----------------------------------------------------------------------------
    def _retrieve(self, request: dict[str, Any]) -> Retrieved:
        question, k = request["question"], int(request["k"])
        off = request.get("disable", self.options.disabled)
        started = time.perf_counter()
        snapshot = self.searcher.snapshots.get()
        rewritten = None if "followup" in off else standalone_query(question, request["history"])
        glossary = {} if "glossary" in off else snapshot.glossary
        plan = plan_query(question, glossary, rewritten, None if "variants" in off else snapshot.lexical.variants)
        candidates = self.searcher.search(plan.search_text, request["mode"], plan.lexical_text, "units" not in off)
        depth = candidates.ids[: self.options.rerank_depth]
        rank = {cid: i for i, cid in enumerate(depth)}
        t = time.perf_counter()
        units = self.searcher.store.units_for(depth) if depth else {"ids": []}
        vectors = [candidates.vector]
        if plan.is_follow_up:  # the follow-up's own words matter most when picking its sentence
            vectors.append(self.searcher.embeddings.embed_query(plan.own_text))
        candidates.vectors = vectors
        scored = score_units(plan, vectors, units, snapshot, rank, self.options.weights)
        if rewritten and "novelty" not in off:
            scored = unsaid(question, scored, request["history"][-1][1])
        order = [(cid, candidates.fused[cid]) for cid in depth]
        if "rerank" not in off:
            order = rerank_passages(depth, scored, candidates.fused)
        candidates.timings_ms["rerank"] = round((time.perf_counter() - t) * 1000, 2)
        passages = [self._passage(i + 1, cid, score, candidates) for i, (cid, score) in enumerate(order[:k])]
        timings = {**candidates.timings_ms, "retrieve": round((time.perf_counter() - started) * 1000, 2)}
        weights = query_term_weights(plan, snapshot)
        return Retrieved(question, plan, rewritten, passages, scored, weights, candidates, timings, off)

    def _passage(self, rank: int, cid: str, score: float, candidates: Candidates) -> Passage:
        text, meta = candidates.snapshot.text_of(cid) or ("", {})
        return Passage.from_metadata(rank, cid, text, meta, score)

    def _extractive(self, found: Retrieved) -> Answer:
        started = time.perf_counter()
        answer = self.extractive_answer(found)
        answer.timings_ms["answer"] = round((time.perf_counter() - started) * 1000, 2)
        return answer

    def extractive_answer(self, found: Retrieved) -> Answer:
        """Quote-and-cite answer, or an abstention (with its reason) when the evidence falls short."""
        base = Answer(
            question=found.question,
            answer=ABSTAIN_TEXT,
            abstained=True,
            passages=found.passages,
            rewritten_query=found.rewritten,
            timings_ms=dict(found.timings_ms),
        )
        picked = self._choose(found) if found.scored else Abstention("nothing_found", "nothing in them matches it")
        if found.scored:
            base.confidence = round(found.scored[0].score, 4)
        if isinstance(picked, Abstention):
            return base.model_copy(update={"answer": picked.text, "abstain_reason": picked.reason})
        chosen, lead, hop = picked
        also = {} if "restatements" in found.disabled else self._restatements(found, quote_blocks(chosen))
        passages = self._with_cited(found, chosen, hop, list(also.values()))
        found.passages = passages  # a generative backend prompts with what the answer cited too
        composed = compose_answer(chosen, {p.chunk_id: p for p in passages}, found.plan, lead, also)
        if not composed.citations:
            return base.model_copy(update={"answer": _UNQUOTABLE.text, "abstain_reason": _UNQUOTABLE.reason})
        update = {"answer": composed.text, "abstained": False, "citations": composed.citations, "passages": passages}
        return base.model_copy(update=update)

    def _choose(self, found: Retrieved) -> tuple[list[ScoredUnit], str, list[ScoredUnit]] | Abstention:
        """The units to quote, the answer's lead-in and the second hop's units; or why not."""
        snapshot = found.candidates.snapshot
        unknown = [] if "unknown_names" in found.disabled else unknown_acronyms(found.question, snapshot)
        if unknown:
            return Abstention("unknown_name", f"they never mention {', '.join(dict.fromkeys(unknown))}")
        kind = None if "unknown_names" in found.disabled else unknown_kind(found.question, snapshot)
        if kind:
            return Abstention("unknown_kind", f"they never mention any {kind}")
        scored = self._in_named_sections(found)
        contradicted = [] if "premise" in found.disabled else contradicting_units(found.question, scored)
        if not contradicted and "premise" not in found.disabled:
            contradicted = miscounting_units(found.question, scored) or overlooked_units(found.question, scored)
        threshold = self.options.followup_abstain_threshold if found.rewritten else self.options.abstain_threshold
        if contradicted:
            return contradicted, PREMISE_NOTE, []
        if found.scored[0].score < threshold:
            return Abstention("weak_match", "their closest passages match it only weakly")
        load = self._unit_loader(found)
        chosen = select_units(found.plan, scored, found.term_weights, self._neighbourhood(found, load))
        if not chosen:
            return _UNQUOTABLE
        hop: list[ScoredUnit] = []
        if "bridge" not in found.disabled and found.plan.kind not in ("list", "summary") and describes(found.question):
            hop = self._bridged(found, chosen, load)
        missing = None if "slots" in found.disabled else self._gap(found, chosen + hop)
        if missing:
            return Abstention("not_stated", missing)
        return chosen + hop, "", hop

    def _with_cited(
        self, found: Retrieved, chosen: list[ScoredUnit], hop: list[ScoredUnit], also: list[ScoredUnit]
    ) -> list[Passage]:
        """The retrieved passages plus any cited one they lack, ranked anew: a second hop's passage
        not retrieved already goes right after the passage it was reached from (it is retrieval
        too, one step later), anything else at the end. The eval's retrieval metrics read this
        order, so a second hop counts as retrieval there as well."""
        passages = list(found.passages)
        have = {p.chunk_id for p in passages}

        def add(unit: ScoredUnit, at: int) -> None:
            if unit.chunk_id not in have:
                passages.insert(at, self._passage(0, unit.chunk_id, 0.0, found.candidates))
                have.add(unit.chunk_id)

        for unit in chosen:
            if unit in hop:
                origin = next(
                    (i for i, p in enumerate(passages) if p.chunk_id == chosen[0].chunk_id), len(passages) - 1
                )
                add(unit, origin + 1)
            else:
                add(unit, len(passages))
        for unit in also:
            add(unit, len(passages))
        return [p.model_copy(update={"rank": i}) for i, p in enumerate(passages, start=1)]

    @staticmethod
    def _in_named_sections(found: Retrieved) -> list[ScoredUnit]:
        """The scored units from the sections the question names by title (all when it names none,
        or when the named sections hold nothing close to the best match elsewhere: a title can be
        a whole document's topic, "Widget Programme", while another document answers)."""
        if "sections" in found.disabled:
            return found.scored
        named = found.candidates.snapshot.sections.named(found.question)
        inside = [u for u in found.scored if u.chunk_id in named]
        best = max((u.score for u in found.scored if u.kind != "heading"), default=0.0)
        if not any(u.score >= SECTION_SHARE * best for u in inside if u.kind != "heading"):
            return found.scored
        return inside

    @staticmethod
    def _restatements(found: Retrieved, blocks: list[list[ScoredUnit]]) -> dict[int, ScoredUnit]:
        """Other passages that restate a quote (cited beside it)."""
        snapshot = found.candidates.snapshot

        def nearby(a: str, b: str) -> bool:
            return a == b or b in snapshot.adjacent(a)

        return restatements(blocks, found.scored, nearby)

    @staticmethod
    def _bridged(
        found: Retrieved, chosen: list[ScoredUnit], load: Callable[[Sequence[str]], list[ScoredUnit]]
    ) -> list[ScoredUnit]:
        """The second hop's unit for a question that describes its subject (see ``bridge``)."""
        snapshot = found.candidates.snapshot
        meta = (snapshot.text_of(chosen[0].chunk_id) or ("", {}))[1] if chosen else {}
        avoid = {n for u in chosen for n in snapshot.adjacent(u.chunk_id)}
        section = str(meta.get("section", ""))
        hop = second_hop(chosen, found.term_weights, section, snapshot.lexical, load, avoid)
        if hop is None:
            return []
        weights = bridge_weights(chosen, found.term_weights, snapshot.lexical)
        return [clip_enumeration(hop, found.plan.kind, weights, QAService._neighbourhood(found, load), SHORT_LIMIT)]

    def _unit_loader(self, found: Retrieved) -> Callable[[Sequence[str]], list[ScoredUnit]]:
        """Scored units of any chunks, in reading order per chunk, each chunk fetched from the
        store once per answer (those scored for the question already are reused)."""
        by_chunk: dict[str, list[ScoredUnit]] = {}
        for unit in found.scored:
            by_chunk.setdefault(unit.chunk_id, []).append(unit)

        def load(chunk_ids: Sequence[str]) -> list[ScoredUnit]:
            rest = [cid for cid in dict.fromkeys(chunk_ids) if cid not in by_chunk]
            if rest:
                units = self.searcher.store.units_for(rest)
                snap = found.candidates.snapshot
                for unit in score_units(found.plan, found.candidates.vectors, units, snap, {}, self.options.weights):
                    by_chunk.setdefault(unit.chunk_id, []).append(unit)
                for cid in rest:
                    by_chunk.setdefault(cid, [])
            return [u for cid in dict.fromkeys(chunk_ids) for u in sorted(by_chunk[cid], key=lambda u: u.n)]

        return load

    @staticmethod
    def _gap(found: Retrieved, chosen: Sequence[ScoredUnit]) -> str | None:
        """What the quote lacks of what the question asks (see ``slots``), for the user; None if
        nothing. The edition is read from the lead quote, the one that answers."""
        text = " ".join(u.text for u in chosen)
        glossary = found.candidates.snapshot.glossary
        said = terms(text) + terms(" ".join(glossary_expansions(text, glossary)))
        entry = bool(chosen) and chosen[0].kind in LISTY
        listed = any(u.kind in LISTY for u in chosen)
        lead = chosen[0].text if chosen else ""
        asked = found.plan.head or found.question
        missing = gap(asked, found.plan.kind, said, text, lead, entry, listed, found.rewritten or "")
        missing = missing or other_holder(asked, lead, lambda t: " ".join([t, *glossary_expansions(t, glossary)]))
        if missing:
            logger.debug("abstaining: %s", missing)
        return missing

    @staticmethod
    def _neighbourhood(found: Retrieved, load: Callable[[Sequence[str]], list[ScoredUnit]]) -> Neighbourhood:
        """Whole chunks around the candidates, scored (used to gather lists and captions)."""
        snapshot = found.candidates.snapshot
        return Neighbourhood(
            units_of=lambda cid: load([cid]),
            next_chunk=lambda cid: snapshot.neighbour(cid, 1),
            previous_chunk=lambda cid: snapshot.neighbour(cid, -1),
            text_of=lambda cid: (snapshot.text_of(cid) or ("", {}))[0],
            source_of=lambda cid: str((snapshot.text_of(cid) or ("", {}))[1].get("source", "")),
        )


def _pieces(text: str, size: int = 24) -> Iterator[str]:
    """Split an answer into small pieces so a UI can stream it."""
    for start in range(0, len(text), size):
        yield text[start : start + size]
