"""Corpus tab: uploads are checked, renamed safely, never overwrite silently; removal drops chunks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.ui_corpus import add_documents, check_upload, list_documents, remove_document, safe_filename, store_upload
from app.ui_errors import UIError
from ingest.location import IngestLockedError

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(tmp_path: Path, name: str, data: bytes | str) -> str:
    folder = tmp_path / "gradio-cache" / os.urandom(4).hex()
    folder.mkdir(parents=True)
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(path)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("report.PDF", "report.pdf"),
        ("../../etc/passwd.md", "etc_passwd.md"),
        ("..\\..\\win.txt", "win.txt"),
        (".hidden.md", "hidden.md"),
        ("--rf notes.txt", "rf notes.txt"),
        ("a\nb\x00c\u202eevil.txt", "a_bcevil.txt"),
        ("  spaced   name .md", "spaced name.md"),
        ("Ünïcødé résumé.md", "Ünïcødé résumé.md"),
    ],
)
def test_safe_filename(given, expected):
    assert safe_filename(given) == expected


@pytest.mark.parametrize("given", ["program.exe", "archive.pdf.zip", "....md", "noextension", "README.md"])
def test_unusable_names_are_refused(given):
    with pytest.raises(UIError):
        safe_filename(given, reserved=["README.md"])


def test_long_names_fit_the_file_system():
    name = safe_filename("é" * 400 + ".txt")
    assert name.endswith(".txt") and len(name.encode()) <= 160


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("image.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "binary"),
        ("sneaky.txt", PDF_BYTES, "does not match"),
        ("fake.pdf", "just text", "no PDF header"),
        ("empty.md", b"", "empty"),
        ("big.txt", "x" * (2 * 2**20), "cap"),
    ],
)
def test_uploads_are_checked_by_extension_and_magic_bytes(tmp_path, name, data, message):
    with pytest.raises(UIError, match=message):
        check_upload(Path(_upload(tmp_path, name, data)), name, max_bytes=2**20)


def test_good_uploads_pass(tmp_path):
    assert check_upload(Path(_upload(tmp_path, "a.pdf", PDF_BYTES)), "a.pdf", 2**20) == "pdf"
    assert check_upload(Path(_upload(tmp_path, "a.md", "# Title\n\ntext")), "a.md", 2**20) == "text"


def test_store_upload_never_overwrites_silently(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "notes.txt").write_text("original")
    same = _upload(tmp_path, "notes.txt", "original")
    other = _upload(tmp_path, "notes.txt", "different")
    assert store_upload(Path(same), "notes.txt", corpus) == (corpus / "notes.txt", "identical")
    assert store_upload(Path(other), "notes.txt", corpus) == (corpus / "notes (2).txt", "renamed")
    third = _upload(tmp_path, "notes.txt", "third version")
    assert store_upload(Path(third), "notes.txt", corpus) == (corpus / "notes (3).txt", "renamed")
    assert (corpus / "notes.txt").read_text() == "original"
    assert store_upload(Path(other), "notes.txt", corpus, replace=True) == (corpus / "notes.txt", "replaced")
    assert (corpus / "notes.txt").read_text() == "different"
    assert not [p for p in corpus.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_replace_never_follows_a_symlink(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    (corpus / "link.txt").symlink_to(outside)
    path, how = store_upload(Path(_upload(tmp_path, "link.txt", "new")), "link.txt", corpus, replace=True)
    assert (path.name, how) == ("link (2).txt", "renamed")
    assert outside.read_text() == "keep me"


def test_add_documents_ingests_and_the_service_finds_them(fake_components, tmp_path):
    service = fake_components.service
    assert not [p for p in service.search("zebracorn", mode="bm25") if p.source.startswith("zebra")]
    uploads = [
        _upload(tmp_path, "../zebra notes.md", "# Zebra\n\nThe zebracorn survey found 9 zebracorns near the pole."),
        _upload(tmp_path, "virus.exe", "MZ"),
        _upload(tmp_path, "fake.pdf", "not a pdf"),
    ]
    progress: list[float] = []
    lines = add_documents(fake_components, uploads, progress=lambda f, _: progress.append(f))
    by_status = {line["status"]: line for line in lines}
    assert by_status["added"]["path"] == "zebra notes.md" and by_status["added"]["chunks"] >= 1
    assert sorted(line["path"] for line in lines if line["status"] == "rejected") == ["fake.pdf", "virus.exe"]
    assert progress[0] == 0.0 and progress[-1] == 1.0
    corpus = fake_components.settings.corpus_dir
    assert sorted(p.name for p in corpus.iterdir()) == ["gadgets.txt", "widgets.md", "zebra notes.md"]
    assert "zebra notes.md" in {r.source for r in list_documents(fake_components)}
    assert service.search("zebracorn", mode="bm25")[0].source == "zebra notes.md"


def test_a_renamed_upload_says_so(fake_components, tmp_path):
    lines = add_documents(fake_components, [_upload(tmp_path, "gadgets.txt", "Gadget Survey 2: the sequel.\n")])
    assert lines[0]["path"] == "gadgets (2).txt" and lines[0]["status"] == "added"
    assert "saved as gadgets (2).txt" in lines[0]["detail"]
    assert "412 distinct gadgets" in (fake_components.settings.corpus_dir / "gadgets.txt").read_text()


def test_remove_document_deletes_file_and_chunks(fake_components):
    service = fake_components.service
    assert service.search("quokkafig", mode="bm25")[0].source == "gadgets.txt"
    lines = remove_document(fake_components, "gadgets.txt")
    assert lines == [
        {
            "path": "gadgets.txt",
            "status": "removed",
            "reason": None,
            "detail": "",
            "pages": None,
            "chunks": lines[0]["chunks"],
            "warnings": [],
        }
    ]
    assert not (fake_components.settings.corpus_dir / "gadgets.txt").exists()
    assert [r.source for r in list_documents(fake_components)] == ["widgets.md"]
    assert all(p.source != "gadgets.txt" for p in service.search("quokkafig", mode="bm25"))


@pytest.mark.parametrize("source", ["", "../outside.txt", "/etc/passwd", "not-ingested.txt"])
def test_remove_only_accepts_ingested_documents(fake_components, tmp_path, source):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    (fake_components.settings.corpus_dir / "not-ingested.txt").write_text("never ingested")
    with pytest.raises(UIError):
        remove_document(fake_components, source)
    assert outside.read_text() == "precious"
    assert (fake_components.settings.corpus_dir / "not-ingested.txt").exists()


def test_upload_while_another_ingest_runs_is_saved_for_later(fake_components, tmp_path, monkeypatch):
    def locked(paths=None, **_):
        raise IngestLockedError("busy")

    monkeypatch.setattr(fake_components, "ingest", locked)
    lines = add_documents(fake_components, [_upload(tmp_path, "later.md", "# Later\n\nSome text for later.")])
    assert lines[0]["status"] == "saved" and "next ingest" in lines[0]["detail"]
    assert (fake_components.settings.corpus_dir / "later.md").exists()
