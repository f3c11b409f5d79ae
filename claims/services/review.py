"""The review queue: handing out claims under an expiring lease, and moving claims in and out of it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from ..choices import QUEUE_STATUSES, FindingState
from ..errors import LeaseError, NotFoundError, StaleVersionError
from ..extraction.entities import find_entities
from ..extraction.pipeline import entity_annotations
from ..models import Claim, Finding
from ..priority import Priority, claim_priority
from ..priority import now as priority_now
from ..roles import User, require_reviewer
from ..rules import (
    CLAIM_TRANSITIONS,
    ClaimAction,
    lease_free_q,
    lease_held_by,
    lease_held_by_other,
    lease_held_by_q,
    transition_target,
)
from .jobs import job_queue_after_commit

# How many candidates "take next" tries before concluding that every one was taken by someone else.
_TAKE_ATTEMPTS = 20


def _lease_expiry() -> dt.datetime:
    return timezone.now() + settings.REVIEW_LEASE_DURATION


def _available(now: dt.datetime) -> Q:
    return Q(status__in=CLAIM_TRANSITIONS[ClaimAction.TAKE].allowed_from) & lease_free_q(now)


def _record_history(claim_ids: list[int], *, user: User | None, reason: str) -> None:
    """Lease changes are conditional UPDATEs (that is what makes them race-free), which bypass the
    model's save() and so its history; record them explicitly."""
    claims = list(Claim.objects.filter(pk__in=claim_ids))
    if claims:
        Claim.history.bulk_history_create(
            claims,
            update=True,
            default_user=user if user is not None and user.is_authenticated else None,
            default_change_reason=reason,
        )


def _get_claim(claim_id: int) -> Claim:
    try:
        return Claim.objects.get(pk=claim_id)
    except Claim.DoesNotExist:
        raise NotFoundError("Claim not found.", claim_id=claim_id) from None


def review_take_next(*, user: User, claim_ids: list[int] | None = None) -> Claim | None:
    """Hand the highest-priority free claim to ``user`` under a fresh lease, or return None when the
    queue is empty. A reviewer who already holds a live lease gets that claim back.

    Two reviewers never get the same claim: the hand-out is a conditional UPDATE that only succeeds
    while the claim is still free, and its row count is checked. On PostgreSQL the candidate is also
    picked with SKIP LOCKED so concurrent reviewers fan out instead of queueing on the same row.
    """
    require_reviewer(user)
    now = timezone.now()
    held = Claim.objects.filter(lease_held_by_q(user, now), status__in=QUEUE_STATUSES)
    if claim_ids is not None:
        held = held.filter(pk__in=claim_ids)
    current = held.order_by("-priority", "id").first()
    if current is not None:
        return current

    for _ in range(_TAKE_ATTEMPTS):
        with transaction.atomic():
            candidates = Claim.objects.filter(_available(now))
            if claim_ids is not None:
                candidates = candidates.filter(pk__in=claim_ids)
            candidates = candidates.order_by("-priority", "id")
            if claim_ids is not None:
                # Particular claims: wait for a row lock rather than skip it. A background job
                # (embedding, suggestions) briefly locks a free claim; skipping it would refuse the
                # reviewer with "another reviewer is working on this claim" when nobody is.
                candidates = candidates.select_for_update(of=("self",))
            elif connection.features.has_select_for_update_skip_locked:
                candidates = candidates.select_for_update(skip_locked=True, of=("self",))
            candidate_id = candidates.values_list("id", flat=True).first()
            if candidate_id is None:
                return None
            taken = Claim.objects.filter(_available(now), pk=candidate_id).update(
                assignee=user,
                lease_expires_at=_lease_expiry(),
                status=CLAIM_TRANSITIONS[ClaimAction.TAKE].to,
                version=F("version") + 1,
                updated_at=now,
            )
        if taken == 1:
            _record_history([candidate_id], user=user, reason="taken")
            return Claim.objects.get(pk=candidate_id)
    return None


