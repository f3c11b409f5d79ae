"""Webhooks: other systems hear about verdicts and articles as they happen.

An event is written in the same transaction as the change it reports, with one delivery row per
endpoint that wants it (an outbox: a change that rolls back announces nothing, and a committed one
is never lost to a broker that was down). After commit a job sends each delivery; one that fails is
tried again with exponential backoff for about a day, by the beat job that sends what is due. Every
delivery is signed by the Standard Webhooks scheme and carries the event's id (``webhook-id``), the
same on every attempt, for the receiver's de-duplication. An endpoint that failed for a whole retry
window is disabled, and the admins are told.

Endpoint URLs pass the same address guard as URL ingest, when registered and again on every
connection (after DNS resolution), so an endpoint cannot be pointed at the desk's own network.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import ipaddress
import json
import logging
import random
import secrets
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from ..choices import DeliveryStatus, Role, WebhookEventType
from ..errors import InvalidInputError, NotFoundError, PermissionDeniedError
from ..extraction import fetch as guarded_fetch
from ..extraction.errors import ExtractionError, UnsafeUrlError
from ..models import Article, Verdict, WebhookDelivery, WebhookEndpoint, WebhookEvent
from ..roles import User, can_administer
from .jobs import job_queue_after_commit

logger = logging.getLogger(__name__)

USER_AGENT = "claim-workbench-webhooks/1.0"
EVENT_TYPES = tuple(WebhookEventType.values)
RESPONSE_BODY_CHARS = 2000
ATTEMPT_LOG_ENTRIES = 20
DUE_BATCH = 200


def _require_admin(user: User) -> None:
    if not can_administer(user):
        raise PermissionDeniedError("Only admins manage webhooks.")


# --- Endpoints ----------------------------------------------------------------------------------


def webhook_secret_new() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def _allowed_private_hosts() -> frozenset[str]:
    return frozenset(host.lower() for host in settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS)


def webhook_url_check(url: str) -> str:
    """The URL, if deliveries may go there: http(s), no credentials, and a host that resolves only
    to public addresses (or is allowlisted). Checked again on every connection."""
    url = url.strip()
    if len(url) > 2000:
        raise InvalidInputError("An endpoint URL is limited to 2000 characters.")
    try:
        guarded_fetch._check_scheme(url)
        url = guarded_fetch._with_ascii_host(url)
    except UnsafeUrlError as error:
        raise InvalidInputError(f"This endpoint URL is refused: {error}", url=url[:200]) from None
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in _allowed_private_hosts():
        return url
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)}
    except socket.gaierror:
        raise InvalidInputError("The endpoint's host name does not resolve.", url=url[:200]) from None
    forbidden = sorted(a for a in addresses if guarded_fetch.is_forbidden_address(ipaddress.ip_address(a)))
    if forbidden:
        raise InvalidInputError(
            f"The endpoint's host resolves to a non-public address ({', '.join(forbidden)}).", url=url[:200]
        )
    return url


def _clean_events(events: Iterable[str]) -> list[str]:
    chosen = sorted(set(events))
    unknown = [event for event in chosen if event not in EVENT_TYPES]
    if unknown or not chosen:
        raise InvalidInputError(f"Choose events among: {', '.join(EVENT_TYPES)}.", unknown=unknown)
    return chosen


def webhook_endpoint_create(
    *, user: User, url: str, events: Iterable[str], description: str = "", secret: str = ""
) -> WebhookEndpoint:
    """Register an endpoint. Without ``secret``, one is made; the caller shows it to the admin."""
    _require_admin(user)
    url = webhook_url_check(url)
    secret = secret.strip() or webhook_secret_new()
    _check_secret(secret)
    return WebhookEndpoint.objects.create(
        url=url,
        events=_clean_events(events),
        description=description.strip()[:200],
        secret=secret,
        created_by=user if user.is_authenticated else None,
    )


def _check_secret(secret: str) -> None:
    try:
        Webhook(secret)
    except Exception as error:  # the library raises bare errors for a secret that is not base64
        raise InvalidInputError("The secret must be base64, optionally prefixed with whsec_.") from error
    if len(secret) > 100:
        raise InvalidInputError("The secret is limited to 100 characters.")


def webhook_endpoint_update(
    *,
    user: User,
    endpoint_id: int,
    url: str | None = None,
    events: Iterable[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
    secret: str | None = None,
) -> WebhookEndpoint:
    """Change an endpoint. Turning a disabled endpoint on again resumes its pending deliveries now."""
    _require_admin(user)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()
        if endpoint is None:
            raise NotFoundError("Webhook endpoint not found.", endpoint_id=endpoint_id)
        if url is not None:
            endpoint.url = webhook_url_check(url)
        if events is not None:
            endpoint.events = _clean_events(events)
        if description is not None:
            endpoint.description = description.strip()[:200]
        if secret is not None:
            _check_secret(secret.strip())
            endpoint.secret = secret.strip()
        if is_active is not None:
            resumed = is_active and not endpoint.is_active
            endpoint.is_active = is_active
            if resumed:
                endpoint.disabled_at = None
                endpoint.disabled_reason = ""
                endpoint.failing_since = None
                endpoint.deliveries.filter(status=DeliveryStatus.PENDING).update(next_attempt_at=timezone.now())
            elif not is_active:
                endpoint.deliveries.filter(status=DeliveryStatus.PENDING).update(next_attempt_at=None)
        endpoint.save()
    if is_active:
        job_queue_after_commit("webhook_deliveries_send_due_task", waiting="resumed webhook deliveries")
    return endpoint


def webhook_endpoint_delete(*, user: User, endpoint_id: int) -> None:
    _require_admin(user)
    deleted, _ = WebhookEndpoint.objects.filter(pk=endpoint_id).delete()
    if not deleted:
        raise NotFoundError("Webhook endpoint not found.", endpoint_id=endpoint_id)


# --- Events -------------------------------------------------------------------------------------


def webhook_event_emit(*, event_type: str, data: dict[str, Any]) -> WebhookEvent | None:
    """Record an event and a delivery to every active endpoint that wants it; they are sent after
    commit. Call inside the transaction of the change the event reports. None when nobody listens."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event {event_type!r}")
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True).only("id", "events")
        if event_type in endpoint.events
    ]
    if not endpoints:
        return None
    now = timezone.now()
    event_id = f"msg_{uuid.uuid4().hex}"
    # The Standard Webhooks payload shape: type, timestamp, data.
    payload = {"type": event_type, "timestamp": _iso(now), "data": data}
    event = WebhookEvent.objects.create(event_id=event_id, event_type=event_type, payload=payload)
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=now) for endpoint in endpoints]
    )
    for delivery in deliveries:
        job_queue_after_commit("webhook_delivery_send_task", delivery.pk, waiting=f"webhook delivery {delivery.pk}")
    return event


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def verdict_event_data(*, verdict: Verdict, by: User, comment: str = "") -> dict[str, Any]:
    from .exports import claim_public_url

    claim = verdict.claim
    data: dict[str, Any] = {
        "claim": {
            "id": claim.pk,
            "text": claim.text,
            "speaker": claim.speaker,
            "status": claim.status,
            "article_id": claim.article_id,
        },
        "verdict": {
            "rating": verdict.rating.label,
            "rating_alternate_name": verdict.rating.alternate_name,
            "rating_value": verdict.rating.value,
            "version": verdict.version,
            "approved_at": _iso(verdict.approved_at),
            "published_at": _iso(verdict.published_at),
        },
        "by": getattr(by, "username", ""),
    }
    if verdict.published_at is not None:
        data["claim"]["url"] = claim_public_url(claim_id=claim.pk, text=claim.text)
    if comment:
        data["comment"] = comment
    return data


