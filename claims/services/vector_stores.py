"""Nearest-neighbour search over the vectors stored in the database, one class per backend.

PostgreSQL: pgvector's HNSW index (cosine distance, ``hnsw.ef_search`` from settings).
SQLite: exact search in numpy over the stored float32 bytes, cached per process and refreshed
when rows change. Both return ``(row id, cosine similarity)`` best first, and only compare vectors
of one model version: int8 and fp32 vectors must never share an index.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, Protocol

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, QuerySet
from django.db.models.expressions import RawSQL

from claims.choices import ClaimStatus
from claims.models import SourcePassage
from claims.selectors import claims_with_published_verdict
from claims.similarity.index import top_k_rows


class VectorStore(Protocol):
    def nearest_passages(self, vector: np.ndarray, *, model_version: str, k: int) -> list[tuple[int, float]]: ...

    def similarities(
        self, rows: QuerySet[Any], vector: np.ndarray, *, model_version: str, ids: list[int]
    ) -> dict[int, float]:
        """Cosine similarity of `vector` to the given rows of `rows` (those with a vector of the model)."""
        ...

    def nearest_published_claims(
        self, vector: np.ndarray, *, model_version: str, k: int, exclude_claim_id: int | None = None
    ) -> list[tuple[int, float]]: ...


# With a WHERE clause the index may run out of candidates before k rows pass the filter; pgvector
# 0.8's iterative scan keeps walking the graph until enough do. Third argument: for the current
# transaction only.
SEARCH_SETTINGS_SQL = (
    "SELECT set_config('hnsw.ef_search', %s, %s), set_config('hnsw.iterative_scan', 'relaxed_order', %s)"
)
# The ef_search each open database connection was given for the whole session.
_session_ef_search: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


def vector_literal(vector: np.ndarray) -> str:
    """A vector as pgvector's text input ('[0.1,0.2,...]'), for a %s parameter cast to ::vector."""
    return "[" + ",".join(repr(float(x)) for x in np.asarray(vector, dtype=np.float32)) + "]"


