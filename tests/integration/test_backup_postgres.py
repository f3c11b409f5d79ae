"""Backup and restore on PostgreSQL: pgvector embeddings, history rows and sequences survive a round trip."""

from __future__ import annotations

import io

import pytest

from claims.models import Claim, Evidence, Rating
from claims.services.backup import BackupError, backup_export, backup_import
from tests.backup.desk import build_desk, empty_the_desk, referenced_usernames, snapshot, users_snapshot
from tests.factories import ClaimFactory, EvidenceFactory

pytestmark = [pytest.mark.integration]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_restore_reproduces_every_row_and_new_rows_follow_the_restored_ids():
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

    backup_import(lines=io.StringIO(text))

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