def article_event_data(*, article: Article, claim_ids: list[int]) -> dict[str, Any]:
    return {
        "article": {
            "id": article.pk,
            "url": article.url,
            "title": article.title,
            "outlet": article.outlet,
            "published_at": _iso(article.published_at),
            "extraction_status": article.extraction_status,
        },
        "queued_claim_ids": claim_ids,
    }


# --- Sending ------------------------------------------------------------------------------------


def webhook_retry_delay(attempts: int, *, jitter: bool = True) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt: base x factor^(attempts-1), capped."""
    delay = settings.WEBHOOK_RETRY_BASE_SECONDS * settings.WEBHOOK_RETRY_FACTOR ** max(0, attempts - 1)
    delay = min(delay, settings.WEBHOOK_RETRY_MAX_DELAY_SECONDS)
    # Jitter spreads the retries of many deliveries that failed together (one endpoint down).
    return delay * random.uniform(0.8, 1.2) if jitter else delay  # noqa: S311 - not for security


@dataclass(frozen=True)
class AttemptOutcome:
    status_code: int | None
    body: str
    error: str
    milliseconds: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _opener(deadline: guarded_fetch._Deadline) -> urllib.request.OpenerDirector:
    # The ingest fetcher's guarded connections (address checked after resolution, on every
    # connection) and its one deadline over the whole attempt, so a receiver trickling its answer
    # cannot hold a sender; without its redirect handler: a webhook is not followed anywhere else,
    # so a 3xx answer is a failed attempt. No error processor either: every status comes back as a
    # response. The TLS context is shared, so building an opener per attempt costs nothing.
    hosts = _allowed_private_hosts()
    opener = urllib.request.OpenerDirector()
    opener.add_handler(
        guarded_fetch._GuardedHTTPHandler(allow_private=False, allowed_private_hosts=hosts, deadline=deadline)
    )
    opener.add_handler(
        guarded_fetch._GuardedHTTPSHandler(allow_private=False, allowed_private_hosts=hosts, deadline=deadline)
    )
    return opener


def signed_request(*, endpoint: WebhookEndpoint, event: WebhookEvent, at: dt.datetime) -> urllib.request.Request:
    body = json.dumps(event.payload, ensure_ascii=False, separators=(",", ":"))
    signature = Webhook(endpoint.secret).sign(event.event_id, at, body)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": event.event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }
    return urllib.request.Request(endpoint.url, data=body.encode("utf-8"), headers=headers, method="POST")


def _post(request: urllib.request.Request) -> AttemptOutcome:
    started = time.monotonic()
    status, body, error = None, "", ""
    try:
        deadline = guarded_fetch._Deadline(settings.WEBHOOK_TIMEOUT_SECONDS)
        with deadline, _opener(deadline).open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            status = response.status
            body = response.read(RESPONSE_BODY_CHARS).decode("utf-8", errors="replace")
    except (ExtractionError, urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as problem:
        reason = getattr(problem, "reason", problem)
        error = f"{type(reason).__name__}: {reason}"[:500]
    return AttemptOutcome(
        status_code=status, body=body, error=error, milliseconds=int((time.monotonic() - started) * 1000)
    )


def webhook_delivery_send(*, delivery_id: int) -> AttemptOutcome | None:
    """Make one attempt at a delivery that is due. None when it is not due (sent already, given up,
    paused, or taken by another sender this moment)."""
    now = timezone.now()
    # Taking the delivery is a conditional update: of two senders, exactly one moves it forward,
    # by longer than an attempt can take, so a sender that dies mid-attempt leaves it for later.
    lease_until = now + dt.timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 2 + 30)
    taken = WebhookDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
    ).update(next_attempt_at=lease_until)
    if not taken:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint", "event").get(pk=delivery_id)
    outcome = _post(signed_request(endpoint=delivery.endpoint, event=delivery.event, at=timezone.now()))
    _record(delivery_id=delivery_id, outcome=outcome)
    return outcome


def _record(*, delivery_id: int, outcome: AttemptOutcome) -> None:
    now = timezone.now()
    disabled: WebhookEndpoint | None = None
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        if delivery.attempts == 0 or delivery.first_attempt_at is None:
            delivery.first_attempt_at = now
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.response_status = outcome.status_code
        delivery.response_body = outcome.body
        delivery.error = outcome.error
        delivery.attempt_log = [
            *delivery.attempt_log,
            {"at": _iso(now), "status": outcome.status_code, "error": outcome.error, "ms": outcome.milliseconds},
        ][-ATTEMPT_LOG_ENTRIES:]
        if outcome.succeeded:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            if endpoint.failing_since is not None:
                endpoint.failing_since = None
                endpoint.save(update_fields=["failing_since", "updated_at"])
        else:
            if endpoint.failing_since is None:
                endpoint.failing_since = now
                endpoint.save(update_fields=["failing_since", "updated_at"])
            if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
                # Nothing reached the endpoint during this delivery's whole retry window: it is
                # gone or broken, and retrying every event for a day each only piles up work.
                if endpoint.is_active and endpoint.failing_since <= delivery.first_attempt_at:
                    disabled = _disable(endpoint, now=now, delivery=delivery)
            else:
                delivery.next_attempt_at = now + dt.timedelta(seconds=webhook_retry_delay(delivery.attempts))
        delivery.save()
    if disabled is not None:
        logger.warning("Webhook endpoint %s disabled: %s", disabled.pk, disabled.disabled_reason)


def _disable(endpoint: WebhookEndpoint, *, now: dt.datetime, delivery: WebhookDelivery) -> WebhookEndpoint:
    """Call inside the transaction that holds the endpoint's row."""
    endpoint.is_active = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = (
        f"Every attempt failed since {_iso(endpoint.failing_since)}; the last answer was "
        f"{delivery.response_status or delivery.error or 'none'}. Fix the receiver, then turn the endpoint on again: "
        "its pending deliveries resume and failed ones can be redelivered."
    )
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"])
    endpoint.deliveries.filter(status=DeliveryStatus.PENDING).update(next_attempt_at=None)
    _notify_admins(endpoint)
    return endpoint


