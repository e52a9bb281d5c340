"""The Gradio app: chat with cited sources, corpus management, evaluation, settings, ``/ask`` API.

This module and ``ui_layout`` are the only ones that import Gradio. This one connects the events to the
plain callbacks in ``ui_chat``, ``ui_corpus`` and ``ui_eval``; every callback runs inside
``user_errors`` so a user-fixable problem becomes a one-line ``gr.Error`` and anything else is
logged and shown as a neutral sentence (``show_error=False`` hides Gradio's own details).
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import gradio as gr

from app.settings import Settings
from app.ui_chat import MAX_K, MODES, AskOptions, api_ask, chat_turn, new_conversation, toggle_passages
from app.ui_corpus import UPLOAD_KINDS, add_documents, ingest_corpus, list_documents, remove_document
from app.ui_errors import GENERIC_MESSAGE, UIError, user_message
from app.ui_eval import SPLITS, choose_dataset, list_datasets, run_evaluation
from app.ui_layout import CSS, HEADER, JS, ChatTab, CorpusTab, EvalTab, SettingsTab, confirm_text
from app.ui_render import documents_html, file_lines_html
from ingest.store import StoreError

logger = logging.getLogger(__name__)

ANSWER_QUEUE = "answer"  # chat turns and /ask share one concurrency budget
CORPUS_QUEUE = "corpus"  # one writer at a time, as the store requires


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn exceptions from callbacks into short ``gr.Error`` messages (escaped: Gradio renders HTML)."""
    try:
        yield
    except gr.Error:
        raise
    except Exception as exc:
        message = user_message(exc)
        if message is None:
            logger.error("UI callback failed", exc_info=exc)
            message = GENERIC_MESSAGE
        else:
            logger.info("refused: %s", message)
        raise gr.Error(html.escape(message), print_exception=False) from exc


def uploaded(paths: list[str]) -> list[str]:
    """Only files in Gradio's upload folder: Gradio checks this too, but a copy into corpus/ must never
    be able to read anything else (``/etc/passwd`` ingested is ``/etc/passwd`` readable in answers)."""
    folder = Path(gr.utils.get_upload_folder()).resolve()
    for path in paths:
        if not Path(path).resolve().is_relative_to(folder):
            raise UIError("uploads must come through the upload button")
    return paths


def backend_names(components: Any) -> list[str]:
    """Answer backends the service offers (just the configured one before the first ingest)."""
    try:
        return list(components.service.backends)
    except StoreError:
        return [components.settings.backend]


def auth_pair(settings: Settings) -> tuple[str, str] | None:
    """Basic auth from the settings: both user and password, or neither."""
    user, password = settings.auth_user, settings.auth_password
    if bool(user) != bool(password and password.get_secret_value()):
        raise ValueError("set both ISECG_QA_AUTH_USER and ISECG_QA_AUTH_PASSWORD, or neither")
    return (user, password.get_secret_value()) if user and password else None


def launch_kwargs(settings: Settings) -> dict[str, Any]:
    """Every ``launch`` argument, safety ones included (the tests launch with exactly these)."""
    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "auth": auth_pair(settings),
        "show_error": False,
        "allowed_paths": [],
        "blocked_paths": [str(settings.store_dir)],
        "max_file_size": int(settings.max_upload_mb * 2**20),
        "enable_monitoring": False,
        "strict_cors": True,
        "share": False,
        "ssr_mode": False,
        "mcp_server": False,
        "pwa": False,
        "theme": gr.themes.Soft(primary_hue="indigo", secondary_hue="amber"),
        "css": CSS,
        "js": JS,
    }


