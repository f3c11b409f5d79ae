"""Evidence on a claim: only the reviewer holding the claim adds or removes it."""

from __future__ import annotations

from django.db import transaction

from ..choices import Stance
from ..errors import InvalidInputError, NotFoundError
from ..models import Claim, Evidence, Source, SourcePassage, Suggestion
from ..roles import User, require_reviewer
from .review import lease_require

MAX_EXCERPT_CHARS = 10_000


def evidence_add(
    *,
    user: User,
    claim_id: int,
    source_id: int,
    stance: str,
    excerpt: str = "",
    note: str = "",
    passage_id: int | None = None,
    from_suggestion: Suggestion | None = None,
) -> Evidence:
    require_reviewer(user)
    if stance not in Stance.values:
        raise InvalidInputError(f"Stance must be one of: {', '.join(Stance.values)}.", stance=stance)
    if len(excerpt) > MAX_EXCERPT_CHARS or len(note) > MAX_EXCERPT_CHARS:
        raise InvalidInputError(f"Excerpt and note are limited to {MAX_EXCERPT_CHARS} characters.")
    with transaction.atomic():
        claim = Claim.objects.select_for_update().filter(pk=claim_id).first()
        if claim is None:
            raise NotFoundError("Claim not found.", claim_id=claim_id)
        lease_require(claim=claim, user=user)
        source = Source.objects.filter(pk=source_id).first()
        if source is None:
            raise InvalidInputError("Unknown source.", source_id=source_id)
        passage = None
        if passage_id is not None:
            passage = SourcePassage.objects.filter(pk=passage_id, source=source).first()
            if passage is None:
                raise InvalidInputError("That passage does not belong to the source.", passage_id=passage_id)
        return Evidence.objects.create(
            claim=claim,
            source=source,
            passage=passage,
            excerpt=excerpt or (passage.text if passage else ""),
            stance=stance,
            note=note,
            added_by=user,
            from_suggestion=from_suggestion,
        )


def evidence_remove(*, user: User, evidence_id: int) -> None:
    require_reviewer(user)
    with transaction.atomic():
        evidence = Evidence.objects.select_related("claim").filter(pk=evidence_id).first()
        if evidence is None:
            raise NotFoundError("Evidence not found.", evidence_id=evidence_id)
        claim = Claim.objects.select_for_update().get(pk=evidence.claim_id)
        lease_require(claim=claim, user=user)
        evidence.delete()