def _notify_admins(endpoint: WebhookEndpoint) -> None:
    User = get_user_model()
    recipients = list(
        User.objects.filter(Q(is_superuser=True) | Q(groups__name=Role.ADMIN), is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if not recipients:
        return
    subject = f"Webhook endpoint disabled: {endpoint}"
    body = f"The webhook endpoint {endpoint.url} was disabled.\n\n{endpoint.disabled_reason}\n"

    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        except OSError as error:
            logger.warning("Could not mail the admins about webhook endpoint %s: %s", endpoint.pk, error)

    transaction.on_commit(send)


def webhook_deliveries_due(*, limit: int = DUE_BATCH) -> list[int]:
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now(), endpoint__is_active=True
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def webhook_deliveries_send_due(*, limit: int = DUE_BATCH) -> int:
    """Attempt every delivery that is due (the beat job). Returns how many were attempted."""
    return sum(webhook_delivery_send(delivery_id=pk) is not None for pk in webhook_deliveries_due(limit=limit))


def webhook_delivery_redeliver(*, user: User, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again (delivered, given up or waiting), with a fresh set of attempts. The
    event id stays the same, so a receiver that already has it can tell."""
    _require_admin(user)
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            raise NotFoundError("Webhook delivery not found.", delivery_id=delivery_id)
        if not WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, is_active=True).exists():
            raise InvalidInputError("Turn the endpoint on before redelivering to it.", delivery_id=delivery_id)
        delivery.status = DeliveryStatus.PENDING
        delivery.attempts = 0
        delivery.first_attempt_at = None
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["status", "attempts", "first_attempt_at", "next_attempt_at"])
        job_queue_after_commit("webhook_delivery_send_task", delivery.pk, waiting=f"webhook delivery {delivery.pk}")
    return delivery
