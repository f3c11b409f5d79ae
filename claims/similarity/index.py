"""Vector indexes: one protocol, one class per backend.

The exact numpy index is the embedded default (SQLite keeps vectors as float32 bytes): brute force
over 100k MiniLM vectors costs about 10 ms per query, which is fine at a desk's scale and never
misses a neighbour. The PostgreSQL backend answers the same calls with pgvector's HNSW index.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

IndexId = Hashable


@runtime_checkable
class VectorIndex(Protocol):
    def add(self, ids: Sequence[IndexId], vectors: np.ndarray) -> None:
        """Insert or replace the vectors of `ids` (one row each, unit length)."""
        ...

    def search(self, vector: np.ndarray, k: int) -> list[tuple[IndexId, float]]:
        """The `k` ids most similar to `vector` by cosine, best first."""
        ...


def top_k_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Row positions of the `k` highest scores, best first (ties keep insertion order)."""
    k = min(k, scores.shape[0])
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if k < scores.shape[0]:
        candidates = np.argpartition(-scores, k - 1)[:k]
    else:
        candidates = np.arange(scores.shape[0])
    return candidates[np.lexsort((candidates, -scores[candidates]))]


class ExactNumpyIndex:
    """Exact cosine search over an in-memory float32 matrix; adding an existing id replaces its vector."""

    def __init__(self, *, dimensions: int, model_version: str | None = None, capacity: int = 1024) -> None:
        self.dimensions = dimensions
        self.model_version = model_version
        self._matrix = np.zeros((max(capacity, 1), dimensions), dtype=np.float32)
        self._ids: list[IndexId] = []
        self._row_of: dict[IndexId, int] = {}

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> list[IndexId]:
        return list(self._ids)

    @property
    def vectors(self) -> np.ndarray:
        return self._matrix[: len(self._ids)]

    def add(self, ids: Sequence[IndexId], vectors: np.ndarray) -> None:
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dimensions:
            raise ValueError(f"Expected an (n, {self.dimensions}) matrix, got shape {vectors.shape}.")
        if len(ids) != vectors.shape[0]:
            raise ValueError(f"{len(ids)} ids for {vectors.shape[0]} vectors.")
        new_ids = [index_id for index_id in dict.fromkeys(ids) if index_id not in self._row_of]
        self._reserve(len(self._ids) + len(new_ids))
        for index_id in new_ids:
            self._row_of[index_id] = len(self._ids)
            self._ids.append(index_id)
        # With repeated ids in one call the last vector wins, as successive upserts would.
        rows = np.array([self._row_of[index_id] for index_id in ids], dtype=np.int64)
        self._matrix[rows] = vectors

    def remove(self, ids: Sequence[IndexId]) -> None:
        doomed = {index_id for index_id in ids if index_id in self._row_of}
        if not doomed:
            return
        keep = [row for row, index_id in enumerate(self._ids) if index_id not in doomed]
        self._matrix[: len(keep)] = self._matrix[keep]
        self._ids = [self._ids[row] for row in keep]
        self._row_of = {index_id: row for row, index_id in enumerate(self._ids)}

    def search(self, vector: np.ndarray, k: int) -> list[tuple[IndexId, float]]:
        return self.search_many(np.asarray(vector, dtype=np.float32).reshape(1, -1), k)[0]

    def search_many(self, vectors: np.ndarray, k: int) -> list[list[tuple[IndexId, float]]]:
        """`search` for each row of `vectors`, in one matrix product."""
        scores = self.score_all(vectors)
        results = []
        for row_scores in scores:
            best = top_k_rows(row_scores, k)
            results.append([(self._ids[row], float(row_scores[row])) for row in best])
        return results

    def score_all(self, vectors: np.ndarray) -> np.ndarray:
        """Cosine of each query row against every indexed vector, in insertion order of `ids`."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dimensions:
            raise ValueError(f"Expected an (n, {self.dimensions}) matrix, got shape {vectors.shape}.")
        similarities: np.ndarray = vectors @ self.vectors.T
        return similarities

    def _reserve(self, size: int) -> None:
        if size <= self._matrix.shape[0]:
            return
        capacity = max(size, 2 * self._matrix.shape[0])
        grown = np.zeros((capacity, self.dimensions), dtype=np.float32)
        grown[: len(self._ids)] = self._matrix[: len(self._ids)]
        self._matrix = grown
