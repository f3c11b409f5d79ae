"""The queue at volume: search, sort and bulk actions, with the same filter parameters as the API."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from claims.choices import ClaimStatus
from claims.models import Claim
from tests.factories import ArticleFactory, ClaimFactory
from tests.ui.signed_in import client_for, page_messages

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_claims():
    budget = ArticleFactory(title="Budget debate in parliament", outlet="Wire")
    # Titles without digits: the factory's "Article 13" would match a search for "3".
    tax_news, jobs_news = ArticleFactory(title="Tax news"), ArticleFactory(title="Jobs news")
    return {
        "tax": ClaimFactory(
            article=tax_news, text="Taxes rose by 2 percent.", speaker="Jane Doe", priority=0.5, appearance_count=1
        ),
        "jobs": ClaimFactory(
            article=jobs_news, text="Unemployment fell to 3 percent.", priority=0.9, appearance_count=7
        ),
        "budget": ClaimFactory(article=budget, text="The deficit doubled.", priority=0.7, appearance_count=3),
    }


def shown(client, **query) -> list[int]:
    return [row["pk"] for row in client.get(reverse("claims:queue"), query).context["claims"]]


def listed(user, **query) -> list[int]:
    api = APIClient()
    api.force_login(user)
    response = api.get("/api/v1/claims/", query)
    assert response.status_code == 200, response.content[:300]
    return [claim["id"] for claim in response.json()["results"]]


def test_search_finds_claim_text_speaker_and_article_title_alike_in_the_queue_and_the_api(reviewer, desk_claims):
    client = client_for(reviewer)
    ids = {name: claim.pk for name, claim in desk_claims.items()}
    for query, expected in [("taxes", "tax"), ("jane", "tax"), ("parliament", "budget"), ("3 percent", "jobs")]:
        assert shown(client, q=query) == [ids[expected]], query
        assert listed(reviewer, q=query) == [ids[expected]], query


def test_the_queue_sorts_by_priority_newest_most_repeated_and_longest_waiting(reviewer, desk_claims):
    client = client_for(reviewer)
    tax, jobs, budget = (desk_claims[name].pk for name in ("tax", "jobs", "budget"))
    assert shown(client) == [jobs, budget, tax]
    assert shown(client, ordering="-appearance_count") == [jobs, budget, tax]
    assert shown(client, ordering="-created_at") == [budget, jobs, tax]
    assert shown(client, ordering="created_at") == [tax, jobs, budget]
    assert listed(reviewer, ordering="-appearance_count") == [jobs, budget, tax]


def test_a_bulk_dismiss_asks_for_confirmation_naming_the_count_first(reviewer, desk_claims):
    client = client_for(reviewer)
    ids = [desk_claims["tax"].pk, desk_claims["jobs"].pk]
    asked = client.post(reverse("claims:queue_bulk"), {"action": "dismiss", "ids": ids, "next": "/"})
    assert asked.status_code == 200
    assert "Dismiss 2 claims?" in asked.content.decode()
    assert not Claim.objects.filter(status=ClaimStatus.DISMISSED).exists()

    done = client.post(
        reverse("claims:queue_bulk"), {"action": "dismiss", "ids": ids, "confirm_count": "2", "next": "/"}, follow=True
    )
    assert page_messages(done) == ["Dismiss: 2 of 2 claims done."]
    assert set(Claim.objects.filter(status=ClaimStatus.DISMISSED).values_list("pk", flat=True)) == set(ids)


def test_a_confirmation_for_another_count_changes_nothing(reviewer, desk_claims):
    client = client_for(reviewer)
    ids = [claim.pk for claim in desk_claims.values()]
    response = client.post(
        reverse("claims:queue_bulk"), {"action": "dismiss", "ids": ids, "confirm_count": "2", "next": "/"}, follow=True
    )
    assert "nothing was changed" in page_messages(response)[0]
    assert not Claim.objects.filter(status=ClaimStatus.DISMISSED).exists()


def test_the_workspace_lists_the_appearances_and_splits_one_off(reviewer):
    from claims.models import Appearance
    from claims.services.articles import article_ingest

    quote = "The minister said unemployment fell by 3 percent in 2024."
    article_ingest(text=quote, outlet="Wire")
    article_ingest(text=f"Later. {quote}", outlet="Daily")
    claim = Claim.objects.get(text=quote)
    client = client_for(reviewer)
    assert f"×{claim.appearance_count}" in client.get(reverse("claims:queue")).content.decode()
    page = client.get(reverse("claims:workspace", args=[claim.pk])).content.decode()
    assert "2 times" in page and "Wire" in page and "Daily" in page
    repeat = Appearance.objects.get(claim=claim, match="exact")
    response = client.post(reverse("claims:appearance_split", args=[repeat.pk]), follow=True)
    assert page_messages(response) == ["The appearance is now a claim of its own, in the queue."]
    assert Claim.objects.filter(text=quote, status=ClaimStatus.NEW).count() == 2


def test_each_row_says_why_it_ranks_where_it_does(reviewer, desk_claims):
    page = client_for(reviewer).get(reverse("claims:queue")).content.decode()
    assert page.count("= score ") >= len(desk_claims)
    assert "seen 7×" in page


def test_markup_in_a_claim_its_speaker_or_its_outlet_is_shown_as_text_in_the_queue(reviewer):
    article = ArticleFactory(title="Wire", outlet="<i>Outlet</i>")
    ClaimFactory(article=article, text='<script>alert("x")</script> rose & fell', speaker="<b>Jo</b>", priority=99)
    page = client_for(reviewer).get(reverse("claims:queue")).content.decode()
    assert "<script>alert" not in page and "<b>Jo</b>" not in page and "<i>Outlet</i>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; rose &amp; fell" in page
    assert '<span class="muted speaker">&lt;b&gt;Jo&lt;/b&gt;</span>' in page
    assert "&lt;i&gt;Outlet&lt;/i&gt;" in page
