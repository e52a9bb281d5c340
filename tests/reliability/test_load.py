"""Serving under load through the real app's ``/ask`` API (``gradio_client``, loopback).

The short run of ``bench/load_test.py``: 20 users at once, each asking about its own marker word,
must each get their own right answer; a full queue refuses quickly and the server carries on.
The 500-question memory soak is ``bench/soak.py`` (``slow`` test below).
"""

from __future__ import annotations

import threading
import time

import pytest
from gradio_client import Client

from tests.reliability.helpers import load_bench, serve_ui

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.timeout(600)]

bench = load_bench()


def test_twenty_users_each_get_their_own_answers(marker_server):
    url, _ = marker_server
    results, wall = bench.run_load(url, clients=20, questions=2)
    summary = bench.summarize(results, wall)
    print(f"\n20 users x 2 questions: {summary}")
    assert summary["requests"] == 40
    assert summary["errors"] == 0 and summary["wrong"] == 0, summary["first_problems"]


def test_full_queue_refuses_fast_and_the_server_carries_on(tmp_path, marker_server):
    """``queue(max_size=2)`` with one answer at a time and a slow backend: 20 arrive at once."""
    from app.wiring import Components

    _, components = marker_server
    settings = components.settings.model_copy(update={"queue_size": 2, "concurrency": 1, "port": bench.free_port()})
    small = Components(settings)
    small.__dict__["embeddings"] = components.embeddings  # share the loaded model (cached_property slot)
    slow_ask = small.service.ask

    def ask_slowly(*args, **kwargs):
        time.sleep(0.5)  # a generative backend's pace: the queue must fill up
        return slow_ask(*args, **kwargs)

    small.service.ask = ask_slowly
    demo, url = serve_ui(small)
    try:
        outcomes: list[str] = []
        clients = [Client(url, verbose=False) for _ in range(20)]
        barrier = threading.Barrier(20)

        def one(client: Client) -> None:
            barrier.wait()
            try:
                answer = client.predict("When was the zorblat programme founded?", [], api_name="/ask")
                outcomes.append("ok" if "1990" in answer["answer"] else "wrong")
            except Exception as exc:  # noqa: BLE001
                outcomes.append(f"refused: {exc}")

        threads = [threading.Thread(target=one, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        refused = [o for o in outcomes if o.startswith("refused")]
        assert len(outcomes) == 20 and "wrong" not in outcomes
        assert 1 <= outcomes.count("ok") <= 10 and refused  # 1 running + 2 waiting (+ late arrivals)
        assert all("queue" in o.casefold() for o in refused), refused[:2]
        after = Client(url, verbose=False).predict("When was the quimbrel programme founded?", [], api_name="/ask")
        assert "1991" in after["answer"]  # the server is healthy once the burst has passed
    finally:
        demo.close()


def test_over_long_question_is_refused_before_any_embedding(marker_server, monkeypatch):
    url, components = marker_server
    calls = []
    real = components.embeddings.embed_query
    monkeypatch.setattr(components.embeddings, "embed_query", lambda text: calls.append(text) or real(text))
    client = Client(url, verbose=False)
    for question in ("why " * 25_000, "", " \n\t "):  # 100 KB, empty, blank
        started = time.perf_counter()
        with pytest.raises(Exception, match="question (too long|is empty)"):
            client.predict(question, [], api_name="/ask")
        assert time.perf_counter() - started < 5
    assert calls == []
    assert client.predict("When was the vantaxo programme founded?", [], api_name="/ask")["citations"]
    assert calls  # the check above was not vacuous


@pytest.mark.slow
def test_soak_500_questions_memory_stays_flat(tmp_path):
    """``bench/soak.py`` against a server in its own process: RSS, descriptors and answers hold."""
    soak = load_bench("soak")
    port = bench.free_port()
    server = bench.start_server(bench.write_corpus(tmp_path / "corpus", 20), tmp_path / "store", port)
    url = f"http://127.0.0.1:{port}"
    try:
        bench.wait_ready(url, server)
        result = soak.run_soak(url, server.pid, questions=500, clients=4, sample_every=25)
    finally:
        server.terminate()
        server.wait(30)
    print(f"\nsoak: { {k: v for k, v in result.items() if k != 'samples'} }")
    assert result["unexpected"] == 0, result["first_unexpected"]
    assert result["answered"] + result["refused_as_expected"] == 500
    assert result["rss_growth_mb"] < 64  # after warm-up; measured here: ~12 MB, most of it new pool threads
    assert result["fds"][1] - result["fds"][0] < 16
