import threading
from collections import Counter

import numpy as np
import pytest
from django.db import connection, connections

from claims.choices import ClaimStatus
from claims.models import Claim
from claims.services import review
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_reviewers_emptying_a_queue_of_200_take_every_claim_exactly_once():
    article = ArticleFactory()
    Claim.objects.bulk_create(
        [
            Claim(article=article, text=f"Claim {i}", priority=float(i % 7), status=ClaimStatus.NEW)
            for i in range(200)
        ]
    )
    reviewers = [UserFactory(username=f"queue_reviewer_{i}", roles=["reviewer"]) for i in range(20)]
    taken: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(len(reviewers))

    def work(user):
        try:
            start.wait()
            while True:
                claim = review.review_take_next(user=user)
                if claim is None:
                    return
                with lock:
                    taken.append(claim.pk)
                # Finish the claim so the next take hands out a new one.
                review.claim_dismiss(user=user, claim_id=claim.pk)
        except BaseException as error:  # noqa: BLE001 - reported to the main thread below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(user,)) for user in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    counts = Counter(taken)
    assert len(counts) == 200
    assert max(counts.values()) == 1
    assert Claim.objects.filter(status=ClaimStatus.DISMISSED).count() == 200
