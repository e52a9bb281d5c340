"""Logging set-up, called once by entry points (never at import time)."""

from __future__ import annotations

import logging
import warnings

_NOISY = (
    "chromadb",
    "httpx",
    "urllib3",
    "sentence_transformers",
    "transformers",
    "gradio",
    "pypdf",
    "huggingface_hub",
    "bm25s",
    "matplotlib",
    "posthog",
    "httpcore",
    "asyncio",
    "multipart",
)


def configure_logging(verbosity: int = 0) -> None:
    """WARNING by default, INFO with -v, DEBUG with -vv; third-party chatter stays at WARNING."""
    level = logging.WARNING - 10 * max(0, min(verbosity, 2))
    logging.basicConfig(level=level, format="isecg-qa: %(levelname)s: %(message)s", force=True)
    for name in _NOISY:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    if verbosity < 2:
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module="pydantic")
