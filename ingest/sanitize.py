"""Character hygiene applied to every string before it reaches Chroma or a log.

Why: a NUL byte corrupts Chroma's full-text index for the whole collection (chroma#7388), a lone
surrogate aborts a whole upsert batch (chroma#748), and zero-width / Unicode tag characters are
the classic way to smuggle invisible instructions into retrieved text.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width and invisible formatting characters, bidi embeddings/overrides/isolates, and the
# Unicode tag block (U+E0000-U+E007F, "ASCII smuggling").
_INVISIBLE = re.compile(
    "[\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\u00ad\U000e0000-\U000e007f]"
)
# C0/C1 control characters except tab, newline and form feed (form feed marks PDF page breaks).
_CONTROL = re.compile("[\x00-\x08\x0b\x0d-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# In file names every control character counts, tab and newline too (they forge log lines).
_UNSAFE_IN_NAME = re.compile(f"{_INVISIBLE.pattern}|[\x00-\x1f\x7f-\x9f]")
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")


def fix_surrogates(text: str) -> str:
    """Join surrogate pairs and replace lone surrogates (from ``surrogateescape`` names) with U+FFFD."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def sanitize_text(text: str) -> str:
    """Return ``text`` safe to store: NFC, no NUL/controls, no invisible or tag characters."""
    text = fix_surrogates(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text)


def source_name(relative_path: str) -> str:
    r"""The name a corpus file is stored and cited under: its relative path, made safe and unique.

    Why escape instead of strip: the name is the file's identity in the manifest, so two files must
    never share one (stripping U+200B from ``a<U+200B>.txt`` would collide with ``a.txt``, and
    U+FFFD for undecodable bytes makes ``bad<FF>`` and ``bad<FE>`` one file). Undecodable bytes
    become ``\xNN``, controls and invisible characters become ``\uXXXX``: the name is printable,
    holds no lone surrogate (Chroma rejects those) and shows what is really there (a right-to-left
    override cannot make ``gpj.exe`` look like ``exe.jpg``).
    """
    try:
        data = relative_path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that did not come from an undecodable byte
        data = relative_path.encode("utf-8", "surrogatepass")
    return _UNSAFE_IN_NAME.sub(_escape_char, data.decode("utf-8", "backslashreplace"))


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def display_name(name: str) -> str:
    """A file name safe to print on one line: no newlines, controls or bidi overrides."""
    name = fix_surrogates(name)
    name = name.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return _CONTROL.sub("?", _INVISIBLE.sub("", name))
