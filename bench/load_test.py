"""Load test: concurrent ``gradio_client`` users, each asking about its own marker word.

    python bench/load_test.py [--clients 20] [--questions 5] [--url URL] [--json PATH]

Without ``--url`` it writes a corpus of marker documents to a temp folder, ingests it, and serves it
with ``isecg-qa serve`` in a subprocess (the real UI and its ``/ask`` API, the real MiniLM, loopback
only), then runs the load against it and stops it. All users start together (a barrier) and call
``Client(url).predict(question, history, api_name="/ask")`` with their own earlier turns as history.
An answer counts as right only if it echoes the user's own question, cites the user's own document
and states its fact; anything else is cross-talk or a wrong answer. Prints a table, writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

MARKERS = [
    "zorblat",
    "quimbrel",
    "vantaxo",
    "pelludra",
    "skorvish",
    "umbrelk",
    "taxivore",
    "glimmerot",
    "brandolf",
    "quessary",
    "morbidian",
    "flentrop",
    "ostravel",
    "kilmagot",
    "trenzibar",
    "wuffelton",
    "yarrowind",
    "pexalune",
    "drommelin",
    "saviquor",
    "haldreth",
    "jorvanix",
    "nobblestrand",
    "citrafel",
]
QUESTIONS = (
    ("When was the {marker} programme founded?", "{year}"),
    ("How many member agencies does the {marker} programme have?", "{members}"),
)


@dataclass
class Result:
    """One request: who asked, how long it took, and what was wrong with the answer (if anything)."""

    client: int
    seconds: float
    error: str = ""
    wrong: str = ""


def fact(i: int) -> dict[str, Any]:
    return {"marker": MARKERS[i], "source": f"programme-{i:02d}.md", "year": 1990 + i, "members": 11 + i}


def write_corpus(folder: Path, documents: int) -> Path:
    """One short report per marker word, each with a founding year and a member count of its own."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(documents):
        f = fact(i)
        (folder / f["source"]).write_text(
            f"# The {f['marker'].capitalize()} Programme\n\n"
            f"The {f['marker']} programme was founded in {f['year']} to study lunar surface dust. "
            f"It is run by a small secretariat.\n\n"
            f"The {f['marker']} programme has {f['members']} member agencies.\n",
            encoding="utf-8",
        )
    return folder


def check(answer: dict[str, Any], question: str, i: int, expected: str) -> str:
    """Empty when the answer is this user's; otherwise what is wrong with it."""
    own = fact(i)
    if answer.get("question") != question:
        return f"answer to another question: {answer.get('question')!r}"
    sources = {c["source"] for c in answer.get("citations", [])}
    if sources != {own["source"]}:
        return f"cites {sorted(sources)} instead of {own['source']}"
    if expected not in answer.get("answer", ""):
        return f"{expected} missing from the answer"
    others = [m for m in MARKERS if m != own["marker"] and m in answer.get("answer", "")]
    return f"mentions other markers {others}" if others else ""


def user(url: str, i: int, questions: int, barrier: threading.Barrier, results: list[Result]) -> None:
    """One simulated user: its own client, its own history, its own marker."""
    from gradio_client import Client

    client = Client(url, verbose=False, download_files=False)
    history: list[list[str]] = []
    barrier.wait()
    for n in range(questions):
        template, expected = QUESTIONS[n % len(QUESTIONS)]
        question, expected = template.format(**fact(i)), expected.format(**fact(i))
        started = time.perf_counter()
        try:
            answer = client.predict(question, history, api_name="/ask")
        except Exception as exc:  # noqa: BLE001 - every failure is a counted result, not a crash
            results.append(Result(i, time.perf_counter() - started, error=f"{exc.__class__.__name__}: {exc}"[:200]))
            continue
        results.append(Result(i, time.perf_counter() - started, wrong=check(answer, question, i, expected)))
        history.append([question, answer["answer"]])