class PgvectorStore:
    def similarities(
        self, rows: QuerySet[Any], vector: np.ndarray, *, model_version: str, ids: list[int]
    ) -> dict[int, float]:
        # Computed by PostgreSQL: shipping the vectors out as text and parsing them costs more.
        table = rows.model._meta.db_table
        cosine = RawSQL(f'1 - ("{table}"."embedding" <=> %s::vector)', [vector_literal(vector)])  # noqa: S611
        matching = rows.filter(pk__in=ids, embedding_model=model_version, embedding__isnull=False)
        return {row_id: float(value) for row_id, value in matching.annotate(cosine=cosine).values_list("id", "cosine")}

    def _nearest(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        ef_search = int(settings.SIMILARITY_HNSW_EF_SEARCH)
        if connection.in_atomic_block or not connection.get_autocommit():
            # A setting made for the session inside the caller's transaction would be undone by its
            # rollback, and the connection would go on searching with pgvector's defaults: set it
            # for this transaction only.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(SEARCH_SETTINGS_SQL, [str(ef_search), True, True])
                cursor.execute(sql, params)
                return list(cursor.fetchall())
        # Outside a transaction the settings are made once per connection (they only concern HNSW
        # scans, which are all ours): a search is then one round trip instead of five (BEGIN, two
        # SET LOCAL, the search, COMMIT).
        with connection.cursor() as cursor:
            database_connection = connection.connection
            if _session_ef_search.get(database_connection) != ef_search:
                cursor.execute(SEARCH_SETTINGS_SQL, [str(ef_search), False, False])
                _session_ef_search[database_connection] = ef_search
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def nearest_passages(self, vector: np.ndarray, *, model_version: str, k: int) -> list[tuple[int, float]]:
        literal = vector_literal(vector)
        rows = self._nearest(
            "SELECT id, 1 - (embedding <=> %s::vector) FROM claims_sourcepassage "
            "WHERE embedding_model = %s ORDER BY embedding <=> %s::vector LIMIT %s",
            [literal, model_version, literal, k],
        )
        return [(row_id, float(similarity)) for row_id, similarity in rows]

    def nearest_published_claims(
        self, vector: np.ndarray, *, model_version: str, k: int, exclude_claim_id: int | None = None
    ) -> list[tuple[int, float]]:
        literal = vector_literal(vector)
        # The HNSW index serves the ORDER BY; the status filter is applied to its candidates, so ask
        # for more than k and cut afterwards.
        rows = self._nearest(
            "SELECT c.id, 1 - (c.embedding <=> %s::vector) FROM claims_claim c "
            "JOIN claims_verdict v ON v.claim_id = c.id "
            "WHERE c.embedding_model = %s AND c.status = %s AND v.published_at IS NOT NULL AND c.id <> %s "
            "ORDER BY c.embedding <=> %s::vector LIMIT %s",
            [literal, model_version, ClaimStatus.PUBLISHED.value, exclude_claim_id or -1, literal, k],
        )
        return [(row_id, float(similarity)) for row_id, similarity in rows[:k]]


class _Matrix:
    def __init__(self, key: tuple[object, ...], ids: list[int], vectors: np.ndarray) -> None:
        self.key, self.ids, self.vectors = key, ids, vectors


class NumpyStore:
    """Exact search. The matrices are rebuilt when the row count or the newest change moves."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, _Matrix] = {}

    def similarities(
        self, rows: QuerySet[Any], vector: np.ndarray, *, model_version: str, ids: list[int]
    ) -> dict[int, float]:
        query = np.asarray(vector, dtype=np.float32)
        matching = rows.filter(pk__in=ids, embedding_model=model_version, embedding__isnull=False)
        return {row_id: float(row_vector @ query) for row_id, row_vector in matching.values_list("id", "embedding")}

    def _matrix(self, name: str, queryset: QuerySet[Any], stamp_field: str) -> _Matrix:
        stamp = queryset.aggregate(latest=Max(stamp_field))["latest"]
        key = (queryset.count(), stamp)
        with self._lock:
            cached = self._cache.get(name)
            if cached is not None and cached.key == key:
                return cached
        rows = list(queryset.values_list("id", "embedding"))
        ids = [row_id for row_id, _ in rows]
        vectors = np.vstack([v for _, v in rows]).astype(np.float32) if rows else np.zeros((0, 384), np.float32)
        matrix = _Matrix(key, ids, vectors)
        with self._lock:
            self._cache[name] = matrix
        return matrix

    @staticmethod
    def _top(matrix: _Matrix, vector: np.ndarray, k: int, exclude: int | None) -> list[tuple[int, float]]:
        if not matrix.ids:
            return []
        scores = matrix.vectors @ np.asarray(vector, dtype=np.float32)
        rows = top_k_rows(scores, k + 1)
        return [(matrix.ids[row], float(scores[row])) for row in rows if matrix.ids[row] != exclude][:k]

    def nearest_passages(self, vector: np.ndarray, *, model_version: str, k: int) -> list[tuple[int, float]]:
        passages = SourcePassage.objects.filter(embedding_model=model_version, embedding__isnull=False)
        return self._top(self._matrix(f"passages:{model_version}", passages, "id"), vector, k, None)

    def nearest_published_claims(
        self, vector: np.ndarray, *, model_version: str, k: int, exclude_claim_id: int | None = None
    ) -> list[tuple[int, float]]:
        claims = claims_with_published_verdict().filter(embedding_model=model_version, embedding__isnull=False)
        matrix = self._matrix(f"claims:{model_version}", claims, "updated_at")
        return self._top(matrix, vector, k, exclude_claim_id)


_numpy_store = NumpyStore()


def get_vector_store() -> VectorStore:
    if connection.vendor == "postgresql":
        return PgvectorStore()
    return _numpy_store
