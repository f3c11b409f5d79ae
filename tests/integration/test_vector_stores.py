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
