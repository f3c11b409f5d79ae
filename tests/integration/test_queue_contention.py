"""The review queue under contention on PostgreSQL: many reviewers at once, each thread on its own
connection, with leases running out while others keep taking."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import psycopg
import pytest
from django.db import connection, connections
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from claims.choices import QUEUE_STATUSES, ClaimStatus
from claims.models import Article, Claim, Evidence, Verdict
from claims.services import review, verdicts
from claims.services.evidence import evidence_add
from tests.factories import ArticleFactory, ClaimFactory, SourceFactory, UserFactory, rating

from .conftest import sessions_waiting_on_locks

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _queue_of(count: int, *, article: Article) -> list[int]:
    claims = Claim.objects.bulk_create(
        Claim(article=article, text=f"Claim {i}", priority=float(i % 7), status=ClaimStatus.NEW) for i in range(count)
    )
    return [claim.pk for claim in claims]


def _run_together(targets: list[Callable[[], None]], *, timeout: float) -> list[BaseException]:
    """Run each target in its own thread, released at once; each thread closes its connection."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(targets))

    def run(target: Callable[[], None]) -> None:
        try:
            start.wait()
            target()
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a reviewer thread did not finish"
    return errors


def _taken_counts(claim_ids: list[int]) -> Counter[int]:
    """How often each claim was handed out, from the claims' history (written by every take)."""
    return Counter(Claim.history.filter(id__in=claim_ids, history_change_reason="taken").values_list("id", flat=True))


def test_twenty_reviewers_emptying_a_queue_of_1000_take_every_claim_exactly_once():
    claim_ids = _queue_of(1000, article=ArticleFactory())
    reviewers = [UserFactory(username=f"queue_reviewer_{i}", roles=["reviewer"]) for i in range(20)]
    handed_out: list[tuple[int, int]] = []
    lock = threading.Lock()

    def empty_the_queue(user) -> Callable[[], None]:
        def work() -> None:
            while (claim := review.review_take_next(user=user)) is not None:
                with lock:
                    handed_out.append((claim.pk, user.pk))
                # Finish the claim so the next take hands out a new one.
                review.claim_dismiss(user=user, claim_id=claim.pk)

        return work

    started = time.monotonic()
    errors = _run_together([empty_the_queue(user) for user in reviewers], timeout=300)
    elapsed = time.monotonic() - started

    assert not errors, errors
    per_claim = Counter(claim_id for claim_id, _ in handed_out)
    assert set(per_claim) == set(claim_ids), "a claim was never handed out"
    assert per_claim.most_common(1)[0][1] == 1, "a claim was handed out twice"
    assert _taken_counts(claim_ids) == per_claim
    assert not Claim.objects.filter(pk__in=claim_ids, status__in=QUEUE_STATUSES).exists()
    assert Claim.objects.filter(pk__in=claim_ids, status=ClaimStatus.DISMISSED).count() == 1000
    # The work was shared: no reviewer was starved by the others' row locks.
    assert len({user_id for _, user_id in handed_out}) == len(reviewers)
    print(f"1000 claims, 20 reviewers: {elapsed:.1f} s")


LEASE = timedelta(seconds=2)


