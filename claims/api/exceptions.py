"""One error body for the whole API: ``{"message": "...", "extra": {...}}``.

Service errors carry their own status code (400, 403, 404, 409, 413); one that says when to come
back (``retry_after_seconds``) also sets Retry-After. DRF's own errors (validation, authentication,
throttling, unknown method) are translated into the same shape."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from ..errors import WorkbenchError


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"

    def __init__(self, *, max_bytes: int | None = None) -> None:
        detail = f"The request body is larger than the limit of {max_bytes} bytes." if max_bytes else None
        super().__init__(detail)
        self.max_bytes = max_bytes


def error_body(message: str, **extra: Any) -> dict[str, Any]:
    return {"message": message, "extra": extra}


def _message(detail: Any) -> str:
    if isinstance(detail, list) and detail:
        return _message(detail[0])
    if isinstance(detail, dict) and detail:
        return _message(next(iter(detail.values())))
    return str(detail)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, WorkbenchError):
        set_rollback()
        retry_after = exc.extra.get("retry_after_seconds")
        retry_headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return Response(error_body(exc.message, **exc.extra), status=exc.status_code, headers=retry_headers)
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # Django refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE when DRF reads the request.
        exc = RequestTooLarge(max_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if not isinstance(exc, exceptions.APIException):
        return None

    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if isinstance(exc, exceptions.ValidationError):
        body = error_body("Invalid input: " + _message(exc.detail), fields=exc.detail)
    elif isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait) if exc.wait is not None else None
        if wait is not None:
            headers["Retry-After"] = str(wait)
        body = error_body("Too many requests; slow down.", retry_after_seconds=wait)
    elif isinstance(exc, RequestTooLarge):
        body = error_body(_message(exc.detail), max_bytes=exc.max_bytes)
    else:
        body = error_body(_message(exc.detail))
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)
