"""The lexical store on SQLite: FTS5 finds the candidates, BM25 is scored as the in-memory index does."""

import pytest
from django.db import connection

from claims.lexical_schema import SQLITE_TRIGGERS, ensure_lexical_index
from claims.models import SourcePassage
from claims.services.lexical_stores import get_lexical_store
from tests import lexical_cases
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def test_the_database_ranking_equals_the_in_memory_bm25():
    lexical_cases.ranking_equals_in_memory_bm25()


def test_a_small_candidate_budget_keeps_the_rare_word_hits():
    lexical_cases.a_small_candidate_budget_keeps_the_rare_word_hits()


def test_a_query_of_common_words_still_finds_the_rows_sharing_most_of_them():
    lexical_cases.only_common_words_still_find_the_rows_sharing_most_of_them()


def test_editing_and_deleting_a_source_moves_its_terms(editor):
    lexical_cases.edits_and_deletions_move_the_terms(editor)


def test_the_statistics_follow_bulk_writes():
    lexical_cases.statistics_follow_bulk_writes()


def test_only_published_claims_are_ranked(reviewer):
    lexical_cases.only_published_claims_are_ranked(reviewer)


def test_triggers_a_table_rebuild_dropped_come_back_with_the_index_rebuilt():
    """Django rebuilds a SQLite table to alter it, which drops its triggers; after the next migrate
    they are put back and the full-text table is rebuilt from the rows."""
    source = SourceFactory()
    with connection.cursor() as cursor:
        for name in SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    passage = SourcePassage.objects.create(source=source, position=0, text="A vexillology passage.")
    assert get_lexical_store().passages("vexillology").top(5) == []

    assert ensure_lexical_index(connection) is True

    assert [row_id for row_id, _ in get_lexical_store().passages("vexillology").top(5)] == [passage.pk]
    assert ensure_lexical_index(connection) is False