@override_settings(REVIEW_LEASE_DURATION=LEASE)
def test_leases_that_run_out_under_contention_go_back_to_the_queue_and_their_old_holders_cannot_write():
    """Five reviewers walk away from the claim they took; fifteen keep working through the queue
    while housekeeping clears expired leases as beat would. Every abandoned claim is taken again by
    someone else after its lease ran out, the walkers' late writes are refused, and every claim is
    finished exactly once, by a reviewer who held it."""
    claim_ids = _queue_of(150, article=ArticleFactory())
    source = SourceFactory()
    walkers = [UserFactory(username=f"walker_{i}", roles=["reviewer"]) for i in range(5)]
    workers = [UserFactory(username=f"worker_{i}", roles=["reviewer"]) for i in range(15)]
    finished: list[tuple[int, int]] = []
    refused: list[tuple[str, int, str]] = []
    abandoned: dict[int, int] = {}
    # Set by a walker once it has tried its late writes, so the worker who took the claim over
    # holds it (with a live lease) until then.
    walker_tried: dict[int, threading.Event] = {}
    lock = threading.Lock()
    done = threading.Event()

    def queue_left() -> bool:
        return Claim.objects.filter(pk__in=claim_ids, status__in=QUEUE_STATUSES).exists()

    def keep_working(user) -> Callable[[], None]:
        def work() -> None:
            while queue_left():
                claim = review.review_take_next(user=user)
                if claim is None:
                    # What is left is held by someone; their leases will run out.
                    time.sleep(0.1)
                    continue
                with lock:
                    taken_over = walker_tried.get(claim.pk)
                if taken_over is not None:
                    # Hold the claim, extending the lease as a reviewer still at work would, until
                    # the walker has tried its writes.
                    deadline = time.monotonic() + 30
                    while not taken_over.wait(0.3):
                        assert time.monotonic() < deadline, "the walker never came back"
                        review.review_extend(user=user, claim_id=claim.pk)
                evidence_add(user=user, claim_id=claim.pk, source_id=source.pk, stance="supports", excerpt="ok")
                review.claim_dismiss(user=user, claim_id=claim.pk)
                with lock:
                    finished.append((claim.pk, user.pk))

        return work

    def walk_away(user) -> Callable[[], None]:
        def work() -> None:
            claim = review.review_take_next(user=user)
            assert claim is not None
            with lock:
                abandoned[claim.pk] = user.pk
                walker_tried[claim.pk] = threading.Event()
            # Come back only once someone else holds the claim.
            deadline = time.monotonic() + 60
            while Claim.objects.get(pk=claim.pk).assignee_id in (user.pk, None):
                assert time.monotonic() < deadline, "nobody took the abandoned claim over"
                time.sleep(0.05)
            api = APIClient()
            api.force_authenticate(user)
            late_writes = {
                "evidence": lambda: evidence_add(user=user, claim_id=claim.pk, source_id=source.pk, stance="refutes"),
                "verdict": lambda: verdicts.verdict_draft(
                    user=user, claim_id=claim.pk, rating=rating("Inaccurate"), explanation="Late."
                ),
                "extend": lambda: review.review_extend(user=user, claim_id=claim.pk),
                "release": lambda: review.review_release(user=user, claim_id=claim.pk),
                "api evidence": lambda: api.post(
                    f"/api/v1/claims/{claim.pk}/evidence/", {"source": source.pk, "stance": "refutes"}, format="json"
                ),
                "api verdict": lambda: api.put(
                    f"/api/v1/claims/{claim.pk}/verdict/",
                    {"rating": rating("Inaccurate").pk, "explanation": "Late."},
                    format="json",
                ),
            }
            for name, write in late_writes.items():
                try:
                    result = write()
                    outcome = f"HTTP {result.status_code}" if name.startswith("api") else "written"
                except Exception as error:  # noqa: BLE001 - the kind of refusal is asserted below
                    outcome = type(error).__name__
                with lock:
                    refused.append((name, claim.pk, outcome))
            walker_tried[claim.pk].set()

        return work

    def housekeeping() -> None:
        while not done.wait(0.3):
            review.leases_release_expired()

    keeper = threading.Thread(target=lambda: (housekeeping(), connections.close_all()))
    keeper.start()
    try:
        errors = _run_together([keep_working(u) for u in workers] + [walk_away(u) for u in walkers], timeout=180)
    finally:
        done.set()
        keeper.join(timeout=30)

    assert not errors, errors
    assert len(abandoned) == len(walkers)
    per_claim = Counter(claim_id for claim_id, _ in finished)
    assert set(per_claim) == set(claim_ids) and per_claim.most_common(1)[0][1] == 1
    worker_ids = {user.pk for user in workers}
    assert all(user_id in worker_ids for _, user_id in finished)
    # Each abandoned claim was handed out twice: to its walker, then after expiry to a worker.
    taken = _taken_counts(claim_ids)
    assert {claim_id: taken[claim_id] for claim_id in abandoned} == dict.fromkeys(abandoned, 2)
    assert all(taken[claim_id] == 1 for claim_id in claim_ids if claim_id not in abandoned)
    # Every late write by a walker was refused with a lease error, 409 through the API, and wrote nothing.
    expected_refusals = {
        "evidence": "LeaseError",
        "verdict": "LeaseError",
        "extend": "LeaseError",
        "release": "LeaseError",
        "api evidence": "HTTP 409",
        "api verdict": "HTTP 409",
    }
    assert sorted(refused) == sorted(
        (name, claim_id, outcome) for claim_id in abandoned for name, outcome in expected_refusals.items()
    )
    walker_ids = [user.pk for user in walkers]
    assert not Evidence.objects.filter(added_by_id__in=walker_ids).exists()
    assert not Verdict.objects.filter(author_id__in=walker_ids).exists()
    assert Evidence.objects.filter(claim_id__in=claim_ids).count() == len(claim_ids)


