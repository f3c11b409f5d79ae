import datetime as dt
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from claims.choices import ClaimStatus
from claims.errors import ClaimStateError, LeaseError, PermissionDeniedError
from claims.models import Claim, Finding
from claims.services import review
from claims.services.articles import article_ingest
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_take_next_hands_out_the_highest_priority_claim_under_a_lease(reviewer):
    ClaimFactory(priority=1.0)
    top = ClaimFactory(priority=9.0)

    claim = review.review_take_next(user=reviewer)

    assert claim.pk == top.pk
    assert claim.assignee == reviewer
    assert claim.status == ClaimStatus.IN_REVIEW
    assert claim.lease_expires_at > timezone.now()


def test_two_reviewers_never_get_the_same_claim(reviewer, second_reviewer):
    ClaimFactory(priority=5.0)
    ClaimFactory(priority=4.0)

    first = review.review_take_next(user=reviewer)
    second = review.review_take_next(user=second_reviewer)

    assert first.pk != second.pk


def test_a_reviewer_holding_a_claim_gets_it_back_instead_of_a_new_one(reviewer):
    ClaimFactory(priority=5.0)
    ClaimFactory(priority=4.0)

    first = review.review_take_next(user=reviewer)
    again = review.review_take_next(user=reviewer)

    assert again.pk == first.pk


def test_take_next_returns_nothing_when_the_queue_is_empty(reviewer, second_reviewer):
    ClaimFactory()
    review.review_take_next(user=reviewer)

    assert review.review_take_next(user=second_reviewer) is None


def test_candidates_below_the_threshold_are_not_handed_out_until_promoted(reviewer):
    candidate = ClaimFactory(status=ClaimStatus.CANDIDATE)

    assert review.review_take_next(user=reviewer) is None
    review.claim_promote(user=reviewer, claim_id=candidate.pk)
    assert review.review_take_next(user=reviewer).pk == candidate.pk


def test_an_expired_lease_returns_the_claim_to_the_queue(reviewer, second_reviewer):
    claim = ClaimFactory()
    review.review_take_next(user=reviewer)
    Claim.objects.filter(pk=claim.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))

    taken = review.review_take_next(user=second_reviewer)

    assert taken.pk == claim.pk
    assert taken.assignee == second_reviewer


def test_an_expired_lease_cannot_be_extended(reviewer):
    claim = ClaimFactory()
    review.review_take_next(user=reviewer)
    Claim.objects.filter(pk=claim.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(LeaseError):
        review.review_extend(user=reviewer, claim_id=claim.pk)


def test_extend_pushes_the_lease_forward(reviewer):
    claim = ClaimFactory()
    review.review_take_next(user=reviewer)
    soon = timezone.now() + timedelta(minutes=1)
    Claim.objects.filter(pk=claim.pk).update(lease_expires_at=soon)

    extended = review.review_extend(user=reviewer, claim_id=claim.pk)

    assert extended.lease_expires_at > soon


def test_release_frees_the_claim_for_someone_else(reviewer, second_reviewer):
    claim = ClaimFactory()
    review.review_take_next(user=reviewer)

    review.review_release(user=reviewer, claim_id=claim.pk)

    assert review.review_take_next(user=second_reviewer).pk == claim.pk


def test_only_the_holder_can_release(reviewer, second_reviewer):
    claim = ClaimFactory()
    review.review_take_next(user=reviewer)

    with pytest.raises(LeaseError):
        review.review_release(user=second_reviewer, claim_id=claim.pk)


def test_taking_a_claim_someone_else_holds_is_refused(reviewer, second_reviewer):
    claim = ClaimFactory()
    review.review_take(user=reviewer, claim_id=claim.pk)

    with pytest.raises(LeaseError):
        review.review_take(user=second_reviewer, claim_id=claim.pk)


def test_outsiders_cannot_take_claims(outsider):
    ClaimFactory()
    with pytest.raises(PermissionDeniedError):
        review.review_take_next(user=outsider)


def test_dismissed_claims_leave_the_queue(reviewer):
    claim = ClaimFactory()
    review.claim_dismiss(user=reviewer, claim_id=claim.pk)

    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.DISMISSED
    assert review.review_take_next(user=reviewer) is None


def test_a_claim_another_reviewer_holds_cannot_be_dismissed(reviewer, second_reviewer):
    claim = ClaimFactory()
    review.review_take_next(user=reviewer)

    with pytest.raises(LeaseError):
        review.claim_dismiss(user=second_reviewer, claim_id=claim.pk)


def test_a_published_claim_cannot_be_dismissed(reviewer):
    claim = ClaimFactory(status=ClaimStatus.PUBLISHED)
    with pytest.raises(ClaimStateError):
        review.claim_dismiss(user=reviewer, claim_id=claim.pk)


def test_expired_leases_are_cleared_by_housekeeping(reviewer):
    claim = ClaimFactory()
    review.review_take_next(user=reviewer)
    Claim.objects.filter(pk=claim.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))

    assert review.leases_release_expired() == 1
    claim.refresh_from_db()
    assert claim.assignee is None and claim.lease_expires_at is None


