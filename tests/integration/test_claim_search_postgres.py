"""The claim search cases of tests/api/test_claim_search.py on PostgreSQL, where the trigram indexes
answer them, and proof that the planner uses those indexes."""

from __future__ import annotations

import pytest
from django.db import connection

from claims.filters import claims_search
from claims.models import Claim
from tests.api.test_claim_search import *  # noqa: F403
from tests.api.test_claim_search import test_the_sqlite_search_table_holds_exactly_the_claims
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

# SQLite's own table; PostgreSQL has none to compare.
del test_the_sqlite_search_table_holds_exactly_the_claims


def test_migrations_build_trigram_indexes_on_what_icontains_compares():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%%_trgm'")
        indexes = dict(cursor.fetchall())
    assert set(indexes) == {"claim_text_trgm", "claim_speaker_trgm", "article_title_trgm"}
    assert "upper(text) gin_trgm_ops" in indexes["claim_text_trgm"]
    assert "upper((speaker)::text) gin_trgm_ops" in indexes["claim_speaker_trgm"]
    assert "upper((title)::text) gin_trgm_ops" in indexes["article_title_trgm"]


def test_the_trigram_indexes_serve_the_search_as_django_writes_it():
    """An index on another expression than Django's UPPER(...) LIKE UPPER(...) could never serve
    it: with sequential scans priced out, the plan would still scan. (On a few rows, scanning is
    cheaper, so the planner's free choice proves nothing here; bench_pages measures at volume.)"""
    ClaimFactory(article=ArticleFactory(title="Harbour news"), text="The ferry fares doubled.", speaker="Jane Doe")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = claims_search(Claim.objects.all(), "ferry").explain()
    for index in ("claim_text_trgm", "claim_speaker_trgm", "article_title_trgm"):
        assert index in plan, plan
    assert "Seq Scan" not in plan, plan
