"""Decoding of text files and the checks made before a file is opened."""

from __future__ import annotations

import os

import pytest

from ingest.decode import decode_bytes
from ingest.gates import check_file


@pytest.mark.parametrize(
    ("data", "expected", "warns"),
    [
        ("hello canary".encode("utf-16"), "hello canary", False),
        ("hello canary".encode("utf-16-le"), "hello canary", False),
        ("\ufeffcafé".encode(), "café", False),
        ("café – naïve".encode("cp1252"), "café – naïve", True),
        (b"plain", "plain", False),
    ],
)
def test_decoding_never_raises(data, expected, warns):
    decoded = decode_bytes(data)
    assert decoded.text == expected
    assert bool(decoded.warning) == warns


def test_gate_reasons(tmp_path):
    root = tmp_path / "c"
    root.mkdir()
    (root / "ok.txt").write_text("fine text")
    (root / "empty.md").write_text("")
    (root / "fake.pdf").write_text("not a pdf")
    (root / "pic.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    (root / "nul.txt").write_bytes(b"\x00" * 1000)
    (root / "doc.docx").write_text("x")
    (root / "big.txt").write_bytes(b"a")
    os.truncate(root / "big.txt", 10 * 2**30)  # sparse: must be refused on its size alone
    os.mkfifo(root / "pipe.txt")
    os.symlink("/etc/passwd", root / "passwd.txt")
    (root / "real.pdf").write_bytes(b"%PDF-1.4\n...")
    (root / "pdf-named.txt").write_bytes(b"%PDF-1.7\n...")
    cap = 50 * 2**20
    reasons = {p.name: check_file(p, root, cap) for p in root.iterdir()}
    assert reasons["ok.txt"].kind == "text"
    assert reasons["empty.md"].reason == "empty"
    assert reasons["fake.pdf"].reason == "malformed"
    assert reasons["pic.txt"].reason == "binary"
    assert reasons["nul.txt"].reason == "binary"
    assert reasons["doc.docx"].reason == "unsupported"
    assert reasons["big.txt"].reason == "too_large"
    assert reasons["pipe.txt"].reason == "not_regular_file"
    assert reasons["passwd.txt"].reason == "outside_root"
    assert reasons["real.pdf"].kind == "pdf"
    assert reasons["pdf-named.txt"].kind == "pdf"
    assert check_file(root / "gone.txt", root, cap).reason == "vanished"
