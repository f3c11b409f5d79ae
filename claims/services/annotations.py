"""Corrections to what extraction annotated on a claim: its speaker, claim types, entities and dates.
The text and its offsets point into the article's body and are never edited."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from ..choices import ClaimType
from ..errors import InvalidInputError, NotFoundError, StaleVersionError
from ..models import Claim
from ..roles import User, require_reviewer
from ..rules import ClaimAction
from .review import claim_transition, lease_require_not_held_by_other

MAX_SPEAKER_CHARS = Claim._meta.get_field("speaker").max_length or 200
MAX_ANNOTATIONS = 200
MAX_ANNOTATION_TEXT_CHARS = 500


def _clean_types(claim_types: Sequence[object]) -> list[str]:
    if isinstance(claim_types, str) or not isinstance(claim_types, Sequence):
        raise InvalidInputError("claim_types must be a list.", field="claim_types")
    unknown = [value for value in claim_types if value not in ClaimType.values]
    if unknown:
        raise InvalidInputError(
            f"Unknown claim type {unknown[0]!r}; use: {', '.join(ClaimType.values)}.", field="claim_types"
        )
    # Order kept (the first type is the one the exports call the claim's type), repeats dropped.
    return list(dict.fromkeys(str(value) for value in claim_types))


def _clean_spans(spans: Sequence[object], *, field: str, required: tuple[str, ...]) -> list[dict[str, Any]]:
    """Entities and dates are spans of the article: ``text`` and the ``required`` keys at least. An
    entity a reviewer adds by name has no offsets; offsets that are given must be valid."""
    if isinstance(spans, str) or not isinstance(spans, Sequence):
        raise InvalidInputError(f"{field} must be a list.", field=field)
    if len(spans) > MAX_ANNOTATIONS:
        raise InvalidInputError(f"{field} is limited to {MAX_ANNOTATIONS} items.", field=field)
    cleaned = []
    for number, span in enumerate(spans, start=1):
        if not isinstance(span, dict):
            raise InvalidInputError(f"{field} item {number} must be an object.", field=field)
        missing = [key for key in required if key not in span]
        if missing:
            raise InvalidInputError(f"{field} item {number} lacks {', '.join(missing)}.", field=field)
        text = span["text"]
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_ANNOTATION_TEXT_CHARS:
            raise InvalidInputError(
                f"{field} item {number} needs a text of 1 to {MAX_ANNOTATION_TEXT_CHARS} characters.", field=field
            )
        if "start" not in span and "end" not in span:
            cleaned.append(span)
            continue
        start, end = span.get("start"), span.get("end")
        if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
            raise InvalidInputError(f"{field} item {number}: start and end must be whole numbers.", field=field)
        if not 0 <= start <= end:
            raise InvalidInputError(f"{field} item {number}: start must not pass end.", field=field)
        cleaned.append(span)
    return cleaned


def claim_annotations_correct(
    *,
    user: User,
    claim_id: int,
    expected_version: int,
    speaker: str | None = None,
    claim_types: Sequence[object] | None = None,
    entities: Sequence[object] | None = None,
    dates: Sequence[object] | None = None,
) -> Claim:
    """Correct a claim's annotations; a field left as None is kept. ``expected_version`` is the claim
    version the correction was made on: if the claim changed since, nothing is written (409).

    Any reviewer may correct a claim nobody else holds; while a reviewer holds it, only they may.
    """
    require_reviewer(user)
    changes: dict[str, object] = {}
    if speaker is not None:
        if not isinstance(speaker, str) or len(speaker.strip()) > MAX_SPEAKER_CHARS:
            raise InvalidInputError(f"speaker is limited to {MAX_SPEAKER_CHARS} characters.", field="speaker")
        changes["speaker"] = speaker.strip()
    if claim_types is not None:
        changes["claim_types"] = _clean_types(claim_types)
    if entities is not None:
        changes["entities"] = _clean_spans(entities, field="entities", required=("text", "label"))
    if dates is not None:
        changes["dates"] = _clean_spans(dates, field="dates", required=("text", "start", "end"))

    with transaction.atomic():
        claim = Claim.objects.select_for_update().filter(pk=claim_id).first()
        if claim is None:
            raise NotFoundError("Claim not found.", claim_id=claim_id)
        if claim.version != expected_version:
            raise StaleVersionError(
                "Someone changed this claim since you opened it; nothing was saved. Reload it and correct it again.",
                current_version=claim.version,
                expected_version=expected_version,
            )
        lease_require_not_held_by_other(claim=claim, user=user)
        changed = {field: value for field, value in changes.items() if getattr(claim, field) != value}
        if not changed:
            return claim
        claim._history_user = user  # type: ignore[attr-defined]
        claim._change_reason = "annotations corrected"  # type: ignore[attr-defined]
        return claim_transition(claim=claim, action=ClaimAction.CORRECT_ANNOTATIONS, **changed)
