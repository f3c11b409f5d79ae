"""Idempotent API writes: a client that retries a request with the same ``Idempotency-Key`` gets the
first response again instead of a second effect (the IETF httpapi Idempotency-Key draft).

The key is reserved before the write runs: a pending record is committed first, so of several
concurrent requests with one key exactly one runs the write and answers as it did; the others are
told to retry shortly (409 with Retry-After) and, once it is done, get its response replayed. A write
that fails gives its reservation back, and a reservation older than
``IDEMPOTENCY_PENDING_TIMEOUT_SECONDS`` is taken to belong to a process that died and may be taken over."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..errors import InvalidInputError, WorkbenchError
from ..models import IdempotencyRecord
from ..roles import User

logger = logging.getLogger(__name__)

MAX_KEY_CHARS = 200
# An ingest takes well under a second; a client told to wait longer would only add latency.
IN_PROGRESS_RETRY_AFTER_SECONDS = 1
# Each round either reserves the key, answers, or meets a record that changed under it (released
# by a failed write, or taken over); three rounds in a row of the latter means heavy contention.
RESERVE_ROUNDS = 3


class IdempotencyKeyReusedError(InvalidInputError):
    """The key was used before for a different request; replaying that response would be wrong."""

    status_code = 422


class IdempotencyKeyInProgressError(WorkbenchError):
    """Another request with this key is still running; its response does not exist yet."""

    status_code = 409


@dataclass(frozen=True)
class RecordedResponse:
    status: int
    body: Any
    replayed: bool


def request_fingerprint(*, method: str, path: str, payload: Any) -> str:
    canonical = json.dumps([method.upper(), path, payload], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _in_progress(key: str) -> IdempotencyKeyInProgressError:
    return IdempotencyKeyInProgressError(
        "A request with this Idempotency-Key is still being processed; retry shortly.",
        idempotency_key=key,
        retry_after_seconds=IN_PROGRESS_RETRY_AFTER_SECONDS,
    )


def _reserve(*, user: User, key: str, fingerprint: str) -> IdempotencyRecord | RecordedResponse:
    """The pending record this request now holds, or the recorded response to replay. Raises
    ``IdempotencyKeyReusedError`` for a different request under the key, and
    ``IdempotencyKeyInProgressError`` while another request holds it."""
    for _round in range(RESERVE_ROUNDS):
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is None:
            try:
                # Its own transaction, committed before the write starts: concurrent requests must
                # see the reservation, and the write's own transaction must not be able to undo it.
                with transaction.atomic():
                    return IdempotencyRecord.objects.create(user=user, key=key, request_fingerprint=fingerprint)
            except IntegrityError:
                # A concurrent request reserved the key between the look-up and the insert.
                continue
        if record.request_fingerprint != fingerprint:
            raise IdempotencyKeyReusedError(
                "This Idempotency-Key was already used for a different request.", idempotency_key=key
            )
        if record.response_status is not None:
            return RecordedResponse(status=record.response_status, body=record.response_body, replayed=True)
        abandoned_before = timezone.now() - dt.timedelta(seconds=settings.IDEMPOTENCY_PENDING_TIMEOUT_SECONDS)
        if record.created_at >= abandoned_before:
            raise _in_progress(key)
        # The process holding it died (or hangs): take it over. The conditional UPDATE lets only one
        # of several requests doing this at once win; the others look again.
        taken_at = timezone.now()
        taken = IdempotencyRecord.objects.filter(
            pk=record.pk, response_status__isnull=True, created_at=record.created_at
        ).update(created_at=taken_at)
        if taken:
            logger.warning("Took over the abandoned Idempotency-Key reservation %r of user %s.", key, user.pk)
            record.created_at = taken_at
            return record
    raise _in_progress(key)


def _held(reservation: IdempotencyRecord) -> QuerySet[IdempotencyRecord]:
    """The reservation, as long as it is still this request's: a request that outlived the pending
    timeout may have had it taken over, and must then neither fill it in nor delete it."""
    return IdempotencyRecord.objects.filter(
        pk=reservation.pk, response_status__isnull=True, created_at=reservation.created_at
    )


def idempotent_response(
    *, user: User, key: str, fingerprint: str, produce: Callable[[], tuple[int, Any]]
) -> RecordedResponse:
    """Run ``produce`` (a service call that returns a status and a JSON-ready body) once per key and
    user, and remember its response. A failed call is not remembered, so the client can fix the
    request and retry with the same key.

    Call outside a transaction: the reservation must be committed, and so visible to a concurrent
    request with the same key, before ``produce`` runs."""
    key = key.strip()
    if not key or len(key) > MAX_KEY_CHARS:
        raise InvalidInputError(f"Idempotency-Key must be 1 to {MAX_KEY_CHARS} characters.")
    # The header is a structured-field string: printable ASCII. Anything else (NUL, which PostgreSQL
    # cannot store, or control characters) is a broken client.
    if not all(" " <= character <= "~" for character in key):
        raise InvalidInputError("Idempotency-Key may contain only printable ASCII characters.")
    reservation = _reserve(user=user, key=key, fingerprint=fingerprint)
    if isinstance(reservation, RecordedResponse):
        return reservation
    try:
        status, body = produce()
    except BaseException:
        # Also on SystemExit (a worker timed out): the client may retry at once, not after the timeout.
        _held(reservation).delete()
        raise
    if not _held(reservation).update(response_status=status, response_body=body):
        # Our reservation was taken over after the pending timeout; the request that took it answers
        # for the key from now on. This client still learns what its own request did.
        logger.warning("The Idempotency-Key reservation %r of user %s was taken over while in use.", key, user.pk)
    return RecordedResponse(status=status, body=body, replayed=False)


def idempotency_records_purge(*, older_than: dt.timedelta) -> int:
    """Forget keys older than ``older_than``; clients retry within minutes, not weeks."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
