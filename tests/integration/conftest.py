"""Integration fixtures: the real packaged MiniLM and a real on-disk store, built once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPORT


@pytest.fixture(scope="session")
def report_components(tmp_path_factory: pytest.TempPathFactory):
    """Components over a store holding the real ISECG report (built in a temp dir, not the repo)."""
    from app.settings import Settings
    from app.wiring import Components

    base = tmp_path_factory.mktemp("report")
    corpus = base / "corpus"
    corpus.mkdir()
    shutil.copy(REPORT, corpus / REPORT.name)
    components = Components(Settings(corpus_dir=corpus, store_dir=base / "store"))
    report = components.ingest()
    assert report.counts()["added"] == 1
    return components


@pytest.fixture(scope="session")
def report_service(report_components):
    return report_components.service


def make_components(corpus: Path, store: Path, **overrides):
    from app.settings import Settings
    from app.wiring import Components

    return Components(Settings(corpus_dir=corpus, store_dir=store, **overrides))
