"""Produce ONNX (and int8-quantised ONNX) versions of the packaged model, locally and once.

Nothing is downloaded: the packaged sentence-transformers directory is copied into an export
folder, sentence-transformers exports it through Optimum (``backend="onnx"``), and dynamic int8
quantisation is applied on top for ``onnx-int8``. The folder name carries a digest of the weights,
so a new model version gets a new export, and the export is written to a temporary folder and
renamed, so a killed export never leaves a half-written model behind.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import shutil
from pathlib import Path

logger = logging.getLogger(__name__)

ONNX_FILE = "onnx/model.onnx"
# AVX2 settings run on every x86-64 CPU this tool targets; the file name (and the model id in the
# store fingerprint) say which quantisation built the vectors.
INT8_CONFIG = "avx2"
INT8_FILE = f"onnx/model_quint8_{INT8_CONFIG}.onnx"  # the avx2 config quantises weights to uint8


class ExportError(RuntimeError):
    """Optimum is missing or the export failed."""


def weights_digest(model_dir: Path) -> str:
    """Short digest of the model's weights and config: names the export folder."""
    digest = hashlib.sha256()
    for name in ("config.json", "model.safetensors", "pytorch_model.bin"):
        path = model_dir / name
        if path.is_file():
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(2**22), b""):
                    digest.update(block)
    return digest.hexdigest()[:12]


def onnx_model_dir(model_dir: Path, export_root: Path, quantized: bool) -> tuple[Path, str]:
    """The export folder and the ONNX file to load from it, exporting on first use."""
    target = export_root / f"{model_dir.name}-{weights_digest(model_dir)}"
    file_name = INT8_FILE if quantized else ONNX_FILE
    if (target / file_name).is_file():
        return target, file_name
    export_root.mkdir(parents=True, exist_ok=True)
    with open(export_root / ".export.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two processes starting at once export only once
        if not (target / file_name).is_file():
            _export(model_dir, target)
    return target, file_name


def _export(model_dir: Path, target: Path) -> None:
    """Both files at once (the int8 one is quantised from the fp32 export, ~20 s more)."""
    try:
        from sentence_transformers import SentenceTransformer, export_dynamic_quantized_onnx_model
    except ImportError as exc:  # pragma: no cover - sentence-transformers is a dependency
        raise ExportError(str(exc)) from exc
    work = target.with_name(target.name + ".tmp")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(model_dir, work)
    logger.info("exporting %s to ONNX in %s (once)", model_dir.name, target)
    try:
        model = SentenceTransformer(str(work), device="cpu", backend="onnx", local_files_only=True)
        if not (work / ONNX_FILE).is_file():
            model.save_pretrained(str(work))
        export_dynamic_quantized_onnx_model(model, INT8_CONFIG, str(work))
    except Exception as exc:  # Optimum raises plain Exception when it is not installed
        shutil.rmtree(work, ignore_errors=True)
        raise ExportError(f"ONNX export of {model_dir} failed: {exc}") from exc
    shutil.rmtree(target, ignore_errors=True)
    work.rename(target)
