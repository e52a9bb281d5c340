"""Eval reports: ``metrics.json``, ``report.md`` (tables, worst items) and ``chart.png``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals.dataset import Item
from evals.runner import ItemScore

HEADLINE = [
    ("evidence_recall", "evidence recall (4,000 chars)"),
    ("all_evidence_hit_rate", "all-evidence hit rate"),
    ("mrr", "MRR"),
    ("ndcg@10", "nDCG@10"),
    ("answer_accuracy", "answer accuracy (answerable)"),
    ("abstention_unanswerable", "abstention on unanswerable"),
    ("false_abstention", "false abstention (answerable)"),
    ("cited_evidence_rate", "correct answers citing evidence"),
    ("follow_up_accuracy", "follow-up turns correct"),
    ("rewrite_term_recall", "standalone-rewrite term recall"),
    ("fallback_rate", "fell back to extractive"),
    ("latency_p50_ms", "latency p50 (ms)"),
    ("latency_p95_ms", "latency p95 (ms)"),
]


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}" if value <= 1.0 else f"{value:.1f}"
    return str(value)


def metrics_table(runs: dict[str, dict[str, Any]]) -> str:
    """One Markdown table, one column per configuration."""
    names = list(runs)
    lines = ["| metric | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for key, label in HEADLINE:
        if any(key in runs[n] for n in names):
            lines.append(f"| {label} | " + " | ".join(_fmt(runs[n].get(key)) for n in names) + " |")
    return "\n".join(lines)


def per_type_table(summary: dict[str, Any], key: str = "per_type") -> str:
    rows = summary.get(key, {})
    lines = ["| group | n | accuracy | evidence recall | abstained |", "|---|---:|---:|---:|---:|"]
    for name, row in rows.items():
        lines.append(
            f"| {name} | {row['n']} | {_fmt(row['accuracy'])} | {_fmt(row['evidence_recall'])} | "
            f"{_fmt(row['abstained'])} |"
        )
    return "\n".join(lines)


def _worst(items: Sequence[Item], predictions: Sequence[dict], scores: Sequence[ItemScore], n: int = 10) -> str:
    """The items that went most wrong: wrong answers first, then weakest retrieval."""
    rows = sorted(
        zip(items, predictions, scores, strict=True), key=lambda r: (r[2].correct, r[2].reciprocal_rank, r[2].ndcg)
    )
    out = []
    for item, pred, score in rows[:n]:
        if score.correct:
            break
        passages = "\n".join(
            f"  {p['rank']}. `{p['source']}` · {p['section'] or '–'} · {' '.join(p['text'].split())[:160]}…"
            for p in pred.get("passages", [])[:3]
        )
        out.append(
            f"### {item.id} ({item.type})\n\n**Q:** {item.question}\n\n"
            f"**Expected:** {', '.join(item.answers) or '(abstain)'}\n\n"
            f"**Given:** {' '.join(pred.get('answer', '').split())[:600]}\n\n**Passages:**\n{passages}\n"
        )
    return "\n".join(out) or "No wrong answers."


def write_chart(summary: dict[str, Any], path: Path) -> None:
    """Per-type accuracy bars and evidence recall by passage rank."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    per_type = summary.get("per_type", {})
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    names = list(per_type)
    left.bar(names, [per_type[n]["accuracy"] for n in names], color="#3b6ea8")
    left.set_ylim(0, 1)
    left.set_title("accuracy by question type")
    left.tick_params(axis="x", rotation=40)
    ranks = list(range(1, len(summary.get("recall_by_rank", [])) + 1))
    right.plot(ranks, summary.get("recall_by_rank", []), marker="o", color="#c0504d")
    right.set_ylim(0, 1.02)
    right.set_xlabel("passages read")
    right.set_title("evidence recall by rank")
    right.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _curve_table(kind: str, curve: list[dict]) -> list[str]:
    """Abstention vs false abstention by threshold (about a dozen rows)."""
    rows = [
        f"| {p['threshold']:.3f} | {p['abstention_unanswerable']:.3f} | {p['false_abstention']:.3f} |"
        for p in curve[:: max(1, len(curve) // 12)]
    ]
    header = ["", f"{kind}:", "", "| threshold | abstention on unanswerable | false abstention |", "|---:|---:|---:|"]
    return header + rows


def _reasons_table(reasons: dict[str, dict[str, int]]) -> str:
    """Why the answerer abstained, on unanswerable items (right) and answerable ones (wrong)."""
    names = sorted({r for counts in reasons.values() for r in counts})
    rows = ["| reason | unanswerable items | answerable items |", "|---|---:|---:|"]
    rows += [
        f"| {r} | {reasons.get('unanswerable', {}).get(r, 0)} | {reasons.get('answerable', {}).get(r, 0)} |"
        for r in names
    ]
    return "\n".join(rows) if names else "(no abstentions)"


def write_report(
    report_dir: Path,
    name: str,
    summary: dict[str, Any],
    items: Sequence[Item],
    predictions: Sequence[dict],
    scores: Sequence[ItemScore],
    curves: dict[str, list[dict]],
) -> list[Path]:
    """Write the three report files and return their paths."""
    report_dir.mkdir(parents=True, exist_ok=True)
    metrics_path, md_path, png_path = report_dir / "metrics.json", report_dir / "report.md", report_dir / "chart.png"
    metrics_path.write_text(json.dumps({**summary, "abstention_curves": curves}, indent=2), encoding="utf-8")
    sections = [
        f"# Eval report: {name}",
        "",
        metrics_table({name: summary}),
        "",
        "## Per question type",
        "",
        per_type_table(summary),
    ]
    if "per_turn" in summary:
        sections += ["", "## Conversations, per turn", "", per_type_table(summary, "per_turn")]
    sections += ["", "## Abstentions by reason", "", _reasons_table(summary.get("abstention_reasons", {}))]
    sections += ["", "## Abstention threshold curves"]
    for kind, curve in curves.items():
        sections += _curve_table(kind, curve) if curve else []
    sections += [
        "",
        "![per-type accuracy and recall by rank](chart.png)",
        "",
        "## Worst items",
        "",
        _worst(items, predictions, scores),
    ]
    md_path.write_text("\n".join(sections) + "\n", encoding="utf-8")
    write_chart(summary, png_path)
    return [metrics_path, md_path, png_path]
