"""A real Celery worker process takes a job from the machine's Redis and completes it."""

import datetime as dt
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from claims import tasks
from claims.models import Claim
from tests.factories import ClaimFactory, UserFactory

pytestmark = [pytest.mark.integration]


@pytest.fixture
def celery_worker_process(start_worker):
    if not settings.REDIS_URL or settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.fail("This test needs REDIS_URL so that jobs go through Redis (make test-integration sets it).")
    return start_worker(broker_url=settings.REDIS_URL)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_takes_a_job_from_redis_and_completes_it(celery_worker_process):
    reviewer = UserFactory(username="lease_holder", roles=["reviewer"])
    claim = ClaimFactory(assignee=reviewer, lease_expires_at=timezone.now() - timedelta(minutes=1), status="in_review")

    tasks.leases_release_expired_task.delay()

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Claim.objects.filter(pk=claim.pk, assignee__isnull=True).exists():
            break
        time.sleep(0.25)
    else:
        pytest.fail(
            f"The worker did not complete the job within 60 s. Worker output:\n{celery_worker_process.log()[-3000:]}"
        )
    assert Claim.objects.get(pk=claim.pk).lease_expires_at is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_ingested_articles_suggestion_job_runs_in_the_worker(celery_worker_process, editor):
    from claims.models import Suggestion
    from claims.services.articles import article_ingest
    from claims.services.sources import source_create

    source_create(
        user=editor,
        url="https://records.example.org/inauguration",
        title="Inauguration of the 47th President",
        body="Donald Trump was sworn in as the 47th president of the United States on January 20, 2025.",
    )
    article = article_ingest(
        text="Former U.S. President Donald Trump called for immediate talks on Truth Social on Sunday.",
        published_at=dt.date(2025, 5, 12),
    ).article

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if Suggestion.objects.filter(claim__article=article).exists():
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"No suggestion within 120 s. Worker output:\n{celery_worker_process.log()[-3000:]}")
    claim = article.claims.get()
    assert claim.embedding is not None and claim.suggested_at is not None
    assert Suggestion.objects.filter(claim=claim, target_passage__source__url__contains="inauguration").exists()