def run_load(url: str, clients: int, questions: int) -> tuple[list[Result], float]:
    """All users at once; returns every result and the wall time from the common start."""
    results: list[Result] = []
    barrier = threading.Barrier(clients + 1)
    threads = [
        threading.Thread(target=user, args=(url, i, questions, barrier, results), daemon=True) for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=300)
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=1800)
    return results, time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summarize(results: list[Result], wall: float) -> dict[str, Any]:
    latencies = [r.seconds for r in results if not r.error]
    return {
        "requests": len(results),
        "errors": sum(1 for r in results if r.error),
        "wrong": sum(1 for r in results if r.wrong),
        "p50_s": round(percentile(latencies, 50), 3),
        "p95_s": round(percentile(latencies, 95), 3),
        "p99_s": round(percentile(latencies, 99), 3),
        "max_s": round(max(latencies, default=float("nan")), 3),
        "mean_s": round(statistics.fmean(latencies), 3) if latencies else float("nan"),
        "throughput_rps": round(len(latencies) / wall, 2) if wall else 0.0,
        "wall_s": round(wall, 2),
        "first_problems": [asdict(r) for r in results if r.error or r.wrong][:5],
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(corpus: Path, store: Path, port: int, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    """``isecg-qa ingest`` then ``isecg-qa serve`` on loopback, as a user would run them."""
    env = {
        **os.environ,
        "ISECG_QA_CORPUS_DIR": str(corpus),
        "ISECG_QA_STORE_DIR": str(store),
        "ISECG_QA_PORT": str(port),
        "GRADIO_ANALYTICS_ENABLED": "False",
        **(extra_env or {}),
    }
    subprocess.run([sys.executable, "-m", "app", "ingest"], env=env, check=True, capture_output=True, timeout=900)
    return subprocess.Popen(
        [sys.executable, "-m", "app", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def wait_ready(url: str, server: subprocess.Popen | None = None, timeout: float = 300) -> None:
    """Until the app answers one question (the model and snapshot are then loaded)."""
    from gradio_client import Client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            Client(url, verbose=False).predict("When was the zorblat programme founded?", [], api_name="/ask")
            return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(1)
    raise TimeoutError(f"{url} did not come up in {timeout:g} s")


def rss_mb(pid: int) -> float:
    import psutil

    return round(psutil.Process(pid).memory_info().rss / 2**20, 1)


def machine() -> dict[str, Any]:
    import gradio
    import gradio_client

    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "gradio": gradio.__version__,
        "gradio_client": gradio_client.__version__,
        "load_average": os.getloadavg(),
    }


def print_table(rows: list[tuple[str, Any]]) -> None:
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--questions", type=int, default=5, help="questions per client")
    parser.add_argument("--url", help="an already running server with the marker corpus ingested")
    parser.add_argument("--json", type=Path, default=Path("bench/results/load_test.json"))
    args = parser.parse_args()
    if args.clients > len(MARKERS):
        parser.error(f"at most {len(MARKERS)} clients (one marker document each)")
    with tempfile.TemporaryDirectory(prefix="isecg-load-") as scratch:
        server, url = None, args.url
        if url is None:
            port = free_port()
            corpus = write_corpus(Path(scratch) / "corpus", len(MARKERS))
            server, url = start_server(corpus, Path(scratch) / "store", port), f"http://127.0.0.1:{port}"
        try:
            wait_ready(url, server)
            rss_before = rss_mb(server.pid) if server else None
            results, wall = run_load(url, args.clients, args.questions)
            rss_after = rss_mb(server.pid) if server else None
        finally:
            if server:
                server.terminate()
                server.wait(30)
    summary = {
        "clients": args.clients,
        **summarize(results, wall),
        "server_rss_mb": [rss_before, rss_after],
        "machine": machine(),
    }
    print_table([(k, v) for k, v in summary.items() if k not in ("first_problems", "machine")])
    for problem in summary["first_problems"]:
        print("problem:", problem)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({**summary, "latencies_s": [r.seconds for r in results]}, indent=1))
    print(f"results written to {args.json}")
    sys.exit(1 if summary["errors"] or summary["wrong"] else 0)


if __name__ == "__main__":
    main()
