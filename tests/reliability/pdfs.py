"""PDF generators for the bad-input catalogue (reliability notes §2A), built in the test, offline."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from pathlib import Path

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ByteStringObject, DictionaryObject, NameObject, StreamObject


def text_pdf(path: Path, pages: Iterable[str], title: str | None = None) -> Path:
    """A normal report-like PDF: one text page per item (Helvetica, so ASCII text only)."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    if title:
        pdf.set_title(title)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return path


def _font_resources(writer: PdfWriter) -> DictionaryObject:
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    return DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})


def _stream(data: bytes, *, compressed: bool) -> StreamObject:
    stream = StreamObject()
    stream._data = data
    if compressed:
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    return stream


def content_pdf(path: Path, contents: Iterable[bytes], *, compress: bool = True) -> Path:
    """One page per raw content stream (PDF text operators), Flate-compressed by default."""
    writer = PdfWriter()
    for content in contents:
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = _font_resources(writer)
        data = zlib.compress(content, 9) if compress else content
        page[NameObject("/Contents")] = writer._add_object(_stream(data, compressed=compress))
    writer.write(path)
    return path


def text_op(text: str, *, x: int = 72, y: int = 720, size: float = 12, prefix: str = "") -> bytes:
    """A PDF text object showing ``text`` (ASCII, no parentheses)."""
    return f"{prefix}BT /F1 {size} Tf {x} {y} Td ({text}) Tj ET\n".encode("latin-1")


def flate_bomb_pdf(path: Path, inflated_mb: int = 200) -> Path:
    """P9: ~200 MB of zeros compressed to ~200 KB as a page's content stream."""
    squeezer = zlib.compressobj(9)
    block = b"\0" * 2**20
    data = b"".join(squeezer.compress(block) for _ in range(inflated_mb)) + squeezer.flush()
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    page[NameObject("/Contents")] = writer._add_object(_stream(data, compressed=True))
    writer.write(path)
    return path


def cpu_bomb_pdf(path: Path, pages: int = 5, raw_mb: float = 4) -> Path:
    """P10: valid text operators, each page ~4 MB inflated: slow to extract, inside every limit."""
    line = text_op("ab")
    content = line * int(raw_mb * 2**20 / len(line))
    return content_pdf(path, [content] * pages)


def blank_pdf(path: Path, pages: int = 1) -> Path:
    """P4: what a scan without a text layer looks like to pypdf."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    writer.write(path)
    return path


def encrypted_pdf(source: Path, path: Path, user_password: str, algorithm: str = "AES-256") -> Path:
    """P5/P6: ``source`` re-written with encryption (empty user password = owner-only)."""
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm=algorithm)
    writer.write(path)
    return path


def many_pages_pdf(path: Path, pages: int, canary: str) -> Path:
    """P8: a first page of text, then thousands of tiny pages."""
    return content_pdf(path, [text_op(f"The page count canary is {canary}.")] + [text_op("x")] * (pages - 1))


def hidden_text_pdf(path: Path, canary: str, instruction: str) -> Path:
    """P12: visible text with the canary, plus the instruction in white, 0.1 pt, off-page and 3 Tr."""
    visible = text_op(f"The hidden text test document mentions {canary} in its visible text.")
    hidden = (
        text_op(instruction, prefix="1 1 1 rg ", y=650)
        + text_op(instruction, size=0.1, y=600)
        + text_op(instruction, x=5000, y=5000)
        + text_op(instruction, prefix="3 Tr ", y=550)
    )
    return content_pdf(path, [visible + hidden])


def js_and_attachment_pdf(path: Path, page_text: str, script: str, attachment: str) -> Path:
    """P13: page text plus document JavaScript and an embedded text file."""
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    page[NameObject("/Resources")] = _font_resources(writer)
    page[NameObject("/Contents")] = writer._add_object(_stream(zlib.compress(text_op(page_text)), compressed=True))
    writer.add_open_action(JavaScript(script))
    writer.add_attachment("notes.txt", attachment.encode())
    writer.write(path)
    return path


def xmp_entity_pdf(path: Path, page_text: str) -> Path:
    """P13: XMP metadata with a billion-laughs entity declaration."""
    levels = zip("abcdefgh", "bcdefghi", strict=True)
    laughs = '<!ENTITY a "lol">' + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in levels)
    xmp = (
        f'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><!DOCTYPE x [{laughs}]>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&i;</dc:title></rdf:Description>'
        '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    page[NameObject("/Resources")] = _font_resources(writer)
    page[NameObject("/Contents")] = writer._add_object(_stream(zlib.compress(text_op(page_text)), compressed=True))
    metadata = _stream(xmp, compressed=False)
    metadata[NameObject("/Type")] = NameObject("/Metadata")
    metadata[NameObject("/Subtype")] = NameObject("/XML")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(metadata)
    writer.write(path)
    return path


def raw_title_pdf(path: Path, text: str, title: bytes) -> Path:
    """A text PDF whose /Title is the given raw bytes (NULs, broken UTF-16): untrusted metadata."""
    source = text_pdf(path.with_suffix(".src"), [text])
    writer = PdfWriter(clone_from=PdfReader(source))
    writer._info.get_object()[NameObject("/Title")] = ByteStringObject(title)
    writer.write(path)
    source.unlink()
    return path
