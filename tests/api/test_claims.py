"""The claim list: visibility, filters, search, ordering, keyset pages, incremental sync."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from claims.choices import ClaimStatus
from claims.models import Claim
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content[:300]
    return [claim["id"] for claim in response.json()["results"]]


def walk(client, url: str, params: dict) -> list[int]:
    """Every id across every page, following the next links."""
    seen: list[int] = []
    response = client.get(url, params)
    while True:
        seen += ids(response)
        next_url = response.json()["next"]
        if next_url is None:
            return seen
        response = client.get(next_url)


def test_people_without_a_role_see_only_published_claims(client_as, desk):
    assert ids(client_as("outsider").get("/api/v1/claims/")) == [desk.published_claim.pk]
    assert set(ids(client_as("reviewer").get("/api/v1/claims/"))) == {
        desk.new_claim.pk,
        desk.drafted_claim.pk,
        desk.published_claim.pk,
    }


def test_a_list_item_shows_the_article_and_verdict_summary(client_as, desk):
    (item,) = client_as("outsider").get("/api/v1/claims/").json()["results"]
    assert item["article"]["url"] == "https://news.example.org/2025/05/12/summit"
    assert item["verdict"]["rating"] == "Outdated"
    assert item["status"] == "published"
    assert "embedding" not in item


def test_it_filters_by_status_article_and_checkworthiness(client_as, desk):
    client = client_as("reviewer")
    other = ClaimFactory(checkworthiness=0.2)
    assert set(ids(client.get("/api/v1/claims/", {"status": ["new", "drafted"]}))) == {
        desk.new_claim.pk,
        desk.drafted_claim.pk,
        other.pk,
    }
    assert other.pk not in ids(client.get("/api/v1/claims/", {"article": desk.new_claim.article_id}))
    assert ids(client.get("/api/v1/claims/", {"min_checkworthiness": 0.5, "status": "new"})) == [desk.new_claim.pk]


def test_it_searches_the_claim_text_word_by_word(client_as, desk):
    response = client_as("reviewer").get("/api/v1/claims/", {"q": "trump CHANCELLOR"})
    assert ids(response) == [desk.published_claim.pk]


def test_it_filters_by_claim_type(client_as, db):
    role_claim = ClaimFactory(claim_types=["role", "event"])
    ClaimFactory(claim_types=["statistic"])
    assert ids(client_as("reviewer").get("/api/v1/claims/", {"claim_type": "role"})) == [role_claim.pk]


def test_it_orders_by_priority_when_asked(client_as, db):
    low, high, middle = ClaimFactory(priority=1), ClaimFactory(priority=99), ClaimFactory(priority=50)
    assert ids(client_as("reviewer").get("/api/v1/claims/", {"ordering": "-priority"})) == [high.pk, middle.pk, low.pk]


def test_it_refuses_an_unknown_ordering_or_status_with_400(client_as, db):
    client = client_as("reviewer")
    for params in ({"ordering": "text"}, {"status": "lost"}, {"page_size": "0"}, {"cursor": "garbage"}):
        response = client.get("/api/v1/claims/", params)
        assert response.status_code == 400, params
        assert set(response.json()) == {"message", "extra"}


@pytest.mark.parametrize("ordering", ["-id", "priority", "-priority", "updated_at", "-checkworthiness"])
def test_pages_cover_every_claim_once_even_when_the_ordering_value_ties(client_as, db, ordering):
    article = ArticleFactory()
    created = {ClaimFactory(article=article, priority=float(n % 3), checkworthiness=0.5).pk for n in range(23)}
    # Bulk writes share timestamps; the id breaks the tie.
    Claim.objects.update(updated_at=timezone.now())
    seen = walk(client_as("reviewer"), "/api/v1/claims/", {"ordering": ordering, "page_size": 5})
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == created


def test_a_cursor_from_another_ordering_is_refused(client_as, db):
    for _ in range(3):
        ClaimFactory()
    client = client_as("reviewer")
    next_url = client.get("/api/v1/claims/", {"ordering": "-id", "page_size": 1}).json()["next"]
    cursor = next_url.split("cursor=")[1].split("&")[0]
    response = client.get("/api/v1/claims/", {"ordering": "priority", "cursor": cursor})
    assert response.status_code == 400


def test_updated_since_returns_only_claims_changed_after_it(client_as, desk):
    cutoff = timezone.now() - dt.timedelta(minutes=5)
    Claim.objects.exclude(pk=desk.new_claim.pk).update(updated_at=cutoff - dt.timedelta(hours=1))
    response = client_as("reviewer").get(
        "/api/v1/claims/", {"updated_since": cutoff.isoformat(), "ordering": "updated_at"}
    )
    assert ids(response) == [desk.new_claim.pk]


def test_a_page_costs_the_same_number_of_queries_whatever_its_size(client_as, db, django_assert_max_num_queries):
    article = ArticleFactory()
    for _ in range(60):
        ClaimFactory(article=article, status=ClaimStatus.NEW)
    client = client_as("reviewer")
    client.get("/api/v1/claims/")
    # Session, user, roles, and one query for the page itself.
    with django_assert_max_num_queries(4):
        assert len(ids(client.get("/api/v1/claims/", {"page_size": 50}))) == 50


def test_the_detail_shows_verdict_evidence_and_working_notes_to_staff(client_as, desk):
    staff_view = client_as("reviewer").get(f"/api/v1/claims/{desk.new_claim.pk}/").json()
    assert [finding["check_name"] for finding in staff_view["findings"]] == ["weekday_date"]
    assert [suggestion["id"] for suggestion in staff_view["suggestions"]] == [desk.suggestion_id]

    public_view = client_as("outsider").get(f"/api/v1/claims/{desk.published_claim.pk}/").json()
    assert public_view["verdict"]["rating"]["label"] == "Outdated"
    assert public_view["evidence"][0]["source"]["url"] == "https://www.whitehouse.gov/administration/"
    assert public_view["findings"] is None and public_view["suggestions"] is None


def test_an_unknown_claim_is_404_with_the_error_body(client_as, db):
    response = client_as("reviewer").get("/api/v1/claims/999999/")
    assert response.status_code == 404
    assert response.json() == {"message": "Claim not found.", "extra": {"claim_id": 999999}}


def test_the_list_item_shape_matches_the_generic_serializer(desk, reviewer):
    from rest_framework import serializers

    from claims.api.serializers import ClaimSerializer
    from claims.services.review import review_take

    held = review_take(user=reviewer, claim_id=desk.new_claim.pk)
    for claim in (held, desk.published_claim, desk.drafted_claim):
        fast = ClaimSerializer(claim).data
        generic = serializers.ModelSerializer.to_representation(ClaimSerializer(claim), claim)
        assert fast == generic
