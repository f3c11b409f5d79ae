"""Jobs are queued after the transaction that wrote their rows commits (the fast tier runs them in
process when they are sent; the integration tier covers a broker that is down)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from claims.models import Claim
from claims.services.jobs import job_queue_after_commit
from tests.factories import ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def expired_lease():
    holder = UserFactory(username="lease_holder")
    return ClaimFactory(assignee=holder, lease_expires_at=timezone.now() - timedelta(minutes=1))


def test_a_job_runs_only_once_the_transaction_commits(expired_lease, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            job_queue_after_commit("leases_release_expired_task", waiting="expired leases")
            assert Claim.objects.get(pk=expired_lease.pk).assignee_id is not None
    assert Claim.objects.get(pk=expired_lease.pk).assignee_id is None


def test_a_rolled_back_transaction_sends_nothing(expired_lease, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            job_queue_after_commit("leases_release_expired_task", waiting="expired leases")
            raise RuntimeError("the write failed")
    assert callbacks == []
    assert Claim.objects.get(pk=expired_lease.pk).assignee_id is not None


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("claims_process_new_task", "claims"),
        ("claim_suggest_task", "claims"),
        ("leases_release_expired_task", "claims"),
        ("sources_embed_task", "library"),
        ("source_fetch_task", "library"),
        ("claims_rematch_task", "library"),
    ],
)
def test_library_work_has_its_own_queue_so_an_import_never_delays_new_claims(task_name, queue):
    from workbench.celery import app

    assert app.amqp.router.route({}, f"claims.tasks.{task_name}")["queue"].name == queue


def test_a_worker_started_without_a_queue_serves_both():
    from workbench.celery import app

    assert {queue.name for queue in app.amqp.queues.values()} == {"claims", "library"}
