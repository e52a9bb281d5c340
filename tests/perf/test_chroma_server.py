"""Server mode end to end: ingest, ask, re-ingest and rebuild through a real ``chroma run``.

Two ``Components`` stand for two processes (a CLI ingest and a UI): each has its own HTTP client
and its own snapshot, and they share only the server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.perf.conftest import ChromaServer

pytestmark = pytest.mark.integration


def _components(corpus: Path, store: Path, server: ChromaServer, embeddings):
    from app.settings import Settings
    from app.wiring import Components

    settings = Settings(
        corpus_dir=corpus,
        store_dir=store,
        chroma_mode="http",
        chroma_host=server.host,
        chroma_port=server.port,
        store_check_seconds=0.0,
    )
    components = Components(settings)
    components.__dict__["embeddings"] = embeddings  # share the session's loaded model
    return components


def test_ingest_ask_reingest_and_rebuild_through_a_server(chroma_server, tiny_corpus, tmp_path, real_embeddings):
    writer = _components(tiny_corpus, tmp_path / "store", chroma_server, real_embeddings)
    assert writer.ingest().counts()["added"] == 2
    reader = _components(tiny_corpus, tmp_path / "store", chroma_server, real_embeddings)

    answer = reader.service.ask("When was the Widget Programme founded?")
    assert not answer.abstained
    assert "2011" in answer.answer
    assert answer.citations[0].source == "widgets.md"

    # another process ingests a new file: the reader sees it without a restart
    (tiny_corpus / "probes.txt").write_text(
        "Probe Report\n\nThe zorblax probe reached the lunar south pole in 2031 and carried seven instruments.\n",
        encoding="utf-8",
    )
    assert writer.ingest().counts()["added"] == 1
    assert reader.service.search("zorblax probe")[0].source == "probes.txt"

    # --rebuild builds under a new prefix and swaps the pointer; the reader follows it
    first = writer.server.current()
    report = writer.ingest(rebuild=True)
    second = writer.server.current()
    assert second != first
    assert second in report.store
    answer = reader.service.ask("How many instruments did the zorblax probe carry?")
    assert "seven" in answer.answer
    assert reader.service.searcher.store.prefix == second

    # the store before the last one is dropped, the previous one is kept for in-flight readers
    writer.ingest(rebuild=True)
    names = {c.name for c in writer.server.client.list_collections()}
    assert f"{first}-chunks" not in names
    assert f"{second}-chunks" in names
    assert f"{writer.server.current()}-chunks" in names
    answer = reader.service.ask("When was the Widget Programme founded?")  # dense search follows too
    assert "2011" in answer.answer
    assert reader.service.searcher.vectorstore._collection_name == f"{writer.server.current()}-chunks"


def test_server_listens_on_loopback_only(chroma_server):
    psutil = pytest.importorskip("psutil")
    addresses = {c.laddr.ip for c in psutil.Process(chroma_server.process.pid).net_connections("inet")}
    assert addresses
    assert addresses <= {"127.0.0.1"}
