"""The grouping cases of tests/workflow/test_appearances.py on PostgreSQL, where the desk's
near-duplicates are searched through the HNSW index, and that search against the exact one."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.utils import timezone

from claims.choices import ClaimStatus
from claims.extraction.text import claim_key
from claims.models import Claim
from claims.services import appearances
from claims.services.appearances import desk_nearest_numpy, desk_nearest_pgvector
from claims.similarity.embedder import get_embedder
from claims.similarity.text import clean_query
from tests.factories import ArticleFactory
from tests.workflow.test_appearances import *  # noqa: F403

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _search_through_the_index(monkeypatch):
    """The cases' desks are a few claims, which are read rather than searched: search them anyway."""
    monkeypatch.setattr(appearances, "_INDEX_SEARCH_COST", 0)


STORED = [
    "The minister said unemployment fell by 3 percent in 2024.",
    "Prices rose by 2 percent in May, the statistics office said.",
    "The city council approved a budget of 40 million euros for new schools.",
    "Exports to China doubled over the last five years, according to the ministry.",
    "The company reported a loss of 1.2 billion dollars in the third quarter.",
    "Crime in the capital dropped by a fifth since 2019, police figures show.",
]
NEW = [
    "The minister said that unemployment fell by 3 percent in 2024.",
    "Prices rose 2 percent in May, said the statistics office.",
    "The council approved a 40 million euro budget for new schools.",
    "A storm closed the airport for two days.",
]


@pytest.mark.parametrize("per_statement", [500, 3])
def test_the_index_search_finds_the_same_nearest_claims_as_the_exact_one(monkeypatch, per_statement):
    monkeypatch.setattr(appearances, "_DESK_ROWS", per_statement)
    embedder = get_embedder()
    article = ArticleFactory()
    vectors = embedder.encode([clean_query(text) for text in STORED])
    old = timezone.now() - dt.timedelta(days=400)
    for position, (text, vector) in enumerate(zip(STORED, vectors, strict=True)):
        Claim.objects.create(
            article=article,
            text=text,
            start=0,
            end=len(text),
            text_key=claim_key(text),
            embedding=vector,
            embedding_model=embedder.model_version,
            # One claim of another model, one candidate: neither may be found.
            status=ClaimStatus.CANDIDATE if position == 4 else ClaimStatus.NEW,
        )
    Claim.objects.filter(text__startswith="Crime").update(embedding_model="another/model")
    Claim.objects.filter(text__startswith="Exports").update(created_at=old)
    queries = np.asarray(embedder.encode([clean_query(text) for text in NEW]), dtype=np.float32)
    since = timezone.now() - dt.timedelta(days=14)

    exact = desk_nearest_numpy(queries, since=since, model_version=embedder.model_version)
    searched = desk_nearest_pgvector(queries, since=since, model_version=embedder.model_version)

    assert set(searched) == set(exact) == {0, 1, 2, 3}
    for row in exact:
        assert searched[row][0] == exact[row][0]
        assert searched[row][1] == pytest.approx(exact[row][1], abs=1e-5)
    allowed = set(Claim.objects.filter(text__in=STORED[:3]).values_list("id", flat=True))
    assert {claim_id for claim_id, _ in searched.values()} <= allowed


def test_a_small_desk_or_a_long_article_reads_the_window_and_a_large_desk_searches_the_index(monkeypatch):
    monkeypatch.setattr(appearances, "_INDEX_SEARCH_COST", 2)
    embedder = get_embedder()
    article = ArticleFactory()
    vector = np.asarray(embedder.encode([clean_query(STORED[0])])[0], dtype=np.float32)
    Claim.objects.bulk_create(
        Claim(article=article, text=f"c{i}", text_key=f"c{i}", embedding=vector, embedding_model=embedder.model_version)
        for i in range(10)
    )
    since = timezone.now() - dt.timedelta(days=14)
    decide = appearances._index_search_pays
    assert decide(5, since=since, model_version=embedder.model_version)
    assert not decide(6, since=since, model_version=embedder.model_version)
    assert not decide(1, since=since, model_version="another/model")
