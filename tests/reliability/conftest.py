"""Fixtures for the reliability suite: a tiny embedding model, components on tmp_path stores."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reliability.tiny_model import build_tiny_model


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per session, offline, in a temp dir."""
    return build_tiny_model(tmp_path_factory.mktemp("model") / "tiny-bert")


@pytest.fixture(scope="session")
def components_factory(tiny_model: Path) -> Callable[..., object]:
    """``make(corpus, store, **settings)``: Components on the tiny model (never the repo's store)."""
    from app.settings import Settings
    from app.wiring import Components

    def make(corpus: Path, store: Path, **overrides: object) -> Components:
        values = {"embedding_model_path": tiny_model, "store_check_seconds": 0.0, **overrides}
        return Components(Settings(corpus_dir=corpus, store_dir=store, **values))

    return make


@pytest.fixture(scope="session")
def forkserver():
    """The preloaded fork server of ``crash`` (started once: it imports the whole app)."""
    from tests.reliability import crash

    crash.warm_up()
    yield
    crash.stop_forkserver()
