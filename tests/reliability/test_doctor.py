"""``isecg-qa doctor``: finds each kind of drift, ``--fix`` repairs it to what a clean run builds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.cli import main as cli_main
from app.doctor import run_doctor
from ingest.store import unit_id
from tests.reliability.helpers import assert_retrievable

pytestmark = pytest.mark.timeout(300)


def write_corpus(corpus: Path) -> None:
    corpus.mkdir()
    for name in "abcde":
        paragraphs = [f"Paragraph {i} of file {name} about lunar rovers and the {name}{i}marker." for i in range(30)]
        (corpus / f"{name}.md").write_text(f"# File {name}\n\n" + "\n\n".join(paragraphs) + "\n")


def _snapshot(components) -> tuple[set[str], set[str], dict]:
    store = components.open_store()
    manifest = {s: (r.sha256, r.status, tuple(r.chunk_ids)) for s, r in store.files_manifest().items()}
    return set(store.chunk_metadata()), set(store.unit_chunks()), manifest


@pytest.fixture
def built(tmp_path, components_factory):
    write_corpus(tmp_path / "corpus")
    components = components_factory(tmp_path / "corpus", tmp_path / "store")
    components.ingest()
    return components, tmp_path


def test_healthy_store_is_ok(built, monkeypatch, capsys, tiny_model):
    components, base = built
    report = run_doctor(components)
    assert report.ok and report.files == 5 and report.chunks > 5 and report.units > report.chunks
    monkeypatch.setenv("ISECG_QA_STORE_DIR", str(base / "store"))
    monkeypatch.setenv("ISECG_QA_EMBEDDING_MODEL_PATH", str(tiny_model))
    assert cli_main(["doctor", "--json", "--corpus", str(base / "corpus")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True and out["problems"] == [] and out["checked"]["files"] == 5


def _drift(components, base: Path) -> None:
    """One of every kind of drift, made directly in the store and the corpus."""
    store = components.open_store()
    manifest = store.files_manifest()
    vector = [[0.1] * components.embeddings.dimension]
    store.chunks.upsert(ids=["ghost"], embeddings=vector, documents=["ghost text"], metadatas=[{"source": "ghost.md"}])
    store.units.upsert(ids=["nochunk:0"], embeddings=vector, documents=["lost unit"], metadatas=[{"chunk_id": "nope"}])
    lost = manifest["a.md"].chunk_ids[0]
    store.delete([lost])  # missing_chunks
    partial = manifest["b.md"].chunk_ids[1]
    store.units.delete(ids=[unit_id(partial, 0)])  # missing_units
    pending = manifest["c.md"]
    pending.status = "pending"
    store.put_file(pending)
    with open(base / "corpus" / "d.md", "a") as handle:
        handle.write("\nA new paragraph with the freshmarker.\n")  # changed_file
    (base / "corpus" / "e.md").unlink()  # missing_file
    (base / "corpus" / "f.md").write_text("A new file with the newfilemarker.\n")  # not_ingested (a note)


def test_every_kind_of_drift_is_found_and_fixed(built, tmp_path_factory, components_factory):
    components, base = built
    _drift(components, base)
    report = run_doctor(components)
    found = {(f.kind, f.source) for f in report.findings}
    details = [(f.kind, f.detail) for f in report.findings]
    assert found == {
        ("orphan_chunks", "ghost.md"),
        ("orphan_units", ""),
        ("missing_chunks", "a.md"),
        ("missing_units", "b.md"),
        ("pending", "c.md"),
        ("changed_file", "d.md"),
        ("missing_file", "e.md"),
        ("not_ingested", "f.md"),
    }, details  # the details say why, if a finding is not the expected one
    assert not report.ok and {f.severity for f in report.findings if f.kind == "not_ingested"} == {"note"}
    fixed = run_doctor(components, fix=True)
    assert fixed.ok and fixed.findings == [] and fixed.fixed
    clean = components_factory(base / "corpus", tmp_path_factory.mktemp("clean") / "store")
    clean.ingest()
    assert _snapshot(components) == _snapshot(clean)  # repaired = what a clean run builds
    assert_retrievable(components, "freshmarker")
    assert_retrievable(components, "newfilemarker")


def test_damaged_database_is_rebuilt(built, monkeypatch, capsys, tiny_model):
    components, base = built
    before = _snapshot(components)
    database = base / "store" / "stores" / (base / "store" / "CURRENT").read_text() / "chroma" / "chroma.sqlite3"
    data = bytearray(database.read_bytes())
    for offset in range(8192, len(data) - 8192, 4096):
        data[offset + 100 : offset + 200] = b"\xff" * 100
    database.write_bytes(bytes(data))
    monkeypatch.setenv("ISECG_QA_STORE_DIR", str(base / "store"))
    monkeypatch.setenv("ISECG_QA_EMBEDDING_MODEL_PATH", str(tiny_model))
    assert cli_main(["doctor", "--corpus", str(base / "corpus")]) == 1
    assert "store_corrupt" in capsys.readouterr().out
    assert cli_main(["doctor", "--fix", "--corpus", str(base / "corpus")]) == 0
    out = capsys.readouterr().out
    assert "rebuilt the store from the corpus" in out and out.rstrip().endswith("ok: the store matches the corpus")
    assert _snapshot(components) == before


def test_store_built_with_other_settings_is_rebuilt(built, components_factory):
    components, base = built
    other = components_factory(base / "corpus", base / "store", chunk_target_words=99)
    assert {f.kind for f in run_doctor(other).findings} == {"settings_mismatch"}
    assert run_doctor(other, fix=True).ok


def test_doctor_waits_for_no_one(built, monkeypatch, capsys, tiny_model):
    """While an ingest holds the store, doctor refuses in one line instead of reading a moving target."""
    components, base = built
    monkeypatch.setenv("ISECG_QA_STORE_DIR", str(base / "store"))
    monkeypatch.setenv("ISECG_QA_EMBEDDING_MODEL_PATH", str(tiny_model))
    with components.location.writer_lock():
        assert cli_main(["doctor", "--corpus", str(base / "corpus")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "another ingest is running" in err


def test_no_store_yet(tmp_path, components_factory):
    write_corpus(tmp_path / "corpus")
    components = components_factory(tmp_path / "corpus", tmp_path / "store")
    assert [f.kind for f in run_doctor(components).findings] == ["no_store"]
    assert run_doctor(components, fix=True).ok
    shutil.rmtree(tmp_path / "store")
