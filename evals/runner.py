"""Run a dataset through the public ``QAService`` and score every answer.

Conversations are asked turn by turn with their own earlier turns (and the answers actually
given) as history, exactly as the UI would.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from tqdm import tqdm

from evals import metrics as m
from evals.dataset import Dataset, Item

logger = logging.getLogger(__name__)


class AnswerService(Protocol):
    """What the runner needs from ``retriever.service.QAService``."""

    def ask(self, question: str, history: Any = (), **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class RunConfig:
    """One configuration to evaluate (retrieval mode × answer backend)."""

    name: str = "default"
    mode: str | None = None
    backend: str = "extractive"
    k: int | None = None
    budget: int = 4000
    disable: tuple[str, ...] = ()
    # service option values for this run only (``abstain_threshold=0.39``): old and new settings
    # side by side in one process
    overrides: tuple[tuple[str, float], ...] = ()


@dataclass
class ItemScore:
    """Everything measured on one item."""

    id: str
    type: str
    split: str
    answerable: bool
    correct: bool
    abstained: bool
    evidence_hits: list[bool] = field(default_factory=list)
    reciprocal_rank: float = 0.0
    ndcg: float = 0.0
    cites_evidence: bool = False
    latency_ms: float = 0.0
    confidence: float = 0.0
    turn: int = 0
    follow_up: bool = False  # the service rewrote it against the history
    rewrite_recall: float | None = None
    recall_by_rank: list[float] = field(default_factory=list)
    fell_back: bool = False
    error: str | None = None
    abstain_reason: str | None = None


def _passage_texts(answer: dict) -> list[str]:
    return [p["text"] for p in answer.get("passages", [])]


def score_item(item: Item, answer: dict, budget: int = 4000) -> ItemScore:
    """Score one answer (an Answer object as a dict) against its item."""
    passages = _passage_texts(answer)
    abstained = bool(answer.get("abstained"))
    score = ItemScore(
        item.id,
        item.type,
        item.split,
        item.answerable,
        correct=False,
        abstained=abstained,
        latency_ms=float(answer.get("timings_ms", {}).get("total", 0.0)),
        confidence=float(answer.get("confidence", 0.0)),
        turn=item.turn,
        follow_up=answer.get("rewritten_query") is not None,
        fell_back=bool(answer.get("fallback_reason")),
        error=answer.get("error"),
        abstain_reason=answer.get("abstain_reason") if abstained else None,
    )
    if not item.answerable:
        score.correct = abstained
        return score
    score.correct = m.answer_correct(answer.get("answer", ""), abstained, item.answers, item.type)
    score.evidence_hits = m.evidence_found(item.evidence, passages, budget)
    score.reciprocal_rank = m.reciprocal_rank(item.evidence, passages)
    score.ndcg = m.ndcg_at_k(item.evidence, passages, 10)
    cited = [c["text"] for c in answer.get("citations", [])]
    score.cites_evidence = score.correct and m.cites_evidence(item.evidence, cited)
    score.recall_by_rank = [
        m.mean([float(h) for h in m.evidence_found(item.evidence, passages[:r], 10**9)]) for r in range(1, 11)
    ]
    if item.turn > 1 and item.standalone and answer.get("rewritten_query") is not None:
        score.rewrite_recall = m.term_recall(item.standalone, answer["rewritten_query"])
    elif item.turn > 1 and item.standalone:
        score.rewrite_recall = m.term_recall(item.standalone, item.question)
    return score


def _ask(service: AnswerService, item: Item, history: list[tuple[str, str]], config: RunConfig) -> dict:
    try:
        extra = {"disable": config.disable} if config.disable else {}
        answer = service.ask(item.question, history, k=config.k, mode=config.mode, backend=config.backend, **extra)
        return answer.to_json_dict()
    except Exception as exc:  # noqa: BLE001 - one failing item must not stop the run; it is recorded
        logger.warning("item %s failed: %s", item.id, exc)
        return {
            "question": item.question,
            "answer": "",
            "abstained": False,
            "citations": [],
            "passages": [],
            "error": f"{exc.__class__.__name__}: {exc}",
        }


def run(
    service: AnswerService, dataset: Dataset, config: RunConfig = RunConfig(), progress: bool = False
) -> tuple[list[dict], list[ItemScore]]:
    """Answer and score every item; returns (predictions, scores) in dataset order."""
    predictions, scores = [], []
    bar = tqdm(total=len(dataset.items), desc=config.name, unit="q", disable=not progress)
    with _options(service, config.overrides):
        for group in dataset.groups:
            history: list[tuple[str, str]] = []
            for item in group:
                answer = _ask(service, item, history, config)
                history.append((item.question, answer.get("answer", "")))
                predictions.append({"id": item.id, **answer})
                scores.append(score_item(item, answer, config.budget))
                bar.update()
    bar.close()
    return predictions, scores


@contextmanager
def _options(service: AnswerService, overrides: tuple[tuple[str, float], ...]) -> Iterator[None]:
    """The service's options with ``overrides`` applied for the duration of one run."""
    if not overrides:
        yield
        return
    base = service.options  # type: ignore[attr-defined]
    service.options = replace(base, **dict(overrides))  # type: ignore[attr-defined]
    try:
        yield
    finally:
        service.options = base  # type: ignore[attr-defined]


