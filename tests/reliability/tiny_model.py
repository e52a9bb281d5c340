"""A 2-layer, 32-dimensional sentence-transformers model built offline from a BERT config.

The reliability tests start and kill many processes; loading the real MiniLM weights and running
them would dominate. This model uses MiniLM's own tokenizer (so tokenisation is realistic), is
deterministic (fixed seed) and is saved with sentence-transformers like any local model, so it
enters production code only through ``ISECG_QA_EMBEDDING_MODEL_PATH``. Its vectors carry no meaning:
tests check retrieval of unique marker words, which the BM25 half of hybrid search finds.
"""

from __future__ import annotations

import shutil
from pathlib import Path


def build_tiny_model(out: Path, seed: int = 0) -> Path:
    """Write the model to ``out`` (a directory) and return it."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    from ingest.embedding import packaged_model

    source, _ = packaged_model()
    raw = out.parent / f"{out.name}-hf"
    config = BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
    )
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        BertModel(config).save_pretrained(raw)
    BertTokenizerFast.from_pretrained(str(source)).save_pretrained(raw)
    word = Transformer(str(raw), max_seq_length=128)
    pooling = Pooling(word.get_embedding_dimension(), "mean")
    SentenceTransformer(modules=[word, pooling], device="cpu").save(str(out))
    shutil.rmtree(raw)
    return out
