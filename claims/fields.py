"""An embedding column that works on both databases.

PostgreSQL stores pgvector's ``vector(n)`` (so an HNSW index can serve cosine search);
SQLite stores the same vector as little-endian float32 bytes and search is exact, in numpy.
Python code always sees a float32 numpy array (or None).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.db import models

EMBEDDING_DIMENSIONS = 384


def _to_array(value: Any, dimensions: int) -> np.ndarray:
    array = np.asarray(value, dtype=np.float32).reshape(-1)
    if array.shape[0] != dimensions:
        raise ValueError(f"expected a vector of {dimensions} dimensions, got {array.shape[0]}")
    return array


class EmbeddingField(models.Field):
    description = "A float32 embedding vector"

    def __init__(self, *args: Any, dimensions: int = EMBEDDING_DIMENSIONS, **kwargs: Any) -> None:
        self.dimensions = dimensions
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):  # type: ignore[no-untyped-def]
        name, path, args, kwargs = super().deconstruct()
        kwargs["dimensions"] = self.dimensions
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def db_type(self, connection):  # type: ignore[no-untyped-def]
        if connection.vendor == "postgresql":
            return f"vector({self.dimensions})"
        return "blob"

    def from_db_value(self, value, expression, connection):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if isinstance(value, (bytes, memoryview)):
            return np.frombuffer(bytes(value), dtype="<f4").copy()
        if isinstance(value, str):
            return np.array(value.strip("[]").split(","), dtype=np.float32)
        return np.asarray(value, dtype=np.float32)

    def to_python(self, value):  # type: ignore[no-untyped-def]
        if value is None or isinstance(value, np.ndarray):
            return value
        return self.from_db_value(value, None, None)

    def get_db_prep_value(self, value, connection, prepared=False):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        array = _to_array(value, self.dimensions)
        if connection.vendor == "postgresql":
            # pgvector's text form; psycopg sends str as "unknown", so PostgreSQL casts it to vector.
            return "[" + ",".join(repr(float(x)) for x in array) + "]"
        return array.astype("<f4").tobytes()


class LexicalTermsField(models.TextField):
    """The words BM25 ranks a row on: ``tokenize()`` of the row's ``source`` field, joined by spaces.

    Written on every insert and save, ``bulk_create`` included (``pre_save`` runs there too), so the
    database's full-text index (FTS5 on SQLite, a GIN index on PostgreSQL) sees exactly the tokens
    the queries are cut into, and a row is searchable as soon as its transaction commits.
    """

    description = "Tokens for lexical ranking"

    def __init__(self, *args: Any, source: str = "text", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):  # type: ignore[no-untyped-def]
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, value in (("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        from claims.similarity.lexical import lexical_terms

        value = lexical_terms(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value
