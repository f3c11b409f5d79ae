"""What the header of every workbench page shows about the person signed in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from . import selectors


def page_header(request: HttpRequest) -> dict[str, Any]:
    # The browser refuses a form larger than the server accepts before sending it, so nothing typed is lost.
    limits = {"max_post_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return limits
    # Called by the template only where the header shows it (never on admin or API pages).
    return {**limits, "inbox_waiting": lambda: selectors.inbox_count(user=user)}