def review_take(*, user: User, claim_id: int) -> Claim:
    """Take one particular claim (from the queue page). Fails if someone else holds a live lease; a
    claim the person already holds (a verdict sent back to its author) is simply theirs."""
    held = Claim.objects.filter(
        pk=claim_id, assignee=user, lease_expires_at__gt=timezone.now(), status__in=QUEUE_STATUSES
    ).first()
    if held is not None:
        return held
    claim = review_take_next(user=user, claim_ids=[claim_id])
    if claim is None:
        current = _get_claim(claim_id)
        transition_target(status=current.status, action=ClaimAction.TAKE)
        raise LeaseError("Another reviewer is working on this claim.", claim_id=claim_id)
    return claim


def lease_require(*, claim: Claim, user: User) -> None:
    """Refuse a write unless ``user`` holds a live lease on ``claim``. Call with a fresh row."""
    if claim.assignee_id != user.pk:
        raise LeaseError("You do not hold this claim; take it from the queue first.", claim_id=claim.pk)
    if not lease_held_by(claim, user):
        raise LeaseError("Your lease on this claim has expired; take it again.", claim_id=claim.pk)


def lease_require_not_held_by_other(*, claim: Claim, user: User) -> None:
    """Refuse a write while another reviewer holds a live lease on ``claim``."""
    if lease_held_by_other(claim, user):
        raise LeaseError("Another reviewer is working on this claim.", claim_id=claim.pk)


def review_extend(*, user: User, claim_id: int) -> Claim:
    """Push the lease expiry forward. Only a live lease can be extended: an expired one may
    already be someone else's."""
    now = timezone.now()
    extended = Claim.objects.filter(lease_held_by_q(user, now), pk=claim_id).update(
        lease_expires_at=_lease_expiry(), updated_at=now
    )
    if extended != 1:
        _get_claim(claim_id)
        raise LeaseError("Your lease on this claim has expired or was never yours.", claim_id=claim_id)
    _record_history([claim_id], user=user, reason="lease extended")
    return Claim.objects.get(pk=claim_id)


def review_release(*, user: User, claim_id: int) -> Claim:
    """Give a claim back to the queue (its status stays, so work already done is kept)."""
    released = Claim.objects.filter(pk=claim_id, assignee=user).update(
        assignee=None, lease_expires_at=None, version=F("version") + 1, updated_at=timezone.now()
    )
    if released != 1:
        _get_claim(claim_id)
        raise LeaseError("You do not hold this claim.", claim_id=claim_id)
    _record_history([claim_id], user=user, reason="released")
    return Claim.objects.get(pk=claim_id)


def leases_release_expired() -> int:
    """Clear leases that ran out, so counts and the queue page show those claims as free again.
    (Taking already treats an expired lease as free; this is housekeeping.)"""
    now = timezone.now()
    with transaction.atomic():
        # Lock what is cleared, and skip rows a reviewer is taking at this moment: that take replaces
        # the lease, and recording "lease expired" for it would put a false line in the history.
        expired = list(
            Claim.objects.select_for_update(skip_locked=True)
            .filter(lease_expires_at__lte=now)
            .values_list("id", flat=True)
        )
        released = Claim.objects.filter(pk__in=expired).update(
            assignee=None, lease_expires_at=None, version=F("version") + 1, updated_at=now
        )
        _record_history(expired, user=None, reason="lease expired")
    return released


def claim_transition(*, claim: Claim, action: ClaimAction, **changes: object) -> Claim:
    """Move ``claim`` by ``action`` as the transition table allows, bump its version and save it
    with ``changes``. Call inside transaction.atomic with a row from select_for_update."""
    claim.status = transition_target(status=claim.status, action=action)
    claim.version += 1
    for field, value in changes.items():
        setattr(claim, field, value)
    claim.save()
    return claim


