"""Typed errors raised by services. Entry points map them to a response; the API uses one body shape,
``{"message": ..., "extra": {...}}``, with the status code given here."""

from __future__ import annotations

from typing import Any


class WorkbenchError(Exception):
    status_code = 400

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class InvalidInputError(WorkbenchError):
    status_code = 400


class DocumentTooLargeError(InvalidInputError):
    status_code = 413


class PermissionDeniedError(WorkbenchError):
    status_code = 403


class NotFoundError(WorkbenchError):
    status_code = 404


class ClaimStateError(WorkbenchError):
    """The claim is not in a state that allows this action (e.g. editing a published verdict)."""

    status_code = 409


class StaleVersionError(WorkbenchError):
    """The edit was based on an older version than the one stored; nothing was written."""

    status_code = 409


class LeaseError(WorkbenchError):
    """The caller does not hold a live lease on the claim (never had one, or it expired)."""

    status_code = 409


class ArticleStateError(WorkbenchError):
    """The article's extraction is not in a state that allows this action (e.g. retrying one that is done)."""

    status_code = 409
