"""Ingest over the API (with Idempotency-Key) and the source library."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Article, IdempotencyRecord, Source

pytestmark = pytest.mark.django_db

BODY = (
    "Former U.S. President Donald Trump met the German chancellor in Washington on Monday. "
    "The minister said unemployment fell by 3 percent in 2024."
)


def ingest(client, payload, **headers):
    return client.post("/api/v1/articles/", payload, format="json", **headers)


def test_ingest_answers_202_at_once_and_the_claims_follow_at_the_articles_url(
    client_as, django_capture_on_commit_callbacks
):
    client = client_as("write_token")
    with django_capture_on_commit_callbacks() as jobs:
        response = ingest(
            client,
            {"text": BODY, "title": "Summit", "url": "https://news.example.org/summit", "published_at": "2025-05-12"},
        )
    assert response.status_code == 202, response.content[:300]
    accepted = response.json()
    assert accepted["extraction_status"] == "queued" and accepted["claims"] == []
    assert response["Location"] == accepted["api_url"] and accepted["api_url"].endswith(f"/articles/{accepted['id']}/")
    for job in jobs:
        job()
    article = client.get(response["Location"]).json()
    assert article["extraction_status"] == "done" and article["extraction_progress"] == 100
    assert article["title"] == "Summit" and article["ingested_by"] == "cms_integration"
    assert article["published_at"].startswith("2025-05-12")
    texts = [claim["text"] for claim in article["claims"]]
    assert any("Former U.S. President Donald Trump" in text for text in texts)
    for claim in article["claims"]:
        assert article["body"][claim["start"] : claim["end"]] == claim["text"]


def test_the_ingest_answer_reads_no_claims_of_the_article_it_just_stored(client_as, django_capture_on_commit_callbacks):
    client = client_as("write_token")
    with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks():
        response = ingest(client, {"text": BODY})
    assert response.status_code == 202
    assert response.json()["claims"] == [] and response.json()["checkworthiness_note"] is None
    assert [query["sql"] for query in captured if "claims_claim" in query["sql"]] == []


def test_a_lone_surrogate_deep_in_a_long_text_is_refused_naming_it(client_as):
    client = client_as("write_token")
    text = "Paris is the capital. " * 20_000 + "Half a pair: \udc80 ends here."
    # Escaped as JSON allows (\\udc80): the parsed string then holds the lone half.
    response = client.post("/api/v1/articles/", json.dumps({"text": text}), content_type="application/json")
    assert response.status_code == 400
    assert "U+DC80" in response.content.decode()
    assert not Article.objects.exists()


def test_ingesting_the_same_content_again_returns_the_stored_article_with_200(client_as):
    client = client_as("reviewer")
    first = ingest(client, {"text": BODY})
    second = ingest(client, {"text": BODY})
    assert (first.status_code, second.status_code) == (202, 200)
    assert first.json()["id"] == second.json()["id"]


def test_a_retry_with_the_same_idempotency_key_replays_the_first_response(client_as):
    client = client_as("write_token")
    first = ingest(client, {"text": BODY}, HTTP_IDEMPOTENCY_KEY="cms-42")
    retry = ingest(client, {"text": BODY}, HTTP_IDEMPOTENCY_KEY="cms-42")
    assert first.status_code == retry.status_code == 202
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Article.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_reusing_an_idempotency_key_for_another_request_is_422(client_as):
    client = client_as("write_token")
    ingest(client, {"text": BODY}, HTTP_IDEMPOTENCY_KEY="cms-43")
    response = ingest(client, {"text": "A different article entirely."}, HTTP_IDEMPOTENCY_KEY="cms-43")
    assert response.status_code == 422
    assert response.json()["extra"] == {"idempotency_key": "cms-43"}
    assert Article.objects.count() == 1


def test_a_failed_ingest_is_not_remembered_under_its_key(client_as):
    client = client_as("write_token")
    assert ingest(client, {"title": "no body"}, HTTP_IDEMPOTENCY_KEY="cms-44").status_code == 400
    assert ingest(client, {"text": BODY}, HTTP_IDEMPOTENCY_KEY="cms-44").status_code == 202


def test_an_article_over_the_size_limit_is_413(client_as, settings):
    settings.INGEST_MAX_BYTES = 2_000
    response = ingest(client_as("reviewer"), {"text": "word " * 1_000})
    assert response.status_code == 413
    assert response.json()["extra"] == {"max_bytes": 2_000}


def test_the_article_is_readable_with_its_claims(client_as, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = ingest(client_as("reviewer"), {"text": BODY}).json()
    created = client_as("reviewer").get(created["api_url"]).json()
    response = client_as("editor").get(f"/api/v1/articles/{created['id']}/")
    assert response.status_code == 200
    assert [claim["id"] for claim in response.json()["claims"]] == [claim["id"] for claim in created["claims"]]


def test_editors_add_a_source_and_refresh_it_by_url(client_as):
    client = client_as("editor")
    payload = {"url": "https://stats.example.org/jobs", "title": "Labour market report", "kind": "dataset"}
    first = client.post("/api/v1/sources/", payload, format="json")
    assert first.status_code == 201 and first.json()["kind"] == "dataset"
    again = client.post("/api/v1/sources/", {**payload, "title": "Labour market report, May"}, format="json")
    assert again.json()["id"] == first.json()["id"]
    assert Source.objects.get().title == "Labour market report, May"


def test_a_bulk_import_reports_what_it_created_and_updated(client_as, desk):
    response = client_as("editor").post(
        "/api/v1/sources/import/",
        {
            "sources": [
                {"url": "https://stats.example.org/a", "title": "A", "body": "First paragraph.\n\nSecond."},
                {"url": "https://www.whitehouse.gov/administration/", "title": "The Administration (2025)"},
            ]
        },
        format="json",
    )
    assert response.status_code == 200
    report = response.json()
    assert (report["created"], report["updated"], report["errors"]) == (1, 1, [])
    assert report["passages"] >= 2


def test_a_bulk_import_with_an_invalid_row_is_400_naming_the_row(client_as):
    response = client_as("editor").post(
        "/api/v1/sources/import/",
        {"sources": [{"url": "https://stats.example.org/a", "title": "A"}, {"url": "not a url", "title": "B"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["extra"]["fields"]["sources"]["1"]["url"]
    assert not Source.objects.exists()


def test_the_library_lists_newest_first_and_filters_by_kind_and_title(client_as, desk):
    client = client_as("reviewer")
    client_as("editor").post(
        "/api/v1/sources/",
        {"url": "https://stats.example.org/b", "title": "Budget figures", "kind": "dataset"},
        format="json",
    )
    listed = client.get("/api/v1/sources/").json()["results"]
    assert [item["title"] for item in listed] == ["Budget figures", "The Administration"]
    assert [item["title"] for item in client.get("/api/v1/sources/", {"kind": "dataset"}).json()["results"]] == [
        "Budget figures"
    ]
    assert [item["title"] for item in client.get("/api/v1/sources/", {"q": "administration"}).json()["results"]] == [
        "The Administration"
    ]
    assert "body" in client.get(f"/api/v1/sources/{desk.source_id}/").json()