def _transition_locked(
    *, claim_id: int, action: ClaimAction, expected_version: int | None, user: User, **changes: object
) -> Claim:
    with transaction.atomic():
        claim = Claim.objects.select_for_update().filter(pk=claim_id).first()
        if claim is None:
            raise NotFoundError("Claim not found.", claim_id=claim_id)
        if expected_version is not None and claim.version != expected_version:
            raise StaleVersionError("This claim was changed by someone else; reload it.", current_version=claim.version)
        lease_require_not_held_by_other(claim=claim, user=user)
        return claim_transition(claim=claim, action=action, **changes)


def claim_dismiss(*, user: User, claim_id: int, expected_version: int | None = None) -> Claim:
    """Mark a claim as not worth checking. A reviewer may dismiss what is queued or what they hold."""
    require_reviewer(user)
    return _transition_locked(
        claim_id=claim_id,
        action=ClaimAction.DISMISS,
        expected_version=expected_version,
        user=user,
        assignee=None,
        lease_expires_at=None,
    )


def claim_promote(*, user: User, claim_id: int, expected_version: int | None = None) -> Claim:
    """Put a below-threshold (or dismissed) sentence into the queue after all; its suggestions
    are computed then, since candidates are not matched at ingest."""
    require_reviewer(user)
    annotations = _missing_entity_annotations(claim_id)
    with transaction.atomic():
        claim = _transition_locked(
            claim_id=claim_id, action=ClaimAction.PROMOTE, expected_version=expected_version, user=user, **annotations
        )
        job_queue_after_commit("claims_process_new_task", [claim_id], waiting=f"promoted claim {claim_id}")
    return claim


def _missing_entity_annotations(claim_id: int) -> dict[str, list[dict[str, object]]]:
    """Ingest looks entities up only for check-worthy sentences (the recogniser is the slowest step):
    a sentence promoted into the queue gets them now, before any lock is taken."""
    claim = Claim.objects.filter(pk=claim_id).only("text", "start", "entities", "dates").first()
    if claim is None or claim.entities or claim.start is None:
        return {}
    (mentions,) = find_entities([claim.text])
    entities, dates = entity_annotations(mentions, sentence_start=claim.start, dates=claim.dates)
    return {"entities": entities, "dates": dates}


def queue_reprioritise(
    *, at: dt.datetime | None = None, batch_size: int = 1000, claim_ids: list[int] | None = None
) -> int:
    """Recompute the priority of every claim waiting in the queue as of ``at`` (default: now).

    Priority discounts a claim by its article's age; computed once at ingest, a claim left waiting
    would keep its first-day priority for ever and sit level with today's news. The version is
    not bumped: priority is the queue's, not an edit anyone made. Returns how many changed.
    ``claim_ids`` limits it to those claims (e.g. claims just seen again).
    """
    at = at or priority_now()
    flagged = Finding.objects.exclude(state=FindingState.DISMISSED).values("claim_id")
    waiting = (
        Claim.objects.filter(status__in=QUEUE_STATUSES)
        .annotate(flagged=Exists(flagged.filter(claim_id=OuterRef("pk"))))
        .select_related("article")
        .only("id", "priority", "checkworthiness", "claim_types", "appearance_count", "article__published_at")
        .order_by("id")
    )
    if claim_ids is not None:
        waiting = waiting.filter(pk__in=claim_ids)
    changed: list[Claim] = []
    for claim in waiting.iterator(chunk_size=batch_size):
        value = claim_priority_of(claim, flagged=claim.flagged, at=at).score
        if abs(value - claim.priority) > 1e-6:
            claim.priority = value
            changed.append(claim)
    for start in range(0, len(changed), batch_size):
        Claim.objects.bulk_update(changed[start : start + batch_size], ["priority"])
    return len(changed)


def claim_priority_of(claim: Claim, *, flagged: bool, at: dt.datetime) -> Priority:
    """The priority of a stored claim (its article joined) as of ``at``."""
    return claim_priority(
        checkworthiness=claim.checkworthiness,
        claim_types=claim.claim_types,
        published_at=claim.article.published_at if claim.article is not None else None,
        at=at,
        flagged=flagged,
        appearances=claim.appearance_count,
    )
