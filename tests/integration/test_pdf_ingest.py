"""Real pypdf on PDFs generated here, the real MiniLM, an on-disk Chroma in tmp_path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from ingest.loaders import LoadError, PdfLimits, load_pdf
from tests.integration.conftest import make_components

pytestmark = pytest.mark.integration


def write_report_pdf(path: Path) -> None:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(
        0,
        6,
        "1 Lunar Rover Programme\n\nThe Lunar Rover Programme was approved in March 2023. "
        "It is led by the Atlantis Space Bureau (ASB) and has 9 partner agencies.",
    )
    pdf.add_page()
    pdf.multi_cell(
        0,
        6,
        "2 Outlook\n\nThe second phase with the marker word wombatquartz starts in 2027 "
        "and will test drilling at the lunar south pole.",
    )
    pdf.output(str(path))


def test_pdf_pages_are_records_with_page_numbers(tmp_path):
    path = tmp_path / "r.pdf"
    write_report_pdf(path)
    loaded = load_pdf(path, PdfLimits())
    assert loaded.page_numbers == [1, 2]
    assert "wombatquartz" in loaded.pages[1]


def test_encrypted_truncated_and_blank_pdfs(tmp_path):
    good = tmp_path / "good.pdf"
    write_report_pdf(good)
    writer = PdfWriter(clone_from=PdfReader(good))
    writer.encrypt(user_password="secret", owner_password="o", algorithm="AES-256")
    writer.write(tmp_path / "locked.pdf")
    (tmp_path / "cut.pdf").write_bytes(good.read_bytes()[:300])
    blank = PdfWriter()
    blank.add_blank_page(612, 792)
    blank.write(tmp_path / "scan.pdf")
    with pytest.raises(LoadError) as locked:
        load_pdf(tmp_path / "locked.pdf", PdfLimits())
    assert locked.value.reason == "encrypted"
    with pytest.raises(LoadError) as cut:
        load_pdf(tmp_path / "cut.pdf", PdfLimits())
    assert cut.value.reason == "malformed"
    assert load_pdf(tmp_path / "scan.pdf", PdfLimits()).pages == [""]


def test_hanging_and_crashing_parsers_become_reasons(tmp_path):
    path = tmp_path / "r.pdf"
    write_report_pdf(path)
    hang = (sys.executable, "-c", "import time; time.sleep(60)")
    with pytest.raises(LoadError) as timeout:
        load_pdf(path, PdfLimits(timeout_s=1.0, command=hang))
    assert timeout.value.reason == "timeout"
    crash = (sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
    with pytest.raises(LoadError) as crashed:
        load_pdf(path, PdfLimits(command=crash))
    assert crashed.value.reason == "crashed"
    hog = (sys.executable, "-c", "x = bytearray(3 * 2**30)")
    with pytest.raises(LoadError) as hogged:
        load_pdf(path, PdfLimits(memory_mb=512, command=hog))
    assert hogged.value.reason == "limit_reached"


def test_pdf_question_cites_its_page(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_report_pdf(corpus / "rover.pdf")
    blank = PdfWriter()
    blank.add_blank_page(612, 792)
    blank.write(corpus / "scan.pdf")
    components = make_components(corpus, tmp_path / "store")
    report = {f.path: f for f in components.ingest().files}
    assert report["rover.pdf"].status == "added"
    assert report["rover.pdf"].pages == 2
    assert report["scan.pdf"].reason == "no_text"
    answer = components.service.ask("When does the second phase with wombatquartz start?")
    assert not answer.abstained
    assert "2027" in answer.answer
    assert answer.citations[0].source == "rover.pdf"
    assert answer.citations[0].page == 2
