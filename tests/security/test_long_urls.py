"""Any URL the forms and the API accept can be stored: uniqueness is enforced on a digest of the URL,
not on the URL itself, and a URL is bounded in UTF-8 bytes as well as in characters, with a clear 400."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from claims.models import MAX_URL_BYTES, Article, Source, url_digest
from tests.factories import UserFactory

ARTICLE_TEXT = "The unemployment rate fell to 3.9 percent in March, the statistics office said on Friday."
# 1,300 CJK characters: 3.9 kB in UTF-8, over PostgreSQL's b-tree row limit (about 2.7 kB) but
# within the byte bound. 1,920 of them (5.7 kB) are within the 2,000 characters but over the bound.
LONG_URL = "https://news.example.org/" + "新" * 1300
TOO_LONG_URL = "https://news.example.org/" + "新" * 1920


@pytest.fixture
def client_as(db):
    def make(_persona: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(UserFactory(roles=["editor"]))
        return client

    return make


def test_the_bound_lies_between_the_two_examples():
    assert len(LONG_URL.encode()) < MAX_URL_BYTES < len(TOO_LONG_URL.encode())
    assert len(TOO_LONG_URL) <= 2000


@pytest.mark.django_db
def test_an_article_with_a_long_multibyte_url_is_stored_once(client_as):
    client = client_as("editor")

    first = client.post("/api/v1/articles/", {"text": ARTICLE_TEXT, "url": LONG_URL}, format="json")
    again = client.post("/api/v1/articles/", {"text": ARTICLE_TEXT + " Again.", "url": LONG_URL}, format="json")

    # Stored at once (202: its claims are extracted in the background); the second is the same article.
    assert first.status_code == 202, first.content
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Article.objects.get().url_digest == url_digest(LONG_URL)


@pytest.mark.django_db
def test_an_article_url_over_the_byte_bound_is_refused_with_400(client_as):
    response = client_as("editor").post("/api/v1/articles/", {"text": ARTICLE_TEXT, "url": TOO_LONG_URL}, format="json")

    assert response.status_code == 400
    assert "bytes" in response.json()["message"]
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_sources_with_long_urls_are_created_deduplicated_or_refused(client_as):
    client = client_as("editor")

    created = client.post("/api/v1/sources/", {"url": LONG_URL, "title": "Long"}, format="json")
    again = client.post("/api/v1/sources/", {"url": LONG_URL, "title": "Long, again"}, format="json")
    refused = client.post("/api/v1/sources/", {"url": TOO_LONG_URL, "title": "Too long"}, format="json")

    assert created.status_code == 201, created.content
    assert again.json()["id"] == created.json()["id"]
    assert refused.status_code == 400 and "bytes" in refused.json()["message"]
    assert list(Source.objects.values_list("title", flat=True)) == ["Long, again"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_bulk_command_reports_a_url_over_the_bound_and_goes_on(tmp_path):
    path = tmp_path / "articles.jsonl"
    lines = [
        {"text": ARTICLE_TEXT, "url": TOO_LONG_URL},
        {"text": ARTICLE_TEXT, "url": LONG_URL},
        {"text": "Wheat exports grew by 12 percent last year, the farm ministry said on Monday."},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError):
        call_command("ingest_articles", str(path), "--format", "json", stdout=out, stderr=err)

    report = json.loads(out.getvalue())
    assert [refused["line"] for refused in report["errors"]] == [1]
    assert "bytes" in report["errors"][0]["error"]
    assert Article.objects.count() == 2
