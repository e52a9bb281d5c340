"""Which failures the UI reports to the user, and in what words.

The callbacks stay free of Gradio; ``app.ui`` turns whatever this module recognises into a short
``gr.Error``. Everything it does not recognise is a bug: logged with its traceback on the server
and shown to the user only as a neutral sentence (no paths, no tracebacks: OWASP LLM02).
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

GENERIC_MESSAGE = "Something went wrong on the server; the details are in its log."


class UIError(Exception):
    """A problem the user can fix (bad upload, unknown dataset, malformed API history)."""


def user_message(exc: BaseException) -> str | None:
    """The one-line message for a user-fixable error, or None when it is a bug."""
    from evals.dataset import DatasetError
    from ingest.embedding import ModelNotFoundError
    from ingest.location import IngestLockedError
    from ingest.store import StoreMismatchError, StoreMissingError
    from retriever.service import QuestionError

    if isinstance(exc, UIError | QuestionError | DatasetError | StoreMismatchError):
        return str(exc)
    if isinstance(exc, StoreMissingError):
        return "No documents have been ingested yet: add some in the Corpus tab."
    if isinstance(exc, IngestLockedError):
        return "Another ingest is running; try again when it has finished."
    if isinstance(exc, ModelNotFoundError):
        return "The embedding model is not installed; see the server log."
    return None
