"""Imported fact-checks are suggested like the desk's own verdicts, with the real embedding model."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from django.urls import reverse

from claims.choices import SuggestionState, SuggestionTarget
from claims.factchecks.parsing import parse_json_lines
from claims.models import Evidence, Suggestion
from claims.services import review, similarity
from claims.services.factchecks import factchecks_import, rating_mapping_save
from claims.services.findings import verdict_prefill
from claims.services.suggestions import suggestion_accept
from tests.factories import ClaimFactory, rating

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Real PolitiFact records (CLEF-2021 CheckThat! 2B verified claims).
MURDERS = {
    "claim": '"Over the last two years, the number of murders in America and America’s major cities has dropped, '
    'unlike here (Chicago), by more than 10%."',
    "claimant": "Donald Trump",
    "claim_date": "2019-10-28",
    "rating": "pants-fire",
    "publisher": "PolitiFact",
    "publisher_site": "politifact.com",
    "review_date": "2019-10-29",
    "url": "https://www.politifact.com/factchecks/2019/oct/29/donald-trump/trump-dead-wrong-about-change-murders-chicago/",
    "title": "Trump ‘dead wrong’ about the change in murders in Chicago",
    "language": "en",
}
UNRELATED = {
    **MURDERS,
    "claim": "The city council approved a new budget for public libraries and swimming pools.",
    "title": "Library budget",
    "url": "https://www.politifact.com/factchecks/2019/oct/29/council/library-budget/",
}
CLAIM = "Trump said murders in America's big cities dropped by more than 10 percent over the past two years."


@pytest.fixture
def factchecks():
    factchecks_import(records=parse_json_lines([json.dumps(MURDERS), json.dumps(UNRELATED)]))


def test_a_claim_gets_the_fact_check_that_checked_it_with_who_when_and_the_rating(factchecks, client, reviewer):
    claim = ClaimFactory(text=CLAIM)

    similarity.claims_process_new(claim_ids=[claim.pk])

    suggestion = Suggestion.objects.filter(claim=claim, target_kind=SuggestionTarget.PASSAGE).order_by("-fused_score")[
        0
    ]
    assert suggestion.target_passage.source.url == MURDERS["url"]
    client.force_login(reviewer)
    body = client.get(f"/api/v1/claims/{claim.pk}/").json()
    shown = [s["target_passage"]["factcheck"] for s in body["suggestions"] if s["id"] == suggestion.pk][0]
    assert shown["summary"] == "Checked by PolitiFact on 2019-10-29: pants-fire"
    assert shown["url"] == MURDERS["url"]
    page = client.get(reverse("claims:workspace", args=[claim.pk])).content.decode()
    assert "Checked by PolitiFact on 2019-10-29: pants-fire" in page and MURDERS["url"] in page


def test_accepting_a_fact_check_cites_it_and_prefills_the_mapped_rating(factchecks, reviewer, editor):
    rating_mapping_save(
        user=editor, publisher="PolitiFact", rating_text="pants-fire", rating_id=rating("Inaccurate").pk
    )
    claim = ClaimFactory(text=CLAIM)
    similarity.claims_process_new(claim_ids=[claim.pk])
    suggestion = Suggestion.objects.get(claim=claim, target_passage__source__url=MURDERS["url"])
    review.review_take(user=reviewer, claim_id=claim.pk)

    suggestion_accept(user=reviewer, suggestion_id=suggestion.pk, stance="refutes")

    evidence = Evidence.objects.get(claim=claim)
    assert evidence.source.url == MURDERS["url"] and evidence.stance == "refutes"
    assert evidence.excerpt.startswith("Checked by PolitiFact on 2019-10-29: pants-fire. ")
    prefill = verdict_prefill(claim=claim)
    assert prefill["rating"] == rating("Inaccurate")
    assert MURDERS["url"] in prefill["explanation"]


def test_an_unmapped_rating_prefills_only_the_citation(factchecks, reviewer):
    claim = ClaimFactory(text=CLAIM)
    similarity.claims_process_new(claim_ids=[claim.pk])
    suggestion = Suggestion.objects.get(claim=claim, target_passage__source__url=MURDERS["url"])
    review.review_take(user=reviewer, claim_id=claim.pk)

    suggestion_accept(user=reviewer, suggestion_id=suggestion.pk)

    assert "rating" not in verdict_prefill(claim=claim)


@override_settings(SIMILARITY_STALE_VERDICT_MONTHS=18)
def test_an_old_fact_check_is_suggested_not_auto_linked(factchecks):
    # The fact-check's own words match it as closely as anything can.
    claim = ClaimFactory(text=MURDERS["claim"])

    similarity.claims_process_new(claim_ids=[claim.pk])

    suggestion = Suggestion.objects.get(claim=claim, target_passage__source__url=MURDERS["url"])
    assert suggestion.state == SuggestionState.PENDING
    assert suggestion.scores["downgraded"] == "old fact-check"
