"""The export service, the export_claims command and the API endpoint, on the database."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from claims.choices import ClaimStatus
from claims.models import Appearance, Claim, Verdict
from claims.services.exports import claim_public_url, claims_export
from tests.factories import ArticleFactory, ClaimFactory, EvidenceFactory, SourceFactory, UserFactory, rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return {
        "author": UserFactory(username="rita", first_name="Rita", last_name="Reviewer", roles=["reviewer"]),
        "approver": UserFactory(username="emma", first_name="Emma", last_name="Editor", roles=["editor"]),
    }


def published(people, *, text: str = "Former U.S. President Donald Trump met the chancellor.", **claim_fields) -> Claim:
    claim = ClaimFactory(text=text, status=ClaimStatus.PUBLISHED, **claim_fields)
    now = timezone.now()
    Verdict.objects.create(
        claim=claim,
        rating=rating("Outdated"),
        explanation="He has held the office since January 2025.",
        author=people["author"],
        approver=people["approver"],
        approved_at=now,
        published_at=now,
    )
    return claim


def read_jsonl(**kwargs) -> list[dict]:
    export = claims_export(export_format="jsonl", **kwargs)
    return [json.loads(line) for line in "".join(export.chunks).splitlines()]


def test_it_exports_only_published_verdicts(people):
    shown = published(people)
    ClaimFactory(status=ClaimStatus.NEW)
    drafted = ClaimFactory(status=ClaimStatus.DRAFTED)
    Verdict.objects.create(claim=drafted, rating=rating("Accurate"), author=people["author"])
    assert [row["id"] for row in read_jsonl()] == [shown.pk]


def test_a_reopened_verdict_leaves_the_export(people):
    claim = published(people)
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.REOPENED)
    assert read_jsonl() == []


def test_it_carries_provenance_and_evidence(people):
    claim = published(people, article=ArticleFactory(url="https://news.example.org/a"))
    source = SourceFactory(url="https://www.whitehouse.gov/administration/")
    EvidenceFactory(claim=claim, source=source, stance="refutes", added_by=people["author"])
    (row,) = read_jsonl()
    assert row["reviewer"] == "Rita Reviewer"
    assert row["approver"] == "Emma Editor"
    assert row["approved_at"] and row["published_at"] and row["drafted_at"]
    assert row["article"]["url"] == "https://news.example.org/a"
    assert row["evidence"] == [
        {"url": "https://www.whitehouse.gov/administration/", "title": source.title, "stance": "refutes", "excerpt": ""}
    ]


@override_settings(DESK_CLAIM_URL_TEMPLATE="https://desk.example.org/checks/{id}/", DESK_NAME="The Desk")
def test_claimreview_urls_and_author_come_from_settings(people):
    claim = published(people)
    export = claims_export(export_format="claimreview")
    (review,) = json.loads("".join(export.chunks))["@graph"]
    assert review["url"] == f"https://desk.example.org/checks/{claim.pk}/"
    assert review["author"]["name"] == "The Desk"
    assert review["reviewRating"]["bestRating"] == 5 and review["reviewRating"]["worstRating"] == 1


def test_since_keeps_only_claims_changed_after_it(people):
    old = published(people)
    new = published(people, text="Another claim.")
    cutoff = timezone.now() - dt.timedelta(minutes=1)
    Claim.objects.filter(pk=old.pk).update(updated_at=cutoff - dt.timedelta(days=2))
    assert [row["id"] for row in read_jsonl(since=cutoff)] == [new.pk]


def test_it_prefetches_evidence_once_per_chunk_not_once_per_claim(people, django_assert_num_queries):
    for n in range(25):
        EvidenceFactory(claim=published(people, text=f"Claim {n}."), added_by=people["author"])
    export = claims_export(export_format="csv", chunk_size=10)
    # One query for the rating scale, one for the claims, and one each for evidence, explainers and
    # appearances per chunk of 10.
    with django_assert_num_queries(1 + 1 + 3 + 3 + 3):
        rows = list(csv.DictReader(io.StringIO("".join(export.chunks))))
    assert len(rows) == 25


def test_the_command_writes_the_export_to_a_file(people, tmp_path):
    claim = published(people)
    target = tmp_path / "claims.jsonl"
    call_command("export_claims", "--format", "jsonl", "--output", str(target), stderr=io.StringIO())
    assert [json.loads(line)["id"] for line in target.read_text().splitlines()] == [claim.pk]
    assert not (tmp_path / "claims.jsonl.partial").exists()


def test_the_command_honours_since_and_writes_to_stdout(people):
    old = published(people)
    Claim.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=10))
    recent = published(people, text="A recent claim.")
    out = io.StringIO()
    since = (timezone.now() - dt.timedelta(days=1)).date().isoformat()
    call_command("export_claims", "--format", "csv", "--since", since, stdout=out)
    assert [row["id"] for row in csv.DictReader(io.StringIO(out.getvalue()))] == [str(recent.pk)]


def test_the_api_streams_an_export_as_an_attachment(people):
    claim = published(people)
    client = APIClient()
    client.force_login(UserFactory(username="reader"))
    response = client.get("/api/v1/exports/claimreview/")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/ld+json"
    assert response["Content-Disposition"].startswith('attachment; filename="claims-')
    document = json.loads(b"".join(response.streaming_content))
    assert [review["url"] for review in document["@graph"]] == [claim_public_url(claim_id=claim.pk, text=claim.text)]


def test_the_api_refuses_an_unparseable_since_with_400(people):
    client = APIClient()
    client.force_login(UserFactory(username="reader"))
    response = client.get("/api/v1/exports/csv/", {"since": "last tuesday"})
    assert response.status_code == 400
    assert "since" in response.json()["extra"]["fields"]


def test_claimreview_lists_every_appearance_and_the_first(people):
    from claims.models import Appearance, Article

    claim = published(people)
    wire = Article.objects.create(url="https://wire.example/a", title="Wire", outlet="Wire", body="x", content_hash="w")
    daily = Article.objects.create(
        url="https://daily.example/b", title="Daily", outlet="Daily", body="y", content_hash="d"
    )
    Appearance.objects.create(claim=claim, article=wire, text=claim.text)
    Appearance.objects.create(claim=claim, article=daily, text=claim.text, match="exact")
    export = claims_export(export_format="claimreview")
    item = json.loads("".join(export.chunks))
    reviews = item if isinstance(item, list) else item.get("@graph", [item])
    reviewed = reviews[0]["itemReviewed"]
    assert [work["url"] for work in reviewed["appearance"]] == ["https://wire.example/a", "https://daily.example/b"]
    assert reviewed["firstAppearance"]["publisher"]["name"] == "Wire"


def test_every_appearance_of_a_claim_is_in_the_csv_and_json_lines_exports(people):
    claim = published(people)
    wire = ArticleFactory(url="https://wire.example.org/talks", title="Talks", outlet="Wire")
    for article in (claim.article, wire):
        Appearance.objects.create(claim=claim, article=article, text=claim.text)

    (row,) = csv.DictReader(io.StringIO("".join(claims_export(export_format="csv").chunks)))
    assert row["appearance_count"] == "2"
    assert row["appearance_urls"].split(" | ")[-1] == "https://wire.example.org/talks"
    (line,) = read_jsonl()
    assert [item["outlet"] for item in line["appearances"]] == [claim.article.outlet, "Wire"]
