"""Idempotent API writes: a client that retries a request with the same ``Idempotency-Key`` gets the
first response again instead of a second effect (the IETF httpapi Idempotency-Key draft)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..errors import InvalidInputError
from ..models import IdempotencyRecord
from ..roles import User

MAX_KEY_CHARS = 200


class IdempotencyKeyReusedError(InvalidInputError):
    """The key was used before for a different request; replaying that response would be wrong."""

    status_code = 422


@dataclass(frozen=True)
class RecordedResponse:
    status: int
    body: Any
    replayed: bool


def request_fingerprint(*, method: str, path: str, payload: Any) -> str:
    canonical = json.dumps([method.upper(), path, payload], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> RecordedResponse:
    if record.request_fingerprint != fingerprint:
        raise IdempotencyKeyReusedError(
            "This Idempotency-Key was already used for a different request.", idempotency_key=record.key
        )
    return RecordedResponse(status=record.response_status, body=record.response_body, replayed=True)


def idempotent_response(
    *, user: User, key: str, fingerprint: str, produce: Callable[[], tuple[int, Any]]
) -> RecordedResponse:
    """Run ``produce`` (a service call that returns a status and a JSON-ready body) once per key and
    user, and remember its response. A failed call is not remembered, so the client can fix the
    request and retry with the same key."""
    key = key.strip()
    if not key or len(key) > MAX_KEY_CHARS:
        raise InvalidInputError(f"Idempotency-Key must be 1 to {MAX_KEY_CHARS} characters.")
    # The header is a structured-field string: printable ASCII. Anything else (NUL, which PostgreSQL
    # cannot store, or control characters) is a broken client.
    if not all(" " <= character <= "~" for character in key):
        raise InvalidInputError("Idempotency-Key may contain only printable ASCII characters.")
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is not None:
        return _replay(record, fingerprint)
    status, body = produce()
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                user=user, key=key, request_fingerprint=fingerprint, response_status=status, response_body=body
            )
    except IntegrityError:
        # A concurrent retry with the same key finished first; answer as it did.
        return _replay(IdempotencyRecord.objects.get(user=user, key=key), fingerprint)
    return RecordedResponse(status=status, body=body, replayed=False)


def idempotency_records_purge(*, older_than: dt.timedelta) -> int:
    """Forget keys older than ``older_than``; clients retry within minutes, not weeks."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
