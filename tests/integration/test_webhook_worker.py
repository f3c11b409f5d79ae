"""Webhook deliveries sent by a real Celery worker from the machine's Redis, and retried by the
beat job's task after the receiver refused the first attempt."""

from __future__ import annotations

import pytest
from django.utils import timezone

from claims import tasks
from claims.choices import DeliveryStatus
from claims.models import WebhookDelivery
from claims.services import webhooks as hooks
from lab.webhook_receiver import ReceiverLog, webhook_receiver
from tests.factories import UserFactory
from tests.integration.conftest import wait_for
from tests.publishing.conftest import publish_check

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def worker(start_worker, monkeypatch, settings):
    if not settings.REDIS_URL or settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.fail("This test needs REDIS_URL so that jobs go through Redis (make test-integration sets it).")
    # The worker reads its settings from the environment: it may deliver to the receiver on loopback.
    monkeypatch.setenv("WEBHOOK_ALLOWED_PRIVATE_HOSTS", "127.0.0.1")
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    return start_worker(broker_url=settings.REDIS_URL)


def test_a_worker_delivers_a_published_verdict_and_retries_a_refused_one(worker):
    desk = {
        "reviewer": UserFactory(username="rita", roles=["reviewer"]),
        "editor": UserFactory(username="emma", roles=["editor"]),
    }
    admin = UserFactory(username="ada", roles=["admin"])
    log = ReceiverLog(secret=hooks.webhook_secret_new(), refuse_first=1)
    with webhook_receiver(log) as url:
        hooks.webhook_endpoint_create(user=admin, url=url, events=["claim.published"], secret=log.secret)
        claim = publish_check(desk)
        wait_for(
            lambda: WebhookDelivery.objects.filter(attempts=1).exists(),
            timeout=60,
            interval=0.2,
            what="the worker's first attempt",
            context=lambda: worker.log()[-2000:],
        )
        delivery = WebhookDelivery.objects.get()
        assert delivery.response_status == 503 and delivery.status == DeliveryStatus.PENDING
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        tasks.webhook_deliveries_send_due_task.delay()
        wait_for(
            lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).exists(),
            timeout=60,
            interval=0.2,
            what="the retried delivery",
            context=lambda: worker.log()[-2000:],
        )
    (payload,) = log.processed
    assert payload["data"]["claim"]["id"] == claim.pk
    assert log.bad_signatures == 0
