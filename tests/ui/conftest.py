"""UI fixtures: fake components for the callbacks, and one live server for API and browser tests."""

from __future__ import annotations

import os
import socket
from functools import cached_property
from pathlib import Path

import pytest

from tests.conftest import TINY_DOCS

# Corpus text is untrusted: this document tries HTML, template and Markdown-image injection.
HOSTILE_DOC = (
    "# Hostile Notes\n\n"
    "The hostile survey counted 77 <img src=x onerror=\"document.title='pwned'\"> armoured tortoises "
    "${document.title='pwned'} {{7*7}} ![x](http://127.0.0.1:9/exfil) <script>document.title='pwned'</script> "
    "and more at http://127.0.0.1:9/link.\n"
)


class FakeComponents:
    """``app.wiring.Components`` with fake embeddings: the real ingest, store and service, fast."""

    def __init__(self, settings, embeddings) -> None:
        from ingest.chunking import ChunkingParams
        from ingest.clients import persistent_client
        from ingest.store import Fingerprint

        self.settings = settings
        self.embeddings = embeddings
        self._client = persistent_client(settings.store_dir)
        self._fingerprint = Fingerprint("fake-embedding", 32, ChunkingParams().fingerprint())
        self.ingest_calls: list[list[Path] | None] = []

    def open_store(self, *, create: bool = False):
        from ingest.store import ChunkStore

        return ChunkStore(self._client, self._fingerprint, create=create)

    def ingest(self, paths=None, **_: object):
        from ingest.pipeline import IngestOptions, Ingestor

        self.ingest_calls.append(paths)
        options = IngestOptions(max_bytes=int(self.settings.max_file_mb * 2**20))
        return Ingestor(self.open_store(create=True), self.embeddings, self.settings.corpus_dir, options).run(paths)

    @cached_property
    def service(self):
        from retriever.search import HybridSearcher
        from retriever.service import QAService, ServiceOptions

        searcher = HybridSearcher(self.open_store(), self.embeddings, check_seconds=60.0)
        return QAService(searcher, ServiceOptions(abstain_threshold=0.0, max_question_chars=200))


@pytest.fixture
def ui_settings(tiny_corpus: Path, tmp_path: Path):
    from app.settings import Settings

    return Settings(corpus_dir=tiny_corpus, store_dir=tmp_path / "store", max_question_chars=200, max_upload_mb=1)


@pytest.fixture
def fake_components(ui_settings, fake_embeddings) -> FakeComponents:
    """Components over the tiny corpus, already ingested."""
    components = FakeComponents(ui_settings, fake_embeddings)
    components.ingest()
    return components


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def live_ui(tmp_path_factory: pytest.TempPathFactory):
    """The real app (packaged MiniLM, on-disk store in tmp) served on a free loopback port."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from app.settings import Settings
    from app.ui import build_ui, launch_kwargs
    from app.wiring import Components

    base = tmp_path_factory.mktemp("live-ui")
    corpus = base / "corpus"
    corpus.mkdir()
    for name, text in {**TINY_DOCS, "hostile.md": HOSTILE_DOC}.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, store_dir=base / "store", port=free_port(), max_question_chars=300)
    components = Components(settings)
    components.ingest()
    demo = build_ui(components)
    _, url, _ = demo.launch(**launch_kwargs(settings), prevent_thread_lock=True, quiet=True)
    yield url.rstrip("/"), components
    demo.close()
