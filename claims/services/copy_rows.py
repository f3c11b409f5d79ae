"""Many new rows at once through PostgreSQL's COPY: the rows ``bulk_create`` writes, without its INSERT.

Storing a 1 MiB digest writes some 9,000 claims, as many history rows and as many appearances inside
the transaction, and under the lock, that queues them. As one INSERT per table, most of that time
went to building and parsing statements of a quarter of a million literals (psycopg binds on the
client, then the server parses the text). COPY streams the same values, each prepared by its field
as ``bulk_create`` prepares it (``pre_save``, then ``get_db_prep_save``), so the rows are the same.
Other databases get ``bulk_create`` itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from django.conf import settings
from django.db import connections, router
from django.db.models import Model
from django.utils import timezone
from psycopg import sql
from simple_history.utils import get_change_reason_from_object, get_history_manager_for_model

ModelT = TypeVar("ModelT", bound=Model)


def rows_copy_create(objs: Sequence[ModelT]) -> list[ModelT]:
    """Insert new, unsaved instances of one model, as ``Model.objects.bulk_create(objs)`` would, and
    return them with their ids (ascending in the given order, as ``bulk_create`` gives them)."""
    if not objs:
        return []
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs)
    if any(obj.pk is not None for obj in objs):
        raise ValueError("rows_copy_create takes new rows only; their ids come from the table's sequence.")
    opts = model._meta
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
    fields = [field for field in opts.concrete_fields if not field.generated]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [opts.db_table, opts.pk.column, len(objs)],
        )
        for obj, pk in zip(objs, sorted(row[0] for row in cursor.fetchall()), strict=True):
            obj.pk = pk
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(opts.db_table), sql.SQL(", ").join([sql.Identifier(str(field.column)) for field in fields])
        )
        with cursor.cursor.copy(statement) as copy:
            for obj in objs:
                copy.write_row([field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return list(objs)


def rows_copy_create_with_history(
    objs: Sequence[ModelT], *, default_user: Model | None, default_change_reason: str
) -> list[ModelT]:
    """``simple_history.utils.bulk_create_with_history(objs, model, default_user=...,
    default_change_reason=...)`` through COPY: the rows, then a "+" history row for each. Call inside
    a transaction."""
    created = rows_copy_create(objs)
    if not created or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return created
    history = get_history_manager_for_model(type(created[0])).model
    rows = []
    for instance in created:
        row = history(
            history_date=timezone.now(),
            history_user=getattr(instance, "_history_user", default_user or history.get_default_history_user(instance)),
            history_change_reason=get_change_reason_from_object(instance) or default_change_reason,
            history_type="+",
            **{field.attname: getattr(instance, field.attname) for field in history.tracked_fields},
        )
        if hasattr(history, "history_relation"):
            row.history_relation_id = instance.pk
        rows.append(row)
    rows_copy_create(rows)
    return created
