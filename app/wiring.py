"""The composition root: turns the settings object into working components.

Nothing below ``app`` reads settings or the environment; this module hands each component the
plain values it needs.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable

from app.settings import Settings
from ingest.chunking import ChunkingParams
from ingest.clients import forget_cached_clients, http_client, persistent_client
from ingest.embedding import EmbeddingSpec, LazyEmbeddings, backend_model_id, packaged_model
from ingest.loaders import PdfLimits
from ingest.location import ServerLocation, StoreLocation
from ingest.pipeline import IngestOptions, Ingestor
from ingest.report import IngestReport
from ingest.store import ChunkStore, Fingerprint, StoreMissingError
from retriever.citations_verify import SupportThresholds
from retriever.evidence import Weights
from retriever.generative import Fallback, GenerationOptions, GenerativeBackend
from retriever.search import HybridSearcher
from retriever.service import QAService, Retrieved, ServiceOptions

logger = logging.getLogger(__name__)

# No model hub is reachable: make every Hugging Face library fail fast instead of retrying.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def chunking_params(settings: Settings) -> ChunkingParams:
    return ChunkingParams(
        target_words=settings.chunk_target_words,
        max_words=settings.chunk_max_words,
        min_words=settings.chunk_min_words,
        overlap_words=settings.chunk_overlap_words,
    )


def embedding_spec(settings: Settings) -> EmbeddingSpec:
    if settings.embedding_model_path is not None:
        path, model_id = settings.embedding_model_path, settings.embedding_model_path.name
    else:
        path, model_id = packaged_model()
    return EmbeddingSpec(
        path=path,
        model_id=backend_model_id(model_id, settings.embedding_backend),
        batch_size=settings.embedding_batch_size,
        threads=settings.embedding_threads,
        backend=settings.embedding_backend,
        export_dir=settings.embedding_export_dir or settings.store_dir / "models",
        cache_entries=settings.embedding_cache_entries,
    )


def ingest_options(settings: Settings, progress: bool) -> IngestOptions:
    return IngestOptions(
        chunking=chunking_params(settings),
        pdf=PdfLimits(settings.pdf_timeout_s, settings.pdf_memory_mb, settings.pdf_max_pages),
        max_bytes=int(settings.max_file_mb * 2**20),
        ignore_names=tuple(settings.ignore_names),
        progress=progress,
        batch_texts=settings.ingest_batch_texts,
    )


def service_options(settings: Settings) -> ServiceOptions:
    weights = Weights(
        dense=settings.weight_dense,
        lexical=settings.weight_lexical,
        value=settings.weight_value,
        passage=settings.weight_passage,
    )
    return ServiceOptions(
        k=settings.k,
        mode=settings.retrieval_mode,
        max_question_chars=settings.max_question_chars,
        abstain_threshold=settings.abstain_threshold,
        followup_abstain_threshold=settings.followup_abstain_threshold,
        weights=weights,
    )


def generation_options(settings: Settings, timeout_s: float) -> GenerationOptions:
    return GenerationOptions(
        context_chars=settings.context_chars,
        timeout_s=timeout_s,
        thresholds=SupportThresholds(settings.support_min_overlap, settings.support_min_similarity),
    )


def openai_chat_model(settings: Settings) -> BaseChatModel:
    """Any OpenAI-compatible server (vLLM, llama.cpp's server, LM Studio, Ollama, …)."""
    from langchain_openai import ChatOpenAI  # optional: the `openai` / `local-llm` extras

    return ChatOpenAI(
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        api_key=settings.openai_api_key,
        timeout=settings.openai_timeout_s,
        max_retries=0,  # a dead local server should fall back at once, not after backoff
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens,
    )


def llamacpp_chat_model(settings: Settings) -> BaseChatModel:
    """A GGUF file run in this process by llama-cpp-python (the `local-llm` extra)."""
    from retriever.chat_models import LlamaCppChatModel

    if settings.llamacpp_model_path is None:
        raise FileNotFoundError("no GGUF model configured: set ISECG_QA_LLAMACPP_MODEL_PATH")
    return LlamaCppChatModel(
        model_path=settings.llamacpp_model_path,
        n_ctx=settings.llamacpp_n_ctx,
        n_threads=settings.llamacpp_threads or None,
        max_tokens=settings.llm_max_tokens,
        temperature=settings.llm_temperature,
        timeout_s=settings.llamacpp_timeout_s,
    )


def generative_backends(settings: Settings, searcher: HybridSearcher, fallback: Fallback) -> dict[str, Runnable]:
    """The ``openai`` and ``llamacpp`` answer backends; their chat models are built on first use."""
    common = {"embeddings": searcher.embeddings, "load_units": searcher.store.units_for, "fallback": fallback}
    return {
        "openai": GenerativeBackend(
            "openai",
            lambda: openai_chat_model(settings),
            options=generation_options(settings, settings.openai_timeout_s),
            **common,
        ),
        "llamacpp": GenerativeBackend(
            "llamacpp",
            lambda: llamacpp_chat_model(settings),
            options=generation_options(settings, settings.llamacpp_timeout_s),
            **common,
        ),
    }


@dataclass
class Components:
    """Lazily built components for one process; the model and store load once."""

    settings: Settings

    @cached_property
    def location(self) -> StoreLocation:
        return StoreLocation(self.settings.store_dir)

    @cached_property
    def embeddings(self) -> LazyEmbeddings:
        return LazyEmbeddings(embedding_spec(self.settings))

    @cached_property
    def fingerprint(self) -> Fingerprint:
        spec = embedding_spec(self.settings)
        return Fingerprint(spec.model_id, self.embeddings.dimension, chunking_params(self.settings).fingerprint())

    def _client(self, store_dir: Path | None):
        if self.settings.chroma_mode == "http":
            return http_client(self.settings.chroma_host, self.settings.chroma_port)
        assert store_dir is not None
        return persistent_client(store_dir)

    @cached_property
    def server(self) -> ServerLocation:
        """Server mode: which collection prefix is the active store."""
        return ServerLocation(self._client(None), self.settings.chroma_prefix)

    @property
    def server_url(self) -> str:
        return f"http://{self.settings.chroma_host}:{self.settings.chroma_port}"

    def open_store(self, *, create: bool = False, store_dir: Path | None = None) -> ChunkStore:
        """The active store (``create`` makes one on the first ingest)."""
        if self.settings.chroma_mode == "http":
            prefix = self.server.current_or_new() if create else self.server.current()
            if prefix is None:
                raise StoreMissingError(f"no store on the Chroma server at {self.server_url}: run `isecg-qa ingest`")
            return ChunkStore(
                self.server.client, self.fingerprint, prefix=prefix, create=create, locate=self.server.current
            )
        if store_dir is None:
            store_dir = self.location.current_or_new() if create else self.location.open_current()
        if store_dir is None:
            raise StoreMissingError("no store has been built yet: run `isecg-qa ingest`")
        self.location.hold(store_dir)  # a later rebuild must not delete files this process reads
        try:
            return ChunkStore(self._client(store_dir), self.fingerprint, create=create)
        except Exception:
            self.location.release(store_dir)  # not in use after all (e.g. built with other settings)
            raise

    @cached_property
    def service(self) -> QAService:
        searcher = HybridSearcher(
            self.open_store(),
            self.embeddings,
            candidates=self.settings.candidates,
            rrf_k=self.settings.rrf_k,
            check_seconds=self.settings.store_check_seconds,
        )
        service: QAService

        def extractive(found: Retrieved):
            # Generative backends fall back to the service's own extractive answer; the service is
            # bound below, before any question can reach this.
            return service.extractive_answer(found)

        backends = generative_backends(self.settings, searcher, extractive)
        service = QAService(searcher, service_options(self.settings), backends=backends)
        return service

    def ingest(self, paths: list[Path] | None = None, *, rebuild: bool = False, progress: bool = False) -> IngestReport:
        """Incremental ingest under the writer lock; ``rebuild`` builds beside and swaps."""
        with self.location.writer_lock():
            if self.settings.chroma_mode == "persistent":
                self.location.remove_inactive()  # leftovers of killed rebuilds, old stores now unused
            if rebuild:
                return (
                    self._rebuild_on_server(progress)
                    if self.settings.chroma_mode == "http"
                    else self._rebuild(progress)
                )
            store = self.open_store(create=True)
            report = Ingestor(
                store, self.embeddings, self.settings.corpus_dir, ingest_options(self.settings, progress)
            ).run(paths)
            http = self.settings.chroma_mode == "http"
            report.store = f"{self.server_url} ({store.prefix})" if http else str(self.location.current())
            return report

    def _rebuild(self, progress: bool) -> IngestReport:
        """Build a whole new store beside the active one; swap it in only once it is complete.

        Killed or failed before ``activate``: CURRENT still names the old store and the half-built
        one is deleted by the next ingest. A process that has the old store open keeps it (see
        ``StoreLocation.hold``) and reads it until it restarts.
        """
        fresh = self.location.fresh()
        try:
            store = self.open_store(create=True, store_dir=fresh)
            report = Ingestor(
                store, self.embeddings, self.settings.corpus_dir, ingest_options(self.settings, progress)
            ).run()
        except BaseException:
            self.location.release(fresh)  # a long-lived process must not pin the half-built store
            raise
        self.location.activate(fresh)
        forget_cached_clients()
        self.location.remove_inactive()
        report.store = str(fresh)
        return report

    def _rebuild_on_server(self, progress: bool) -> IngestReport:
        """Server mode: build under a fresh prefix, point at it, drop stores older than the last.

        The new store's generation starts one past the old one's, so every process sharing the
        server sees a new generation, follows the pointer and rebuilds its snapshot.
        """
        old = self.server.current()
        fresh = self.server.fresh()
        store = ChunkStore(self.server.client, self.fingerprint, prefix=fresh, create=True)
        store.set_generation(self.server.generation_of(old) + 1 if old else 0)
        report = Ingestor(
            store, self.embeddings, self.settings.corpus_dir, ingest_options(self.settings, progress)
        ).run()
        self.server.activate(fresh)
        removed = self.server.remove_inactive()
        logger.info("rebuilt store %s on %s; removed %d old collections", fresh, self.server_url, len(removed))
        report.store = f"{self.server_url} ({fresh})"
        return report
