"""SELECTs that run on every page, compiled once per database instead of on every request: building
and compiling one through the ORM cost several times the CPU of running it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet

# The id a statement is compiled with; each use passes its own.
ANY_ID = 0
_SQL: dict[tuple[str, str], str] = {}


def rows_for_id(name: str, *, using: str, build: Callable[[int], QuerySet[Any]], id: int) -> list[tuple[Any, ...]]:
    """The rows of ``build(id)``, a query whose one parameter is ``id`` and whose columns need no
    conversion (ids and text); compiled on first use of ``name`` in each database."""
    key = (name, using)
    sql = _SQL.get(key)
    if sql is None:
        sql, params = build(ANY_ID).query.get_compiler(using=using).as_sql()
        if list(params) != [ANY_ID]:
            raise AssertionError(f"The id should be the one parameter of {sql!r}.")
        _SQL[key] = sql
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [id])
        return cursor.fetchall()
