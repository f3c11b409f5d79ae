"""A real Celery worker process takes a job from the machine's Redis and completes it."""

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


@pytest.mark.django_db(transaction=True)
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
