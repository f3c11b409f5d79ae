import numpy as np
import pytest

from claims.models import Source, SourcePassage
from claims.services.vector_stores import NumpyStore, PgvectorStore

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

MODEL = "test-model/v1"


def _unit(rows: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((rows, 384)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_pgvector_hnsw_and_exact_numpy_search_return_the_same_top_results():
    source = Source.objects.create(url="https://records.example.org/s", title="s")
    vectors = _unit(2000, seed=3)
    SourcePassage.objects.bulk_create(
        [
            SourcePassage(source=source, position=i, text=f"p{i}", embedding=v, embedding_model=MODEL)
            for i, v in enumerate(vectors)
        ]
    )
    # Queries near stored vectors, as real matches are; plus pure noise.
    queries = np.vstack([vectors[:30] + 0.3 * _unit(30, seed=4), _unit(10, seed=5)])
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)

    overlaps = []
    for query in queries:
        exact = NumpyStore().nearest_passages(query, model_version=MODEL, k=5)
        approximate = PgvectorStore().nearest_passages(query, model_version=MODEL, k=5)
        assert approximate[0][0] == exact[0][0]
        assert approximate[0][1] == pytest.approx(exact[0][1], abs=1e-5)
        overlaps.append(len({i for i, _ in exact} & {i for i, _ in approximate}) / 5)
    assert np.mean(overlaps) >= 0.98


def test_vectors_of_another_model_version_are_never_compared():
    source = Source.objects.create(url="https://records.example.org/t", title="t")
    vector = _unit(1, seed=6)[0]
    SourcePassage.objects.create(source=source, position=0, text="x", embedding=vector, embedding_model="other/v2")

    assert PgvectorStore().nearest_passages(vector, model_version=MODEL, k=5) == []
    assert NumpyStore().nearest_passages(vector, model_version=MODEL, k=5) == []


def _show(setting: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {setting}")
        return str(cursor.fetchone()[0])


def _passages(count: int) -> np.ndarray:
    source = Source.objects.create(url="https://records.example.org/settings", title="settings")
    vectors = _unit(count, seed=8)
    SourcePassage.objects.bulk_create(
        [
            SourcePassage(source=source, position=i, text=f"p{i}", embedding=v, embedding_model=MODEL)
            for i, v in enumerate(vectors)
        ]
    )
    return vectors


# Outside a transaction the search settings are made for the connection's session.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_outside_a_transaction_a_search_is_one_statement_with_the_configured_search_settings(settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.SIMILARITY_HNSW_EF_SEARCH = 77
    vectors = _passages(50)
    store = PgvectorStore()
    store.nearest_passages(vectors[0], model_version=MODEL, k=5)
    assert (_show("hnsw.ef_search"), _show("hnsw.iterative_scan")) == ("77", "relaxed_order")

    with CaptureQueriesContext(connection) as queries:
        found = store.nearest_passages(vectors[1], model_version=MODEL, k=5)
    assert found[0][0] == SourcePassage.objects.get(position=1).pk
    assert len(queries) == 1

    # A new value in the settings reaches a connection that was given the old one.
    settings.SIMILARITY_HNSW_EF_SEARCH = 64
    store.nearest_passages(vectors[2], model_version=MODEL, k=5)
    assert _show("hnsw.ef_search") == "64"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_search_inside_a_rolled_back_transaction_leaves_later_searches_their_settings(settings):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    settings.SIMILARITY_HNSW_EF_SEARCH = 71
    vectors = _passages(50)
    store = PgvectorStore()
    with transaction.atomic():
        store.nearest_passages(vectors[0], model_version=MODEL, k=5)
        assert _show("hnsw.ef_search") == "71"
        transaction.set_rollback(True)
    # Made for that transaction only: gone with it, and not taken for made.
    assert _show("hnsw.ef_search") != "71"

    with CaptureQueriesContext(connection) as queries:
        store.nearest_passages(vectors[1], model_version=MODEL, k=5)
    assert len(queries) == 2
    assert (_show("hnsw.ef_search"), _show("hnsw.iterative_scan")) == ("71", "relaxed_order")
