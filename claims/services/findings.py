"""Findings of the automatic checks: stored per claim, confirmed or dismissed by a reviewer."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ..checks import run_checks
from ..choices import FindingState, SuggestionState
from ..errors import ClaimStateError, NotFoundError
from ..models import Claim, Finding, Rating, Verdict
from ..roles import User, require_reviewer
from .factchecks import factcheck_prefill
from .review import lease_require


def findings_run_for_claim(*, claim_id: int) -> list[Finding]:
    """Run every check on a claim and store what they find. Idempotent: a finding already stored
    for the same check and span is left as it is (a reviewer may have decided on it)."""
    claim = Claim.objects.select_related("article").filter(pk=claim_id).first()
    if claim is None:
        return []
    article = claim.article
    published = article.published_at.date() if article and article.published_at else None
    results = run_checks(text=claim.text, published_at=published, context=article.body if article else None)
    ratings = {rating.label.lower(): rating for rating in Rating.objects.all()}
    stored = []
    with transaction.atomic():
        for result in results:
            finding, _ = Finding.objects.get_or_create(
                claim=claim,
                check_name=result.check,
                span_text=result.span_text[:500],
                defaults={
                    "start": result.start,
                    "end": result.end,
                    "message": result.message,
                    "suggested_rating": ratings.get((result.suggested_rating or "").lower()),
                    "corrected_statement": result.corrected_text or "",
                    "data": result.data,
                },
            )
            stored.append(finding)
    return stored


def _decide(*, user: User, finding_id: int, state: str) -> Finding:
    require_reviewer(user)
    with transaction.atomic():
        finding = Finding.objects.select_for_update().filter(pk=finding_id).first()
        if finding is None:
            raise NotFoundError("Finding not found.", finding_id=finding_id)
        # Like every other decision on a claim, this one belongs to the reviewer holding it.
        lease_require(claim=Claim.objects.select_for_update().get(pk=finding.claim_id), user=user)
        if finding.state != FindingState.OPEN and finding.state != state:
            raise ClaimStateError(f"This finding was already {finding.get_state_display().lower()}.")
        finding.state = state
        finding.decided_by = user
        finding.decided_at = timezone.now()
        finding.save()
    return finding


def finding_confirm(*, user: User, finding_id: int) -> Finding:
    return _decide(user=user, finding_id=finding_id, state=FindingState.CONFIRMED)


def finding_dismiss(*, user: User, finding_id: int) -> Finding:
    return _decide(user=user, finding_id=finding_id, state=FindingState.DISMISSED)


def verdict_prefill(*, claim: Claim) -> dict[str, object]:
    """Where a new draft verdict starts: an accepted earlier verdict's rating and explanation (or else an
    accepted fact-check of another organisation, its rating read through the rating map), then a
    confirmed finding's rating, correction and message on top (a finding speaks of the claim as it is
    now, an earlier verdict of a claim that may have aged)."""
    prefill: dict[str, object] = {}
    earlier = (
        Verdict.objects.filter(
            claim__in=claim.suggestions.filter(
                state__in=(SuggestionState.ACCEPTED, SuggestionState.AUTO_LINKED), target_claim__isnull=False
            ).values("target_claim")
        )
        .select_related("rating")
        .order_by("-published_at", "-id")
        .first()
    )
    if earlier is not None:
        prefill = {
            "rating": earlier.rating,
            "explanation": earlier.explanation,
            "corrected_statement": earlier.corrected_statement,
        }
    else:
        prefill = factcheck_prefill(claim=claim)
    finding = (
        claim.findings.filter(state=FindingState.CONFIRMED, suggested_rating__isnull=False)
        .select_related("suggested_rating")
        .order_by("id")
        .first()
    )
    if finding is not None:
        prefill["rating"] = finding.suggested_rating
        prefill["corrected_statement"] = finding.corrected_statement
        prefill["explanation"] = (
            f"{finding.message}\n\n{prefill['explanation']}" if prefill.get("explanation") else finding.message
        )
    return prefill
