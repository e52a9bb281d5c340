"""kill -9 at many points of an ingest, then a plain re-run: the store must equal a clean run's.

Three phases over a generated multi-file corpus (text and PDF): the first ingest into an empty
store, an incremental ingest after edits, additions and a deletion, and ``ingest --rebuild``.
Each kill is followed by ``isecg-qa ingest`` run to completion; the store is then read back in a
fresh process and compared with a store built without interruption: the same chunk ids, texts
and metadata, the same unit ids, the same manifest, vectors equal within float noise, Chroma's
vector index agreeing with its SQLite rows, and ``PRAGMA quick_check`` = ok.
"""

from __future__ import annotations

import json
import math
import random
import shutil
from pathlib import Path

import pytest

from tests.reliability import crash, pdfs
from tests.reliability.helpers import sqlite_quick_check

pytestmark = pytest.mark.timeout(900)

WORDS = [
    "lunar",
    "rover",
    "mission",
    "orbit",
    "gateway",
    "crew",
    "habitat",
    "science",
    "landing",
    "surface",
    "sample",
    "return",
    "agency",
    "partner",
    "roadmap",
    "scenario",
    "logistics",
    "power",
    "thermal",
    "radiation",
    "robotic",
    "precursor",
    "exploration",
    "architecture",
    "payload",
    "cargo",
    "ascent",
    "descent",
    "module",
    "station",
    "analogue",
]


