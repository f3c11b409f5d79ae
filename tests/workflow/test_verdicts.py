from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from claims.choices import ClaimStatus
from claims.errors import (
    ClaimStateError,
    InvalidInputError,
    LeaseError,
    PermissionDeniedError,
    StaleVersionError,
)
from claims.models import Claim, Verdict
from claims.services import review, verdicts
from claims.services.evidence import evidence_add, evidence_remove
from tests.factories import ClaimFactory, SourceFactory, rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def held_claim(reviewer):
    ClaimFactory(text="Former U.S. President Donald Trump called for immediate talks.")
    return review.review_take_next(user=reviewer)


def _draft(user, claim, **kwargs):
    return verdicts.verdict_draft(
        user=user,
        claim_id=claim.pk,
        rating=kwargs.pop("rating_obj", rating("Outdated")),
        explanation=kwargs.pop("explanation", "Trump has been president again since 2025-01-20."),
        corrected_statement="U.S. President Donald Trump called for immediate talks.",
        **kwargs,
    )


def test_the_full_path_from_draft_to_publication(reviewer, editor, held_claim):
    verdict = _draft(reviewer, held_claim)
    assert Claim.objects.get(pk=held_claim.pk).status == ClaimStatus.DRAFTED

    verdicts.verdict_approve(user=editor, claim_id=held_claim.pk, expected_version=verdict.version)
    published = verdicts.verdict_publish(user=editor, claim_id=held_claim.pk)

    claim = Claim.objects.get(pk=held_claim.pk)
    assert claim.status == ClaimStatus.PUBLISHED
    assert published.published_at is not None
    assert published.approver == editor
    assert published.rating.label == "Outdated"


def test_drafting_releases_the_lease_for_the_editor(reviewer, held_claim):
    _draft(reviewer, held_claim)
    claim = Claim.objects.get(pk=held_claim.pk)
    assert claim.assignee is None and claim.lease_expires_at is None


def test_a_verdict_cannot_be_drafted_without_holding_the_claim(second_reviewer, held_claim):
    with pytest.raises(LeaseError):
        _draft(second_reviewer, held_claim)


def test_a_verdict_cannot_be_drafted_on_an_expired_lease(reviewer, held_claim):
    Claim.objects.filter(pk=held_claim.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(LeaseError):
        _draft(reviewer, held_claim)
    assert not Verdict.objects.filter(claim=held_claim).exists()


def test_an_editor_cannot_approve_their_own_verdict(editor):
    ClaimFactory()
    claim = review.review_take_next(user=editor)
    _draft(editor, claim)

    with pytest.raises(PermissionDeniedError):
        verdicts.verdict_approve(user=editor, claim_id=claim.pk)
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.DRAFTED


def test_the_database_refuses_a_self_approved_verdict_too(reviewer, held_claim):
    verdict = _draft(reviewer, held_claim)
    with pytest.raises(IntegrityError), transaction.atomic():
        Verdict.objects.filter(pk=verdict.pk).update(approver=reviewer)


def test_a_reviewer_cannot_approve(reviewer, second_reviewer, held_claim):
    _draft(reviewer, held_claim)
    with pytest.raises(PermissionDeniedError):
        verdicts.verdict_approve(user=second_reviewer, claim_id=held_claim.pk)


def test_a_stale_edit_is_refused_and_the_newer_verdict_kept(reviewer, editor, held_claim):
    first = _draft(reviewer, held_claim)
    verdicts.verdict_send_back(user=editor, claim_id=held_claim.pk, comment="Cite the inauguration record.")
    review.review_take(user=reviewer, claim_id=held_claim.pk)
    _draft(
        reviewer,
        held_claim,
        explanation="Sworn in on 2025-01-20 (record).",
        expected_version=first.version + 1,
    )

    stored = Verdict.objects.get(claim=held_claim)
    with pytest.raises(StaleVersionError) as conflict:
        verdicts.verdict_approve(user=editor, claim_id=held_claim.pk, expected_version=first.version)
    assert conflict.value.extra["current_version"] == stored.version
    assert Verdict.objects.get(claim=held_claim).explanation == "Sworn in on 2025-01-20 (record)."


def test_a_published_verdict_changes_only_by_reopening(reviewer, editor, held_claim):
    _draft(reviewer, held_claim)
    verdicts.verdict_approve(user=editor, claim_id=held_claim.pk)
    verdicts.verdict_publish(user=editor, claim_id=held_claim.pk)

    with pytest.raises(ClaimStateError):
        review.review_take(user=reviewer, claim_id=held_claim.pk)
    with pytest.raises(ClaimStateError):
        verdicts.verdict_approve(user=editor, claim_id=held_claim.pk)

    verdicts.verdict_reopen(user=editor, claim_id=held_claim.pk, reason="New evidence came in.")
    review.review_take(user=reviewer, claim_id=held_claim.pk)
    revised = _draft(reviewer, held_claim, rating_obj=rating("Inaccurate"))
    assert revised.rating.label == "Inaccurate"
    assert revised.approver is None


def test_publishing_needs_an_approval_first(reviewer, editor, held_claim):
    _draft(reviewer, held_claim)
    with pytest.raises(ClaimStateError):
        verdicts.verdict_publish(user=editor, claim_id=held_claim.pk)


def test_sending_back_needs_a_comment_and_puts_the_claim_back_in_the_queue(reviewer, editor, held_claim):
    _draft(reviewer, held_claim)
    with pytest.raises(InvalidInputError):
        verdicts.verdict_send_back(user=editor, claim_id=held_claim.pk, comment="  ")

    verdicts.verdict_send_back(user=editor, claim_id=held_claim.pk, comment="Which record?")

    assert Claim.objects.get(pk=held_claim.pk).status == ClaimStatus.IN_REVIEW
    assert review.review_take_next(user=reviewer).pk == held_claim.pk


def test_evidence_is_added_and_removed_only_by_the_holder(reviewer, second_reviewer, held_claim):
    source = SourceFactory()
    evidence = evidence_add(user=reviewer, claim_id=held_claim.pk, source_id=source.pk, stance="refutes")

    with pytest.raises(LeaseError):
        evidence_add(user=second_reviewer, claim_id=held_claim.pk, source_id=source.pk, stance="supports")
    with pytest.raises(LeaseError):
        evidence_remove(user=second_reviewer, evidence_id=evidence.pk)

    evidence_remove(user=reviewer, evidence_id=evidence.pk)
    assert not held_claim.evidence.exists()


def test_evidence_with_an_unknown_stance_is_refused(reviewer, held_claim):
    source = SourceFactory()
    with pytest.raises(InvalidInputError):
        evidence_add(user=reviewer, claim_id=held_claim.pk, source_id=source.pk, stance="maybe")
