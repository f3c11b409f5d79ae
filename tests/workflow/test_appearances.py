"""A repeated claim is one queue item with many appearances: exact and near repeats, within the
window of days, inside one article; a reviewer splits a wrongly grouped appearance off and merges claims."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from claims.choices import ClaimStatus
from claims.errors import ClaimStateError
from claims.models import Appearance, Claim
from claims.services.appearances import appearance_split, claim_merge
from claims.services.articles import article_ingest

pytestmark = pytest.mark.django_db

QUOTE = "The minister said unemployment fell by 3 percent in 2024."


def ingest(text: str, **metadata) -> int:
    return article_ingest(text=text, **metadata).article.pk


def queued(text_start: str) -> list[Claim]:
    return list(Claim.objects.filter(text__startswith=text_start).exclude(status=ClaimStatus.DISMISSED))


def test_a_quote_repeated_by_other_outlets_is_one_claim_with_an_appearance_in_each():
    first = ingest(f"Wire copy. {QUOTE}", outlet="Wire")
    second = ingest(f"Another report. “{QUOTE.upper()}”", outlet="Daily")
    third = ingest(f"A third report.   {QUOTE.replace(' ', '  ')}", outlet="Herald")
    [claim] = queued("The minister said")
    assert claim.article_id == first and claim.appearance_count == 3
    seen = Appearance.objects.filter(claim=claim).order_by("id")
    assert [a.article_id for a in seen] == [first, second, third]
    assert [a.match for a in seen] == ["first", "exact", "exact"]
    assert [a.article.outlet for a in seen] == ["Wire", "Daily", "Herald"]


def test_repeats_inside_one_article_collapse_too():
    article = ingest(f"{QUOTE} And once more. {QUOTE} Again. {QUOTE}")
    [claim] = queued("The minister said")
    assert claim.appearance_count == 3
    seen = Appearance.objects.filter(claim=claim, article_id=article).order_by("start")
    assert [(a.text, a.match) for a in seen] == [(QUOTE, "first"), (QUOTE, "exact"), (QUOTE, "exact")]


def test_claims_seen_a_different_number_of_times_in_one_article_each_get_their_own_count():
    other = "Prices rose by 2 percent in May, the statistics office said."
    ingest(f"Wire copy. {other}")
    ingest(f"{QUOTE} Then. {other} Again. {QUOTE} Later. {QUOTE}")
    [quote] = queued("The minister said")
    [prices] = queued("Prices rose")
    assert (quote.appearance_count, prices.appearance_count) == (3, 2)
    ingest(f"A third report. {other} Once more. {other}")
    prices.refresh_from_db()
    quote.refresh_from_db()
    assert (quote.appearance_count, prices.appearance_count) == (3, 4)


def test_a_near_duplicate_joins_the_claim_above_the_threshold_only(settings):
    ingest(QUOTE)
    ingest("The minister said that unemployment fell by 3 percent in 2024.")
    assert len(queued("The minister said")) == 1
    settings.APPEARANCE_SIMILARITY = 1.01
    ingest("The minister said joblessness fell by 3 percent during 2024.")
    assert len(queued("The minister said")) == 2


def test_a_repeat_outside_the_window_is_a_new_claim(settings):
    ingest(QUOTE)
    Claim.objects.update(created_at=timezone.now() - dt.timedelta(days=settings.APPEARANCE_WINDOW_DAYS + 1))
    ingest(f"Weeks later. {QUOTE}")
    assert len(queued("The minister said")) == 2


def test_a_reviewer_splits_a_wrongly_grouped_appearance_into_its_own_claim(reviewer):
    ingest(QUOTE)
    second = ingest(f"Elsewhere. {QUOTE}")
    [claim] = queued("The minister said")
    moved = Appearance.objects.get(claim=claim, article_id=second)
    split = appearance_split(user=reviewer, appearance_id=moved.pk)
    assert split.pk != claim.pk and split.status == ClaimStatus.NEW and split.article_id == second
    claim.refresh_from_db()
    assert (claim.appearance_count, split.appearance_count) == (1, 1)
    assert split.history.first().history_change_reason == f"split off from claim {claim.pk}"
    with pytest.raises(ClaimStateError):
        appearance_split(user=reviewer, appearance_id=moved.pk)


def test_a_reviewer_merges_two_claims_and_the_appearances_follow(reviewer):
    ingest(QUOTE)
    ingest("Prices rose by 2 percent in May, the statistics office said.")
    [kept] = queued("The minister said")
    [gone] = queued("Prices rose")
    merged = claim_merge(user=reviewer, claim_id=gone.pk, into_claim_id=kept.pk)
    assert merged.appearance_count == 2
    gone.refresh_from_db()
    assert gone.status == ClaimStatus.DISMISSED and gone.merged_into_id == kept.pk
    assert gone.history.first().history_change_reason == f"merged into claim {kept.pk}"
    with pytest.raises(ClaimStateError):
        claim_merge(user=reviewer, claim_id=gone.pk, into_claim_id=kept.pk)


def test_a_quote_stored_by_another_worker_meanwhile_is_found_again_under_the_lock(monkeypatch):
    from claims.services import articles as article_services

    real = article_services.appearances_group

    def group_then_another_worker_stores_the_quote(**kwargs):
        groupings = real(**kwargs)
        monkeypatch.setattr(article_services, "appearances_group", real)
        ingest(f"Elsewhere at the same moment. {QUOTE}")
        return groupings

    monkeypatch.setattr(article_services, "appearances_group", group_then_another_worker_stores_the_quote)
    ingest(f"Wire copy. {QUOTE} {QUOTE}")
    [claim] = queued("The minister said")
    assert claim.appearance_count == 3


NEAR_QUOTE = "The minister said that unemployment fell by 3 percent in 2024."


def test_a_near_duplicate_joins_the_claim_it_repeats_with_its_similarity(settings):
    ingest("Prices rose by 2 percent in May, the statistics office said.")
    ingest(QUOTE)
    article = ingest(f"Later. {NEAR_QUOTE}")
    [claim] = queued("The minister said")
    seen = Appearance.objects.get(claim=claim, article_id=article)
    assert seen.match == "similar" and seen.similarity is not None
    assert settings.APPEARANCE_SIMILARITY <= seen.similarity < 1.0


def test_a_near_duplicate_of_a_merged_claim_does_not_join_it(reviewer):
    ingest(QUOTE)
    ingest("Prices rose by 2 percent in May, the statistics office said.")
    [gone] = queued("The minister said")
    [kept] = queued("Prices rose")
    claim_merge(user=reviewer, claim_id=gone.pk, into_claim_id=kept.pk)
    ingest(f"Later. {NEAR_QUOTE}")
    [new] = queued("The minister said that")
    assert new.pk != gone.pk and new.appearance_count == 1
    assert Appearance.objects.filter(claim=kept).count() == 2


def test_a_near_duplicate_of_a_candidate_claim_is_queued_on_its_own():
    ingest(QUOTE)
    Claim.objects.update(status=ClaimStatus.CANDIDATE)
    ingest(f"Later. {NEAR_QUOTE}")
    [candidate] = Claim.objects.filter(status=ClaimStatus.CANDIDATE, text=QUOTE)
    [new] = queued("The minister said that")
    assert new.pk != candidate.pk and Appearance.objects.filter(claim=candidate).count() == 1
