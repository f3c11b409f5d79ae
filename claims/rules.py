"""The workflow's rules, each stated once: which status changes a claim may make, and when a
reviewer's lease on a claim is live. Services enforce them; selectors and pages read them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from .choices import QUEUE_STATUSES, ClaimStatus
from .errors import ClaimStateError

if TYPE_CHECKING:
    from .models import Claim
    from .roles import User


class ClaimAction(StrEnum):
    TAKE = "take"
    DISMISS = "dismiss"
    PROMOTE = "promote"
    CORRECT_ANNOTATIONS = "correct_annotations"
    DRAFT_VERDICT = "draft_verdict"
    APPROVE_VERDICT = "approve_verdict"
    SEND_BACK_VERDICT = "send_back_verdict"
    PUBLISH_VERDICT = "publish_verdict"
    REOPEN_VERDICT = "reopen_verdict"


@dataclass(frozen=True)
class Transition:
    allowed_from: frozenset[str]
    # None: the action leaves the status as it is.
    to: str | None
    refusal: str


def _statuses(*statuses: str) -> frozenset[str]:
    return frozenset(statuses)


CLAIM_TRANSITIONS: dict[ClaimAction, Transition] = {
    ClaimAction.TAKE: Transition(
        _statuses(*QUEUE_STATUSES), ClaimStatus.IN_REVIEW, "Only a claim in the queue can be taken."
    ),
    ClaimAction.DISMISS: Transition(
        _statuses(ClaimStatus.CANDIDATE, *QUEUE_STATUSES),
        ClaimStatus.DISMISSED,
        "Only a claim that is queued or not yet queued can be dismissed.",
    ),
    ClaimAction.PROMOTE: Transition(
        _statuses(ClaimStatus.CANDIDATE, ClaimStatus.DISMISSED),
        ClaimStatus.NEW,
        "Only a sentence below the threshold or a dismissed claim can be put in the queue.",
    ),
    # Speaker and types appear in what is published (ClaimReview's author, the exports): once an
    # editor has approved the verdict, they change only after it is sent back or reopened.
    ClaimAction.CORRECT_ANNOTATIONS: Transition(
        _statuses(*(set(ClaimStatus.values) - {ClaimStatus.APPROVED, ClaimStatus.PUBLISHED})),
        None,
        "An approved or published claim's annotations change only after its verdict is sent back or reopened.",
    ),
    ClaimAction.DRAFT_VERDICT: Transition(
        _statuses(ClaimStatus.IN_REVIEW, ClaimStatus.REOPENED),
        ClaimStatus.DRAFTED,
        "A verdict can only be drafted while the claim is in review.",
    ),
    ClaimAction.APPROVE_VERDICT: Transition(
        _statuses(ClaimStatus.DRAFTED), ClaimStatus.APPROVED, "Only a drafted verdict can be approved."
    ),
    ClaimAction.SEND_BACK_VERDICT: Transition(
        _statuses(ClaimStatus.DRAFTED, ClaimStatus.APPROVED),
        ClaimStatus.IN_REVIEW,
        "Only a drafted or approved verdict can be sent back.",
    ),
    ClaimAction.PUBLISH_VERDICT: Transition(
        _statuses(ClaimStatus.APPROVED), ClaimStatus.PUBLISHED, "Only an approved verdict can be published."
    ),
    ClaimAction.REOPEN_VERDICT: Transition(
        _statuses(ClaimStatus.PUBLISHED), ClaimStatus.REOPENED, "Only a published verdict can be reopened."
    ),
}


def action_allowed(*, status: str, action: ClaimAction) -> bool:
    """Whether the table lets a claim in ``status`` take ``action`` (pages use it to offer the button)."""
    return status in CLAIM_TRANSITIONS[action].allowed_from


def transition_target(*, status: str, action: ClaimAction) -> str:
    """The status a claim in ``status`` moves to by ``action``; ClaimStateError if the table forbids it."""
    transition = CLAIM_TRANSITIONS[action]
    if status not in transition.allowed_from:
        label = ClaimStatus(status).label.lower() if status in ClaimStatus.values else status
        raise ClaimStateError(f"{transition.refusal} This claim is {label}.", status=status, action=action.value)
    return status if transition.to is None else transition.to


# --- Leases -------------------------------------------------------------------------------------
# A lease is an assignee plus an expiry (a constraint keeps the two together). It is live until it
# expires; an expired lease is treated as no lease, whether or not housekeeping has cleared it yet.


def lease_is_live(lease_expires_at: dt.datetime | None, *, now: dt.datetime | None = None) -> bool:
    return lease_expires_at is not None and lease_expires_at > (now or timezone.now())


def lease_held_by(claim: Claim, user: User, *, now: dt.datetime | None = None) -> bool:
    held = claim.assignee_id is not None and claim.assignee_id == user.pk
    return held and lease_is_live(claim.lease_expires_at, now=now)


def lease_held_by_other(claim: Claim, user: User, *, now: dt.datetime | None = None) -> bool:
    return claim.assignee_id not in (None, user.pk) and lease_is_live(claim.lease_expires_at, now=now)


def live_lease_q(now: dt.datetime) -> Q:
    """Claims under a live lease, as a query: the same rule as ``lease_is_live``."""
    return Q(assignee__isnull=False, lease_expires_at__gt=now)


def lease_free_q(now: dt.datetime) -> Q:
    """Claims nobody holds a live lease on."""
    return Q(assignee__isnull=True) | Q(lease_expires_at__lte=now)


def lease_held_by_q(user: User, now: dt.datetime) -> Q:
    return Q(assignee=user, lease_expires_at__gt=now)
