"""Backup and restore of the desk's data as JSON Lines, one record per row, streamed both ways.

The file starts with a header record, then one ``{"model": ..., "fields": {...}}`` record per row
in an order where every row comes after the rows it points to, then a trailer with the row count
of every model. A file without its trailer, or whose counts disagree, is refused: that is how a
truncated copy is told apart from a small desk.

What is kept: the users the data points to (with their roles and password hashes), the rating
scale, articles, claims, sources and passages (with embeddings), verdicts, evidence, suggestions,
findings and the change history of claims, verdicts and evidence. What is not: API tokens (secrets
belong to the installation that issued them), idempotency records (kept for minutes) and saved
filters.

Import writes rows with their original ids, so links and history keep pointing where they did.
Users are the exception: a user whose name already exists in the target is reused, and links to
users are rewritten to the target's ids.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, cast

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.core.management.color import no_style
from django.db import IntegrityError, connection, models, reset_queries, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from ..errors import WorkbenchError
from ..fields import EmbeddingField, LexicalTermsField
from ..models import Article, Claim, Evidence, Finding, Rating, Source, SourcePassage, Suggestion, Verdict

BACKUP_FORMAT = "claim-workbench-backup"
BACKUP_VERSION = 1
READ_CHUNK_ROWS = 2000
USER_LABEL = "auth.user"

# Parents before children: a restore into SQLite checks foreign keys at commit, PostgreSQL too
# (Django makes them deferrable), but keeping this order means a reader never meets a dangling id.
DATA_MODELS: tuple[type[models.Model], ...] = (
    Rating,
    Source,
    SourcePassage,
    Article,
    Claim,
    Suggestion,
    Finding,
    Verdict,
    Evidence,
)


class BackupError(WorkbenchError):
    """The backup file cannot be restored, or the database cannot take it."""


@dataclass(frozen=True)
class BackupReport:
    counts: dict[str, int]
    users_created: int = 0
    users_reused: int = 0


def history_models() -> tuple[type[models.Model], ...]:
    return tuple(model.history.model for model in (Claim, Verdict, Evidence))


def backed_up_models() -> tuple[type[models.Model], ...]:
    return (*DATA_MODELS, *history_models())


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _user_fields(model: type[models.Model]) -> list[models.ForeignKey[Any, Any]]:
    user_model = get_user_model()
    return [
        model_field
        for model_field in model._meta.concrete_fields
        if isinstance(model_field, models.ForeignKey) and model_field.related_model is user_model
    ]


def _encode(model_field: models.Field[Any, Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(model_field, EmbeddingField):
        # float32 bytes in base64: exact, and a quarter the size of the decimal digits.
        return base64.b64encode(np.asarray(value, dtype="<f4").tobytes()).decode("ascii")
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return value


def _decode(model_field: models.Field[Any, Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(model_field, EmbeddingField):
        return np.frombuffer(base64.b64decode(value, validate=True), dtype="<f4").copy()
    if isinstance(model_field, models.DateTimeField):
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValueError(f"not an ISO 8601 date-time: {value!r}")
        return parsed
    if isinstance(model_field, models.DateField):
        parsed_date = parse_date(value)
        if parsed_date is None:
            raise ValueError(f"not an ISO 8601 date: {value!r}")
        return parsed_date
    return value


def _is_derived(model_field: models.Field[Any, Any]) -> bool:
    """A column computed from the row's other columns: not written, recomputed on restore.

    Leaving such columns out keeps a backup readable across versions that add or change them
    (`lexical_terms` came after the first backups were written) and keeps files smaller.
    """
    return isinstance(model_field, LexicalTermsField)


def _stored_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [model_field for model_field in model._meta.concrete_fields if not _is_derived(model_field)]


def _record(model: type[models.Model], row: models.Model) -> dict[str, Any]:
    fields = {
        model_field.attname: _encode(model_field, model_field.value_from_object(row))
        for model_field in _stored_fields(model)
    }
    return {"model": _label(model), "fields": fields}


def _referenced_user_ids() -> set[int]:
    ids: set[int] = set()
    for model in backed_up_models():
        for user_field in _user_fields(model):
            ids.update(
                model._base_manager.exclude(**{f"{user_field.attname}__isnull": True})
                .values_list(user_field.attname, flat=True)
                .distinct()
            )
    return ids


def _user_model() -> type[AbstractUser]:
    # The desk's roles are groups, so the user model is one with groups (Django's own, by default).
    return cast(type[AbstractUser], get_user_model())


def _user_records(user_ids: set[int]) -> Iterator[dict[str, Any]]:
    user_model = _user_model()
    users = user_model._base_manager.filter(pk__in=user_ids).order_by("pk").prefetch_related("groups")
    for user in users:
        record = _record(user_model, user)
        record["model"] = USER_LABEL
        record["groups"] = sorted(group.name for group in user.groups.all())
        yield record


def backup_records() -> Iterator[dict[str, Any]]:
    """Every record of a backup, header and trailer included, read in chunks so memory stays flat."""
    counts: dict[str, int] = {}
    yield {
        "format": BACKUP_FORMAT,
        "version": BACKUP_VERSION,
        "created_at": timezone.now().isoformat(),
        "database": connection.vendor,
        "models": [USER_LABEL, *(_label(model) for model in backed_up_models())],
    }
    user_ids = _referenced_user_ids()
    counts[USER_LABEL] = 0
    for record in _user_records(user_ids):
        counts[USER_LABEL] += 1
        yield record
    for model in backed_up_models():
        label = _label(model)
        counts[label] = 0
        for row in model._base_manager.order_by("pk").iterator(chunk_size=READ_CHUNK_ROWS):
            counts[label] += 1
            yield _record(model, row)
    yield {"end": True, "counts": counts}


def backup_export(*, output: IO[str]) -> BackupReport:
    """Write a backup to ``output``. On PostgreSQL the reads share one REPEATABLE READ snapshot, so
    rows written while the export runs are either wholly in the file or wholly out of it."""
    counts: dict[str, int] = {}
    snapshot_needed = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot_needed:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for record in backup_records():
            output.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
            output.write("\n")
            if record.get("end"):
                counts = record["counts"]
    return BackupReport(counts=counts)


def _occupied_tables() -> dict[str, int]:
    """Rows already in the tables a restore fills (the rating scale is seed data and is replaced)."""
    occupied = {}
    for model in backed_up_models():
        if model is Rating:
            continue
        count = model._base_manager.count()
        if count:
            occupied[_label(model)] = count
    return occupied


def _parsed_lines(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if not line.endswith("\n"):
            # Every record the exporter writes ends its line; a last line without one was cut off.
            raise BackupError(f"Line {number} is incomplete: the file was cut off.", line=number)
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise BackupError(f"Line {number} is not valid JSON ({error.msg}).", line=number) from error
        if not isinstance(record, dict):
            raise BackupError(f"Line {number} is not a JSON object.", line=number)
        yield number, record


@dataclass
class _Restore:
    models_by_label: dict[str, type[models.Model]]
    user_ids: dict[int, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    users_created: int = 0
    users_reused: int = 0
    pending_model: type[models.Model] | None = None
    pending_rows: list[models.Model] = field(default_factory=list)

    def add_user(self, number: int, record: dict[str, Any]) -> None:
        user_model = _user_model()
        username_field: str = user_model.USERNAME_FIELD
        values = self._values(number, user_model, record)
        old_id = values.pop("id")
        existing = user_model._base_manager.filter(**{username_field: values[username_field]}).first()
        if existing is not None:
            self.user_ids[old_id] = existing.pk
            self.users_reused += 1
        else:
            user = user_model(**values)
            user.save(force_insert=True)
            groups = list(Group.objects.filter(name__in=record.get("groups") or []))
            user.groups.set(groups)
            self.user_ids[old_id] = user.pk
            self.users_created += 1
        self.counts[USER_LABEL] = self.counts.get(USER_LABEL, 0) + 1

    def add_row(self, number: int, model: type[models.Model], record: dict[str, Any]) -> None:
        values = self._values(number, model, record)
        for user_field in _user_fields(model):
            old_id = values.get(user_field.attname)
            if old_id is None:
                continue
            if old_id not in self.user_ids:
                raise BackupError(f"Line {number} points to user {old_id}, who is not in the file.", line=number)
            values[user_field.attname] = self.user_ids[old_id]
        if model is not self.pending_model:
            self.flush()
            self.pending_model = model
        row = model(**values)
        for model_field in model._meta.concrete_fields:
            if _is_derived(model_field):
                model_field.pre_save(row, add=True)
        self.pending_rows.append(row)
        self.counts[_label(model)] = self.counts.get(_label(model), 0) + 1
        if len(self.pending_rows) >= READ_CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.pending_rows or self.pending_model is None:
            return
        model = self.pending_model
        concrete = list(model._meta.concrete_fields)
        batch = max(1, connection.ops.bulk_batch_size(concrete, self.pending_rows))
        for start in range(0, len(self.pending_rows), batch):
            # raw=True writes the values as they are: bulk_create would stamp auto_now fields with
            # the time of the restore. No signals either, so no history rows are invented.
            model._base_manager._insert(  # type: ignore[attr-defined]
                self.pending_rows[start : start + batch], fields=concrete, raw=True
            )
        self.pending_rows = []
        # With DEBUG on, Django keeps the text of the last 9,000 queries; a batch of embeddings
        # makes each one megabytes long, and a large restore would run out of memory for a log.
        reset_queries()

    @staticmethod
    def _values(number: int, model: type[models.Model], record: dict[str, Any]) -> dict[str, Any]:
        fields = record.get("fields")
        if not isinstance(fields, dict):
            raise BackupError(f"Line {number} has no fields.", line=number)
        expected = {model_field.attname: model_field for model_field in _stored_fields(model)}
        # Files written while derived columns were still exported carry them: their values are
        # ignored (recomputed), so those files restore too.
        derived = {model_field.attname for model_field in model._meta.concrete_fields if _is_derived(model_field)}
        fields = {name: value for name, value in fields.items() if name not in derived}
        unknown = set(fields) - set(expected)
        missing = set(expected) - set(fields)
        if unknown or missing:
            raise BackupError(
                f"Line {number} does not match {_label(model)} in this version "
                f"(unknown fields: {sorted(unknown)}, missing: {sorted(missing)}).",
                line=number,
            )
        try:
            return {name: _decode(expected[name], value) for name, value in fields.items()}
        except (ValueError, TypeError) as error:
            raise BackupError(f"Line {number} has a value that cannot be read: {error}", line=number) from error


def _check_header(number: int, header: dict[str, Any]) -> None:
    if header.get("format") != BACKUP_FORMAT:
        raise BackupError(f"Line {number} is not the header of a claim workbench backup.", line=number)
    if header.get("version") != BACKUP_VERSION:
        raise BackupError(
            f"This backup is format version {header.get('version')}; this installation reads version {BACKUP_VERSION}."
        )


def _vector_indexes() -> list[tuple[str, str]]:
    """The approximate-search (HNSW) indexes on the restored tables, as (name, definition)."""
    if connection.vendor != "postgresql":
        return []
    tables = [model._meta.db_table for model in backed_up_models()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename = ANY(%s) AND indexdef ILIKE %s",
            [tables, "% USING hnsw %"],
        )
        return list(cursor.fetchall())


def _reset_sequences() -> None:
    """After rows arrive with explicit ids, PostgreSQL's sequences still start at 1: move them past
    the highest id so the next insert does not collide. (SQLite follows explicit ids by itself.)"""
    statements = connection.ops.sequence_reset_sql(no_style(), [get_user_model(), *backed_up_models()])
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def backup_import(*, lines: Iterable[str]) -> BackupReport:
    """Restore a backup into a migrated database that holds no desk data yet. Everything happens in
    one transaction: a file that turns out to be corrupt or cut off halfway leaves the database as
    it was."""
    occupied = _occupied_tables()
    if occupied:
        summary = ", ".join(f"{count} {label}" for label, count in occupied.items())
        raise BackupError(
            f"The database already holds data ({summary}); restore only into an empty, migrated database.",
            occupied=occupied,
        )
    restore = _Restore(models_by_label={_label(model): model for model in backed_up_models()})
    trailer: dict[str, Any] | None = None
    with transaction.atomic():
        # Adding rows one by one to an HNSW graph is what makes a large restore slow (100,000
        # embedded claims took 19 minutes); building the index once after the load is much
        # cheaper. The drop is part of the transaction, so a failed restore keeps the index.
        vector_indexes = _vector_indexes()
        with connection.cursor() as cursor:
            for name, _definition in vector_indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        # The migrations seed a rating scale; the backup's own scale (with its ids) replaces it.
        Rating.objects.all().delete()
        records = _parsed_lines(lines)
        first = next(records, None)
        if first is None:
            raise BackupError("The file is empty.")
        _check_header(*first)
        for number, record in records:
            if trailer is not None:
                raise BackupError(f"Line {number} comes after the end record.", line=number)
            if record.get("end") is True:
                trailer = record
                continue
            label = record.get("model")
            if label == USER_LABEL:
                restore.add_user(number, record)
            elif label in restore.models_by_label:
                restore.add_row(number, restore.models_by_label[label], record)
            else:
                raise BackupError(f"Line {number} names an unknown model {label!r}.", line=number)
        restore.flush()
        if trailer is None:
            raise BackupError("The file has no end record: it was cut off.")
        expected = {label: count for label, count in (trailer.get("counts") or {}).items() if count}
        if expected != restore.counts:
            raise BackupError(
                "The row counts disagree with the end record: the file was altered or cut off.",
                expected=expected,
                found=restore.counts,
            )
        _reset_sequences()
        if connection.vendor == "postgresql":
            # Foreign keys are checked at commit; PostgreSQL builds no index on a table with
            # checks still pending, and a row pointing nowhere is best named here.
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            except IntegrityError as error:
                raise BackupError(f"The file points to rows it does not hold: {error}") from error
        if vector_indexes:
            with connection.cursor() as cursor:
                # Enough memory for the graph of a large desk, for this transaction only.
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                for _name, definition in vector_indexes:
                    cursor.execute(definition)
    return BackupReport(
        counts=restore.counts,
        users_created=restore.users_created,
        users_reused=restore.users_reused,
    )
