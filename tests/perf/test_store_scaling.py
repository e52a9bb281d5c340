"""Unit tests for the scale-related pieces: embedding cache, units by id, server pointer."""

from __future__ import annotations

import uuid

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings
from langchain_core.embeddings import DeterministicFakeEmbedding

from ingest.embedding import embed_by_length
from ingest.embedding_cache import EmbeddingCache
from ingest.location import ServerLocation
from ingest.pipeline import IngestOptions, Ingestor


class Recorder:
    def __init__(self) -> None:
        self.seen: list[str] = []
        self.calls: list[list[str]] = []
        self.fake = DeterministicFakeEmbedding(size=8)

    def __call__(self, texts: list[str]) -> list[list[float]]:
        self.seen.extend(texts)
        self.calls.append(texts)
        return self.fake.embed_documents(texts)


def test_texts_are_embedded_in_groups_of_similar_length_and_returned_in_order():
    texts = ["chunk " * 40, "short one", "chunk two " * 25, "a sentence of middling size", "x"]
    encode = Recorder()
    vectors = embed_by_length(texts, encode)
    assert vectors == [encode.fake.embed_query(t) for t in texts]
    assert len(encode.calls) > 1
    for call in encode.calls:  # no call pads a short sentence to chunk length
        assert max(map(len, call)) <= 2 * max(16, min(map(len, call)))


def test_cache_embeds_each_distinct_text_once_and_keeps_order():
    encode, cache = Recorder(), EmbeddingCache(max_entries=10)
    first = cache.embed(["a", "b", "a"], encode)
    second = cache.embed(["b", "c"], encode)
    assert encode.seen == ["a", "b", "c"]
    assert first[0] == first[2] == pytest.approx(encode.fake.embed_query("a"), rel=1e-6)  # kept as float32
    assert second[0] == first[1]
    assert (cache.hits, cache.misses) == (2, 3)


def test_cache_forgets_least_recently_used_past_its_bound():
    encode, cache = Recorder(), EmbeddingCache(max_entries=2)
    cache.embed(["a", "b"], encode)
    cache.embed(["a"], encode)  # a is now the most recent
    cache.embed(["c"], encode)  # evicts b
    cache.embed(["a", "b"], encode)
    assert encode.seen == ["a", "b", "c", "b"]
    assert len(cache) == 2


def test_units_by_id_match_the_metadata_filter(tiny_corpus, fake_store_factory):
    store = fake_store_factory()
    Ingestor(store, DeterministicFakeEmbedding(size=32), tiny_corpus, IngestOptions()).run()
    ids = store.chunks.get(include=[])["ids"]
    by_id, by_filter = store.units_for(ids), store.units_by_filter(ids)
    assert sorted(by_id["ids"]) == sorted(by_filter["ids"])
    assert len(by_id["ids"]) > len(ids)
    assert store.units_for([])["ids"] == []


def _client():
    return chromadb.EphemeralClient(ChromaSettings(anonymized_telemetry=False, allow_reset=True))


def test_server_pointer_keeps_current_and_previous_only():
    client, base = _client(), f"t{uuid.uuid4().hex[:8]}"
    location = ServerLocation(client, base)
    assert location.current() is None
    first = location.current_or_new()
    assert first == base
    prefixes = [first, location.fresh(), location.fresh()]
    other = ServerLocation(client, f"{base}-other").current_or_new()  # another deployment on the server
    for prefix in [*prefixes, other]:
        for suffix in ("-chunks", "-units", "-files"):
            client.get_or_create_collection(prefix + suffix, embedding_function=None)
    location.activate(prefixes[1])
    location.activate(prefixes[2])
    removed = location.remove_inactive()
    names = {c.name for c in client.list_collections()}
    assert sorted(removed) == sorted(f"{first}{s}" for s in ("-chunks", "-units", "-files"))
    assert {f"{prefixes[1]}-chunks", f"{prefixes[2]}-chunks", f"{other}-chunks"} <= names
    assert location.current() == prefixes[2]


def test_each_embedding_backend_records_its_own_model_id():
    from ingest.embedding import BACKENDS, backend_model_id

    ids = {backend_model_id("all-MiniLM-L6-v2", b) for b in BACKENDS}
    assert len(ids) == len(BACKENDS)
    assert backend_model_id("all-MiniLM-L6-v2", "torch") == "all-MiniLM-L6-v2"  # existing stores stay valid


def test_loopback_hosts():
    from ingest.clients import is_loopback

    assert all(is_loopback(h) for h in ("127.0.0.1", "127.3.2.1", "::1", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "10.0.0.5", "example.org"))


def test_onnx_backend_without_optimum_is_a_one_line_error(monkeypatch, tmp_path):
    import importlib.util

    from ingest import embedding

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name.startswith("optimum") else real_find_spec(name, *a)
    )
    path, model_id = embedding.packaged_model()
    spec = embedding.EmbeddingSpec(path, model_id, backend="onnx", export_dir=tmp_path)
    with pytest.raises(embedding.ModelNotFoundError, match="onnx extra"):
        embedding._backend_kwargs(spec)