def test_housekeeping_racing_a_take_leaves_the_new_lease_and_its_history_alone(reviewer, second_reviewer):
    """Housekeeping meets a claim whose lease has run out just as another reviewer's take of it is
    in flight (that take is played here by a transaction on its own connection, doing the same
    conditional UPDATE as review_take_next, held open). The take wins; housekeeping neither clears
    the new lease nor writes a "lease expired" line into the claim's history."""
    claim = ClaimFactory()
    review.review_take_next(user=reviewer)
    Claim.objects.filter(pk=claim.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    history_before = claim.history.count()
    database = connection.settings_dict
    released: list[int] = []

    def housekeeping() -> None:
        try:
            released.append(review.leases_release_expired())
        finally:
            connections.close_all()

    def connect() -> psycopg.Connection:
        return psycopg.connect(
            host=database["HOST"],
            port=database["PORT"],
            user=database["USER"],
            dbname=database["NAME"],
            autocommit=True,
        )

    # Activity is read from a connection of its own: inside a transaction it would be a snapshot.
    with connect() as taker, connect() as observer:
        taker.execute("BEGIN")
        taken = taker.execute(
            "UPDATE claims_claim SET assignee_id = %s, lease_expires_at = now() + interval '30 minutes',"
            " version = version + 1 WHERE id = %s AND (assignee_id IS NULL OR lease_expires_at <= now())",
            [second_reviewer.pk, claim.pk],
        ).rowcount
        assert taken == 1
        keeper = threading.Thread(target=housekeeping)
        keeper.start()
        deadline = time.monotonic() + 10
        while keeper.is_alive() and not sessions_waiting_on_locks(observer):
            assert time.monotonic() < deadline
            time.sleep(0.01)
        taker.execute("COMMIT")
        keeper.join(timeout=10)

    claim.refresh_from_db()
    assert claim.assignee_id == second_reviewer.pk and claim.lease_expires_at > timezone.now()
    assert released == [0]
    assert claim.history.count() == history_before
    assert not claim.history.filter(history_change_reason="lease expired").exists()


def test_taking_a_free_claim_that_a_background_job_has_locked_waits_for_the_job(reviewer):
    """A suggestion job briefly locks the claim row it writes to (played here by a transaction on a
    connection of its own holding FOR UPDATE). A reviewer taking that free claim waits for the lock
    and gets it, instead of being told that another reviewer is working on it."""
    claim = ClaimFactory()
    database = connection.settings_dict
    outcome: list[object] = []

    def take() -> None:
        try:
            outcome.append(review.review_take(user=reviewer, claim_id=claim.pk))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            outcome.append(error)
        finally:
            connections.close_all()

    def connect() -> psycopg.Connection:
        return psycopg.connect(
            host=database["HOST"],
            port=database["PORT"],
            user=database["USER"],
            dbname=database["NAME"],
            autocommit=True,
        )

    with connect() as job, connect() as observer:
        job.execute("BEGIN")
        job.execute("SELECT id FROM claims_claim WHERE id = %s FOR UPDATE", [claim.pk])
        taker = threading.Thread(target=take)
        taker.start()
        deadline = time.monotonic() + 10
        while taker.is_alive() and not sessions_waiting_on_locks(observer):
            assert time.monotonic() < deadline
            time.sleep(0.01)
        job.execute("COMMIT")
        taker.join(timeout=10)

    assert len(outcome) == 1 and isinstance(outcome[0], Claim), outcome
    claim.refresh_from_db()
    assert claim.assignee_id == reviewer.pk
