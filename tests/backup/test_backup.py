"""Backup and restore on SQLite: a restore reproduces every row field by field, and a bad file
changes nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from claims.models import Claim, Rating, SourcePassage
from claims.services.backup import BackupError, backup_export, backup_import
from claims.services.lexical_stores import get_lexical_store
from tests.backup.desk import build_desk, empty_the_desk, referenced_usernames, snapshot, users_snapshot
from tests.factories import ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db


def _exported() -> str:
    output = io.StringIO()
    backup_export(output=output)
    return output.getvalue()


@pytest.fixture
def desk_backup() -> tuple[str, dict, dict]:
    build_desk()
    Rating.objects.create(label="Satire", alternate_name="Satire", position=99)
    tables = snapshot()
    users = users_snapshot(referenced_usernames(tables))
    return _exported(), tables, users


def test_restore_into_an_empty_database_reproduces_every_row(desk_backup):
    text, before, users_before = desk_backup
    # The desk must exercise what a restore has to get right, or the comparison proves little.
    assert len(before["claims.historicalclaim"]) > len(before["claims.claim"])
    assert len(before["claims.historicalverdict"]) >= 4
    assert before["claims.historicalevidence"] and before["claims.evidence"]
    assert any(row["embedding"] is not None for row in before["claims.claim"])
    assert any(row["assignee_id"] is not None for row in before["claims.claim"])
    empty_the_desk()
    Rating.objects.filter(label="Satire").delete()

    report = backup_import(lines=io.StringIO(text))

    after = snapshot()
    for label, rows in before.items():
        assert after[label] == rows, label
    assert users_snapshot(referenced_usernames(before)) == users_before
    assert report.users_created == len(users_before)
    assert report.counts["claims.claim"] == len(before["claims.claim"])


def test_only_users_the_data_points_to_are_written(desk_backup):
    text, before, _ = desk_backup
    records = [json.loads(line) for line in text.splitlines()]
    usernames = {record["fields"]["username"] for record in records if record.get("model") == "auth.user"}
    assert usernames == referenced_usernames(before)
    assert "bystander_without_data" not in usernames


def test_a_user_already_in_the_target_is_reused_and_links_follow_it(desk_backup):
    text, before, _ = desk_backup
    empty_the_desk()
    UserFactory(username="someone_first")  # takes the id the editor had
    existing = UserFactory(username="backup_editor", roles=["editor"])

    report = backup_import(lines=io.StringIO(text))

    assert report.users_reused == 1
    after = snapshot()
    assert after["claims.verdict"] == before["claims.verdict"]
    assert Claim.objects.get(verdict__approver=existing).verdict.approver.username == "backup_editor"


def test_new_rows_after_a_restore_get_fresh_ids(desk_backup):
    text, before, _ = desk_backup
    empty_the_desk()
    backup_import(lines=io.StringIO(text))
    assert ClaimFactory().pk > max(row["id"] for row in before["claims.claim"])


def test_a_database_with_data_is_refused(desk_backup):
    text, before, _ = desk_backup
    with pytest.raises(BackupError, match="already holds data"):
        backup_import(lines=io.StringIO(text))
    assert snapshot() == before


def _assert_restore_refused(text: str, match: str) -> None:
    empty_the_desk()
    with pytest.raises(BackupError, match=match):
        backup_import(lines=io.StringIO(text))
    assert all(not rows for label, rows in snapshot().items() if label != "claims.rating")
    assert Rating.objects.exists(), "the seeded rating scale must survive a refused restore"


def test_a_file_cut_off_mid_line_is_refused_and_nothing_is_written(desk_backup):
    text, _, _ = desk_backup
    _assert_restore_refused(text[: len(text) * 2 // 3], "cut off")


def test_a_file_cut_off_between_lines_is_refused_and_nothing_is_written(desk_backup):
    text, _, _ = desk_backup
    lines = text.splitlines(keepends=True)
    _assert_restore_refused("".join(lines[: len(lines) - 3]), "no end record")


def test_a_corrupt_line_is_refused_and_nothing_is_written(desk_backup):
    text, _, _ = desk_backup
    lines = text.splitlines(keepends=True)
    lines[len(lines) - 4] = lines[len(lines) - 4][:40] + "#" + lines[len(lines) - 4][41:]
    _assert_restore_refused("".join(lines), f"Line {len(lines) - 3}")


def test_a_dropped_row_is_noticed_by_the_counts(desk_backup):
    text, _, _ = desk_backup
    lines = text.splitlines(keepends=True)
    claim_line = next(n for n, line in enumerate(lines) if line.startswith('{"model":"claims.claim"'))
    del lines[claim_line]
    _assert_restore_refused("".join(lines), "counts disagree")


def test_a_file_that_is_not_a_backup_is_refused(db):
    _assert_restore_refused('{"hello": "world"}\n', "not the header")


def test_commands_write_and_restore_a_file(desk_backup, tmp_path):
    _, before, _ = desk_backup
    target = tmp_path / "desk.jsonl"
    call_command("backup_export", str(target))
    assert not (tmp_path / "desk.jsonl.partial").exists()
    with pytest.raises(CommandError, match="already holds data"):
        call_command("backup_import", str(target))
    empty_the_desk()
    call_command("backup_import", str(target))
    assert snapshot()["claims.historicalclaim"] == before["claims.historicalclaim"]


def test_the_import_command_names_a_truncated_file(desk_backup, tmp_path):
    text, _, _ = desk_backup
    target = tmp_path / "cut.jsonl"
    target.write_text(text[: len(text) // 2], encoding="utf-8")
    empty_the_desk()
    with pytest.raises(CommandError, match="Nothing was restored.*cut off"):
        call_command("backup_import", str(target))
    assert not Claim.objects.exists()


def _with_lexical_terms(text: str) -> str:
    """The same backup as an installation that still exported `lexical_terms` would write it."""
    lines = []
    for line in text.splitlines():
        record = json.loads(line)
        if record.get("model") in ("claims.claim", "claims.sourcepassage"):
            record["fields"]["lexical_terms"] = "stale words from another version"
        lines.append(json.dumps(record))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("written_by", ["this version", "a version that exported lexical terms"])
def test_lexical_terms_are_recomputed_so_older_and_newer_files_restore(desk_backup, written_by):
    text, before, _ = desk_backup
    assert '"lexical_terms"' not in text, "derived columns are not written"
    if written_by != "this version":
        text = _with_lexical_terms(text)
    passage = SourcePassage.objects.first()
    assert passage is not None and passage.lexical_terms
    rare_word = max(passage.lexical_terms.split(), key=len)
    empty_the_desk()
    Rating.objects.filter(label="Satire").delete()

    backup_import(lines=io.StringIO(text))

    assert snapshot() == before
    found = [passage_id for passage_id, _ in get_lexical_store().passages(rare_word).top(5)]
    assert passage.pk in found