def _rate(flags: Iterable[bool]) -> float:
    values = [float(f) for f in flags]
    return round(m.mean(values), 4)


def summarize(scores: list[ItemScore]) -> dict[str, Any]:
    """Aggregate metrics over a run (see the module docs of ``metrics`` for the rules)."""
    answerable = [s for s in scores if s.answerable]
    unanswerable = [s for s in scores if not s.answerable]
    correct = [s for s in answerable if s.correct]
    latencies = [s.latency_ms for s in scores if s.error is None]
    rewrites = [s.rewrite_recall for s in scores if s.rewrite_recall is not None]
    summary: dict[str, Any] = {
        "items": len(scores),
        "evidence_recall": _rate(h for s in answerable for h in s.evidence_hits),
        "all_evidence_hit_rate": _rate(bool(s.evidence_hits) and all(s.evidence_hits) for s in answerable),
        "mrr": round(m.mean([s.reciprocal_rank for s in answerable]), 4),
        "ndcg@10": round(m.mean([s.ndcg for s in answerable]), 4),
        "answer_accuracy": _rate(s.correct for s in answerable),
        "accuracy_all_items": _rate(s.correct for s in scores),
        "abstention_unanswerable": _rate(s.abstained for s in unanswerable),
        "false_abstention": _rate(s.abstained for s in answerable),
        "cited_evidence_rate": _rate(s.cites_evidence for s in correct),
        "latency_p50_ms": round(m.percentile(latencies, 50), 1),
        "latency_p95_ms": round(m.percentile(latencies, 95), 1),
        "errors": sum(1 for s in scores if s.error),
        "fallback_rate": _rate(s.fell_back for s in scores),
        "recall_by_rank": [
            round(m.mean([s.recall_by_rank[r] for s in answerable if s.recall_by_rank]), 4) for r in range(10)
        ],
        "per_type": _per_group(scores, lambda s: s.type),
        "abstention_reasons": {
            "unanswerable": _reasons(unanswerable),
            "answerable": _reasons(answerable),
        },
    }
    if any(s.turn for s in scores):
        summary["per_turn"] = _per_group([s for s in scores if s.turn], lambda s: str(s.turn))
        summary["follow_up_accuracy"] = _rate(s.correct for s in scores if s.turn > 1)
        summary["rewrite_term_recall"] = round(m.mean(rewrites), 4) if rewrites else None
    return summary


def _reasons(scores: list[ItemScore]) -> dict[str, int]:
    """How many abstentions gave each reason (``unknown`` for backends that give none)."""
    counts = Counter(s.abstain_reason or "unknown" for s in scores if s.abstained)
    return dict(counts.most_common())


def _per_group(scores: list[ItemScore], key) -> dict[str, dict[str, float]]:
    groups: dict[str, list[ItemScore]] = defaultdict(list)
    for s in scores:
        groups[key(s)].append(s)
    out = {}
    for name, members in sorted(groups.items()):
        answerable = [s for s in members if s.answerable]
        out[name] = {
            "n": len(members),
            "accuracy": _rate(s.correct for s in members),
            "evidence_recall": _rate(h for s in answerable for h in s.evidence_hits) if answerable else None,
            "abstained": _rate(s.abstained for s in members),
        }
    return out


def abstention_curve(scores: list[ItemScore], steps: int = 41) -> list[dict[str, float]]:
    """Abstention on unanswerable vs false abstention on answerable, for each threshold."""
    answerable = [s.confidence for s in scores if s.answerable]
    unanswerable = [s.confidence for s in scores if not s.answerable]
    values = answerable + unanswerable
    if not values:
        return []
    low, high = min(values), max(values)
    curve = []
    for i in range(steps):
        t = low + (high - low) * i / (steps - 1)
        curve.append(
            {
                "threshold": round(t, 4),
                "abstention_unanswerable": _rate(c < t for c in unanswerable),
                "false_abstention": _rate(c < t for c in answerable),
            }
        )
    return curve


def abstention_curves(scores: list[ItemScore]) -> dict[str, list[dict[str, float]]]:
    """One curve per threshold the service applies: standalone questions and rewritten follow-ups."""
    return {
        "standalone": abstention_curve([s for s in scores if not s.follow_up]),
        "follow-ups": abstention_curve([s for s in scores if s.follow_up]),
    }


def scores_as_dicts(scores: list[ItemScore]) -> list[dict]:
    return [asdict(s) for s in scores]
