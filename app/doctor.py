"""``isecg-qa doctor``: is the store in line with the corpus, and is it intact? ``--fix`` repairs.

The order matters: first the store is opened in a child process (a store damaged by a crash can
segfault whoever opens it), then its build settings are compared, then its contents with the
corpus. A damaged store or one built with other settings cannot be patched, only rebuilt from the
corpus (it is a cache); everything else is repaired in place by ``ingest.doctor.repair`` and an
ordinary ingest. All of it runs under the writer lock, so no ingest changes the store meanwhile.
"""

from __future__ import annotations

import logging

from app.wiring import Components, ingest_options
from ingest.doctor import DoctorReport, Finding, diagnose, repair
from ingest.probe import probe_store
from ingest.sanitize import display_name
from ingest.store import StoreMismatchError, StoreMissingError

logger = logging.getLogger(__name__)

UNREPAIRABLE = ("store_corrupt", "settings_mismatch")


def _check(components: Components) -> DoctorReport:
    """One full check of the active store (no changes)."""
    current = components.location.current() if components.settings.chroma_mode == "persistent" else None
    if components.settings.chroma_mode == "persistent":
        if current is None:
            return DoctorReport(findings=[Finding("no_store", "", "no store has been built yet")])
        probe = probe_store(current / "chroma")
        if not probe.ok:
            return DoctorReport(store=str(current), findings=[Finding("store_corrupt", "", probe.detail)])
    try:
        store = components.open_store()
    except StoreMismatchError as exc:
        return DoctorReport(store=str(current or ""), findings=[Finding("settings_mismatch", "", str(exc))])
    except StoreMissingError as exc:
        return DoctorReport(store=str(current or ""), findings=[Finding("no_store", "", str(exc))])
    options = ingest_options(components.settings, progress=False)
    report = diagnose(store, components.settings.corpus_dir, options.ignore_names, options.max_bytes)
    report.store = str(current or f"http://{components.settings.chroma_host}:{components.settings.chroma_port}")
    return report


def run_doctor(components: Components, *, fix: bool = False) -> DoctorReport:
    """Check, and with ``fix`` repair then check again (the report says what was done)."""
    with components.location.writer_lock():
        report = _check(components)
        if not fix or report.ok:
            return report
        kinds = {f.kind for f in report.problems}
        if kinds & set(UNREPAIRABLE):
            components.ingest(rebuild=True)
            done = ["rebuilt the store from the corpus"]
        elif "no_store" in kinds:
            components.ingest()
            done = ["built the store from the corpus"]
        else:
            done = repair(components.open_store(), report)
            components.ingest()
        logger.info("doctor: %s", "; ".join(done))
        again = _check(components)
        again.fixed = done
        return again


def render_doctor(report: DoctorReport) -> str:
    """One line per finding, then a verdict."""
    lines = [f"store: {report.store or '(none)'} ({report.files} files, {report.chunks} chunks, {report.units} units)"]
    lines += [f"fixed    {line}" for line in report.fixed]
    for f in report.findings:
        where = f"{display_name(f.source)}: " if f.source else ""
        count = f" ({f.count})" if f.count > 1 else ""
        lines.append(f"{f.severity:<8} {f.kind:<17} {where}{f.detail}{count}")
    if report.ok:
        lines.append("ok: the store matches the corpus")
    else:
        hint = "; run `isecg-qa doctor --fix` to repair" if not report.fixed else ""
        lines.append(f"{len(report.problems)} problem(s){hint}")
    return "\n".join(lines)
