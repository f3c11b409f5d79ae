"""The lexical store on PostgreSQL: the GIN index finds the candidates, BM25 is scored as the
in-memory index does, and triggers keep the passage statistics."""

import pytest

from claims.models import SourcePassage
from tests import lexical_cases

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


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


def test_the_simple_parser_splits_stored_terms_into_exactly_the_python_tokens():
    """The GIN index is on to_tsvector('simple', lexical_terms): it must see the tokens BM25 scores."""
    from django.db import connection

    lexical_cases._library()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lexical_terms, array(SELECT lexeme FROM unnest(to_tsvector('simple', lexical_terms)) "
            "ORDER BY lexeme) FROM claims_sourcepassage"
        )
        for terms, lexemes in cursor.fetchall():
            assert sorted(set(terms.split())) == lexemes


# TRUNCATE refuses to run with the foreign-key checks of this transaction's inserts pending.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_truncated_library_resets_the_statistics():
    from django.db import connection

    lexical_cases._library()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE claims_sourcepassage CASCADE")
    assert not SourcePassage.objects.exists()
    lexical_cases._assert_statistics_match_rows()


def test_common_words_never_rank_every_row_holding_them():
    """Ordering the thousands of rows that hold a common word (ts_rank) took hundreds of
    milliseconds at a million passages: the candidates come without ORDER BY, at most the budget."""
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    from claims.services.lexical_stores import get_lexical_store
    from tests.factories import SourceFactory

    source = SourceFactory()
    SourcePassage.objects.bulk_create(
        [SourcePassage(source=source, position=n, text=f"The economy grew in year {n}.") for n in range(30)]
    )
    with override_settings(SIMILARITY_LEXICAL_CANDIDATES=10), CaptureQueriesContext(connection) as queries:
        found = get_lexical_store().passages("economy").top(10)
    assert len(found) == 10
    candidate_statements = [query["sql"] for query in queries if "to_tsquery" in query["sql"]]
    assert candidate_statements
    assert not any("ORDER BY" in sql.upper() for sql in candidate_statements)
