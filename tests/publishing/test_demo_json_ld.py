"""Every published check of the demo carries ClaimReview's required and recommended fields in JSON-LD
that a JSON-LD library reads (Google's fact-check markup: required claimReviewed, reviewRating with
alternateName, url; recommended author, datePublished, itemReviewed with its author, date and appearance)."""

from __future__ import annotations

import extruct
import pytest
from django.core.management import call_command
from django.test import Client

from claims.public import public_check_path
from claims.selectors import claims_published

pytestmark = pytest.mark.django_db


def test_every_published_demo_check_has_complete_claimreview_json_ld():
    call_command("load_demo", with_checks=True, verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    claims = list(claims_published())
    assert len(claims) >= 3
    client = Client()
    for claim in claims:
        path = public_check_path(claim_id=claim.pk, text=claim.text)
        response = client.get(path)
        assert response.status_code == 200, path
        items = extruct.extract(
            response.content.decode(), base_url="http://testserver" + path, syntaxes=["json-ld"], uniform=True
        )["json-ld"]
        reviews = [item for item in items if item.get("@type") == "ClaimReview"]
        assert len(reviews) == 1, path
        review = reviews[0]
        assert review["@context"] == "https://schema.org"
        # Required.
        assert review["claimReviewed"], path
        assert review["reviewRating"]["@type"] == "Rating"
        assert review["reviewRating"]["alternateName"], path
        assert review["url"].endswith(path)
        # Recommended.
        assert review["author"]["name"] and review["author"]["url"]
        assert review["datePublished"] == claim.verdict.published_at.date().isoformat()
        item = review["itemReviewed"]
        assert item["@type"] == "Claim"
        assert item["datePublished"] == claim.article.published_at.date().isoformat()
        assert item["author"]["name"]
        assert item["appearance"][0]["headline"] or item["appearance"][0]["url"]
        if review["reviewRating"].get("ratingValue") is not None:
            assert review["reviewRating"]["worstRating"] <= review["reviewRating"]["ratingValue"]
            assert review["reviewRating"]["ratingValue"] <= review["reviewRating"]["bestRating"]