# --- wiring ---------------------------------------------------------------------------------
def _wire_chat(components: Any, chat: ChatTab, opts: SettingsTab) -> None:
    settings = components.settings

    def answer(question: str, turns: list, k: float, mode: str, backend: str, show_all: bool):
        with user_errors():
            service = components.service
            options = AskOptions.checked(k, mode, backend, list(service.backends))
            yield from chat_turn(
                service,
                question,
                list(turns or []),
                options,
                max_question_chars=settings.max_question_chars,
                max_history_turns=settings.max_history_turns,
                show_all=bool(show_all),
            )

    gr.on(
        triggers=[chat.question.submit, chat.ask.click],
        fn=answer,
        inputs=[chat.question, chat.turns, opts.k, opts.mode, opts.backend, chat.show_all],
        outputs=[chat.chatbot, chat.turns, chat.sources, chat.question],
        show_progress="minimal",
        concurrency_id=ANSWER_QUEUE,
        concurrency_limit=settings.concurrency,
        api_visibility="private",
    )
    for trigger in (chat.new.click, chat.chatbot.clear):  # the chat's own trash button too
        trigger(
            new_conversation,
            outputs=[chat.chatbot, chat.turns, chat.sources, chat.question],
            queue=False,
            api_visibility="private",
        )
    chat.show_all.change(
        toggle_passages, inputs=[chat.turns, chat.show_all], outputs=chat.sources, queue=False, api_visibility="private"
    )


def _corpus_view(components: Any, lines: list[dict] | None = None) -> tuple[str, Any, str]:
    records = list_documents(components)
    choices = [r.source for r in records]
    return documents_html(records), gr.Dropdown(choices=choices, value=None), file_lines_html(lines or [])


def _wire_corpus(components: Any, corpus: CorpusTab, demo: gr.Blocks) -> None:
    outputs = [corpus.documents, corpus.remove_choice, corpus.report]
    private = {"api_visibility": "private", "concurrency_id": CORPUS_QUEUE, "concurrency_limit": 1}

    def refresh():
        with user_errors():
            return _corpus_view(components)

    def upload(files: list | None, replace: bool, progress=gr.Progress()):  # noqa: B008 - Gradio's idiom
        with user_errors():
            paths = uploaded([str(f) for f in files or []])
            lines = add_documents(components, paths, replace=bool(replace), progress=lambda f, m: progress(f, desc=m))
            return (*_corpus_view(components, lines), None)

    def ingest_all():
        with user_errors():
            return _corpus_view(components, ingest_corpus(components))

    demo.load(refresh, outputs=outputs, api_visibility="private")
    corpus.refresh.click(refresh, outputs=outputs, **private)
    corpus.add.click(
        upload,
        inputs=[corpus.files, corpus.replace],
        outputs=[*outputs, corpus.files],
        show_progress_on=corpus.report,
        **private,
    )
    corpus.ingest_all.click(ingest_all, outputs=outputs, **private)
    _wire_removal(components, corpus, outputs, private)


def _wire_removal(components: Any, corpus: CorpusTab, outputs: list, private: dict[str, Any]) -> None:
    """Remove… asks for confirmation in the page; only Delete it touches the file."""
    confirmation = [corpus.confirm_text, corpus.confirm_row]

    def ask_to_remove(source: str | None):
        if not source:
            raise gr.Error("Choose a document from the list first.")
        return gr.Markdown(confirm_text(source), visible=True), gr.Row(visible=True)

    def remove(source: str | None, progress=gr.Progress()):  # noqa: B008 - Gradio's idiom
        with user_errors():
            lines = remove_document(components, source or "", progress=lambda f, m: progress(f, desc=m))
            return (*_corpus_view(components, lines), gr.Markdown(visible=False), gr.Row(visible=False))

    def cancel():
        return gr.Markdown(visible=False), gr.Row(visible=False)

    corpus.remove.click(
        ask_to_remove, inputs=corpus.remove_choice, outputs=confirmation, queue=False, api_visibility="private"
    )
    corpus.confirm.click(
        remove,
        inputs=corpus.remove_choice,
        outputs=[*outputs, *confirmation],
        show_progress_on=corpus.report,
        **private,
    )
    corpus.cancel.click(cancel, outputs=confirmation, queue=False, api_visibility="private")


