"""Backends are built in the composition root from settings, lazily."""

from __future__ import annotations

import pytest

from app.settings import Settings
from app.wiring import generation_options, generative_backends, llamacpp_chat_model, openai_chat_model
from retriever.generative import GenerativeBackend


def test_openai_chat_model_takes_everything_from_settings():
    settings = Settings(
        openai_base_url="http://127.0.0.1:9999/v1",
        openai_model="smol",
        openai_api_key="sk-local",
        openai_timeout_s=7.5,
        llm_max_tokens=123,
    )
    chat = openai_chat_model(settings)
    assert str(chat.openai_api_base) == "http://127.0.0.1:9999/v1"
    assert chat.model_name == "smol" and chat.max_tokens == 123
    assert chat.request_timeout == 7.5 and chat.max_retries == 0 and chat.temperature == 0.0
    assert chat.openai_api_key.get_secret_value() == "sk-local"


def test_llamacpp_needs_a_model_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="ISECG_QA_LLAMACPP_MODEL_PATH"):
        llamacpp_chat_model(Settings())
    chat = llamacpp_chat_model(Settings(llamacpp_model_path=tmp_path / "m.gguf", llamacpp_n_ctx=1024))
    assert chat.n_ctx == 1024 and chat.model_path == tmp_path / "m.gguf"


def test_backends_are_registered_without_building_a_model(make_service, monkeypatch):
    service = make_service(lambda: None)
    built = []
    monkeypatch.setattr("app.wiring.openai_chat_model", lambda s: built.append(s))
    backends = generative_backends(Settings(support_min_overlap=0.7), service.searcher, service.extractive_answer)
    assert set(backends) == {"openai", "llamacpp"}
    assert all(isinstance(b, GenerativeBackend) for b in backends.values())
    assert backends["openai"].options.thresholds.min_overlap == 0.7
    assert built == []


def test_generation_options_follow_settings():
    options = generation_options(Settings(context_chars=1234, support_min_similarity=0.6), timeout_s=3.0)
    assert options.context_chars == 1234 and options.timeout_s == 3.0
    assert options.thresholds.min_similarity == 0.6
