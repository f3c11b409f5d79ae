"""The public check pages and their index: no sign-in, one ClaimReview per page, the published
wording even while a reopened verdict is being redrafted."""

from __future__ import annotations

import json

import extruct
import pytest
from django.test import Client, override_settings

from claims.choices import ClaimStatus
from claims.public import public_check_path
from claims.services import review, verdicts
from claims.services.exports import claims_export
from claims.views.base import CONTENT_SECURITY_POLICY
from tests.factories import ClaimFactory, rating

from .conftest import publish_check

pytestmark = pytest.mark.django_db


def claim_reviews(html: str, url: str) -> list[dict]:
    data = extruct.extract(html, base_url=url, syntaxes=["json-ld"], uniform=True)
    return [item for item in data["json-ld"] if item.get("@type") == "ClaimReview"]


def test_a_reader_sees_a_published_check_without_signing_in(desk):
    claim = publish_check(desk)
    response = Client().get(public_check_path(claim_id=claim.pk, text=claim.text))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Former U.S. President Donald Trump met the chancellor on Monday." in page
    assert "Outdated" in page
    assert "He has held the office again since 20 January 2025." in page
    assert "U.S. President Donald Trump met the chancellor on Monday." in page
    assert "https://www.whitehouse.gov/p/" in page
    assert "Daily News" in page and "https://news.example.org/articles/" in page
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_the_page_carries_exactly_one_claimreview_that_parses(desk):
    claim = publish_check(desk)
    path = public_check_path(claim_id=claim.pk, text=claim.text)
    html = Client().get(path).content.decode()
    reviews = claim_reviews(html, "http://testserver" + path)
    assert len(reviews) == 1
    review_ld = reviews[0]
    assert review_ld["url"].endswith(path)
    assert review_ld["reviewRating"]["alternateName"] == rating("Outdated").alternate_name
    assert review_ld["itemReviewed"]["appearance"][0]["url"] == claim.article.url


def test_the_page_names_every_outlet_the_claim_appeared_in_once_and_its_claimreview_lists_them(desk):
    from claims.models import Appearance
    from tests.factories import ArticleFactory

    claim = publish_check(desk)
    wire = ArticleFactory(url="https://wire.example.org/talks", title="Talks in Kyiv", outlet="Wire Service")
    Appearance.objects.create(claim=claim, article=claim.article, text=claim.text)
    # The wire story repeats the quote twice: still one place it appeared.
    Appearance.objects.create(claim=claim, article=wire, text=claim.text, match="exact")
    Appearance.objects.create(claim=claim, article=wire, text=claim.text, match="exact")
    path = public_check_path(claim_id=claim.pk, text=claim.text)
    html = Client().get(path).content.decode()
    assert "Wire Service" in html and "Talks in Kyiv" in html
    (review_ld,) = claim_reviews(html, "http://testserver" + path)
    works = review_ld["itemReviewed"]["appearance"]
    assert [work["url"] for work in works] == [claim.article.url, "https://wire.example.org/talks"]
    assert review_ld["itemReviewed"]["firstAppearance"]["url"] == claim.article.url


def test_a_claim_whose_text_would_close_the_script_block_stays_data(desk):
    claim = publish_check(desk, text='He said "</script><script>alert(1)</script>" on air.')
    html = Client().get(public_check_path(claim_id=claim.pk, text=claim.text)).content.decode()
    assert "<script>alert(1)" not in html
    reviews = claim_reviews(html, "http://testserver/")
    assert "</script><script>alert(1)</script>" in reviews[0]["claimReviewed"]


def test_an_unpublished_claim_has_no_public_page(desk):
    claim = ClaimFactory(status=ClaimStatus.NEW)
    assert Client().get(public_check_path(claim_id=claim.pk, text=claim.text)).status_code == 404


def test_an_address_with_an_old_or_missing_slug_redirects_to_the_page(desk):
    claim = publish_check(desk)
    canonical = public_check_path(claim_id=claim.pk, text=claim.text)
    for path in (f"/checks/{claim.pk}/", f"/checks/{claim.pk}-something-else/"):
        response = Client().get(path)
        assert response.status_code == 301
        assert response["Location"] == canonical


def test_a_reopened_check_says_it_is_under_review_and_keeps_the_published_wording(desk):
    claim = publish_check(desk)
    verdicts.verdict_reopen(user=desk["editor"], claim_id=claim.pk, reason="New statement from the court.")
    review.review_take(user=desk["reviewer"], claim_id=claim.pk)
    verdicts.verdict_draft(
        user=desk["reviewer"], claim_id=claim.pk, rating=rating("Inaccurate"), explanation="A DRAFT NOBODY APPROVED."
    )
    path = public_check_path(claim_id=claim.pk, text=claim.text)
    html = Client().get(path).content.decode()
    assert "Under review again" in html
    assert "He has held the office again since 20 January 2025." in html
    assert "A DRAFT NOBODY APPROVED." not in html
    assert "Outdated" in html and "Inaccurate" not in html
    # Aggregators are not handed the old rating as the desk's current review.
    assert claim_reviews(html, "http://testserver" + path) == []
    index = Client().get("/checks/").content.decode()
    assert "Under review again" in index


def test_the_index_searches_and_filters_by_rating(desk):
    outdated = publish_check(desk)
    inaccurate = publish_check(
        desk, text="Unemployment fell by 40 percent last year.", rating_label="Inaccurate", explanation="By 0.4."
    )
    ClaimFactory(text="An unpublished claim about unemployment.")
    client = Client()
    everything = client.get("/checks/").content.decode()
    assert outdated.text in everything and inaccurate.text in everything
    assert "An unpublished claim" not in everything
    found = client.get("/checks/", {"q": "unemployment"}).content.decode()
    assert inaccurate.text in found and outdated.text not in found
    filtered = client.get("/checks/", {"rating": rating("Outdated").pk}).content.decode()
    assert outdated.text in filtered and inaccurate.text not in filtered


def test_exports_point_at_the_public_page_unless_a_template_is_set(desk, settings):
    claim = publish_check(desk)
    settings.PUBLIC_SITE_URL = "https://checks.example.org"
    document = json.loads("".join(claims_export(export_format="claimreview").chunks))
    assert document["@graph"][0]["url"] == "https://checks.example.org" + public_check_path(
        claim_id=claim.pk, text=claim.text
    )
    with override_settings(DESK_CLAIM_URL_TEMPLATE="https://desk.example.org/c/{id}"):
        document = json.loads("".join(claims_export(export_format="claimreview").chunks))
    assert document["@graph"][0]["url"] == f"https://desk.example.org/c/{claim.pk}"
