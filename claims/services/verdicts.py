"""Verdicts: a reviewer drafts, an editor approves (never their own) and publishes; a published
verdict changes only after it is reopened. Every edit names the version it was based on."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..errors import (
    ClaimStateError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    StaleVersionError,
)
from ..models import Claim, Rating, Verdict
from ..roles import User, require_editor, require_reviewer
from ..rules import ClaimAction, transition_target
from .notifications import author_notify
from .review import claim_transition, lease_require
from .webhooks import verdict_event_data, webhook_event_emit

MAX_EXPLANATION_CHARS = 20_000


def _locked_claim(claim_id: int) -> Claim:
    """Call inside transaction.atomic: the row stays locked until commit (on PostgreSQL)."""
    claim = Claim.objects.select_for_update().filter(pk=claim_id).first()
    if claim is None:
        raise NotFoundError("Claim not found.", claim_id=claim_id)
    return claim


def _locked_verdict(claim: Claim) -> Verdict:
    verdict = Verdict.objects.select_for_update().filter(claim=claim).first()
    if verdict is None:
        raise ClaimStateError("This claim has no verdict yet.", claim_id=claim.pk)
    return verdict


def _check_version(verdict: Verdict, expected_version: int | None) -> None:
    if expected_version is not None and verdict.version != expected_version:
        raise StaleVersionError(
            "This verdict was changed by someone else since you loaded it; nothing was saved.",
            current_version=verdict.version,
            expected_version=expected_version,
        )


def _require_evidence(claim: Claim) -> None:
    if settings.VERDICT_WITHOUT_EVIDENCE == "refuse" and not claim.evidence.exists():
        raise InvalidInputError(
            "A verdict needs at least one piece of evidence: cite a source first.", claim_id=claim.pk
        )


def verdict_draft(
    *,
    user: User,
    claim_id: int,
    rating: Rating | int,
    explanation: str,
    corrected_statement: str = "",
    expected_version: int | None = None,
) -> Verdict:
    """Create or revise the draft verdict of a claim the reviewer holds. The claim leaves the
    reviewer's hands for the editor, so the lease is released."""
    require_reviewer(user)
    if len(explanation) > MAX_EXPLANATION_CHARS or len(corrected_statement) > MAX_EXPLANATION_CHARS:
        raise InvalidInputError(f"Explanation and correction are limited to {MAX_EXPLANATION_CHARS} characters.")
    rating_obj = rating if isinstance(rating, Rating) else Rating.objects.filter(pk=rating, is_active=True).first()
    if rating_obj is None:
        raise InvalidInputError("Unknown rating.", rating=rating)
    with transaction.atomic():
        claim = _locked_claim(claim_id)
        verdict = Verdict.objects.select_for_update().filter(claim=claim).first()
        # A stale edit is reported as stale before the claim's state is judged: when the same draft
        # is submitted twice at once, the first moves the claim on, and the second must learn that
        # the verdict changed (and its current version), not that drafting is closed.
        if verdict is None:
            if expected_version not in (None, 0):
                raise StaleVersionError("This verdict does not exist any more.", current_version=0)
        else:
            _check_version(verdict, expected_version)
        transition_target(status=claim.status, action=ClaimAction.DRAFT_VERDICT)
        lease_require(claim=claim, user=user)
        _require_evidence(claim)
        if verdict is None:
            verdict = Verdict(claim=claim, author=user, rating=rating_obj)
        else:
            verdict.version += 1
            verdict.author = user
        verdict.rating = rating_obj
        verdict.explanation = explanation
        verdict.corrected_statement = corrected_statement
        verdict.approver = None
        verdict.approved_at = None
        verdict.save()
        claim_transition(claim=claim, action=ClaimAction.DRAFT_VERDICT, assignee=None, lease_expires_at=None)
    return verdict


def verdict_approve(*, user: User, claim_id: int, expected_version: int | None = None) -> Verdict:
    require_editor(user)
    with transaction.atomic():
        claim = _locked_claim(claim_id)
        verdict = _locked_verdict(claim)
        _check_version(verdict, expected_version)
        transition_target(status=claim.status, action=ClaimAction.APPROVE_VERDICT)
        if verdict.author_id == user.pk:
            raise PermissionDeniedError("You cannot approve a verdict you wrote; another editor must.")
        _require_evidence(claim)
        verdict.approver = user
        verdict.approved_at = timezone.now()
        verdict.review_comment = ""
        verdict.version += 1
        verdict.save()
        claim_transition(claim=claim, action=ClaimAction.APPROVE_VERDICT)
        webhook_event_emit(event_type="verdict.approved", data=verdict_event_data(verdict=verdict, by=user))
        author_notify(verdict=verdict, event="approved", editor=user)
    return verdict


def verdict_send_back(*, user: User, claim_id: int, comment: str, expected_version: int | None = None) -> Verdict:
    """The editor returns a draft to its author with a comment: the claim is back in review, assigned
    to the author for REVIEW_SENT_BACK_LEASE_DURATION, the draft kept for them to revise."""
    require_editor(user)
    if not comment.strip():
        raise InvalidInputError("Say what needs to change when sending a verdict back.")
    with transaction.atomic():
        claim = _locked_claim(claim_id)
        verdict = _locked_verdict(claim)
        _check_version(verdict, expected_version)
        transition_target(status=claim.status, action=ClaimAction.SEND_BACK_VERDICT)
        verdict.review_comment = comment.strip()
        verdict.approver = None
        verdict.approved_at = None
        verdict.version += 1
        verdict.save()
        claim_transition(
            claim=claim,
            action=ClaimAction.SEND_BACK_VERDICT,
            assignee=verdict.author,
            lease_expires_at=timezone.now() + settings.REVIEW_SENT_BACK_LEASE_DURATION,
        )
        webhook_event_emit(
            event_type="verdict.sent_back",
            data=verdict_event_data(verdict=verdict, by=user, comment=verdict.review_comment),
        )
        author_notify(verdict=verdict, event="sent_back", editor=user)
    return verdict


def verdict_publish(*, user: User, claim_id: int, expected_version: int | None = None) -> Verdict:
    require_editor(user)
    with transaction.atomic():
        claim = _locked_claim(claim_id)
        verdict = _locked_verdict(claim)
        _check_version(verdict, expected_version)
        transition_target(status=claim.status, action=ClaimAction.PUBLISH_VERDICT)
        verdict.published_at = timezone.now()
        verdict.version += 1
        verdict.save()
        claim_transition(claim=claim, action=ClaimAction.PUBLISH_VERDICT)
        webhook_event_emit(event_type="claim.published", data=verdict_event_data(verdict=verdict, by=user))
        author_notify(verdict=verdict, event="published", editor=user)
    return verdict


def verdict_reopen(*, user: User, claim_id: int, reason: str, expected_version: int | None = None) -> Verdict:
    """The only way to change a published verdict: reopen it, which puts the claim back in the queue."""
    require_editor(user)
    if not reason.strip():
        raise InvalidInputError("Say why the verdict is reopened.")
    with transaction.atomic():
        claim = _locked_claim(claim_id)
        verdict = _locked_verdict(claim)
        _check_version(verdict, expected_version)
        transition_target(status=claim.status, action=ClaimAction.REOPEN_VERDICT)
        verdict.review_comment = reason.strip()
        verdict.approver = None
        verdict.approved_at = None
        verdict.version += 1
        verdict.save()
        claim_transition(claim=claim, action=ClaimAction.REOPEN_VERDICT)
        webhook_event_emit(
            event_type="claim.reopened",
            data=verdict_event_data(verdict=verdict, by=user, comment=verdict.review_comment),
        )
    return verdict
