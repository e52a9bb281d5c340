"""The Gradio components of each tab, plus the page's CSS and the marker-click script.

Layout only: ``app.ui`` connects these components to the callbacks. Each tab is a small
dataclass so the wiring code names components instead of indexing lists.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import gradio as gr

from app.settings import Settings
from app.ui_render import EMPTY_SOURCES, escape_markdown

logger = logging.getLogger(__name__)

HEADER = (
    "## ISECG reports · cited answers\n"
    "Ask in plain English. Every answer quotes the report passages it rests on; "
    "click a marker like **[1]** to see the passage, or read all of them on the right."
)

# Clicking a marker: show the sources of that answer (older answers keep theirs), scroll the cited
# passage into view and flash it. Capture phase, so the chat's own link handling never opens a tab.
JS = """
() => {
  if (window.__isecgMarkers) return;
  window.__isecgMarkers = true;
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a[href^="#isecg-src-"]');
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const target = document.getElementById(link.getAttribute('href').slice(1));
    if (!target) return;
    const turn = target.closest('.isecg-turn');
    document.querySelectorAll('.isecg-turn').forEach((s) => { s.hidden = s !== turn; });
    const panel = target.closest('.isecg-sources');
    if (panel) {  // scroll the panel, and the page only as far as needed to show the panel
      const offset = target.getBoundingClientRect().top - panel.getBoundingClientRect().top;
      panel.scrollTo({top: panel.scrollTop + offset - 8, behavior: 'smooth'});
      panel.scrollIntoView({block: 'nearest'});
    } else {
      target.scrollIntoView({behavior: 'smooth', block: 'center'});
    }
    target.classList.remove('isecg-flash');
    void target.offsetWidth;
    target.classList.add('isecg-flash');
  }, true);
}
"""

CSS = """
#isecg-chat a[href^="#isecg-src-"] { color: var(--color-accent); font-weight: 600; text-decoration: none;
  cursor: pointer; }
#isecg-chat a[href^="#isecg-src-"]:hover { text-decoration: underline; }
.isecg-sources { max-height: 620px; overflow-y: auto; padding-right: 4px; }
.isecg-turn header { margin-bottom: 6px; }
.isecg-q { font-weight: 600; }
.isecg-searched, .isecg-meta { font-size: 0.85em; color: var(--body-text-color-subdued); }
.isecg-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
  margin: 8px 0; background: var(--background-fill-secondary); scroll-margin: 16px; }
.isecg-card-head { display: flex; justify-content: space-between; gap: 8px; font-size: 0.85em;
  margin-bottom: 4px; color: var(--body-text-color-subdued); }
