"""The CLI as a user runs it: ingest + ask --json on a tiny corpus, in subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ANSWER_KEYS

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def _cli(args, env, timeout=180):
    return subprocess.run(
        [sys.executable, "-m", "app", *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture
def env(tiny_corpus, tmp_path):
    return {**os.environ, "ISECG_QA_CORPUS_DIR": str(tiny_corpus), "ISECG_QA_STORE_DIR": str(tmp_path / "store")}


def test_ingest_then_ask_json(env):
    first = _cli(["ingest", "--json"], env)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["added"] == 2 and report["chunks_embedded"] > 0
    assert {f["path"] for f in report["files"]} == {"widgets.md", "gadgets.txt"}
    second = json.loads(_cli(["ingest", "--json"], env).stdout)
    assert second["unchanged"] == 2 and second["chunks_embedded"] == 0
    asked = _cli(["ask", "How many distinct gadgets did the survey count?", "--json"], env)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert "412" in answer["answer"]
    assert answer["citations"][0]["source"] == "gadgets.txt"
    assert "412" in answer["citations"][0]["quote"]
    assert set(answer) >= ANSWER_KEYS


def test_bad_questions_exit_2_with_one_line(env):
    assert _cli(["ingest"], env).returncode == 0
    for question in ("", "   ", "x" * 5000):
        done = _cli(["ask", question], env)
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1 and "isecg-qa: error:" in done.stderr
        assert "Traceback" not in done.stderr


def test_ask_before_ingest_says_what_to_do(env):
    done = _cli(["ask", "anything?"], env)
    assert done.returncode == 1
    assert "isecg-qa ingest" in done.stderr


def test_search_prints_ranked_passages(env):
    assert _cli(["ingest"], env).returncode == 0
    done = _cli(["search", "quokkafig", "--json"], env)
    passages = json.loads(done.stdout)
    assert passages[0]["source"] == "gadgets.txt"
    assert passages[0]["rank"] == 1


def test_a_misspelt_compare_configuration_is_refused_before_running(env, tmp_path):
    dataset = tmp_path / "d.jsonl"
    item = {"id": "a", "type": "numeric", "question": "How many gadgets?", "answers": ["412"], "evidence": []}
    dataset.write_text(json.dumps(item) + "\n")
    assert _cli(["ingest"], env).returncode == 0
    done = _cli(["eval", str(dataset), "--compare", "hybrid,hybrid-no-rerank"], env)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "'hybrid-no-rerank'" in done.stderr and "no-rerank" in done.stderr
    assert done.stdout == ""  # nothing ran, not even the valid configuration


def test_a_store_built_with_other_settings_exits_3_and_rebuild_recovers(env):
    assert _cli(["ingest"], env).returncode == 0
    changed = {**env, "ISECG_QA_CHUNK_TARGET_WORDS": "120"}
    refused = _cli(["ask", "How many distinct gadgets did the survey count?"], changed)
    assert refused.returncode == 3
    assert refused.stderr.count("\n") == 1 and "isecg-qa ingest --rebuild" in refused.stderr
    assert _cli(["ingest"], changed).returncode == 3
    assert _cli(["ingest", "--rebuild"], changed).returncode == 0  # what `make run` does on exit 3
    assert _cli(["ask", "How many distinct gadgets did the survey count?"], changed).returncode == 0
