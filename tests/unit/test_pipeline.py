"""Incremental ingest with fake embeddings and an on-disk Chroma in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding

from ingest.chunking import ChunkingParams
from ingest.clients import persistent_client
from ingest.pipeline import IngestOptions, Ingestor
from ingest.store import ChunkStore, Fingerprint, StoreMismatchError


class CountingEmbeddings(DeterministicFakeEmbedding):
    """Fake embeddings that count how many texts were embedded."""

    calls: int = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += len(texts)
        return super().embed_documents(texts)


def _run(store, corpus: Path, embeddings, paths=None):
    return Ingestor(store, embeddings, corpus, IngestOptions()).run(paths)


def _by_path(report):
    return {f.path: f for f in report.files}


def test_first_ingest_adds_every_file(tiny_corpus, fake_store_factory):
    store = fake_store_factory()
    report = _run(store, tiny_corpus, CountingEmbeddings(size=32))
    assert report.counts()["added"] == 2
    assert store.count() == sum(f.chunks for f in report.files) > 0
    manifest = store.files_manifest()
    assert {r.status for r in manifest.values()} == {"complete"}
    assert manifest["widgets.md"].glossary["ZSO"] == "Zanzibar Space Office"


def test_second_run_embeds_nothing(tiny_corpus, fake_store_factory):
    store = fake_store_factory()
    embeddings = CountingEmbeddings(size=32)
    _run(store, tiny_corpus, embeddings)
    embeddings.calls = 0
    generation = store.generation()
    report = _run(store, tiny_corpus, embeddings)
    assert report.counts()["unchanged"] == 2
    assert report.chunks_embedded == 0 and embeddings.calls == 0
    assert store.generation() == generation


def test_edit_replaces_chunks_and_delete_removes_them(tiny_corpus, fake_store_factory):
    store = fake_store_factory()
    embeddings = CountingEmbeddings(size=32)
    _run(store, tiny_corpus, embeddings)
    old_ids = store.ids_for_source("gadgets.txt")
    (tiny_corpus / "gadgets.txt").write_text("Gadget Survey Report\n\nNow it counted 999 gadgets in total.\n")
    (tiny_corpus / "widgets.md").unlink()
    report = _by_path(_run(store, tiny_corpus, embeddings))
    assert report["gadgets.txt"].status == "updated"
    assert report["widgets.md"].status == "removed"
    assert store.ids_for_source("widgets.md") == set()
    new_ids = store.ids_for_source("gadgets.txt")
    assert new_ids and not (new_ids & old_ids)
    texts = store.get_chunks(sorted(new_ids))["documents"]
    assert any("999 gadgets" in t for t in texts) and not any("412" in t for t in texts)
    assert set(store.files_manifest()) == {"gadgets.txt"}


def test_bad_file_is_reported_and_others_still_ingested(tiny_corpus, fake_store_factory):
    (tiny_corpus / "empty.txt").write_text("  \n\n ")
    (tiny_corpus / "broken.pdf").write_bytes(b"%PDF-1.4 truncated garbage")
    (tiny_corpus / "notes.docx").write_bytes(b"PK\x03\x04")
    store = fake_store_factory()
    report = _by_path(_run(store, tiny_corpus, CountingEmbeddings(size=32)))
    assert report["empty.txt"].reason == "empty"
    assert report["broken.pdf"].reason == "malformed"
    assert report["notes.docx"].reason == "unsupported"
    assert report["widgets.md"].status == "added"


def test_only_given_paths_are_touched(tiny_corpus, fake_store_factory):
    store = fake_store_factory()
    embeddings = CountingEmbeddings(size=32)
    report = _run(store, tiny_corpus, embeddings, [tiny_corpus / "widgets.md"])
    assert [f.path for f in report.files] == ["widgets.md"]
    (tiny_corpus / "gadgets.txt").unlink()
    report = _run(store, tiny_corpus, embeddings, [tiny_corpus / "widgets.md"])
    assert [f.status for f in report.files] == ["unchanged"]


def test_interrupted_write_is_redone(tiny_corpus, fake_store_factory):
    """A pending manifest record (killed mid-write) is never trusted as unchanged."""
    store = fake_store_factory()
    embeddings = CountingEmbeddings(size=32)
    _run(store, tiny_corpus, embeddings)
    record = store.files_manifest()["gadgets.txt"]
    record.status = "pending"
    store.put_file(record)
    embeddings.calls = 0
    report = _by_path(_run(store, tiny_corpus, embeddings))
    assert report["gadgets.txt"].status == "updated"
    assert embeddings.calls == 0  # its chunks were already in the store: nothing re-embedded


def test_store_refuses_other_settings(tmp_path):
    client = persistent_client(tmp_path / "s")
    ChunkStore(client, Fingerprint("model-a", 32, ChunkingParams().fingerprint()), create=True)
    with pytest.raises(StoreMismatchError, match="ingest --rebuild"):
        ChunkStore(client, Fingerprint("model-b", 32, ChunkingParams().fingerprint()))
    with pytest.raises(StoreMismatchError, match="chunking"):
        ChunkStore(client, Fingerprint("model-a", 32, ChunkingParams(target_words=99).fingerprint()))


class CallLog(DeterministicFakeEmbedding):
    """Fake embeddings that keep the size of every call."""

    sizes: list[int] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.sizes = [*self.sizes, len(texts)]
        return super().embed_documents(texts)


def _store_state(store) -> tuple:
    chunks = store.chunks.get(include=["documents", "metadatas"])
    units = store.units_for(chunks["ids"])
    manifest = {s: (r.status, r.chunk_ids) for s, r in store.files_manifest().items()}
    return sorted(zip(chunks["ids"], chunks["documents"], strict=True)), sorted(units["ids"]), manifest


def test_write_batches_gather_files_and_give_the_same_store(tiny_corpus, fake_store_factory):
    """One embedding call for the whole tiny corpus by default, one per file with batch_texts=1;
    the stores written both ways are identical."""
    together, apart = CallLog(size=32), CallLog(size=32)
    big, small = fake_store_factory("big"), fake_store_factory("small")
    Ingestor(big, together, tiny_corpus, IngestOptions()).run()
    Ingestor(small, apart, tiny_corpus, IngestOptions(batch_texts=1)).run()
    assert len(together.sizes) == 1 and len(apart.sizes) == 2
    assert sum(together.sizes) == sum(apart.sizes)
    assert _store_state(big) == _store_state(small)
    assert {status for status, _ in _store_state(big)[2].values()} == {"complete"}


def test_units_are_rebuilt_from_their_chunk_row(tiny_corpus, fake_store_factory):
    """Unit rows hold only a vector and the chunk id; text, offsets, kind and page come back
    from the chunk's row exactly as the chunker made them."""
    from ingest.chunking import build_chunks
    from ingest.clean import clean_pages

    store = fake_store_factory()
    Ingestor(store, DeterministicFakeEmbedding(size=32), tiny_corpus, IngestOptions()).run()
    text = (tiny_corpus / "widgets.md").read_text()
    _, chunks = build_chunks("widgets.md", "sha", "t", clean_pages([text]), [None], ChunkingParams())
    ids = sorted(store.ids_for_source("widgets.md"))
    got = store.units_for(ids)
    by_id = {i: (d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}
    expected = {f"{c.id}:{n}": (u.text, u.start, u.end, u.kind) for c in chunks for n, u in enumerate(c.units)}
    assert {i: (d, m["start"], m["end"], m["kind"]) for i, (d, m) in by_id.items()} == expected
    assert all(m["page"] == -1 and m["chunk_id"] == i.split(":")[0] for i, (_, m) in by_id.items())
    stored = store.units.get(ids=list(by_id), include=["documents", "metadatas"])
    assert set(stored["documents"]) == {None} and all(set(m) == {"chunk_id"} for m in stored["metadatas"])


def _vectors(store) -> dict[str, list[float]]:
    chunks = store.chunks.get(include=["embeddings"])
    units = store.units_for(chunks["ids"])
    pairs = [*zip(chunks["ids"], chunks["embeddings"], strict=True)]
    pairs += zip(units["ids"], units["embeddings"], strict=True)
    return {i: [round(float(x), 6) for x in v] for i, v in pairs}


def test_progress_slices_embed_the_same_vectors(tiny_corpus, fake_store_factory, monkeypatch):
    """With a progress bar a batch is embedded in length-sorted slices so the bar moves; every
    vector still lands on its own chunk or unit."""
    import ingest.pipeline

    monkeypatch.setattr(ingest.pipeline, "PROGRESS_SLICE", 5)
    sliced, whole = CallLog(size=32), CallLog(size=32)
    shown, quiet = fake_store_factory("shown"), fake_store_factory("quiet")
    Ingestor(shown, sliced, tiny_corpus, IngestOptions(progress=True)).run()
    Ingestor(quiet, whole, tiny_corpus, IngestOptions()).run()
    assert len(whole.sizes) == 1 and max(sliced.sizes) == 5 and sum(sliced.sizes) == sum(whole.sizes)
    assert _store_state(shown) == _store_state(quiet)
    assert _vectors(shown) == _vectors(quiet) and len(_vectors(shown)) == sum(whole.sizes)