.isecg-marker { font-weight: 700; color: var(--color-accent); }
.isecg-rank { font-weight: 600; }
.isecg-score { white-space: nowrap; font-variant-numeric: tabular-nums; }
.isecg-text { white-space: pre-wrap; font-size: 0.92em; line-height: 1.45; }
.isecg-text mark { background: #fde68a; color: #1f2937; padding: 0 2px; border-radius: 3px; }
.isecg-passage { opacity: 0.9; }
.isecg-flash { animation: isecg-flash 1.8s ease-out; }
@keyframes isecg-flash { 0% { box-shadow: 0 0 0 3px var(--color-accent); } 100% { box-shadow: 0 0 0 0 transparent; } }
.isecg-note, .isecg-empty { color: var(--body-text-color-subdued); font-size: 0.9em; margin: 8px 0; }
.isecg-table { width: 100%; border-collapse: collapse; font-size: 0.9em; }
.isecg-table th, .isecg-table td { border-bottom: 1px solid var(--border-color-primary); padding: 4px 6px;
  text-align: left; vertical-align: top; }
.isecg-worst td { max-width: 320px; }
.isecg-status-added, .isecg-status-updated, .isecg-status-removed { color: #15803d; font-weight: 600; }
.isecg-status-rejected, .isecg-status-skipped { color: #b91c1c; font-weight: 600; }
"""

CHAT_PLACEHOLDER = (
    "**Ask about the ISECG reports.**\n\nAnswers quote the passages they rest on, with [n] markers you can "
    "click. Follow-up questions (“which of them…?”) are understood in the context of the conversation."
)


def confirm_text(source: str) -> str:
    return f"Delete **{escape_markdown(source)}** from the corpus folder and its passages from the index?"


@dataclass
class ChatTab:
    chatbot: gr.Chatbot
    question: gr.Textbox
    ask: gr.Button
    new: gr.Button
    turns: gr.State
    sources: gr.HTML
    show_all: gr.Checkbox

    @classmethod
    def build(cls, settings: Settings) -> ChatTab:
        turns = gr.State([])
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="Conversation",
                    height=560,
                    placeholder=CHAT_PLACEHOLDER,
                    latex_delimiters=[],
                    sanitize_html=True,
                    allow_tags=False,
                    feedback_options=None,
                    buttons=["copy"],
                    elem_id="isecg-chat",
                )
                with gr.Row():
                    question = gr.Textbox(
                        placeholder="Ask a question about the reports…",
                        show_label=False,
                        max_length=settings.max_question_chars,
                        scale=6,
                        submit_btn=False,
                        elem_id="isecg-question",
                    )
                    ask = gr.Button("Ask", variant="primary", scale=1, elem_id="isecg-ask")
                with gr.Row():
                    new = gr.Button("New conversation", size="sm", elem_id="isecg-new")
                if settings.ui_examples:
                    gr.Examples(examples=[[q] for q in settings.ui_examples], inputs=[question], label="Try")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                show_all = gr.Checkbox(label="Show all retrieved passages", value=False, elem_id="isecg-show-all")
                sources = gr.HTML(EMPTY_SOURCES, js_on_load=None, elem_id="isecg-sources")
        return cls(chatbot, question, ask, new, turns, sources, show_all)


@dataclass
class CorpusTab:
    documents: gr.HTML
    refresh: gr.Button
    ingest_all: gr.Button
    files: gr.File
    replace: gr.Checkbox
    add: gr.Button
    report: gr.HTML
    remove_choice: gr.Dropdown
    remove: gr.Button
    confirm_text: gr.Markdown
    confirm_row: gr.Row
    confirm: gr.Button
    cancel: gr.Button

    @classmethod
    def build(cls, suffixes: Sequence[str], max_upload_mb: float) -> CorpusTab:
        gr.Markdown("### Documents in the corpus")
        documents = gr.HTML(js_on_load=None, elem_id="isecg-documents")
        with gr.Row():
            refresh = gr.Button("Refresh", size="sm")
            ingest_all = gr.Button("Ingest everything in corpus/", size="sm")
        gr.Markdown(f"### Add documents\n{', '.join(suffixes)} files up to {max_upload_mb:g} MB each.")
        files = gr.File(file_count="multiple", file_types=list(suffixes), type="filepath", label="Files")
        with gr.Row():
            replace = gr.Checkbox(label="Replace a document that has the same name", value=False)
            add = gr.Button("Add to corpus", variant="primary")
        report = gr.HTML(js_on_load=None, elem_id="isecg-ingest-report")
        gr.Markdown("### Remove a document")
        with gr.Row():
            remove_choice = gr.Dropdown(label="Document", choices=[], value=None, scale=4)
            remove = gr.Button("Remove…", variant="stop", scale=1)
        confirm_text = gr.Markdown(visible=False)
        with gr.Row(visible=False) as confirm_row:
            confirm = gr.Button("Delete it", variant="stop")
            cancel = gr.Button("Cancel")
        return cls(
            documents,
            refresh,
            ingest_all,
            files,
            replace,
            add,
            report,
            remove_choice,
            remove,
            confirm_text,
            confirm_row,
            confirm,
            cancel,
        )


@dataclass
class EvalTab:
    dataset: gr.Dropdown
    upload: gr.File
    split: gr.Radio
    run: gr.Button
    summary: gr.Markdown
    metrics: gr.Markdown
    per_type: gr.Markdown
    chart: gr.Image
    worst: gr.HTML
    downloads: gr.File

    @classmethod
    def build(cls, datasets: Sequence[str], splits: Sequence[str]) -> EvalTab:
        gr.Markdown("Runs every question of a dataset with the current settings and scores the answers.")
        with gr.Row():
            dataset = gr.Dropdown(
                label="Dataset (evals/datasets/)", choices=list(datasets), value=datasets[0] if datasets else None
            )
            upload = gr.File(label="…or upload a .jsonl dataset (used instead)", file_types=[".jsonl"], type="filepath")
            split = gr.Radio(list(splits), value="all", label="Split")
        run = gr.Button("Run evaluation", variant="primary", elem_id="isecg-run-eval")
        summary = gr.Markdown(elem_id="isecg-eval-summary")
        with gr.Row():
            metrics = gr.Markdown()
            per_type = gr.Markdown()
        chart = gr.Image(
            label="Accuracy by question type · evidence recall by rank",
            show_label=False,
            type="filepath",
            height=360,
            buttons=["download", "fullscreen"],
        )
        gr.Markdown("### Worst items")
        worst = gr.HTML(js_on_load=None)
        downloads = gr.File(label="Report files", file_count="multiple", interactive=False)
        return cls(dataset, upload, split, run, summary, metrics, per_type, chart, worst, downloads)


@dataclass
class SettingsTab:
    k: gr.Slider
    mode: gr.Radio
    backend: gr.Dropdown

    @classmethod
    def build(
        cls, settings: Settings, backends: Sequence[str], default_backend: str, modes: Sequence[str], max_k: int
    ) -> SettingsTab:
        gr.Markdown("These apply to the chat and to evaluation runs. Defaults come from the settings (`ISECG_QA_*`).")
        k = gr.Slider(1, max_k, value=min(settings.k, max_k), step=1, label="Passages per answer (k)")
        mode = gr.Radio(
            list(modes),
            value=settings.retrieval_mode,
            label="Retrieval mode",
            info="hybrid: meaning + keywords (best); dense: meaning only; bm25: keywords only",
        )
        backend = gr.Dropdown(
            list(backends),
            value=default_backend,
            label="Answer backend",
            interactive=len(backends) > 1,
            info="extractive quotes the reports directly; others are generative backends, when configured",
        )
        return cls(k, mode, backend)
