"""``LlamaCppChatModel``: llama-cpp-python in-process, as a LangChain chat model.

LangChain's own llama.cpp wrapper lives in ``langchain-community``, a large package we do not
otherwise need, so this is the small subset we use: chat messages in, streamed text out, greedy by
default. The GGUF file is loaded on first use (never at construction, so building the backends
costs nothing when another one is selected), once per process, and generation is serialised with
a lock because a llama.cpp context is not safe to share between threads (the UI answers several
questions at once). A wall-clock budget is checked between tokens, since a ctypes call cannot be
interrupted from outside.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

logger = logging.getLogger(__name__)

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class LlamaCppChatModel(BaseChatModel):
    """A GGUF chat model run by llama-cpp-python in this process (the ``llamacpp`` backend)."""

    model_path: Path
    n_ctx: int = 2048
    n_threads: int | None = None
    max_tokens: int = 300
    temperature: float = 0.0
    timeout_s: float = 60.0

    _llama: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-python"

    def _load(self) -> Any:
        if self._llama is None:
            if not self.model_path.is_file():
                raise FileNotFoundError(f"GGUF model not found: {self.model_path}")
            from llama_cpp import Llama  # the optional `local-llm` extra

            started = time.perf_counter()
            self._llama = Llama(
                model_path=str(self.model_path), n_ctx=self.n_ctx, n_threads=self.n_threads, verbose=False
            )
            logger.info("loaded %s in %.2f s", self.model_path.name, time.perf_counter() - started)
        return self._llama

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        deadline = time.monotonic() + self.timeout_s
        chat = [{"role": _ROLES.get(m.type, "user"), "content": m.text} for m in messages]
        with self._lock:
            stream = self._load().create_chat_completion(
                messages=chat,
                stream=True,
                max_tokens=int(kwargs.get("max_tokens", self.max_tokens)),
                temperature=self.temperature,
                stop=stop,
            )
            for part in stream:
                delta = part["choices"][0].get("delta", {}).get("content") or ""
                if delta:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager:
                        run_manager.on_llm_new_token(delta, chunk=chunk)
                    yield chunk
                if time.monotonic() > deadline:
                    raise TimeoutError(f"llama.cpp generation took longer than {self.timeout_s:g} s")

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(chunk.text for chunk in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])
