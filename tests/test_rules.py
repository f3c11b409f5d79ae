"""The workflow's rules, walked row by row through the services that enforce them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from claims.choices import ClaimStatus
from claims.errors import ClaimStateError
from claims.models import Claim, Verdict
from claims.rules import (
    CLAIM_TRANSITIONS,
    ClaimAction,
    lease_free_q,
    lease_held_by,
    lease_held_by_other,
    lease_held_by_q,
    lease_is_live,
    live_lease_q,
)
from claims.services import annotations, review, verdicts
from tests.factories import ClaimFactory, UserFactory, rating

pytestmark = pytest.mark.django_db


def _act(action: ClaimAction, claim: Claim, *, reviewer, editor) -> None:  # type: ignore[no-untyped-def]
    """Call the one service that performs ``action``, as the person who may."""
    if action == ClaimAction.TAKE:
        review.review_take(user=reviewer, claim_id=claim.pk)
    elif action == ClaimAction.DISMISS:
        review.claim_dismiss(user=reviewer, claim_id=claim.pk)
    elif action == ClaimAction.PROMOTE:
        review.claim_promote(user=reviewer, claim_id=claim.pk)
    elif action == ClaimAction.CORRECT_ANNOTATIONS:
        annotations.claim_annotations_correct(
            user=reviewer, claim_id=claim.pk, expected_version=claim.version, speaker="Jane Doe"
        )
    elif action == ClaimAction.DRAFT_VERDICT:
        verdicts.verdict_draft(user=reviewer, claim_id=claim.pk, rating=rating("Outdated"), explanation="Why.")
    elif action == ClaimAction.APPROVE_VERDICT:
        verdicts.verdict_approve(user=editor, claim_id=claim.pk)
    elif action == ClaimAction.SEND_BACK_VERDICT:
        verdicts.verdict_send_back(user=editor, claim_id=claim.pk, comment="Cite the office.")
    elif action == ClaimAction.PUBLISH_VERDICT:
        verdicts.verdict_publish(user=editor, claim_id=claim.pk)
    elif action == ClaimAction.REOPEN_VERDICT:
        verdicts.verdict_reopen(user=editor, claim_id=claim.pk, reason="Out of date.")
    else:  # pragma: no cover - a new action needs a line here
        raise AssertionError(f"no service call for {action}")


def _claim_in(status: str, *, action: ClaimAction, reviewer) -> Claim:  # type: ignore[no-untyped-def]
    claim = ClaimFactory(status=status)
    if action == ClaimAction.DRAFT_VERDICT:
        # Drafting also needs the lease; the status is what this walk is about.
        Claim.objects.filter(pk=claim.pk).update(
            assignee=reviewer, lease_expires_at=timezone.now() + timedelta(minutes=10)
        )
    elif action.name.endswith("_VERDICT"):
        Verdict.objects.create(claim=claim, rating=rating("Outdated"), author=reviewer, explanation="Why.")
    return Claim.objects.get(pk=claim.pk)


ROWS = [
    pytest.param(action, status, id=f"{action.value}-from-{status}")
    for action in ClaimAction
    for status in ClaimStatus.values
]


@pytest.mark.parametrize(("action", "status"), ROWS)
def test_each_action_moves_a_claim_exactly_as_the_transition_table_says(action, status):
    reviewer = UserFactory(username="walk_reviewer", roles=["reviewer"])
    editor = UserFactory(username="walk_editor", roles=["editor"])
    claim = _claim_in(status, action=action, reviewer=reviewer)
    transition = CLAIM_TRANSITIONS[action]

    if status in transition.allowed_from:
        _act(action, claim, reviewer=reviewer, editor=editor)
        after = Claim.objects.get(pk=claim.pk)
        assert after.status == (transition.to or status)
        assert after.version == claim.version + 1
    else:
        with pytest.raises(ClaimStateError) as refused:
            _act(action, claim, reviewer=reviewer, editor=editor)
        assert transition.refusal in refused.value.message
        after = Claim.objects.get(pk=claim.pk)
        assert (after.status, after.version) == (status, claim.version)


def test_every_action_has_a_row_and_names_only_real_statuses():
    assert set(CLAIM_TRANSITIONS) == set(ClaimAction)
    for transition in CLAIM_TRANSITIONS.values():
        assert transition.allowed_from <= set(ClaimStatus.values)
        assert transition.to is None or transition.to in ClaimStatus.values


def test_the_lease_predicates_and_their_queries_agree():
    now = timezone.now()
    me, other = UserFactory(username="lease_me"), UserFactory(username="lease_other")
    cases = {
        "free": ClaimFactory(),
        "mine": ClaimFactory(assignee=me, lease_expires_at=now + timedelta(minutes=5)),
        "mine_expired": ClaimFactory(assignee=me, lease_expires_at=now - timedelta(seconds=1)),
        "others": ClaimFactory(assignee=other, lease_expires_at=now + timedelta(minutes=5)),
        "others_expired": ClaimFactory(assignee=other, lease_expires_at=now - timedelta(seconds=1)),
    }
    claims = Claim.objects.filter(pk__in=[claim.pk for claim in cases.values()])

    def names(query):  # type: ignore[no-untyped-def]
        ids = set(claims.filter(query).values_list("pk", flat=True))
        return {name for name, claim in cases.items() if claim.pk in ids}

    live = {name for name, claim in cases.items() if lease_is_live(claim.lease_expires_at, now=now)}
    assert live == names(live_lease_q(now)) == {"mine", "others"}
    assert names(lease_free_q(now)) == set(cases) - live
    held = {name for name, claim in cases.items() if lease_held_by(claim, me, now=now)}
    assert held == names(lease_held_by_q(me, now)) == {"mine"}
    assert {name for name, claim in cases.items() if lease_held_by_other(claim, me, now=now)} == {"others"}
