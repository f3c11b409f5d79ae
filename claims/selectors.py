"""Reads, with the access rules applied. The admin, API and UI all read claims through here."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .choices import QUEUE_STATUSES, ClaimStatus, SuggestionState
from .errors import NotFoundError, PermissionDeniedError
from .models import Article, Claim, Rating, Source, Suggestion, Verdict
from .roles import User, can_edit, can_review
from .rules import lease_free_q


def claim_list_for_user(*, user: User) -> QuerySet[Claim]:
    """Every claim a staff member may see. Outsiders (no role) see only published claims."""
    claims = Claim.objects.select_related("article", "assignee", "verdict__rating")
    if can_review(user):
        return claims
    return claims.filter(status=ClaimStatus.PUBLISHED)


def claim_get_for_user(*, user: User, claim_id: int) -> Claim:
    claim = claim_list_for_user(user=user).filter(pk=claim_id).first()
    if claim is None:
        raise NotFoundError("Claim not found.", claim_id=claim_id)
    return claim


def claim_queue(*, user: User) -> QuerySet[Claim]:
    """The review queue: claims waiting for a reviewer, highest priority first."""
    if not can_review(user):
        raise PermissionDeniedError("Only reviewers see the queue.")
    now = timezone.now()
    return (
        claim_list_for_user(user=user)
        .filter(status__in=QUEUE_STATUSES)
        .filter(lease_free_q(now) | Q(assignee=user))
        .order_by("-priority", "id")
    )


def claims_with_published_verdict() -> QuerySet[Claim]:
    """The one definition of "published": what exports carry and what earlier verdicts are matched against."""
    return Claim.objects.filter(status=ClaimStatus.PUBLISHED, verdict__published_at__isnull=False)


def claims_published(*, since: dt.datetime | None = None) -> QuerySet[Claim]:
    """Claims with a published verdict, oldest change first (stable for incremental sync)."""
    claims = claims_with_published_verdict()
    if since is not None:
        claims = claims.filter(updated_at__gt=since)
    return claims.select_related("article", "verdict__rating", "verdict__author", "verdict__approver").order_by(
        "updated_at", "id"
    )


def claim_suggestions(*, claim: Claim) -> QuerySet[Suggestion]:
    return claim.suggestions.exclude(state=SuggestionState.REJECTED).select_related(
        "target_passage__source", "target_claim__verdict__rating"
    )


def verdicts_awaiting_editor(*, user: User) -> QuerySet[Verdict]:
    if not can_edit(user):
        raise PermissionDeniedError("Only editors see verdicts awaiting approval.")
    return (
        Verdict.objects.filter(claim__status__in=[ClaimStatus.DRAFTED, ClaimStatus.APPROVED])
        .select_related("claim__article", "rating", "author")
        .order_by("updated_at")
    )


def queue_counts(*, user: User) -> dict[str, int]:
    if not can_review(user):
        raise PermissionDeniedError("Only reviewers see queue counts.")
    counts = dict(Claim.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in ClaimStatus.values}


def ratings_active() -> QuerySet[Rating]:
    return Rating.objects.filter(is_active=True)


def article_get_for_user(*, user: User, article_id: int) -> Article:
    if not can_review(user):
        raise PermissionDeniedError("Only staff can read articles.")
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        raise NotFoundError("Article not found.", article_id=article_id)
    return article


def source_list_for_user(*, user: User) -> QuerySet[Source]:
    if not can_review(user):
        raise PermissionDeniedError("Only staff can read the source library.")
    return Source.objects.all()
