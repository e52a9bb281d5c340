"""One writer at a time, and rebuilds that never pull a store out from under a running reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main as cli_main
from app.doctor import run_doctor
from ingest.location import StoreLocation
from tests.reliability import crash
from tests.reliability.helpers import assert_retrievable

pytestmark = pytest.mark.timeout(300)


def _corpus(path: Path, marker: str, files: int = 3) -> Path:
    path.mkdir(exist_ok=True)
    for old in path.iterdir():
        old.unlink()
    for i in range(files):
        text = "\n\n".join(f"Paragraph {n} of note {i} mentions the {marker} and lunar rovers." for n in range(40))
        (path / f"note{i}.md").write_text(f"# Note {i}\n\n{text}\n")
    return path


def _env(store: Path, model: Path) -> dict[str, str]:
    return {"ISECG_QA_STORE_DIR": str(store), "ISECG_QA_EMBEDDING_MODEL_PATH": str(model), "HF_HUB_OFFLINE": "1"}


def test_rebuild_keeps_the_old_store_for_a_process_that_has_it_open(
    tmp_path, components_factory, tiny_model, forkserver
):
    corpus, store = _corpus(tmp_path / "corpus", "oldcanary"), tmp_path / "store"
    reader = components_factory(corpus, store)
    reader.ingest()
    assert_retrievable(reader, "oldcanary")  # the reader (a running UI) now has the store open
    old = store / "stores" / (store / "CURRENT").read_text()
    _corpus(corpus, "newcanary")
    crash.run_cli(_env(store, tiny_model), ["ingest", "--rebuild", "--corpus", str(corpus)])  # another process
    assert (store / "CURRENT").read_text() != old.name
    assert old.is_dir()  # kept: the reader still has it open
    assert_retrievable(reader, "oldcanary")  # and it keeps answering from it, no errors
    fresh = components_factory(corpus, store)
    assert_retrievable(fresh, "newcanary")
    assert not fresh.service.search("oldcanary", k=3, mode="bm25")
    reader.location.release(old)  # the reader exits
    crash.run_cli(_env(store, tiny_model), ["ingest", "--corpus", str(corpus)])
    assert not old.exists()  # the next ingest deletes the old store once nobody reads it


def test_two_ingests_at_once_one_refuses(tmp_path, components_factory, tiny_model, forkserver):
    corpus, store = _corpus(tmp_path / "corpus", "lockcanary", files=8), tmp_path / "store"
    env = _env(store, tiny_model)
    first = crash.start_cli(env, ["ingest", "--corpus", str(corpus)])
    second = crash.start_cli(env, ["ingest", "--corpus", str(corpus)])
    first.join(120)
    second.join(120)
    assert sorted([first.exitcode, second.exitcode]) == [0, 1]  # exactly one wrote
    components = components_factory(corpus, store)
    assert run_doctor(components).ok  # no interleaved writes
    assert_retrievable(components, "lockcanary")


def test_locked_store_is_one_clear_line(tmp_path, monkeypatch, capsys, tiny_model):
    corpus, store = _corpus(tmp_path / "corpus", "x"), tmp_path / "store"
    monkeypatch.setenv("ISECG_QA_STORE_DIR", str(store))
    monkeypatch.setenv("ISECG_QA_EMBEDDING_MODEL_PATH", str(tiny_model))
    with StoreLocation(store).writer_lock():  # held by "another process" (a separate lock file handle)
        assert cli_main(["ingest", "--corpus", str(corpus)]) == 1
    err = capsys.readouterr().err
    assert err == f"isecg-qa: error: another ingest is running on this store ({store}); wait for it to finish\n"


def test_store_failure_is_one_line_and_a_rerun_converges(tmp_path, monkeypatch, capsys, tiny_model):
    """What a full disk looks like from Chroma (a compaction error mid-upsert), simulated in-process."""
    from chromadb.errors import InternalError

    from ingest.store import ChunkStore

    corpus, store = _corpus(tmp_path / "corpus", "diskcanary", files=4), tmp_path / "store"
    monkeypatch.setenv("ISECG_QA_STORE_DIR", str(store))
    monkeypatch.setenv("ISECG_QA_EMBEDDING_MODEL_PATH", str(tiny_model))
    monkeypatch.setenv("ISECG_QA_INGEST_BATCH_TEXTS", "1")  # a write per file: fail after the first two
    real_upsert, calls = ChunkStore.upsert, []

    def failing_upsert(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise InternalError("Error in compaction: Failed to apply logs to the metadata segment")
        return real_upsert(self, *args, **kwargs)

    monkeypatch.setattr(ChunkStore, "upsert", failing_upsert)
    assert cli_main(["ingest", "--corpus", str(corpus)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "doctor --fix" in err
    monkeypatch.setattr(ChunkStore, "upsert", real_upsert)
    assert cli_main(["ingest", "--corpus", str(corpus)]) == 0
    assert cli_main(["doctor", "--corpus", str(corpus)]) == 0


@pytest.mark.slow
def test_real_full_disk_then_recovery(tmp_path, tiny_model):
    """S6 for real: the store on a 600 KB tmpfs (rootless mount namespace), then room again."""
    import shutil
    import subprocess
    import sys

    if shutil.which("unshare") is None:
        pytest.skip("unshare is not available")
    corpus, mount = _corpus(tmp_path / "corpus", "fullcanary", files=30), tmp_path / "mnt"
    mount.mkdir()
    env = f"ISECG_QA_EMBEDDING_MODEL_PATH={tiny_model} ISECG_QA_STORE_DIR={mount}/store"
    app = f"{env} {sys.executable} -m app"
    script = (
        f"mount -t tmpfs -o size=600k tmpfs {mount} || exit 99; "
        f"{app} ingest --corpus {corpus} 2>{tmp_path}/full.err; echo full=$?; "
        f"mount -o remount,size=50m {mount}; "
        f"{app} ingest --corpus {corpus} >/dev/null 2>&1; echo again=$?; "
        f"{app} doctor --corpus {corpus} >/dev/null 2>&1; echo doctor=$?"
    )
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if "full=" not in done.stdout:
        pytest.skip(f"no rootless mount namespace here: {done.stderr.strip()[:200]}")
    assert "full=1" in done.stdout and "again=0" in done.stdout and "doctor=0" in done.stdout, done.stdout
    errors = [line for line in (tmp_path / "full.err").read_text().splitlines() if "isecg-qa: error" in line]
    assert len(errors) == 1 and "doctor --fix" in errors[0]
    assert "Traceback" not in (tmp_path / "full.err").read_text()


def test_failed_rebuild_leaves_the_old_store_in_service(tmp_path, components_factory, monkeypatch):
    """An exception half-way through ``--rebuild`` (not a kill): old store active, leftover removed later."""
    from ingest.pipeline import Ingestor

    corpus, store = _corpus(tmp_path / "corpus", "keptcanary"), tmp_path / "store"
    components = components_factory(corpus, store)
    components.ingest()
    before = (store / "CURRENT").read_text()
    real_flush = Ingestor._flush

    def write_then_fail(self, batch):
        if not batch:
            return 0
        real_flush(self, batch)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Ingestor, "_flush", write_then_fail)
    with pytest.raises(OSError, match="No space"):
        components_factory(corpus, store).ingest(rebuild=True)
    monkeypatch.setattr(Ingestor, "_flush", real_flush)
    assert (store / "CURRENT").read_text() == before
    assert len(list((store / "stores").iterdir())) == 2  # the half-built one, not yet cleaned up
    reader = components_factory(corpus, store)
    assert_retrievable(reader, "keptcanary")
    components_factory(corpus, store).ingest()
    assert [p.name for p in (store / "stores").iterdir()] == [before]
