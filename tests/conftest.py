"""Shared fixtures: offline guard, tiny corpora, fake and real components."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "corpus" / "isecg-annual-report-2020.txt"

# The Answer object's contract fields (../shared/notes/contracts.md); ``id`` only in predictions.
ANSWER_KEYS = frozenset(
    {
        "question",
        "answer",
        "abstained",
        "citations",
        "passages",
        "backend",
        "fallback_reason",
        "rewritten_query",
        "timings_ms",
    }
)

TINY_DOCS = {
    "widgets.md": (
        "# Widget Programme\n\n"
        "The Widget Programme was founded in 2011 by the Zanzibar Space Office (ZSO). "
        "It builds small lunar rovers for surface science.\n\n"
        "## Members\n\n"
        "The programme had 14 member agencies at the end of 2019.\n\n"
        "- ZSO, Zanzibar Space Office\n- KLA, Kolonia Launch Authority\n- MRA, Mirandola Rover Agency\n"
    ),
    "gadgets.txt": (
        "Gadget Survey Report\n\n"
        "1 Summary\n\n"
        "The Gadget Survey measured the reflectivity of crater rims during the winter of 2018. "
        "Its final report was released in March 2019 and counted 412 distinct gadgets.\n\n"
        "2 Outlook\n\n"
        "A second survey with the marker word quokkafig is planned for 2025, pending funding.\n"
    ),
}


class _NetworkBlocked(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests may talk to loopback servers they start, never to the outside world."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
            raise _NetworkBlocked(f"network access to {host} blocked in tests")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    """A two-document corpus with known facts and a unique marker word."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in TINY_DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return corpus


@pytest.fixture
def report_text() -> str:
    return REPORT.read_text(encoding="utf-8")


@pytest.fixture
def fake_embeddings():
    from langchain_core.embeddings import DeterministicFakeEmbedding

    return DeterministicFakeEmbedding(size=32)


@pytest.fixture
def fake_store_factory(tmp_path: Path):
    """Build an on-disk Chroma store in tmp_path with a fake fingerprint."""
    from ingest.chunking import ChunkingParams
    from ingest.clients import persistent_client
    from ingest.store import ChunkStore, Fingerprint

    def make(name: str = "store", dimension: int = 32, chunking: ChunkingParams | None = None) -> ChunkStore:
        fingerprint = Fingerprint("fake-embedding", dimension, (chunking or ChunkingParams()).fingerprint())
        return ChunkStore(persistent_client(tmp_path / name), fingerprint, create=True)

    return make


@pytest.fixture(scope="session")
def real_embeddings():
    """The packaged MiniLM, loaded once per test session (integration tests only)."""
    from ingest.embedding import EmbeddingSpec, LazyEmbeddings, packaged_model

    path, model_id = packaged_model()
    return LazyEmbeddings(EmbeddingSpec(path=path, model_id=model_id, batch_size=32))


@pytest.fixture
def settings_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the settings object at a store in tmp_path (never the repo's own store)."""
    store = tmp_path / "store"
    monkeypatch.setenv("ISECG_QA_STORE_DIR", str(store))
    return store
