"""What the lexical store must do on either database; run on SQLite (fast tier) and on PostgreSQL
(integration tier, tests/integration/test_lexical_store_postgres.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings

from claims.models import SourcePassage
from claims.services.lexical_stores import get_lexical_store
from claims.services.sources import source_create, source_delete, source_update
from claims.similarity.lexical import BM25Index
from tests.factories import ClaimFactory, SourceFactory

CORPUS = [
    "The emoluments clause forbids gifts from foreign states to federal officers.",
    "Trump said the economy is the greatest in history, and the economy grew.",
    "Guantanamo Bay detention camp stays open, the president says.",
    "Unemployment fell to 3.5 percent, the lowest rate in fifty years.",
    "The president's economy claim: growth was 2.3 percent, not the greatest.",
    "Nothing in this passage shares a word with the queries below.",
    "",
    "Foreign gifts to officers need the consent of Congress under the emoluments clause.",
    "Trump Trump Trump economy",
]
QUERIES = [
    "Trump emoluments economy",
    "Did the president say the economy was the greatest in history?",
    "unemployment 3.5 percent lowest in fifty years",
    "gifts from foreign states",
    "not a single matching wordzzz",
]


def _library() -> list[SourcePassage]:
    source = SourceFactory()
    return SourcePassage.objects.bulk_create(
        [SourcePassage(source=source, position=position, text=text) for position, text in enumerate(CORPUS)]
    )


def _in_memory() -> BM25Index:
    rows = list(SourcePassage.objects.order_by("id").values_list("id", "text"))
    return BM25Index(ids=[row_id for row_id, _ in rows], texts=[text for _, text in rows])


def ranking_equals_in_memory_bm25() -> None:
    passages = _library()
    index = _in_memory()
    store = get_lexical_store()
    for query in QUERIES:
        expected = index.search(query, 20)
        found = store.passages(query).top(20)
        assert [row_id for row_id, _ in found] == [row_id for row_id, _ in expected], query
        assert [score for _, score in found] == pytest.approx([score for _, score in expected], rel=1e-5)
        scores = store.passages(query).scores_of([passage.pk for passage in passages])
        reference = index.rank(query).scores_of([passage.pk for passage in passages])
        assert scores == pytest.approx(reference, rel=1e-5, abs=1e-9)


def a_small_candidate_budget_keeps_the_rare_word_hits() -> None:
    """With room for the rows of the rarest words only, rows sharing just common words with the query
    are left out; the rows holding the rare words keep their exact scores and order."""
    _library()
    index = _in_memory()
    query = "Trump emoluments economy"
    emoluments = {passage.pk for passage in SourcePassage.objects.all() if "emoluments" in passage.text}
    with override_settings(SIMILARITY_LEXICAL_CANDIDATES=len(emoluments)):
        found = get_lexical_store().passages(query).top(len(emoluments))
    expected = [(row_id, score) for row_id, score in index.search(query, 20) if row_id in emoluments]
    assert [row_id for row_id, _ in found] == [row_id for row_id, _ in expected]
    assert [score for _, score in found] == pytest.approx([score for _, score in expected], rel=1e-5)
    # The exact top 2 holds a row with "trump" and "economy" but not "emoluments": not a candidate.
    assert {row_id for row_id, _ in index.search(query, len(emoluments))} != emoluments


def only_common_words_still_find_the_rows_sharing_most_of_them() -> None:
    """Every word of the query is held by more rows than the budget: the candidates still hold the
    rows sharing two of its words, which BM25 ranks first, with their exact scores."""
    source = SourceFactory()
    texts = [f"The economy report number {n} is out today." for n in range(40)]
    texts += [f"The president visited town {n} on Monday." for n in range(40)]
    texts += [f"The president praised the economy in speech {n}." for n in range(3)]
    SourcePassage.objects.bulk_create(
        [SourcePassage(source=source, position=position, text=text) for position, text in enumerate(texts)]
    )
    both = set(SourcePassage.objects.filter(text__contains="praised").values_list("id", flat=True))
    query = "Did the president say the economy is growing?"
    expected = _in_memory().search(query, 3)
    assert {row_id for row_id, _ in expected} == both
    with override_settings(SIMILARITY_LEXICAL_CANDIDATES=10):
        found = get_lexical_store().passages(query).top(3)
    assert [row_id for row_id, _ in found] == [row_id for row_id, _ in expected]
    assert [score for _, score in found] == pytest.approx([score for _, score in expected], rel=1e-5)


def edits_and_deletions_move_the_terms(editor) -> None:
    source = source_create(
        user=editor, url="https://records.example.org/zorblax", title="Record", body="The zorblax treaty was signed."
    )
    store = get_lexical_store()
    assert [SourcePassage.objects.get(pk=row_id).source_id for row_id, _ in store.passages("zorblax").top(5)] == [
        source.pk
    ]

    source_update(
        user=editor,
        source_id=source.pk,
        url="https://records.example.org/zorblax",
        title="Record",
        body="The quintaphor treaty was signed.",
    )
    assert store.passages("zorblax").top(5) == []
    assert [SourcePassage.objects.get(pk=row_id).source_id for row_id, _ in store.passages("quintaphor").top(5)] == [
        source.pk
    ]

    source_delete(user=editor, source_id=source.pk)
    assert store.passages("quintaphor").top(5) == []
    assert store.passages("treaty signed").top(5) == []
    _assert_statistics_match_rows()


def _assert_statistics_match_rows() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT documents, terms FROM claims_lexical_statistics WHERE corpus = 'passages'")
        documents, terms = cursor.fetchone()
    rows = list(SourcePassage.objects.values_list("lexical_terms", flat=True))
    assert (documents, terms) == (len(rows), sum(len(row.split()) for row in rows))
    if connection.vendor == "postgresql":
        # Every term's document frequency, as the triggers keep it, equals a count from the rows.
        expected: dict[str, int] = {}
        for row in rows:
            for term in set(row.split()):
                expected[term] = expected.get(term, 0) + 1
        with connection.cursor() as cursor:
            cursor.execute("SELECT term, documents FROM claims_lexical_term WHERE documents > 0")
            assert dict(cursor.fetchall()) == expected


def statistics_follow_bulk_writes() -> None:
    _library()
    _assert_statistics_match_rows()
    SourcePassage.objects.filter(position__lt=3).delete()
    _assert_statistics_match_rows()
    first = SourcePassage.objects.order_by("id").first()
    assert first is not None
    first.text = "A rewritten passage about the harbour tariff"
    first.save()
    _assert_statistics_match_rows()
    # A new vector leaves the terms, and their counts, as they were.
    SourcePassage.objects.filter(pk=first.pk).update(embedding_model="another-model")
    _assert_statistics_match_rows()


def only_published_claims_are_ranked(author) -> None:
    from django.utils import timezone

    from claims.choices import ClaimStatus
    from claims.models import Verdict
    from tests.factories import rating

    published = ClaimFactory(text="The flurbington bridge collapsed in 1999.", status=ClaimStatus.PUBLISHED)
    Verdict.objects.create(claim=published, rating=rating("Outdated"), author=author, published_at=timezone.now())
    ClaimFactory(text="The flurbington bridge is open.")
    ClaimFactory(text="Another published-looking bridge story", status=ClaimStatus.PUBLISHED)

    ranking = get_lexical_store().published_claims("flurbington bridge")
    assert [row_id for row_id, _ in ranking.top(5)] == [published.pk]
    # One published claim: its BM25 is the in-memory index's over that one claim.
    expected = BM25Index(ids=[published.pk], texts=[published.text]).search("flurbington bridge", 5)
    assert [row_id for row_id, _ in ranking.top(5)] == [row_id for row_id, _ in expected]
    assert ranking.top(5)[0][1] == pytest.approx(expected[0][1], rel=1e-5)
