"""On PostgreSQL, whose b-tree index rows are limited to about 2.7 kB, a URL of 3.9 kB (1,300 CJK
characters, within the forms' 2,000) is stored: uniqueness lives on its digest."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from claims.models import Article, Source
from tests.factories import UserFactory
from tests.security.test_long_urls import ARTICLE_TEXT, LONG_URL

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_a_url_longer_than_a_btree_row_is_stored_for_articles_and_sources():
    client = APIClient()
    client.force_authenticate(UserFactory(username="long_url_editor", roles=["editor"]))

    article = client.post("/api/v1/articles/", {"text": ARTICLE_TEXT, "url": LONG_URL}, format="json")
    again = client.post("/api/v1/articles/", {"text": ARTICLE_TEXT + " Again.", "url": LONG_URL}, format="json")
    source = client.post("/api/v1/sources/", {"url": LONG_URL, "title": "Long"}, format="json")

    assert article.status_code == 202, article.content
    assert again.json()["id"] == article.json()["id"]
    assert source.status_code == 201, source.content
    assert Article.objects.filter(url=LONG_URL).count() == 1
    assert Source.objects.filter(url=LONG_URL).count() == 1
