"""Check a store against its corpus and repair drift: the logic behind ``isecg-qa doctor``.

What can drift, and where it comes from: a killed ingest leaves a ``pending`` record (repaired by
the next ingest anyway); a file edited or deleted since the last ingest; chunks or units written
by hand, by an older version, or left by a crash in a window this version closes. ``diagnose`` reads
ids and metadata only (no texts, no vectors) and hashes the corpus files, so it is about as cheap
as an ingest that finds nothing to do. ``repair`` deletes what no manifest record accounts for
and marks drifted files ``pending``; the ingest that follows then rewrites exactly those.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.gates import check_file
from ingest.pipeline import discover, file_sha256
from ingest.store import ChunkStore, FileRecord

logger = logging.getLogger(__name__)

# Problems a re-ingest of the file repairs.
REINGEST = ("pending", "missing_chunks", "missing_units", "changed_file")


@dataclass(frozen=True)
class Finding:
    """One thing found; ``severity`` is "problem" (drift, to repair) or "note" (worth knowing)."""

    kind: str
    source: str
    detail: str
    count: int = 1
    severity: str = "problem"
    ids: tuple[str, ...] = field(default=(), repr=False)  # what ``repair`` deletes (orphans)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("ids")
        return data


@dataclass
class DoctorReport:
    """Everything ``doctor`` found and did."""

    store: str = ""
    files: int = 0
    chunks: int = 0
    units: int = 0
    findings: list[Finding] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "problem"]

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "store": self.store,
            "checked": {"files": self.files, "chunks": self.chunks, "units": self.units},
            "problems": [f.as_dict() for f in self.problems],
            "notes": [f.as_dict() for f in self.findings if f.severity != "problem"],
            "fixed": list(self.fixed),
        }


def diagnose(store: ChunkStore, root: Path, ignore_names: Iterable[str], max_bytes: int) -> DoctorReport:
    """Compare the manifest with the stored chunks and units, and with the files in ``root``."""
    manifest = store.files_manifest()
    chunks = store.chunk_metadata()
    units = store.unit_chunks()
    report = DoctorReport(files=len(manifest), chunks=len(chunks), units=len(units))
    report.findings += _manifest_findings(manifest, chunks)
    report.findings += _unit_findings(chunks, units)
    report.findings += _corpus_findings(manifest, root.resolve(), ignore_names, max_bytes)
    return report


def _manifest_findings(manifest: dict[str, FileRecord], chunks: dict[str, dict]) -> list[Finding]:
    by_source: dict[str, set[str]] = defaultdict(set)
    for chunk_id, meta in chunks.items():
        by_source[str(meta.get("source", ""))].add(chunk_id)
    found = []
    for source, record in sorted(manifest.items()):
        stored, listed = by_source.get(source, set()), set(record.chunk_ids)
        if record.status != "complete":
            found.append(Finding("pending", source, "an ingest stopped while writing this file"))
            continue  # its leftovers are exactly what the re-ingest cleans up
        if missing := listed - stored:
            detail = "chunks listed in the manifest are not stored"
            found.append(Finding("missing_chunks", source, detail, len(missing)))
        if extra := stored - listed:
            detail = "stored chunks the manifest does not list"
            found.append(Finding("orphan_chunks", source, detail, len(extra), ids=tuple(sorted(extra))))
    for source in sorted(set(by_source) - set(manifest)):
        extra = by_source[source]
        detail = "chunks of a file the manifest does not know"
        found.append(Finding("orphan_chunks", source, detail, len(extra), ids=tuple(sorted(extra))))
    return found


def _unit_findings(chunks: dict[str, dict], units: dict[str, tuple[str, int]]) -> list[Finding]:
    numbers: dict[str, set[int]] = defaultdict(set)
    orphans = []
    for unit_id, (chunk_id, n) in units.items():
        if chunk_id in chunks:
            numbers[chunk_id].add(n)
        else:
            orphans.append(unit_id)
    found = []
    if orphans:
        detail = "sentence units whose chunk is gone"
        found.append(Finding("orphan_units", "", detail, len(orphans), ids=tuple(sorted(orphans))))
    incomplete: dict[str, int] = defaultdict(int)
    for chunk_id, meta in chunks.items():
        expected = meta.get("units")  # absent in stores written before doctor existed
        if expected is not None and numbers.get(chunk_id, set()) != set(range(int(expected))):
            incomplete[str(meta.get("source", ""))] += 1
    for source, count in sorted(incomplete.items()):
        found.append(Finding("missing_units", source, "chunks whose sentence units are incomplete", count))
    return found


def _corpus_findings(
    manifest: dict[str, FileRecord], root: Path, ignore_names: Iterable[str], max_bytes: int
) -> list[Finding]:
    found = []
    present = discover(root, ignore_names)
    for source, path in present:
        record = manifest.get(source)
        if record is None:
            if not check_file(path, root, max_bytes).reason:
                detail = "in the corpus but not in the store (new, or skipped at the last ingest)"
                found.append(Finding("not_ingested", source, detail, severity="note"))
            continue
        try:
            changed = file_sha256(path) != record.sha256
        except OSError as exc:
            changed, detail = True, f"cannot be read: {exc.strerror or exc.__class__.__name__}"
        else:
            detail = "the file changed since it was ingested"
        if changed:
            found.append(Finding("changed_file", source, detail))
    for source in sorted(set(manifest) - {source for source, _ in present}):
        found.append(Finding("missing_file", source, "ingested, but the file is no longer in the corpus"))
    return found


def repair(store: ChunkStore, report: DoctorReport) -> list[str]:
    """Delete orphans and mark drifted files for re-ingest; returns what was done, in words.

    The caller then runs an ingest: it rewrites the marked files and removes the missing ones.
    """
    done = []
    for finding in report.problems:
        if finding.kind == "orphan_chunks":
            store.delete(list(finding.ids))
            done.append(f"deleted {finding.count} orphan chunks of {finding.source}")
        elif finding.kind == "orphan_units":
            store.units.delete(ids=list(finding.ids))
            done.append(f"deleted {finding.count} orphan units")
    manifest = store.files_manifest()
    for source in sorted({f.source for f in report.problems if f.kind in REINGEST}):
        record = manifest.get(source)
        if record is not None and record.status == "complete":
            record.status = "pending"
            store.put_file(record)
        done.append(f"re-ingested {source}")
    done += [f"removed {f.source} (its file is gone)" for f in report.problems if f.kind == "missing_file"]
    return done
