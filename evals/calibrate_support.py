"""Tune the support thresholds of the generative backends on the dev split.

    python -m evals.calibrate_support evals/datasets/isecg-annual-report-2020.jsonl \
        --backend openai --replies /tmp/replies.json

1. Every dev question is asked once through the real backend, and the model's raw reply is kept
   (in ``--replies``, so a rerun does not ask the model again).
2. For each (min_overlap, min_similarity) pair of the grid, the same replies are replayed through
   the same backend code (a chat model that returns the recorded reply) and scored with the eval
   contract's answer rule; an answer whose every sentence fails falls back to the extractive one.
3. The pair with the best answer accuracy wins; ties go to the stricter pair, because a kept
   unsupported sentence costs more than a fallback.

The model's reply does not depend on the thresholds, so one pass of generation serves the grid.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from evals import metrics as m
from evals.dataset import Item, load_dataset

logger = logging.getLogger(__name__)

OVERLAPS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
SIMILARITIES = (0.3, 0.4, 0.5, 0.6, 0.7)


def _question_of(messages: list[BaseMessage]) -> str:
    return messages[-1].text.rsplit("Question:", 1)[-1].split("\n", 1)[0].strip()


class RecordingChat(BaseChatModel):
    """Passes through to a real chat model and keeps each reply, keyed by the prompt's question."""

    inner: BaseChatModel
    replies: dict[str, str]

    @property
    def _llm_type(self) -> str:
        return "recording"

    def _stream(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: CallbackManagerForLLMRun | None = None, **kw
    ) -> Iterator[ChatGenerationChunk]:
        text = ""
        for chunk in self.inner.stream(messages):
            text += chunk.text
            self.replies[_question_of(messages)] = text
            yield ChatGenerationChunk(message=AIMessageChunk(content=chunk.text))

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw) -> ChatResult:
        text = "".join(c.text for c in self._stream(messages))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


class ReplayChat(BaseChatModel):
    """Returns the recorded reply for the prompt's question (empty when none was recorded)."""

    replies: dict[str, str]

    @property
    def _llm_type(self) -> str:
        return "replay"

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw) -> ChatResult:
        text = self.replies.get(_question_of(messages), "")
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def _backend(components: Any, name: str, chat: BaseChatModel, overlap: float, similarity: float) -> Any:
    from app.wiring import generation_options
    from retriever.citations_verify import SupportThresholds
    from retriever.generative import GenerativeBackend

    service = components.service
    options = generation_options(components.settings, components.settings.openai_timeout_s)
    options = replace(options, thresholds=SupportThresholds(overlap, similarity))
    return GenerativeBackend(
        name,
        lambda: chat,
        embeddings=service.searcher.embeddings,
        load_units=service.searcher.store.units_for,
        fallback=service.extractive_answer,
        options=options,
    )


def record(components: Any, backend: str, items: list[Item], path: Path) -> dict[str, str]:
    """Ask the real model once per item (skipping replies already in ``path``)."""
    replies: dict[str, str] = json.loads(path.read_text()) if path.is_file() else {}
    real = components.service.backends[backend].model()
    recorder = RecordingChat(inner=real, replies=replies)  # pydantic copies the dict: use recorder.replies
    components.service.backends["record"] = _backend(components, backend, recorder, 0.0, 0.0)
    for i, item in enumerate(items, start=1):
        if item.question in recorder.replies:
            continue
        components.service.ask(item.question, backend="record")
        path.write_text(json.dumps(recorder.replies, indent=1, ensure_ascii=False))
        logger.info("recorded %d/%d", i, len(items))
    return recorder.replies


def score_grid(
    components: Any,
    items: list[Item],
    replies: dict[str, str],
    overlaps: tuple[float, ...] = OVERLAPS,
    similarities: tuple[float, ...] = SIMILARITIES,
) -> list[dict[str, float]]:
    """Answer accuracy and generated share for every threshold pair."""
    rows = []
    for overlap, similarity in itertools.product(overlaps, similarities):
        components.service.backends["replay"] = _backend(
            components, "replay", ReplayChat(replies=replies), overlap, similarity
        )
        correct = generated = 0
        answerable = [i for i in items if i.answerable]
        for item in answerable:
            answer = components.service.ask(item.question, backend="replay")
            correct += m.answer_correct(answer.answer, answer.abstained, item.answers, item.type)
            generated += answer.backend == "replay"
        rows.append(
            {
                "min_overlap": overlap,
                "min_similarity": similarity,
                "accuracy": round(correct / len(answerable), 4),
                "generated": round(generated / len(answerable), 4),
            }
        )
        logger.info("%s", rows[-1])
    return rows


def best(rows: list[dict[str, float]]) -> dict[str, float]:
    """Best accuracy; among equals the strictest pair."""
    return max(rows, key=lambda r: (r["accuracy"], r["min_overlap"] + r["min_similarity"]))


def _floats(text: str) -> tuple[float, ...]:
    return tuple(float(x) for x in text.split(","))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--backend", default="openai")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--replies", type=Path, required=True, help="JSON cache of the model's raw replies")
    parser.add_argument("--overlaps", type=_floats, default=OVERLAPS, help="grid, e.g. 0.5,0.6,0.7")
    parser.add_argument("--similarities", type=_floats, default=SIMILARITIES, help="grid, e.g. 0.5,0.6,0.7")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "openai", "chromadb", "sentence_transformers", "retriever.generative"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    from app.settings import Settings
    from app.wiring import Components

    components = Components(Settings())
    items = [i for i in load_dataset(args.dataset).only_split(args.split).items if not i.conversation]
    replies = record(components, args.backend, items, args.replies)
    rows = score_grid(components, items, replies, args.overlaps, args.similarities)
    choice = best(rows)
    sys.stdout.write(json.dumps({"grid": rows, "best": choice}, indent=1) + "\n")
    sys.stdout.write(
        f"ISECG_QA_SUPPORT_MIN_OVERLAP={choice['min_overlap']} "
        f"ISECG_QA_SUPPORT_MIN_SIMILARITY={choice['min_similarity']}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
