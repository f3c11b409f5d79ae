"""Webhooks through the admin and the API: register, read the delivery log, redeliver."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from claims.choices import DeliveryStatus
from claims.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return UserFactory(username="ada", roles=["admin"], is_staff=True, is_superuser=True)


@pytest.fixture
def failed_delivery(admin):
    endpoint = WebhookEndpoint.objects.create(
        url="http://127.0.0.1:9/hooks", secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", events=["claim.published"]
    )
    event = WebhookEvent.objects.create(
        event_id="msg_1", event_type="claim.published", payload={"type": "claim.published", "data": {}}
    )
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=event,
        status=DeliveryStatus.FAILED,
        attempts=10,
        response_status=503,
        attempt_log=[{"at": "2026-01-01T00:00:00Z", "status": 503, "error": "", "ms": 12}],
    )


def test_an_admin_registers_an_endpoint_over_the_api_and_sees_its_secret_once(admin, settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    client = APIClient()
    client.force_login(admin)
    created = client.post(
        "/api/v1/webhook-endpoints/",
        {"url": "http://127.0.0.1:9/hooks", "events": ["claim.published", "claim.reopened"]},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["secret"].startswith("whsec_")
    listed = client.get("/api/v1/webhook-endpoints/").json()
    assert listed[0]["events"] == ["claim.published", "claim.reopened"]
    assert "secret" not in listed[0]


def test_the_api_shows_the_delivery_log_and_redelivers(admin, failed_delivery, settings):
    client = APIClient()
    client.force_login(admin)
    log = client.get("/api/v1/webhook-deliveries/", {"status": "failed"}).json()
    (row,) = log["results"]
    assert row["event_id"] == "msg_1" and row["attempts"] == 10 and row["response_status"] == 503
    assert row["attempt_log"][0]["status"] == 503
    # Waiting again, with a fresh set of attempts; the job that sends it is queued on commit.
    answer = client.post(f"/api/v1/webhook-deliveries/{failed_delivery.pk}/redeliver/", {}, format="json")
    assert answer.status_code == 202
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == DeliveryStatus.PENDING


def test_the_admin_lists_deliveries_and_redelivers_them(admin, failed_delivery):
    client = Client()
    client.force_login(admin)
    assert client.get("/admin/claims/webhookdelivery/").status_code == 200
    page = client.get(f"/admin/claims/webhookdelivery/{failed_delivery.pk}/change/")
    assert page.status_code == 200 and b"503" in page.content
    response = client.post(
        "/admin/claims/webhookdelivery/", {"action": "redeliver", "_selected_action": [failed_delivery.pk]}
    )
    assert response.status_code == 302
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == DeliveryStatus.PENDING


def test_the_admin_registers_an_endpoint_through_the_service(admin, settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/claims/webhookendpoint/add/",
        {"url": "http://127.0.0.1:9/hooks", "description": "CMS", "events": ["claim.published"], "is_active": "on"},
    )
    assert response.status_code == 302, response.content[:2000]
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_") and endpoint.events == ["claim.published"]
    refused = client.post(
        "/admin/claims/webhookendpoint/add/",
        {"url": "http://10.1.2.3/hooks", "events": ["claim.published"], "is_active": "on"},
    )
    assert refused.status_code == 200 and b"non-public" in refused.content
