"""The ``/ask`` API through gradio_client against a live server (real MiniLM, tiny corpus)."""

from __future__ import annotations

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from tests.conftest import ANSWER_KEYS

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@pytest.fixture(scope="module")
def client(live_ui):
    url, _ = live_ui
    return Client(url, verbose=False, download_files=False)


def test_ask_returns_an_answer_object(client):
    answer = client.predict("How many distinct gadgets did the survey count?", [], api_name="/ask")
    assert set(answer) >= ANSWER_KEYS
    assert "412" in answer["answer"] and "[1]" in answer["answer"]
    assert answer["citations"][0]["source"] == "gadgets.txt"
    assert answer["citations"][0]["quote"] in answer["citations"][0]["text"]


def test_follow_up_uses_the_history(client):
    history = [["When was the Widget Programme founded?", "It was founded in 2011 by the ZSO. [1]"]]
    answer = client.predict("Who founded it?", history, api_name="/ask")
    assert "widget" in (answer["rewritten_query"] or "").casefold()
    assert "Zanzibar" in answer["answer"]


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "question is empty"), ("   ", "question is empty"), ("why " * 2000, "question too long")],
)
def test_bad_questions_are_clear_errors_and_the_server_keeps_working(client, question, message):
    with pytest.raises(AppError, match=message) as caught:
        client.predict(question, [], api_name="/ask")
    assert "Traceback" not in str(caught.value)
    assert client.predict("What is quokkafig?", [], api_name="/ask")["citations"]


def test_malformed_history_is_refused(client):
    with pytest.raises(AppError, match="pairs"):
        client.predict("Who founded it?", [["only a question"]], api_name="/ask")


def test_no_file_can_be_read_through_the_server(live_ui):
    url, components = live_ui
    corpus_file = components.settings.corpus_dir / "gadgets.txt"
    for target in (corpus_file, components.settings.store_dir, "/etc/passwd"):
        response = httpx.get(f"{url}/gradio_api/file={target}")
        assert response.status_code in (403, 404), target
        assert "412 distinct gadgets" not in response.text
    assert httpx.get(f"{url}/monitoring").status_code in (403, 404)
