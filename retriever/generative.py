"""``GenerativeBackend``: a chat model writes the answer, code decides what of it is kept.

It is the ``answer`` step of ``QAService``'s chain (a LangChain ``Runnable`` from ``Retrieved`` to
``Answer``) and also offers ``stream_answer`` for ``QAService.stream``. One path serves both:

1. the extractive answer is computed first (milliseconds): it is the fallback, and when it
   abstains the evidence is too weak to hand to a model at all — a small model asked anyway
   writes a fluent, plausible and unsupported answer, and lexical checks alone cannot always tell;
2. the passages that fit the context budget are numbered into the prompt (``prompting``);
3. the reply is streamed; each sentence, once complete, has its untrusted markup stripped
   (``output_filter``), its markers parsed (``markers``) and its support checked against the
   passages it cites (``citations_verify``). Supported sentences are yielded at once with markers
   and citations made by code; the others are dropped;
4. an unreachable server, a timeout, an empty reply, a reply that only abstains, or one with no
   supported sentence falls back to the extractive answer, and the ``Answer`` says why.

The chat model itself is built lazily by a factory from ``app.wiring``, so a backend that is not
used costs nothing and a missing model or package becomes a fallback reason, not a crash.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable, RunnableConfig

from retriever.citations_verify import CitationBook, Evidence, Support, SupportChecker, SupportThresholds
from retriever.extractive import LONG_LIMIT, SHORT_LIMIT
from retriever.markers import RawSentence, complete_sentences, is_abstention, parse_sentence
from retriever.output_filter import corpus_urls, strip_untrusted_markup
from retriever.prompting import build_messages, select_passages
from retriever.records import Answer
from retriever.service import Retrieved

logger = logging.getLogger(__name__)

# The answer-length rule (SHORT_LIMIT, LONG_LIMIT) is the extractive answerer's; a generated answer
# is cut at the sentence that would cross it.

UnitLoader = Callable[[Sequence[str]], dict[str, Any]]
Fallback = Callable[[Retrieved], Answer]


class GenerationFailed(Exception):
    """The model produced nothing usable; ``reason`` is the Answer's ``fallback_reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class GenerationOptions:
    """Plain values for a generative backend (from the settings object, via ``app.wiring``)."""

    context_chars: int = 4000
    timeout_s: float = 60.0
    thresholds: SupportThresholds = field(default_factory=SupportThresholds)


