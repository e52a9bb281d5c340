"""Soak: hundreds of questions against one server; does its memory stay flat?

    python bench/soak.py [--questions 500] [--clients 4] [--json PATH]

Starts the real app like ``load_test.py`` (marker corpus, ``isecg-qa serve`` in a subprocess), then
asks ``--questions`` questions from ``--clients`` users: mostly marker questions (checked for the
right answer), with follow-ups carrying history, and a share of bad ones (empty, over-long, wrong
history shape) that must be refused. Every ``--sample-every`` answers it records the server's RSS,
open file descriptors and threads. The first 10% of questions are the warm-up (caches fill); RSS
growth is reported from there to the end, with the least-squares slope per 100 questions.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load_test  # noqa: E402 - the sibling script, importable once its folder is on the path

BAD = ("", "   ", "why " * 2000)


def slope_per_100(points: list[tuple[int, float]]) -> float:
    """Least-squares MB per 100 questions."""
    if len(points) < 2:
        return 0.0
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return 100 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else 0.0


class Soak:
    """Shared counters of one soak run, updated by the user threads."""

    def __init__(self, url: str, server_pid: int | None, total: int, sample_every: int) -> None:
        self.url, self.pid, self.total, self.sample_every = url, server_pid, total, sample_every
        self.lock = threading.Lock()
        self.asked = 0
        self.latencies: list[float] = []
        self.unexpected: list[str] = []
        self.refused = 0
        self.samples: list[dict[str, float]] = []

    def take(self) -> int | None:
        with self.lock:
            if self.asked >= self.total:
                return None
            self.asked += 1
            return self.asked

    def sample(self, n: int) -> None:
        if self.pid is None or n % self.sample_every:
            return
        import psutil

        process = psutil.Process(self.pid)
        with self.lock:
            self.samples.append(
                {
                    "question": n,
                    "rss_mb": process.memory_info().rss / 2**20,
                    "fds": process.num_fds(),
                    "threads": process.num_threads(),
                }
            )


def _one(soak: Soak, client: Any, rng: random.Random, history: list[list[str]]) -> None:
    i = rng.randrange(20)
    if rng.random() < 0.1:
        try:
            client.predict(rng.choice(BAD), [], api_name="/ask")
            soak.unexpected.append("a bad question was answered")
        except Exception:  # noqa: BLE001 - refusal is the expected outcome
            soak.refused += 1
        return
    template, expected = load_test.QUESTIONS[rng.randrange(len(load_test.QUESTIONS))]
    question, expected = template.format(**load_test.fact(i)), expected.format(**load_test.fact(i))
    started = time.perf_counter()
    try:
        answer = client.predict(question, history[-3:], api_name="/ask")
    except Exception as exc:  # noqa: BLE001 - counted, not raised
        soak.unexpected.append(f"{exc.__class__.__name__}: {exc}"[:200])
        return
    soak.latencies.append(time.perf_counter() - started)
    if problem := load_test.check(answer, question, i, expected):
        soak.unexpected.append(problem)
    history.append([question, answer["answer"]])


def user(soak: Soak, seed: int) -> None:
    from gradio_client import Client

    client, rng, history = Client(soak.url, verbose=False, download_files=False), random.Random(seed), []
    while (n := soak.take()) is not None:
        _one(soak, client, rng, history)
        soak.sample(n)


def run_soak(url: str, server_pid: int | None, questions: int, clients: int, sample_every: int) -> dict[str, Any]:
    soak = Soak(url, server_pid, questions, sample_every)
    soak.sample(0)
    started = time.perf_counter()
    threads = [threading.Thread(target=user, args=(soak, seed), daemon=True) for seed in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    steady = [s for s in soak.samples if s["question"] >= questions // 10]
    rss = [(int(s["question"]), s["rss_mb"]) for s in steady]
    return {
        "questions": questions,
        "clients": clients,
        "answered": len(soak.latencies),
        "refused_as_expected": soak.refused,
        "unexpected": len(soak.unexpected),
        "p50_s": round(load_test.percentile(soak.latencies, 50), 3),
        "p95_s": round(load_test.percentile(soak.latencies, 95), 3),
        "wall_s": round(wall, 1),
        "rss_start_mb": round(rss[0][1], 1) if rss else None,
        "rss_end_mb": round(rss[-1][1], 1) if rss else None,
        "rss_growth_mb": round(rss[-1][1] - rss[0][1], 1) if rss else None,
        "rss_slope_mb_per_100q": round(slope_per_100(rss), 2),
        "fds": [steady[0]["fds"], steady[-1]["fds"]] if steady else None,
        "threads": [steady[0]["threads"], steady[-1]["threads"]] if steady else None,
        "first_unexpected": soak.unexpected[:5],
        "samples": soak.samples,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--sample-every", type=int, default=25)
    parser.add_argument("--json", type=Path, default=Path("bench/results/soak.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="isecg-soak-") as scratch:
        port = load_test.free_port()
        corpus = load_test.write_corpus(Path(scratch) / "corpus", 20)
        server = load_test.start_server(corpus, Path(scratch) / "store", port)
        url = f"http://127.0.0.1:{port}"
        try:
            load_test.wait_ready(url, server)
            result = run_soak(url, server.pid, args.questions, args.clients, args.sample_every)
        finally:
            server.terminate()
            server.wait(30)
    result["machine"] = load_test.machine()
    load_test.print_table([(k, v) for k, v in result.items() if k not in ("samples", "first_unexpected", "machine")])
    for problem in result["first_unexpected"]:
        print("unexpected:", problem)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1))
    print(f"results written to {args.json}")
    sys.exit(1 if result["unexpected"] else 0)


if __name__ == "__main__":
    main()
