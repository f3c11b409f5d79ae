"""Backup and restore on PostgreSQL: pgvector embeddings, history rows and sequences survive a round trip."""

from __future__ import annotations

import io
import json

import pytest
from django.db import connection

from claims.models import Claim, Evidence, Rating
from claims.services.backup import BackupError, backup_export, backup_import
from tests.backup.desk import build_desk, empty_the_desk, referenced_usernames, snapshot, users_snapshot
from tests.factories import ClaimFactory, EvidenceFactory

pytestmark = [pytest.mark.integration]


def _vector_indexes() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexdef LIKE '%%USING hnsw%%'")
        indexes = set(cursor.fetchall())
    assert len(indexes) == 2, indexes
    return indexes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_restore_reproduces_every_row_and_new_rows_follow_the_restored_ids():
    indexes_before = _vector_indexes()
    build_desk()
    before = snapshot()
    users_before = users_snapshot(referenced_usernames(before))
    output = io.StringIO()
    backup_export(output=output)
    text = output.getvalue()
    empty_the_desk()

    # A cut-off file first: refused, and the database is as empty as before.
    with pytest.raises(BackupError, match="cut off"):
        backup_import(lines=io.StringIO(text[: len(text) - 200]))
    assert not Claim.objects.exists() and not Claim.history.exists()
    assert Rating.objects.exists()

    assert _vector_indexes() == indexes_before

    backup_import(lines=io.StringIO(text))

    # The HNSW indexes, dropped for the load, are back as they were.
    assert _vector_indexes() == indexes_before
    after = snapshot()
    for label, rows in before.items():
        assert after[label] == rows, label
    assert users_snapshot(referenced_usernames(before)) == users_before
    # The sequences moved past the restored ids, so the next rows insert without a collision.
    claim = ClaimFactory()
    assert claim.pk > max(row["id"] for row in before["claims.claim"])
    assert EvidenceFactory(claim=claim).pk > max(row["id"] for row in before["claims.evidence"])
    assert Claim.history.filter(id=claim.pk).exists()
    assert Evidence.objects.count() == len(before["claims.evidence"]) + 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_row_pointing_to_a_missing_row_is_refused_and_nothing_is_written():
    indexes_before = _vector_indexes()
    build_desk()
    output = io.StringIO()
    backup_export(output=output)
    lines = output.getvalue().splitlines(keepends=True)
    empty_the_desk()
    claim_line = next(n for n, line in enumerate(lines) if line.startswith('{"model":"claims.claim"'))
    record = json.loads(lines[claim_line])
    record["fields"]["article_id"] = 987654321
    lines[claim_line] = json.dumps(record) + "\n"

    with pytest.raises(BackupError, match="points to rows it does not hold"):
        backup_import(lines=io.StringIO("".join(lines)))

    assert not Claim.objects.exists() and not Claim.history.exists()
    assert _vector_indexes() == indexes_before
