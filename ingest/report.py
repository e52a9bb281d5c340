"""The per-file ingest report (the ``ingest --json`` contract)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

STATUSES = ("added", "updated", "unchanged", "removed", "skipped")


@dataclass
class FileReport:
    """What happened to one file; ``reason`` is a code from the reliability catalogue."""

    path: str
    status: str
    reason: str | None = None
    detail: str = ""
    pages: int | None = None
    chunks: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    """The whole run: per-file lines plus totals."""

    files: list[FileReport] = field(default_factory=list)
    chunks_embedded: int = 0
    seconds: float = 0.0
    store: str = ""

    def counts(self) -> Counter[str]:
        return Counter(f.status for f in self.files)

    @property
    def changed(self) -> bool:
        counts = self.counts()
        return any(counts[s] for s in ("added", "updated", "removed")) or self.chunks_embedded > 0

    def as_dict(self) -> dict:
        counts = self.counts()
        return {
            **{status: counts[status] for status in STATUSES},
            "chunks_embedded": self.chunks_embedded,
            "seconds": round(self.seconds, 3),
            "store": self.store,
            "files": [asdict(f) for f in self.files],
        }