def _wire_eval(components: Any, panel: EvalTab, opts: SettingsTab) -> None:
    settings = components.settings

    def evaluate(
        choice: str | None,
        upload: str | None,
        split: str,
        k: float,
        mode: str,
        backend: str,
        progress=gr.Progress(),  # noqa: B008 - Gradio's idiom
    ):
        with user_errors():
            service = components.service
            options = AskOptions.checked(k, mode, backend, list(service.backends))
            upload = uploaded([upload])[0] if upload else None
            path = choose_dataset(choice, upload, settings.datasets_dir, int(settings.max_upload_mb * 2**20))
            view = run_evaluation(
                service,
                path,
                options,
                split=split if split in SPLITS else "all",
                max_items=settings.eval_max_items,
                progress=lambda f, m: progress(f, desc=m),
            )
        summary = f"**{view.items} questions** with {html.escape(view.label)}."
        files = [str(f) for f in view.files]
        return summary, view.metrics_markdown, view.per_type_markdown, str(view.chart), view.worst_html, files

    panel.run.click(
        evaluate,
        inputs=[panel.dataset, panel.upload, panel.split, opts.k, opts.mode, opts.backend],
        outputs=[panel.summary, panel.metrics, panel.per_type, panel.chart, panel.worst, panel.downloads],
        show_progress_on=panel.chart,
        concurrency_id="eval",
        concurrency_limit=1,
        api_visibility="private",
    )


def _register_api(components: Any, default_backend: str) -> None:
    settings = components.settings

    def ask(question: str, history: list[list[str]]) -> dict:
        """Answer one question over the ingested reports; ``history`` is [question, answer] pairs, oldest first.

        Returns the Answer object (answer text with [n] markers, citations, passages, rewritten_query, ...).
        """
        with user_errors():
            service = components.service
            options = AskOptions.checked(settings.k, settings.retrieval_mode, default_backend, list(service.backends))
            return api_ask(
                service,
                question,
                history,
                options,
                max_question_chars=settings.max_question_chars,
                max_history_turns=settings.max_history_turns,
            )

    gr.api(ask, api_name="ask", concurrency_id=ANSWER_QUEUE, concurrency_limit=settings.concurrency)


# --- assembly -------------------------------------------------------------------------------
def build_ui(components: Any) -> gr.Blocks:
    """The whole app for one set of components (queue configured; call ``launch`` on it)."""
    settings = components.settings
    backends = backend_names(components)
    default_backend = settings.backend if settings.backend in backends else backends[0]
    with gr.Blocks(title="ISECG reports · cited answers", analytics_enabled=False, delete_cache=(3600, 7200)) as demo:
        gr.Markdown(HEADER)
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                chat = ChatTab.build(settings)
            with gr.Tab("Corpus", id="corpus"):
                corpus = CorpusTab.build(sorted(UPLOAD_KINDS), settings.max_upload_mb)
            with gr.Tab("Evaluate", id="evaluate"):
                panel = EvalTab.build(list_datasets(settings.datasets_dir), SPLITS)
            with gr.Tab("Settings", id="settings"):
                opts = SettingsTab.build(settings, backends, default_backend, MODES, MAX_K)
        _wire_chat(components, chat, opts)
        _wire_corpus(components, corpus, demo)
        _wire_eval(components, panel, opts)
        _register_api(components, default_backend)
    demo.queue(max_size=settings.queue_size, default_concurrency_limit=settings.concurrency)
    return demo


def warm_up(components: Any) -> None:
    """Load the embedding model and the corpus snapshot now, not on the first user's question."""
    try:
        components.service.search("warm up")
        logger.info("warm-up done")
    except Exception as exc:  # noqa: BLE001 - a failed warm-up just means the first question pays
        logger.info("warm-up skipped: %s", exc)


def launch(components: Any) -> None:
    """Serve the app on the configured address (loopback by default) until interrupted."""
    settings = components.settings
    try:
        kwargs = launch_kwargs(settings)
    except ValueError as exc:
        raise SystemExit(f"isecg-qa: error: {exc}") from exc
    if kwargs["auth"] is None and settings.host not in ("127.0.0.1", "localhost", "::1"):
        logger.warning("serving on %s without authentication: anyone on the network can use it", settings.host)
    demo = build_ui(components)
    threading.Thread(target=warm_up, args=(components,), name="warm-up", daemon=True).start()
    demo.launch(**kwargs)