def failure_reason(exc: BaseException) -> str:
    """A short, stable reason code for an exception raised while generating."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & {"TimeoutError", "APITimeoutError", "TimeoutException"}:
        code = "timeout"
    elif names & {"APIConnectionError", "ConnectError", "ConnectionError"}:
        code = "unreachable"
    elif names & {"ImportError", "FileNotFoundError"}:
        code = "unavailable"
    else:
        code = "error"
    detail = " ".join(str(exc).split())[:160] or type(exc).__name__
    return f"{code}: {detail}"


@dataclass
class _Run:
    """State of one generation: what was streamed, kept and dropped."""

    found: Retrieved
    checker: SupportChecker
    book: CitationBook
    allowed_urls: frozenset[str]
    limit: int
    reply: str = ""
    consumed: int = 0
    kept: list[Support] = field(default_factory=list)
    pieces: list[str] = field(default_factory=list)
    dropped: list[Support] = field(default_factory=list)
    abstained: bool = False
    full: bool = False
    timings: dict[str, float] = field(default_factory=dict)


class GenerativeBackend(Runnable[Retrieved, Answer]):
    """Answers with a chat model, keeps only sentences the passages support, else falls back."""

    def __init__(
        self,
        name: str,
        chat_model: Callable[[], BaseChatModel],
        *,
        embeddings: Embeddings,
        load_units: UnitLoader,
        fallback: Fallback,
        options: GenerationOptions,
    ) -> None:
        self.name = name
        self._factory = chat_model
        self._model: BaseChatModel | None = None
        self._model_lock = threading.Lock()
        self.embeddings = embeddings
        self.load_units = load_units
        self.fallback = fallback
        self.options = options

    # --- Runnable -------------------------------------------------------------------------
    def invoke(self, input: Retrieved, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        """The final ``Answer`` of ``stream_answer`` (one code path for both)."""
        answer: Answer | None = None
        for piece in self.stream_answer(input):
            if isinstance(piece, Answer):
                answer = piece
        assert answer is not None
        return answer

    def stream_answer(self, found: Retrieved) -> Iterator[str | Answer]:
        """Verified sentences as they are ready, then the final ``Answer``."""
        started = time.perf_counter()
        extractive = self.fallback(found)
        extractive.timings_ms["extractive"] = round((time.perf_counter() - started) * 1000, 2)
        if extractive.abstained:
            why = extractive.abstain_reason or "weak_match"
            yield from self._fall_back(extractive, f"weak_evidence: the extractive step abstained ({why})")
            return
        run: _Run | None = None
        try:
            run = self._start(found)
            yield from self._generate(run)
            answer = self._finish(run)
        except GenerationFailed as failed:
            yield from self._fall_back(extractive, failed.reason, run)
            return
        except Exception as exc:  # noqa: BLE001 - any model/server failure becomes a fallback reason
            if run is not None and not run.reply.strip() and "no generation chunks" in str(exc).casefold():
                # LangChain raises this when a model streams nothing at all
                yield from self._fall_back(extractive, "empty_reply: the model returned no text", run)
                return
            if run is None or not run.kept:
                logger.warning("%s backend failed, falling back: %s", self.name, exc)
                yield from self._fall_back(extractive, failure_reason(exc), run)
                return
            logger.warning("%s backend stopped early, keeping %d sentence(s): %s", self.name, len(run.kept), exc)
            answer = self._finish(run)
        answer.timings_ms["answer"] = round((time.perf_counter() - started) * 1000, 2)
        yield answer

    # --- steps ------------------------------------------------------------------------------
    def model(self) -> BaseChatModel:
        """The chat model, built on first use (once, even when the UI asks several questions at once)."""
        with self._model_lock:
            if self._model is None:
                self._model = self._factory()
            return self._model

    def _start(self, found: Retrieved) -> _Run:
        passages = select_passages(found.passages, self.options.context_chars)
        evidence = Evidence(passages, self.load_units([p.chunk_id for p in passages]))
        limit = LONG_LIMIT if found.plan.kind in ("list", "summary") else SHORT_LIMIT
        return _Run(
            found,
            SupportChecker(evidence, self.options.thresholds),
            CitationBook(passages),
            corpus_urls(p.text for p in passages),
            limit,
        )

    def _generate(self, run: _Run) -> Iterator[str]:
        """Stream the reply; yield each supported sentence as soon as it is complete."""
        question = run.found.question
        if run.found.rewritten:
            question = f"{question} (searched as: {run.found.rewritten})"
        messages = build_messages(question, run.book.passages, self.options.context_chars)
        model = self.model()
        started = time.perf_counter()
        with closing(model.stream(messages)) as stream:
            for chunk in stream:
                run.timings.setdefault("first_token", round((time.perf_counter() - started) * 1000, 2))
                run.reply += chunk.text
                yield from self._verify(run, final=False)
                if run.full:
                    break
                if time.perf_counter() - started > self.options.timeout_s:
                    raise TimeoutError(f"generation took longer than {self.options.timeout_s:g} s")
        run.timings["generate"] = round((time.perf_counter() - started) * 1000, 2)
        yield from self._verify(run, final=True)

    def _verify(self, run: _Run, final: bool) -> Iterator[str]:
        clean = strip_untrusted_markup(run.reply, run.allowed_urls)
        fresh = complete_sentences(clean, final)[run.consumed :]
        if not fresh or run.full:
            return
        run.consumed += len(fresh)
        started = time.perf_counter()
        for support in self._check(run, fresh):
            if not support.supported:
                run.dropped.append(support)
                logger.debug("dropped (%s): %r", support.reason, support.sentence.text)
            elif run.book.chars + len(support.sentence.text) + 8 > run.limit:
                run.full = True
                break
            else:
                run.kept.append(support)
                run.pieces.append(run.book.render(support))
                yield run.pieces[-1]
        run.timings["verify"] = round(run.timings.get("verify", 0.0) + (time.perf_counter() - started) * 1000, 2)

    def _check(self, run: _Run, fresh: list[RawSentence]) -> list[Support]:
        parsed = [parse_sentence(raw, len(run.book.passages)) for raw in fresh]
        claims = []
        for sentence in parsed:
            if sentence.dropped:
                logger.debug("dropped markers %s: not among the %d passages", sentence.dropped, len(run.book.passages))
            if is_abstention(sentence.text):
                run.abstained = True
            else:
                claims.append(sentence)
        vectors = self.embeddings.embed_documents([s.text for s in claims]) if claims else []
        return [run.checker.check(s, v) for s, v in zip(claims, vectors, strict=True)]

    def _finish(self, run: _Run) -> Answer:
        if not run.reply.strip():
            raise GenerationFailed("empty_reply: the model returned no text")
        if not run.kept:
            if run.abstained and not run.dropped:
                raise GenerationFailed("model_abstained: the model said the passages do not answer")
            raise GenerationFailed(f"unsupported: none of {len(run.dropped)} sentence(s) was supported by its passage")
        logger.info("%s: kept %d sentence(s), dropped %d", self.name, len(run.kept), len(run.dropped))
        found = run.found
        return Answer(
            question=found.question,
            answer="".join(run.pieces),
            citations=run.book.citations,
            passages=found.passages,
            backend=self.name,
            rewritten_query=found.rewritten,
            timings_ms={**found.timings_ms, **run.timings},
            confidence=round(found.scored[0].score, 4),
        )

    def _fall_back(self, extractive: Answer, reason: str, run: _Run | None = None) -> Iterator[str | Answer]:
        timings = {**extractive.timings_ms, **(run.timings if run else {})}
        update = {"backend": "extractive", "fallback_reason": reason, "timings_ms": timings}
        answer = extractive.model_copy(update=update)
        logger.info("%s fell back to extractive: %s", self.name, reason)
        yield answer.answer
        yield answer
