"""Bytes to text for ``.txt`` and ``.md`` files: never raises, never guesses silently."""

from __future__ import annotations

import codecs
import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Decoded:
    """Decoded text plus the encoding used and a warning when we had to fall back."""

    text: str
    encoding: str
    warning: str | None = None


def looks_utf16(data: bytes) -> str | None:
    """BOM-less UTF-16 shows up as NUL in every other byte of ASCII text."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0) / (len(sample) / 2)
    odd_nuls = sample[1::2].count(0) / (len(sample) / 2)
    if odd_nuls > 0.4 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.4 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes) -> Decoded:
    """Decode with BOM detection, a UTF-16 sniff, UTF-8, then cp1252 with a warning."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(data.decode(encoding, errors="replace"), encoding)
    utf16 = looks_utf16(data)  # before UTF-8: ASCII in UTF-16 is also valid UTF-8 (with NULs)
    if utf16:
        return Decoded(data.decode(utf16, errors="replace"), utf16)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        warning = "not valid UTF-8; decoded as cp1252"
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        warning = "not valid UTF-8 or cp1252; decoded as latin-1"
    return Decoded(text, "cp1252" if "cp1252" in warning else "latin-1", warning)


def nul_ratio(data: bytes) -> float:
    """Share of NUL bytes in the first 64 KiB: a high ratio means a binary file, not text."""
    sample = data[:65536]
    return sample.count(0) / len(sample) if sample else 0.0