def test_lease_changes_are_kept_in_the_claims_history(reviewer):
    claim = ClaimFactory()
    review.review_take_next(user=reviewer)
    review.review_extend(user=reviewer, claim_id=claim.pk)
    review.review_release(user=reviewer, claim_id=claim.pk)

    reasons = list(claim.history.order_by("history_date").values_list("history_change_reason", "history_user"))

    assert [reason for reason, _ in reasons][-3:] == ["taken", "lease extended", "released"]
    assert all(user == reviewer.pk for _, user in reasons[-3:])


def test_a_promoted_sentence_gets_the_entity_annotations_a_queued_one_has(reviewer):
    seed = (Path(__file__).resolve().parents[2] / "fixtures" / "seed_article.txt").read_text(encoding="utf-8")
    article = article_ingest(text=seed, published_at=dt.date(2025, 5, 12)).article
    candidate = article.claims.get(text__startswith="And I will be waiting for Putin")
    assert candidate.status == ClaimStatus.CANDIDATE and candidate.entities == []

    promoted = review.claim_promote(user=reviewer, claim_id=candidate.pk)

    body = article.body
    assert {(entity["text"], entity["label"]) for entity in promoted.entities} >= {("Putin", "PERSON")}
    for annotation in promoted.entities + promoted.dates:
        assert body[annotation["start"] : annotation["end"]] == annotation["text"]
    assert "Thursday" in [date["text"] for date in promoted.dates]
    assert Claim.objects.get(pk=candidate.pk).entities == promoted.entities


def test_priorities_follow_the_articles_age_as_days_pass():
    ingest_day = timezone.make_aware(dt.datetime(2025, 5, 12, 12))
    published = timezone.make_aware(dt.datetime(2025, 5, 12, 12))
    article = ArticleFactory(published_at=published)
    fresh = ClaimFactory(article=article, checkworthiness=0.9, claim_types=["other"], priority=0.675)
    flagged = ClaimFactory(article=article, checkworthiness=0.9, claim_types=["other"], priority=0.925)
    Finding.objects.create(claim=flagged, check_name="role_in_office", span_text="Former", message="Outdated.")
    drafted = ClaimFactory(article=article, status=ClaimStatus.DRAFTED, checkworthiness=0.9, priority=0.9)
    today_news = ClaimFactory(
        article=ArticleFactory(published_at=published + timedelta(days=30)), checkworthiness=0.7, priority=0.525
    )

    assert review.queue_reprioritise(at=ingest_day) == 0
    # A month on, the old article's claims fall behind today's news; the finding still lifts its claim.
    assert review.queue_reprioritise(at=ingest_day + timedelta(days=30)) == 2
    fresh.refresh_from_db()
    flagged.refresh_from_db()
    drafted.refresh_from_db()
    assert fresh.priority == pytest.approx(0.675 * max(0.3, 0.5 ** (28 / 14)), abs=1e-4)  # two half-lives, floored
    assert flagged.priority == pytest.approx(fresh.priority + 0.25)
    assert drafted.priority == 0.9  # out of the queue: left as it was
    assert review.review_take_next(user=UserFactory(roles=["reviewer"])).pk == today_news.pk
    # The recomputation is not an edit: nobody's open page goes stale because of it.
    assert fresh.version == 1
