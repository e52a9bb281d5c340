"""Child-process side of PDF extraction: ``python -m ingest.pdf_worker FILE MAX_PAGES``.

Prints one JSON object on stdout: ``{"status": "ok", "pages": [...], "title": ...}`` or
``{"status": <reason code>, "detail": ...}``. Runs under the parent's time and memory limits, so
a pypdf hang, crash or memory blow-up only ever kills this process.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any


def _classify(exc: BaseException) -> str:
    from pypdf.errors import DependencyError, EmptyFileError, FileNotDecryptedError, LimitReachedError

    if isinstance(exc, FileNotDecryptedError | DependencyError):
        return "encrypted"
    if isinstance(exc, EmptyFileError):
        return "empty"
    if isinstance(exc, LimitReachedError | MemoryError | RecursionError):
        return "limit_reached"
    if isinstance(exc, FileNotFoundError):
        return "vanished"
    if isinstance(exc, OSError):
        return "unreadable"
    return "malformed"


def _page_text(page: Any) -> str:
    """Text of one page; an empty page is probed, because pypdf reports a decompression bomb
    (``LimitReachedError``) by silently extracting nothing, which would read as a scan."""
    text = page.extract_text() or ""
    if not text.strip():
        _raise_limit(page)
    return text


def _raise_limit(page: Any) -> None:
    from pypdf.errors import LimitReachedError

    try:
        contents = page.get_contents()
        if contents is not None:
            contents.get_data()
    except (LimitReachedError, MemoryError):
        raise
    except Exception:  # noqa: BLE001 - a broken stream on a blank page is not worth failing the file for
        return


def extract(path: str, max_pages: int) -> dict:
    """Extract page texts with pypdf; every failure becomes a reason code, never a traceback."""
    from pypdf import PdfReader

    logging.disable(logging.CRITICAL)  # pypdf warns a lot on damaged files
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            return {"status": "encrypted", "detail": "password protected"}
        total = len(reader.pages)
        pages = [_page_text(reader.pages[i]) for i in range(min(total, max_pages))]
        title = (reader.metadata or {}).get("/Title") if reader.metadata else None
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types; all become a reason
        return {"status": _classify(exc), "detail": f"{exc.__class__.__name__}: {exc}"[:300]}
    warnings = [f"only the first {max_pages} of {total} pages were read"] if total > max_pages else []
    return {"status": "ok", "pages": pages, "title": str(title) if title else None, "warnings": warnings}


def main() -> None:
    result = extract(sys.argv[1], int(sys.argv[2]))
    sys.stdout.write(json.dumps(result, ensure_ascii=True))


if __name__ == "__main__":
    main()
