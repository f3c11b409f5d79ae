"""Markup, script and SQL in what the outside world sends are stored as text and never come back
in a form a browser would run: the workspace page escapes them, the API serves them as JSON that
no browser renders as a page, and a search for SQL is only a search."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from claims.choices import TokenScope
from claims.middleware import DATA_CONTENT_SECURITY_POLICY
from claims.models import Article, Claim
from claims.services.tokens import token_create
from tests.factories import SourceFactory, UserFactory

SCRIPT = "<script>alert('stolen')</script>"
IMAGE = '<img src=x onerror="alert(1)">'
LINK = '<a href="javascript:alert(2)">click</a>'
SQL = "' OR 1=1 --"
HOSTILE_ARTICLE = (
    f"Prime Minister Jane Doe said on Friday that unemployment fell by 3 percent in 2024 {SCRIPT}. "
    f"The finance minister said taxes would rise by 2 percent next year {IMAGE} {LINK}. "
    f"Opposition leader John Roe said the deficit doubled to 40 billion euros {SQL}."
)


@pytest.fixture
def editor(db):
    return UserFactory(username="emma_editor", roles=["editor"])


@pytest.fixture
def token_client(editor):
    client = APIClient()
    secret = token_create(user=editor, name="newsroom CMS", scope=TokenScope.WRITE).secret
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def hostile_article(token_client, django_capture_on_commit_callbacks) -> Article:
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client.post(
            "/api/v1/articles/", {"text": HOSTILE_ARTICLE, "title": f"Budget {SCRIPT}", "author": IMAGE}, format="json"
        )
    assert response.status_code == 202, response.content[:300]
    return Article.objects.get(pk=response.json()["id"])


def test_markup_is_stored_verbatim_as_text(hostile_article):
    assert SCRIPT in hostile_article.body and IMAGE in hostile_article.body and SQL in hostile_article.body
    assert hostile_article.title == f"Budget {SCRIPT}"


def test_the_workspace_page_shows_markup_escaped_never_live(hostile_article, editor):
    claims = list(Claim.objects.filter(article=hostile_article))
    assert claims
    client = Client()
    client.force_login(editor)
    for claim in claims:
        page = client.get(f"/claims/{claim.pk}/").content.decode()
        assert "<script>alert" not in page
        assert 'onerror="' not in page
        assert 'href="javascript:' not in page
        assert "&lt;script&gt;alert(&#x27;stolen&#x27;)&lt;/script&gt;" in page
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page


def test_the_api_returns_markup_only_inside_json(token_client, hostile_article):
    response = token_client.get(f"/api/v1/articles/{hostile_article.pk}/")
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == DATA_CONTENT_SECURITY_POLICY
    assert response.json()["title"] == f"Budget {SCRIPT}"


def test_a_search_for_sql_is_only_a_search(token_client, hostile_article):
    total = Claim.objects.count()
    response = token_client.get("/api/v1/claims/", {"q": SQL, "page_size": 200})
    assert response.status_code == 200
    found = {claim["id"] for claim in response.json()["results"]}
    containing_every_word = {
        claim.pk for claim in Claim.objects.all() if all(word.lower() in claim.text.lower() for word in SQL.split())
    }
    assert found == containing_every_word
    assert len(found) < total
    assert Claim.objects.count() == total


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x"])
def test_a_source_link_must_be_a_web_address(token_client, url):
    response = token_client.post("/api/v1/sources/", {"url": url, "title": "Record"}, format="json")
    assert response.status_code == 400
    assert "valid URL" in response.json()["message"]


def test_the_source_library_escapes_titles(editor):
    SourceFactory(title=f"Record {SCRIPT}", publisher=IMAGE)
    client = Client()
    client.force_login(editor)
    page = client.get("/sources/").content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "Record &lt;script&gt;" in page
