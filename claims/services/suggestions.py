"""Reviewers' decisions on suggestions computed by the background jobs."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ..choices import Stance, SuggestionState, SuggestionTarget
from ..errors import ClaimStateError, InvalidInputError, NotFoundError
from ..models import Claim, Suggestion, Verdict
from ..roles import User, require_reviewer
from .evidence import evidence_add
from .factchecks import factcheck_for_source
from .review import lease_require
from .sources import source_for_earlier_verdict


def _locked_suggestion(suggestion_id: int) -> Suggestion:
    suggestion = Suggestion.objects.select_for_update().filter(pk=suggestion_id).first()
    if suggestion is None:
        raise NotFoundError("Suggestion not found.", suggestion_id=suggestion_id)
    return suggestion


def suggestion_accept(*, user: User, suggestion_id: int, stance: str = Stance.CONTEXT, note: str = "") -> Suggestion:
    """Accepting a source passage adds it as evidence. Accepting an earlier claim links the two: its
    published verdict becomes evidence (a fact-check source pointing at that verdict), and the draft
    verdict form starts from its rating and explanation (``findings.verdict_prefill``)."""
    require_reviewer(user)
    if stance not in Stance.values:
        raise InvalidInputError(f"Stance must be one of: {', '.join(Stance.values)}.", stance=stance)
    with transaction.atomic():
        suggestion = _locked_suggestion(suggestion_id)
        claim = Claim.objects.select_for_update().get(pk=suggestion.claim_id)
        lease_require(claim=claim, user=user)
        if suggestion.state in (SuggestionState.ACCEPTED, SuggestionState.AUTO_LINKED):
            return suggestion
        if suggestion.target_kind == SuggestionTarget.PASSAGE:
            passage = suggestion.target_passage
            assert passage is not None  # guaranteed by suggestion_exactly_one_target
            # Another organisation's fact-check is cited with who checked it, when, and their rating;
            # its rating reaches the verdict form through the rating map (``findings.verdict_prefill``).
            factcheck = factcheck_for_source(source_id=passage.source_id)
            evidence_add(
                user=user,
                claim_id=claim.pk,
                source_id=passage.source_id,
                passage_id=passage.pk,
                stance=stance,
                excerpt=f"{factcheck.summary}. {factcheck.claim_text}" if factcheck else "",
                note=note,
                from_suggestion=suggestion,
            )
        else:
            earlier = suggestion.target_claim
            assert earlier is not None  # guaranteed by suggestion_exactly_one_target
            verdict = Verdict.objects.select_related("rating").filter(claim=earlier).first()
            if verdict is None:
                raise ClaimStateError("The earlier claim has no verdict to reuse.", claim_id=earlier.pk)
            evidence_add(
                user=user,
                claim_id=claim.pk,
                source_id=source_for_earlier_verdict(verdict=verdict).pk,
                stance=stance,
                excerpt=f"{verdict.rating}: {verdict.explanation}".strip(),
                note=note,
                from_suggestion=suggestion,
            )
        suggestion.state = SuggestionState.ACCEPTED
        suggestion.decided_by = user
        suggestion.decided_at = timezone.now()
        suggestion.save()
    return suggestion


def suggestion_reject(*, user: User, suggestion_id: int) -> Suggestion:
    require_reviewer(user)
    with transaction.atomic():
        suggestion = _locked_suggestion(suggestion_id)
        claim = Claim.objects.select_for_update().get(pk=suggestion.claim_id)
        lease_require(claim=claim, user=user)
        if suggestion.state == SuggestionState.ACCEPTED:
            raise ClaimStateError("This suggestion was already accepted; remove its evidence instead.")
        suggestion.state = SuggestionState.REJECTED
        suggestion.decided_by = user
        suggestion.decided_at = timezone.now()
        suggestion.save()
    return suggestion