def _paragraphs(seed: str, count: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        words = [rng.choice(WORDS) for _ in range(rng.randint(30, 70))]
        out.append(f"Paragraph {n} of {seed}: " + " ".join(words).capitalize() + ".")
    return out


def _document(name: str, count: int, marker: str) -> str:
    body = "\n\n".join(_paragraphs(name, count))
    return f"# Report {name}\n\nThe marker word of this report is {marker}.\n\n{body}\n"


def write_corpus(corpus: Path, version: int) -> None:
    """Version 1: ten text files (3 to 45 paragraphs) and two PDFs. Version 2 edits one file,
    appends to another, deletes a third and adds two."""
    corpus.mkdir()
    sizes = [3, 45, 8, 30, 5, 40, 12, 4, 25, 6]
    for i, size in enumerate(sizes):
        if version == 2 and i == 2:
            continue  # deleted
        text = _document(f"doc{i}", size, f"marker{chr(97 + i)}word")
        if version == 2 and i == 1:
            text = text.replace("Paragraph 20 of doc1", "Paragraph twenty, rewritten, of doc1")
        if version == 2 and i == 3:
            text += "\n\n" + "\n\n".join(_paragraphs("doc3-more", 10)) + "\n"
        (corpus / f"doc{i}.md").write_text(text)
    for i in range(2):
        pages = ["\n\n".join(_paragraphs(f"pdf{i}-{p}", 4)) for p in range(3)]
        pdfs.text_pdf(corpus / f"paper{i}.pdf", pages)
    if version == 2:
        for i in (10, 11):
            (corpus / f"doc{i}.md").write_text(_document(f"doc{i}", 15, f"marker{chr(97 + i)}word"))


def _ingest(corpus: Path, *extra: str) -> list[str]:
    return ["ingest", "--json", "--corpus", str(corpus), *extra]


def _env(store: Path, model: Path) -> dict[str, str]:
    """Small write batches (a few files each), so kills land between batches as well as inside."""
    return {
        "ISECG_QA_STORE_DIR": str(store),
        "ISECG_QA_EMBEDDING_MODEL_PATH": str(model),
        "ISECG_QA_INGEST_BATCH_TEXTS": "40",
        "HF_HUB_OFFLINE": "1",
    }


def assert_same_store(store: Path, clean: dict, scratch: Path) -> dict:
    """The store under ``store`` equals the clean run's state (and is internally consistent)."""
    state = crash.read_state(store, scratch / "state.json")
    got, want = crash.comparable(state), crash.comparable(clean)
    for part in ("isecg-qa-chunks", "isecg-qa-units", "manifest"):
        assert set(got[part]) == set(want[part]), f"{part}: ids differ"
        assert got[part] == want[part], f"{part}: contents differ"
    got_vectors, want_vectors = crash.vectors(state), crash.vectors(clean)
    for key, vector in want_vectors.items():
        assert all(math.isclose(a, b, abs_tol=1e-5) for a, b in zip(got_vectors[key], vector, strict=True)), key
    for name in crash.COLLECTIONS:
        assert state[name]["count"] == len(state[name]["rows"])  # no duplicates, no invisible rows
        assert state[name]["nearest_ok"], f"{name}: vector index disagrees with the stored rows"
    assert {r["status"] for r in got["manifest"].values()} == {"complete"}
    assert sqlite_quick_check(store) == "ok"
    return state


@pytest.fixture(scope="module")
def sweep(tmp_path_factory, tiny_model, forkserver):
    base = tmp_path_factory.mktemp("kill-sweep")
    write_corpus(base / "v1", 1)
    write_corpus(base / "v2", 2)
    clean1, clean2 = base / "clean1", base / "clean2"
    seconds1 = crash.run_cli(_env(clean1, tiny_model), _ingest(base / "v1"))
    shutil.copytree(clean1, clean2)
    seconds2 = crash.run_cli(_env(clean2, tiny_model), _ingest(base / "v2"))
    states = (crash.read_state(clean1, base / "s1.json"), crash.read_state(clean2, base / "s2.json"))
    return base, tiny_model, (seconds1, seconds2), states


def _points(seconds: float, n: int) -> list[float]:
    """Kill times spread over the run, from just after start to just before the end."""
    return [seconds * (0.05 + 0.75 * i / max(n - 1, 1)) for i in range(n)]


def _recover(store: Path, corpus: Path, model: Path, out: Path) -> dict:
    crash.run_cli(_env(store, model), _ingest(corpus), stdout=out)
    return json.loads(out.read_text())


def _kill(store: Path, template: Path | None, argv: list[str], model: Path, at: float) -> bool:
    """Kill a run at ``at`` seconds; if it finished first (a faster run than the baseline), start
    over from the same store and kill earlier. True once a kill landed mid-run."""
    for _ in range(3):
        shutil.rmtree(store, ignore_errors=True)
        if template is not None:
            shutil.copytree(template, store)
        if crash.kill_after(_env(store, model), argv, at):
            return True
        at /= 2
    return False


def test_kill9_sweep_converges_to_the_clean_store(sweep):
    base, model, (seconds1, seconds2), (clean1, clean2) = sweep
    effective, landed = 0, []
    for i, at in enumerate(_points(seconds1, 7)):  # phase 1: first ingest into an empty store
        store = base / f"first-{i}"
        effective += _kill(store, None, _ingest(base / "v1"), model, at)
        report = _recover(store, base / "v1", model, base / f"first-{i}.json")
        landed.append(report["unchanged"])
        assert_same_store(store, clean1, base)
    for i, at in enumerate(_points(seconds2, 4)):  # phase 2: edits, additions, a deletion
        store = base / f"update-{i}"
        effective += _kill(store, base / "clean1", _ingest(base / "v2"), model, at)
        _recover(store, base / "v2", model, base / f"update-{i}.json")
        assert_same_store(store, clean2, base)
    for i, at in enumerate(_points(seconds1, 3)[:2]):  # phase 3: a rebuild killed half-way
        store = base / f"rebuild-{i}"
        before = (base / "clean1" / "CURRENT").read_text()
        effective += _kill(store, base / "clean1", _ingest(base / "v1", "--rebuild"), model, at)
        assert (store / "CURRENT").read_text() == before  # the old store stays in service...
        assert_same_store(store, clean1, base)  # ...untouched
        _recover(store, base / "v1", model, base / f"rebuild-{i}.json")
        assert [p.name for p in (store / "stores").iterdir()] == [before]  # the half-built one is gone
    print(
        f"\nkill -9 sweep: runs of {seconds1:.1f} s / {seconds2:.1f} s, {effective} effective kills, "
        f"files complete at each first-ingest kill: {landed}"
    )
    assert effective >= 12
    assert len(set(landed)) >= 3  # the kills landed at different points of the run


def test_completed_rebuild_swaps_in_an_identical_store(sweep):
    base, model, _, (clean1, _) = sweep
    store = base / "rebuilt"
    shutil.copytree(base / "clean1", store)
    before = (store / "CURRENT").read_text()
    crash.run_cli(_env(store, model), _ingest(base / "v1", "--rebuild"))
    assert (store / "CURRENT").read_text() != before
    assert_same_store(store, clean1, base)
    assert len(list((store / "stores").iterdir())) == 1
