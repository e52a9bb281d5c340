"""The latency benchmarks' store builder reuses a store only when today's settings can open it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.build_store import _current

pytestmark = pytest.mark.integration


def test_a_store_built_with_other_chunking_is_not_reused(tiny_corpus: Path, tmp_path: Path) -> None:
    from app.settings import Settings
    from app.wiring import Components

    settings = Settings(corpus_dir=tiny_corpus, store_dir=tmp_path / "bench-store")
    assert not _current(settings)  # nothing built yet

    Components(settings).ingest()

    assert _current(settings)
    assert not _current(settings.model_copy(update={"chunk_target_words": 90}))
