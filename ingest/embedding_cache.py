"""Embed each distinct text once: a content-hash cache in front of the embedding model.

Reports repeat themselves (boilerplate, recurring list items, a sentence quoted in a summary and
again in the body), and re-worded or re-issued editions repeat much more. Ingest embeds every
chunk and every unit sentence, so the same sentence met twice is embedded twice unless something
remembers it. The cache keys on a digest of the exact text (the model is deterministic for a given
text), keeps vectors as float32 arrays (1.5 KB each for MiniLM instead of ~12 KB as Python
floats), and forgets the least recently used entries past ``max_entries``.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np

logger = logging.getLogger(__name__)

Encoder = Callable[[list[str]], list[list[float]]]


def text_key(text: str) -> bytes:
    """16-byte digest of the text; collisions are out of reach at any corpus size we will see."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class EmbeddingCache:
    """Bounded LRU map from text digest to vector, shared by every ``embed_documents`` call."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self._vectors: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._vectors)

    def embed(self, texts: Sequence[str], encode: Encoder) -> list[list[float]]:
        """Vectors for ``texts`` in order; only texts never seen (or evicted) reach ``encode``.

        Duplicates inside one call are encoded once too, so this is also "dedupe before encoding".
        """
        keys = [text_key(t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        todo: dict[bytes, str] = {}
        with self._lock:
            for key, text in zip(keys, texts, strict=True):
                vector = self._vectors.get(key)
                if vector is not None:
                    self._vectors.move_to_end(key)
                    found[key] = vector
                elif key not in todo:
                    todo[key] = text
        if todo:
            fresh = encode(list(todo.values()))
            for key, vector in zip(todo, fresh, strict=True):
                found[key] = np.asarray(vector, dtype=np.float32)
            self._remember({key: found[key] for key in todo})
        self.hits += len(keys) - len(todo)
        self.misses += len(todo)
        return [found[key].tolist() for key in keys]

    def _remember(self, fresh: dict[bytes, np.ndarray]) -> None:
        with self._lock:
            self._vectors.update(fresh)
            while len(self._vectors) > self.max_entries:
                self._vectors.popitem(last=False)
