"""Webhooks: events written with the change they report, signed deliveries, retries with backoff,
the delivery log, redelivery, disabling an endpoint that keeps failing, and the address guard."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time

import pytest
from django.core import mail
from django.utils import timezone

from claims.choices import DeliveryStatus
from claims.errors import InvalidInputError, PermissionDeniedError
from claims.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from claims.public import public_check_url
from claims.services import review, verdicts
from claims.services import webhooks as hooks
from claims.services.articles import article_ingest
from lab.webhook_receiver import ReceiverLog, webhook_receiver
from tests.factories import UserFactory, rating

from .conftest import publish_check

# Deliveries are queued on commit, as in production: the tests commit.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ALL_EVENTS = ["article.ingested", "claim.published", "claim.reopened", "verdict.approved", "verdict.sent_back"]


@pytest.fixture
def loopback(settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_TIMEOUT_SECONDS = 5


@pytest.fixture
def admin(transactional_db):
    return UserFactory(username="ada", email="ada@desk.example.org", roles=["admin"])


def make_due(delivery: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_a_published_verdict_reaches_the_endpoint_signed_with_its_event_id(desk, admin, loopback):
    log = ReceiverLog(secret=hooks.webhook_secret_new())
    with webhook_receiver(log) as url:
        hooks.webhook_endpoint_create(user=admin, url=url, events=["claim.published"], secret=log.secret)
        claim = publish_check(desk)
    assert log.bad_signatures == 0
    (payload,) = log.processed
    assert payload["type"] == "claim.published"
    assert payload["data"]["claim"]["id"] == claim.pk
    assert payload["data"]["verdict"]["rating"] == "Outdated"
    assert payload["data"]["claim"]["url"] == public_check_url(claim_id=claim.pk, text=claim.text)
    event = WebhookEvent.objects.get()
    assert list(log.seen) == [event.event_id]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.response_status == 204 and delivery.attempts == 1


def test_every_event_type_is_emitted_by_its_service(desk, admin, loopback):
    log = ReceiverLog(secret=hooks.webhook_secret_new())
    with webhook_receiver(log) as url:
        hooks.webhook_endpoint_create(user=admin, url=url, events=ALL_EVENTS, secret=log.secret)
        claim = publish_check(desk)
        verdicts.verdict_reopen(user=desk["editor"], claim_id=claim.pk, reason="New court ruling.")
        review.review_take(user=desk["reviewer"], claim_id=claim.pk)
        verdicts.verdict_draft(user=desk["reviewer"], claim_id=claim.pk, rating=rating("Accurate"), explanation="x")
        verdicts.verdict_send_back(user=desk["editor"], claim_id=claim.pk, comment="Cite the ruling.")
        article_ingest(text="The minister said unemployment fell by 3 percent in 2024.", title="Jobs")
    types = [payload["type"] for payload in log.processed]
    assert types == ["verdict.approved", "claim.published", "claim.reopened", "verdict.sent_back", "article.ingested"]
    assert log.processed[3]["data"]["comment"] == "Cite the ruling."


def test_an_endpoint_hears_only_the_events_it_asked_for_and_nothing_of_a_rolled_back_change(desk, admin, loopback):
    log = ReceiverLog(secret=hooks.webhook_secret_new())
    with webhook_receiver(log) as url:
        hooks.webhook_endpoint_create(user=admin, url=url, events=["verdict.sent_back"], secret=log.secret)
        publish_check(desk)
    assert log.requests == 0
    assert WebhookEvent.objects.count() == 0


def test_a_refused_delivery_is_retried_later_with_growing_delays_and_the_same_event_id(desk, admin, loopback, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 5
    log = ReceiverLog(secret=hooks.webhook_secret_new(), refuse_first=2)
    with webhook_receiver(log) as url:
        hooks.webhook_endpoint_create(user=admin, url=url, events=["claim.published"], secret=log.secret)
        publish_check(desk)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == DeliveryStatus.PENDING and delivery.response_status == 503
        first_wait = delivery.next_attempt_at - delivery.last_attempt_at
        # Not due yet: the beat job leaves it alone.
        assert hooks.webhook_deliveries_send_due() == 0
        make_due(delivery)
        assert hooks.webhook_deliveries_send_due() == 1
        delivery.refresh_from_db()
        second_wait = delivery.next_attempt_at - delivery.last_attempt_at
        assert second_wait > first_wait
        make_due(delivery)
        hooks.webhook_deliveries_send_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert [entry["status"] for entry in delivery.attempt_log] == [503, 503, 204]
    assert log.refused == 2 and len(log.processed) == 1


def test_the_retry_schedule_is_exponential_and_lasts_about_a_day():
    delays = [hooks.webhook_retry_delay(n, jitter=False) for n in range(1, 10)]
    assert all(later >= earlier for earlier, later in zip(delays, delays[1:], strict=False))
    assert delays[1] / delays[0] == 4
    assert dt.timedelta(hours=18) < dt.timedelta(seconds=sum(delays)) < dt.timedelta(hours=30)


def test_an_endpoint_that_fails_a_whole_retry_window_is_disabled_and_the_admins_told(desk, admin, loopback, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    log = ReceiverLog(secret=hooks.webhook_secret_new(), refuse_first=100)
    with webhook_receiver(log) as url:
        endpoint = hooks.webhook_endpoint_create(user=admin, url=url, events=["claim.published"], secret=log.secret)
        publish_check(desk)
        delivery = WebhookDelivery.objects.get()
        for _ in range(2):
            make_due(delivery)
            hooks.webhook_deliveries_send_due()
    endpoint.refresh_from_db()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3
    assert not endpoint.is_active and endpoint.disabled_at is not None
    assert "503" in endpoint.disabled_reason
    (notice,) = [message for message in mail.outbox if message.subject.startswith("Webhook endpoint disabled")]
    assert notice.to == ["ada@desk.example.org"]
    # Nothing more is sent to a disabled endpoint.
    publish_check(desk, text="Another claim, published while the endpoint is off.")
    assert WebhookDelivery.objects.count() == 1


def test_redelivery_sends_a_failed_delivery_again_once_the_endpoint_is_back(desk, admin, loopback, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    log = ReceiverLog(secret=hooks.webhook_secret_new(), refuse_first=1)
    with webhook_receiver(log) as url:
        endpoint = hooks.webhook_endpoint_create(user=admin, url=url, events=["claim.published"], secret=log.secret)
        publish_check(desk)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == DeliveryStatus.FAILED
        with pytest.raises(InvalidInputError):
            hooks.webhook_delivery_redeliver(user=admin, delivery_id=delivery.pk)
        hooks.webhook_endpoint_update(user=admin, endpoint_id=endpoint.pk, is_active=True)
        hooks.webhook_delivery_redeliver(user=admin, delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert len(log.processed) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hooks",
        "http://localhost/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hooks",
        "http://10.0.0.5/hooks",
        "file:///etc/passwd",
        "http://user:pw@example.org/hooks",
    ],
)
def test_endpoint_urls_pass_the_ingest_address_guard(admin, url):
    with pytest.raises(InvalidInputError):
        hooks.webhook_endpoint_create(user=admin, url=url, events=["claim.published"])


def test_a_delivery_to_a_host_that_turned_private_is_refused_at_connection_time(desk, admin, loopback, settings):
    log = ReceiverLog(secret=hooks.webhook_secret_new())
    with webhook_receiver(log) as url:
        hooks.webhook_endpoint_create(user=admin, url=url, events=["claim.published"], secret=log.secret)
        settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = []
        publish_check(desk)
    assert log.requests == 0
    delivery = WebhookDelivery.objects.get()
    assert "non-public" in delivery.error and delivery.status == DeliveryStatus.PENDING


def test_only_admins_register_endpoints(desk, loopback):
    with pytest.raises(PermissionDeniedError):
        hooks.webhook_endpoint_create(user=desk["editor"], url="http://127.0.0.1/h", events=["claim.published"])
    assert not WebhookEndpoint.objects.exists()


def test_a_receiver_trickling_its_answer_is_cut_off_at_the_timeout(desk, admin, loopback, settings):
    # Each byte arrives well within a socket timeout, so only one deadline over the whole attempt
    # stops it; without one the sender would wait for the whole answer (about 8 s) and succeed.
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    answer = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nX-Padding: " + b"x" * 40 + b"\r\n\r\n"
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle() -> None:
        connection, _ = server.accept()
        with connection:
            connection.recv(65536)
            for byte in answer:
                if stop.is_set():
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.1)

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.getsockname()[1]}/hook"
        secret = hooks.webhook_secret_new()
        hooks.webhook_endpoint_create(user=admin, url=url, events=["claim.published"], secret=secret)
        publish_check(desk)
    finally:
        stop.set()
        server.close()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.response_status is None
    assert delivery.attempts == 1 and delivery.error
