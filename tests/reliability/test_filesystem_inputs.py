"""Catalogue §2C, filesystem inputs F-a..F-f: links, special files, odd names, unreadable files."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import stat
from pathlib import Path

import pytest

from app.cli import main as cli_main
from tests.reliability import pdfs
from tests.reliability.helpers import assert_absent, assert_retrievable, by_path

pytestmark = pytest.mark.timeout(300)

GOOD = "The Okapi Survey counted the canary word okapicanary in 2021.\n\nIt ran for three weeks."
ODD_NAMES = {
    "naïve résumé.txt": "naïve résumé.txt",
    "名前.md": "名前.md",
    "with space.txt": "with space.txt",
    "new\nline.txt": "new\\u000aline.txt",
    "tab\tname.txt": "tab\\u0009name.txt",
    "-rf.txt": "-rf.txt",
    "a" * 251 + ".txt": "a" * 251 + ".txt",
    "right\u202etxt.exe.md": "right\\u202etxt.exe.md",
    "$(touch pwned).txt": "$(touch pwned).txt",
    "; touch pwned2 #.txt": "; touch pwned2 #.txt",
}


def odd_canary(i: int) -> str:
    return f"odd{'abcdefghijklmnop'[i]}canary"


def build_corpus(corpus: Path, outside: Path) -> None:
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD)
    outside.mkdir()
    (outside / "secret.txt").write_text("The outside secret is outsidecanary.\n")
    os.symlink("/etc/passwd", corpus / "fa-passwd.txt")  # F-a
    os.symlink(outside / "secret.txt", corpus / "fa-secret.txt")
    os.symlink("/", corpus / "fb-root")  # F-b
    os.symlink("..", corpus / "fb-up")
    (corpus / "sub").mkdir()
    (corpus / "sub" / "inner.txt").write_text("The inner file holds innercanary.\n")
    os.symlink(corpus / "sub", corpus / "fb-alias")  # inside the root, still not followed
    os.symlink(corpus / "fb-loop-b.txt", corpus / "fb-loop-a.txt")
    os.symlink(corpus / "fb-loop-a.txt", corpus / "fb-loop-b.txt")
    os.mkfifo(corpus / "fc-pipe.txt")  # F-c: open() would block forever
    os.symlink("/dev/zero", corpus / "fc-zero.txt")
    (corpus / "fd-dir.pdf").mkdir()  # F-d
    (corpus / "fd-dir.pdf" / "inside.md").write_text("The folder named like a PDF holds dircanary.\n")
    pdfs.text_pdf(corpus / "fd-pdf-bytes.txt", ["The PDF named as text holds pdfnamedtxtcanary."])
    (corpus / "fd-unknown.docx").write_bytes(b"PK\x03\x04 not really")
    (corpus / "..hidden.md").write_text("Dot files are skipped: hiddencanary.\n")
    (corpus / "forged\nFAKE LOG LINE.txt").write_text("")  # skipped (empty): its warning must stay one line
    for i, name in enumerate(ODD_NAMES):  # F-e
        (corpus / name).write_text(f"An odd name, canary word {odd_canary(i)}.\n")


@pytest.fixture(scope="module")
def run(tmp_path_factory, components_factory):
    base = tmp_path_factory.mktemp("fs-inputs")
    corpus = base / "corpus"
    build_corpus(corpus, base / "outside")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind(str(corpus / "fc-socket.txt"))
        with contextlib.suppress(PermissionError):  # no CAP_MKNOD: the FIFO and socket rows still run
            os.mknod(corpus / "fc-device.txt", stat.S_IFCHR | 0o644, os.makedev(1, 5))
        components = components_factory(corpus, base / "store")
        report = by_path(components.ingest())
    return components, report, base


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("fa-passwd.txt", "outside_root"),
        ("fa-secret.txt", "outside_root"),
        ("fb-root", "outside_root"),
        ("fb-up", "outside_root"),
        ("fb-alias", "not_regular_file"),
        ("fb-loop-a.txt", "not_regular_file"),
        ("fb-loop-b.txt", "not_regular_file"),
        ("fc-pipe.txt", "not_regular_file"),
        ("fc-socket.txt", "not_regular_file"),
        ("fc-zero.txt", "outside_root"),
        ("fd-unknown.docx", "unsupported"),
    ],
)
def test_special_files_are_skipped_with_a_reason(good, name, reason):
    _, report = good
    assert (report[name].status, report[name].reason) == ("skipped", reason), report[name].detail


def test_fc_device_inside_the_corpus(run):
    components, report, base = run
    if not (base / "corpus" / "fc-device.txt").exists():
        pytest.skip("mknod is not permitted here")
    assert report["fc-device.txt"].reason == "not_regular_file"
    assert_retrievable(components, "okapicanary")


def test_fa_nothing_from_outside_the_root_is_stored(good):
    components, report = good
    assert_absent(components, "root:x:0:0")
    assert_absent(components, "outsidecanary")
    assert not [path for path in report if "secret" in path and report[path].status == "added"]


def test_fb_linked_directories_are_not_followed(good):
    components, report = good
    assert report["sub/inner.txt"].status == "added"  # reached once, through the real folder
    assert not [path for path in report if path.startswith(("fb-alias/", "fb-root/", "fb-up/"))]
    hits = components.service.search("innercanary", k=6, mode="bm25")
    assert [p.source for p in hits if "innercanary" in p.text] == ["sub/inner.txt"]


def test_fd_type_comes_from_the_bytes(good):
    components, report = good
    assert report["fd-dir.pdf/inside.md"].status == "added"
    assert report["fd-pdf-bytes.txt"].status == "added" and report["fd-pdf-bytes.txt"].pages == 1
    assert_retrievable(components, "dircanary")
    assert_retrievable(components, "pdfnamedtxtcanary")
    assert "..hidden.md" not in report  # dot files are skipped by design (editor and OS droppings)


def test_fe_odd_names_are_ingested_under_escaped_printable_names(good):
    components, report = good
    for i, (name, source) in enumerate(ODD_NAMES.items()):
        assert report[source].status == "added", name
        hits = components.service.search(odd_canary(i), k=1, mode="bm25")
        assert hits[0].source == source
        assert "\n" not in source and "\t" not in source and "\u202e" not in source


def test_fe_names_never_reach_a_shell(run):
    _, _, base = run
    for folder in (base, base / "corpus", Path.cwd()):
        assert not (folder / "pwned").exists() and not (folder / "pwned2").exists()


def test_fe_cli_report_has_one_line_per_file(run, tmp_path, monkeypatch, capsys, tiny_model):
    _, _, base = run
    monkeypatch.setenv("ISECG_QA_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("ISECG_QA_EMBEDDING_MODEL_PATH", str(tiny_model))
    assert cli_main(["ingest", "--corpus", str(base / "corpus")]) == 0
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert len(lines) == len([p for p in by_path_of_lines(lines)]) and "Traceback" not in out.err
    assert any("  new\\u000aline.txt, 1 chunks" in line for line in lines)
    warnings = [line for line in out.err.splitlines() if "skipped" in line or "FAKE" in line]
    assert any("skipped forged\\u000aFAKE LOG LINE.txt: empty" in line for line in warnings)
    assert all(line.startswith("isecg-qa: WARNING: skipped ") for line in warnings)  # no forged log line


def by_path_of_lines(lines: list[str]) -> list[str]:
    """Report lines are ``status  name…`` plus one totals line: every line must parse as one."""
    statuses = ("added", "updated", "removed", "skipped")
    return [line for line in lines if line.split(maxsplit=1)[0] in statuses or "chunks embedded" in line]


def test_ff_unreadable_file_is_reported(tmp_path, components_factory, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD)
    (corpus / "locked.txt").write_text("Root reads everything, so open() is made to refuse this one.\n")
    pdfs.text_pdf(corpus / "locked.pdf", ["A locked PDF."])
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):
        if Path(os.fsdecode(path)).name.startswith("locked."):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    components = components_factory(corpus, tmp_path / "store")
    report = by_path(components.ingest())
    assert report["locked.txt"].reason == report["locked.pdf"].reason == "unreadable"
    assert "Permission denied" in report["locked.txt"].detail
    assert_retrievable(components, "okapicanary")
