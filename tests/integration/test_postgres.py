import numpy as np
import pytest
from django.db import connection

from claims.models import Claim
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = [pytest.mark.integration]


@pytest.mark.django_db
def test_migrations_install_pgvector_and_the_hnsw_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        assert cursor.fetchone() is not None
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%%embedding_hnsw'")
        indexes = dict(cursor.fetchall())
    assert set(indexes) == {"claim_embedding_hnsw", "passage_embedding_hnsw"}
    assert all("hnsw" in definition and "vector_cosine_ops" in definition for definition in indexes.values())


@pytest.mark.django_db
def test_an_embedding_round_trips_through_pgvector_and_cosine_search_finds_it():
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((20, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    article = ArticleFactory()
    claims = [ClaimFactory(article=article) for _ in range(20)]
    for claim, vector in zip(claims, vectors, strict=True):
        Claim.objects.filter(pk=claim.pk).update(embedding=vector)

    stored = Claim.objects.get(pk=claims[3].pk).embedding
    np.testing.assert_allclose(stored, vectors[3], rtol=1e-6)

    query = "[" + ",".join(str(float(x)) for x in vectors[7]) + "]"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM claims_claim WHERE embedding IS NOT NULL ORDER BY embedding <=> %s::vector LIMIT 1",
            [query],
        )
        assert cursor.fetchone()[0] == claims[7].pk
