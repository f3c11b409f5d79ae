"""Findings of the automatic checks: stored per claim, confirmed or dismissed by a reviewer."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from ..checks import CheckFinding, run_checks
from ..choices import FindingState, SuggestionState
from ..errors import ClaimStateError, NotFoundError
from ..models import Claim, Finding, Rating, Verdict
from ..roles import User, require_reviewer
from .factchecks import factcheck_prefill
from .review import lease_require

# The checks read a claim's "context" (the article around it: a year named elsewhere, the events of
# its timeline). Up to this many characters, that is the whole article; a longer one (a digest,
# a transcript) is cut at paragraph breaks into windows of about this size, each read once for all
# of its claims: reading the whole of a 1 MiB article for each of its thousands of sentences made
# the checks the slowest step of its extraction, and events pages apart are not one timeline.
CHECK_CONTEXT_CHARS = 20_000


def check_contexts(body: str, starts: Sequence[int]) -> list[str]:
    """The context of the sentence starting at each of ``starts`` (offsets into ``body``). Sentences
    of one window share one string, so a check that caches its work per context does it once."""
    if len(body) <= CHECK_CONTEXT_CHARS:
        return [body] * len(starts)
    bounds = [0]
    while bounds[-1] < len(body):
        begin = bounds[-1]
        cut = body.rfind("\n\n", begin + CHECK_CONTEXT_CHARS // 2, begin + CHECK_CONTEXT_CHARS)
        bounds.append(cut + 2 if cut != -1 else min(len(body), begin + CHECK_CONTEXT_CHARS))
    windows: dict[int, str] = {}
    contexts = []
    for start in starts:
        window = max(0, bisect.bisect_right(bounds, start) - 1)
        if window not in windows:
            # A window runs on to its next paragraph break, so a sentence cut by a bare size
            # limit is still whole in it.
            end = bounds[min(window + 1, len(bounds) - 1)]
            following = body.find("\n\n", end - 2 if end > 2 else end)
            windows[window] = body[bounds[window] : len(body) if following == -1 else max(end, following)]
        contexts.append(windows[window])
    return contexts


def check_sentences(
    *, body: str, sentences: Sequence[tuple[str, int]], published_at: dt.date | None
) -> list[list[CheckFinding]]:
    """Every check's findings for each (text, start) sentence of an article. Pure: nothing is stored,
    so an extraction runs it before taking the lock under which claims are written."""
    contexts = check_contexts(body, [start for _, start in sentences])
    return [
        run_checks(text=text, published_at=published_at, context=context)
        for (text, _), context in zip(sentences, contexts, strict=True)
    ]


def findings_store_for_new_claims(*, results: Sequence[tuple[Claim, list[CheckFinding]]]) -> list[int]:
    """Store the findings of claims just created (none of them has any yet), in one INSERT; the
    ids of the claims with at least one. Call inside the transaction that created them."""
    ratings: dict[str, Rating] | None = None
    rows: list[Finding] = []
    flagged: list[int] = []
    for claim, findings in results:
        seen: set[tuple[str, str]] = set()
        for result in findings:
            key = (result.check, result.span_text[:500])
            # The first of two results for one span is kept, as findings_run_for_claim does.
            if key in seen:
                continue
            seen.add(key)
            if ratings is None:
                ratings = {rating.label.lower(): rating for rating in Rating.objects.all()}
            rows.append(
                Finding(
                    claim=claim,
                    check_name=result.check,
                    span_text=result.span_text[:500],
                    start=result.start,
                    end=result.end,
                    message=result.message,
                    suggested_rating=ratings.get((result.suggested_rating or "").lower()),
                    corrected_statement=result.corrected_text or "",
                    data=result.data,
                )
            )
        if seen:
            flagged.append(claim.pk)
    Finding.objects.bulk_create(rows)
    return flagged


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
