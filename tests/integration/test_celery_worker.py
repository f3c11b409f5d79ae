"""A real Celery worker process takes a job from the machine's Redis and completes it."""

import datetime as dt
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from claims import tasks
from claims.models import Claim
from tests.factories import ClaimFactory, UserFactory

pytestmark = [pytest.mark.integration]
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def celery_worker_process():
    if not settings.REDIS_URL or settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.fail(
            "This test needs REDIS_URL so that jobs go through Redis (make test-integration sets it)."
        )
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "workbench.settings.test",
        # The worker must see the test database pytest-django created, not the configured one.
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "workbench",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-l",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_takes_a_job_from_redis_and_completes_it(celery_worker_process):
    reviewer = UserFactory(username="lease_holder", roles=["reviewer"])
    claim = ClaimFactory(
        assignee=reviewer, lease_expires_at=timezone.now() - timedelta(minutes=1), status="in_review"
    )

    tasks.leases_release_expired_task.delay()

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Claim.objects.filter(pk=claim.pk, assignee__isnull=True).exists():
            break
        time.sleep(0.25)
    else:
        celery_worker_process.terminate()
        output = celery_worker_process.communicate(timeout=10)[0].decode(errors="replace")
        pytest.fail(f"The worker did not complete the job within 60 s. Worker output:\n{output[-3000:]}")
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
        celery_worker_process.terminate()
        output = celery_worker_process.communicate(timeout=10)[0].decode(errors="replace")
        pytest.fail(f"No suggestion within 120 s. Worker output:\n{output[-3000:]}")
    claim = article.claims.get()
    assert claim.embedding is not None and claim.suggested_at is not None
    assert Suggestion.objects.filter(claim=claim, target_passage__source__url__contains="inauguration").exists()
