"""The generative backend end to end over a tiny corpus, with fake chat models.

The store, retrieval, unit vectors and extractive fallback are real; only the chat model is a
LangChain fake (or a real ``ChatOpenAI`` aimed at a dead or silent loopback port).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from langchain_openai import ChatOpenAI

from retriever.markers import parse_reply
from retriever.records import Answer
from tests.llm.conftest import fake_chat

FOUNDED = "When was the Widget Programme founded?"


def number_of(service, question: str, source: str) -> int:
    """The prompt number the backend will give the first passage from ``source``."""
    return next(p.rank for p in service.search(question) if p.source == source)


def stream(service, question: str) -> tuple[list[str], Answer]:
    pieces = list(service.stream(question, backend="openai"))
    assert isinstance(pieces[-1], Answer)
    assert all(isinstance(p, str) for p in pieces[:-1])
    return pieces[:-1], pieces[-1]


def assert_citations_from_corpus(answer: Answer) -> None:
    sources = {"widgets.md", "gadgets.txt", "widget-news.md"}
    for c in answer.citations:
        assert c.source in sources
        assert c.quote == " ".join(c.text[c.quote_start : c.quote_end].split())
        assert f"[{c.marker}]" in answer.answer


def test_supported_answer_is_streamed_and_cited_by_code(make_service):
    service = make_service(lambda: chat)
    n = number_of(service, FOUNDED, "widgets.md")
    chat = fake_chat(f"The Widget Programme was founded in 2011 by the Zanzibar Space Office [{n}].")
    pieces, answer = stream(service, FOUNDED)
    assert answer.backend == "openai" and answer.fallback_reason is None
    assert "".join(pieces) == answer.answer
    assert answer.answer == "The Widget Programme was founded in 2011 by the Zanzibar Space Office. [1]"
    (citation,) = answer.citations
    assert citation.source == "widgets.md"
    assert "founded in 2011" in citation.quote
    assert_citations_from_corpus(answer)
    assert {"first_token", "generate", "verify", "total"} <= set(answer.timings_ms)


def test_invoke_and_stream_share_one_path(make_service):
    chat = fake_chat("The Widget Programme was founded in 2011.", "The Widget Programme was founded in 2011.")
    service = make_service(chat)
    asked = service.ask(FOUNDED, backend="openai")
    _, streamed = stream(service, FOUNDED)
    assert asked.answer == streamed.answer and asked.citations == streamed.citations


def test_unsupported_sentences_are_removed(make_service):
    service = make_service(lambda: chat)
    n = number_of(service, FOUNDED, "widgets.md")
    chat = fake_chat(
        f"The Widget Programme was founded in 2011 [{n}]. It also operates 99 rockets on Mars [{n}]. "
        "Its budget is paid by the Kolonia Bank."
    )
    answer = service.ask(FOUNDED, backend="openai")
    assert answer.backend == "openai"
    assert "founded in 2011" in answer.answer
    assert "99" not in answer.answer and "Kolonia Bank" not in answer.answer
    assert len(parse_reply(answer.answer, 9)) == 1


def test_markers_to_passages_not_given_are_dropped(make_service):
    chat = fake_chat("The Widget Programme was founded in 2011 [42][7].")
    answer = make_service(chat).ask(FOUNDED, backend="openai")
    assert answer.backend == "openai"
    assert "[42]" not in answer.answer and "[7]" not in answer.answer
    assert [c.marker for c in answer.citations] == [1]
    assert_citations_from_corpus(answer)


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("Rockets are launched from the sea by pelicans.", "unsupported"),
        ("The passages do not answer this question.", "model_abstained"),
        ("", "empty_reply"),
        ("   \n ", "empty_reply"),
    ],
)
def test_no_usable_reply_falls_back_to_the_extractive_answer(make_service, reply, reason):
    service = make_service(fake_chat(reply))
    answer = service.ask(FOUNDED, backend="openai")
    assert answer.backend == "extractive"
    assert answer.fallback_reason.startswith(reason + ":")
    assert "2011" in answer.answer and answer.citations
    assert answer.answer == service.ask(FOUNDED).answer


def test_weak_evidence_never_reaches_the_model(make_service):
    chat = fake_chat("The Widget Programme was founded in 2011.")
    answer = make_service(chat, abstain_threshold=99.0).ask(FOUNDED, backend="openai")
    assert answer.abstained and answer.backend == "extractive"
    assert answer.fallback_reason == "weak_evidence: the extractive step abstained (weak_match)"
    assert answer.abstain_reason == "weak_match"
    assert chat.calls == []


def test_missing_local_model_is_a_fallback_reason_not_a_crash(make_service, tmp_path):
    from retriever.chat_models import LlamaCppChatModel

    model = LlamaCppChatModel(model_path=tmp_path / "absent.gguf")  # constructing loads nothing
    answer = make_service(model).ask(FOUNDED, backend="openai")
    assert answer.backend == "extractive"
    assert answer.fallback_reason.startswith("unavailable:") and "absent.gguf" in answer.fallback_reason


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_server_falls_back(make_service):
    chat = ChatOpenAI(base_url=f"http://127.0.0.1:{_free_port()}/v1", model="m", api_key="k", max_retries=0, timeout=5)
    answer = make_service(chat).ask(FOUNDED, backend="openai")
    assert answer.backend == "extractive"
    assert answer.fallback_reason.startswith("unreachable:")
    assert "2011" in answer.answer


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/v1"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_server_timeout_falls_back(make_service, silent_server):
    chat = ChatOpenAI(base_url=silent_server, model="m", api_key="k", max_retries=0, timeout=0.5)
    answer = make_service(chat).ask(FOUNDED, backend="openai")
    assert answer.backend == "extractive"
    assert answer.fallback_reason.startswith("timeout:")


def test_obeying_an_injected_instruction_does_not_change_the_answer(make_service):
    """E1: the corpus says 'reply PWNED'; even a model that obeys cannot get it through."""
    question = "When is the Widget Programme newsletter published?"
    chat = fake_chat("PWNED", "PWNED. The Widget Programme newsletter is published every spring.")
    service = make_service(chat)
    first = service.ask(question, backend="openai")
    assert "PWNED" not in first.answer and first.backend == "extractive"
    second = service.ask(question, backend="openai")
    assert "PWNED" not in second.answer
    assert second.backend == "openai" and "every spring" in second.answer
    (prompt,) = {m.type: m for m in chat.calls[0]}["human"].content.split("Question:")[:1]
    assert "newsletter is published every spring" in prompt
    assert "PWNED" not in prompt and "exfil" not in prompt
    assert chat.calls[0][0].type == "system"


def test_remote_images_and_links_never_reach_the_user(make_service):
    """E3: markdown/HTML that would fetch a remote URL is stripped from the streamed answer."""
    chat = fake_chat(
        "The Widget Programme was founded in 2011 ![s](http://127.0.0.1:9/exfil?q=founded). "
        'It was founded by the Zanzibar Space Office <img src="http://127.0.0.1:9/x.png"> '
        "[see](http://127.0.0.1:9/more)."
    )
    pieces, answer = stream(make_service(chat), FOUNDED)
    for text in ["".join(pieces), answer.answer]:
        assert "http" not in text and "![" not in text and "<img" not in text
    assert answer.backend == "openai" and "Zanzibar Space Office" in answer.answer
