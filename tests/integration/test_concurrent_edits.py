"""Two people change the same verdict at the same moment, in real concurrent transactions on
PostgreSQL, both starting from the same version: one edit is saved, the other is refused with the
current version, and re-applying it on that version saves it too, so nothing is lost.

The lease lets only one reviewer hold a claim, so the edits that can really collide are two editors
deciding on one draft, or one reviewer submitting the same draft twice (two tabs). To know which
transaction wins, both are made to queue on the claim's row lock behind a transaction the test holds,
in a known order, and the lock is then released: PostgreSQL grants a row lock to waiters in turn.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connections
from rest_framework.test import APIClient

from claims.choices import ClaimStatus
from claims.errors import StaleVersionError
from claims.models import Claim, Verdict
from claims.services import review, verdicts
from tests.factories import ClaimFactory, rating

from .conftest import raw_connection, sessions_waiting_on_locks

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SEND_BACK_COMMENT = "Cite the inauguration record."


class Outcome:
    def __init__(self) -> None:
        self.value: object = None
        self.error: BaseException | None = None


def _in_order_on_one_claim(claim_id: int, edits: list[Callable[[], object]]) -> list[Outcome]:
    """Start each edit in its own thread while the test holds the claim's row lock; each edit is
    started only once the previous one is waiting on that lock; then release it and let them race."""
    outcomes = [Outcome() for _ in edits]
    with raw_connection() as gate, raw_connection() as observer:
        gate.execute("BEGIN")
        gate.execute("SELECT id FROM claims_claim WHERE id = %s FOR UPDATE", [claim_id])

        def run(edit: Callable[[], object], outcome: Outcome) -> None:
            try:
                outcome.value = edit()
            except BaseException as error:  # noqa: BLE001 - inspected by the test
                outcome.error = error
            finally:
                connections.close_all()

        threads = []
        for waiting, (edit, outcome) in enumerate(zip(edits, outcomes, strict=True), start=1):
            thread = threading.Thread(target=run, args=(edit, outcome))
            thread.start()
            threads.append(thread)
            deadline = time.monotonic() + 30
            while sessions_waiting_on_locks(observer) < waiting:
                assert time.monotonic() < deadline, "an edit never reached the row lock"
                assert all(outcome.error is None for outcome in outcomes), [o.error for o in outcomes]
                time.sleep(0.01)
        gate.execute("COMMIT")
        for thread in threads:
            thread.join(timeout=30)
    return outcomes


@pytest.fixture
def drafted(reviewer) -> Verdict:
    ClaimFactory(text="Former U.S. President Donald Trump called for immediate talks.")
    claim = review.review_take_next(user=reviewer)
    return verdicts.verdict_draft(
        user=reviewer, claim_id=claim.pk, rating=rating("Outdated"), explanation="President again since 2025-01-20."
    )


def _history(verdict: Verdict) -> list[tuple[int, int | None, str]]:
    return list(
        Verdict.history.filter(id=verdict.pk)
        .order_by("history_id")
        .values_list("version", "approver_id", "review_comment")
    )


def test_two_editors_deciding_on_one_draft_at_once_lose_nothing(drafted, editor, second_editor):
    claim_id, loaded = drafted.claim_id, drafted.version

    approved, sent_back = _in_order_on_one_claim(
        claim_id,
        [
            lambda: verdicts.verdict_approve(user=editor, claim_id=claim_id, expected_version=loaded),
            lambda: verdicts.verdict_send_back(
                user=second_editor, claim_id=claim_id, comment=SEND_BACK_COMMENT, expected_version=loaded
            ),
        ],
    )

    assert approved.error is None and approved.value.version == loaded + 1
    assert isinstance(sent_back.error, StaleVersionError)
    assert sent_back.error.extra == {"current_version": loaded + 1, "expected_version": loaded}
    # Nothing of the refused edit was written.
    stored = Verdict.objects.get(pk=drafted.pk)
    assert (stored.version, stored.approver_id, stored.review_comment) == (loaded + 1, editor.pk, "")

    # The second editor reloads and applies the same decision to the version they now see.
    again = verdicts.verdict_send_back(
        user=second_editor, claim_id=claim_id, comment=SEND_BACK_COMMENT, expected_version=loaded + 1
    )
    assert again.version == loaded + 2
    assert Claim.objects.get(pk=claim_id).status == ClaimStatus.IN_REVIEW
    assert _history(drafted) == [
        (loaded, None, ""),
        (loaded + 1, editor.pk, ""),
        (loaded + 2, None, SEND_BACK_COMMENT),
    ]


def test_two_editors_at_once_through_the_api_get_200_and_409_with_the_current_version(drafted, editor, second_editor):
    claim_id, loaded = drafted.claim_id, drafted.version
    clients = {}
    for user in (editor, second_editor):
        clients[user.pk] = APIClient()
        clients[user.pk].force_authenticate(user)

    def approve() -> object:
        return clients[editor.pk].post(
            f"/api/v1/claims/{claim_id}/verdict/approve/", {"expected_version": loaded}, format="json"
        )

    def send_back(version: int) -> object:
        return clients[second_editor.pk].post(
            f"/api/v1/claims/{claim_id}/verdict/send-back/",
            {"comment": SEND_BACK_COMMENT, "expected_version": version},
            format="json",
        )

    approved, refused = _in_order_on_one_claim(claim_id, [approve, lambda: send_back(loaded)])

    assert approved.error is None and refused.error is None
    assert approved.value.status_code == 200 and approved.value.json()["version"] == loaded + 1
    assert refused.value.status_code == 409
    assert refused.value.json()["extra"] == {"current_version": loaded + 1, "expected_version": loaded}

    retried = send_back(refused.value.json()["extra"]["current_version"])
    assert retried.status_code == 200 and retried.json()["version"] == loaded + 2
    assert _history(drafted) == [
        (loaded, None, ""),
        (loaded + 1, editor.pk, ""),
        (loaded + 2, None, SEND_BACK_COMMENT),
    ]


def test_one_draft_submitted_twice_at_once_is_saved_once_and_the_other_is_told_the_current_version(reviewer, editor):
    """A reviewer revising a sent-back draft submits it from two tabs at the same moment."""
    ClaimFactory(text="Former U.S. President Donald Trump called for immediate talks.")
    claim_id = review.review_take_next(user=reviewer).pk
    first = verdicts.verdict_draft(user=reviewer, claim_id=claim_id, rating=rating("Outdated"), explanation="v1")
    verdicts.verdict_send_back(user=editor, claim_id=claim_id, comment=SEND_BACK_COMMENT)
    review.review_take(user=reviewer, claim_id=claim_id)
    loaded = Verdict.objects.get(pk=first.pk).version

    def revise(explanation: str) -> Callable[[], object]:
        return lambda: verdicts.verdict_draft(
            user=reviewer,
            claim_id=claim_id,
            rating=rating("Outdated"),
            explanation=explanation,
            expected_version=loaded,
        )

    saved, refused = _in_order_on_one_claim(claim_id, [revise("From the first tab."), revise("From the second tab.")])

    assert saved.error is None and saved.value.version == loaded + 1
    assert isinstance(refused.error, StaleVersionError)
    assert refused.error.extra["current_version"] == loaded + 1
    assert Verdict.objects.get(pk=first.pk).explanation == "From the first tab."
