"""Request rates: per token for tools, per user for sessions, per address for anonymous callers.

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (scopes ``token``, ``user``, ``anon``),
read on every request so a settings override takes effect without re-importing this module."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from ..models import ApiToken
from ..services.login_throttle import client_address


class ClientRateThrottle(SimpleRateThrottle):
    def __init__(self) -> None:
        # The scope depends on who is calling, so the rate is resolved per request in allow_request.
        self.scope = "anon"
        self.rate: str | None = None

    def _scope_and_ident(self, request: Request) -> tuple[str, str]:
        if isinstance(request.auth, ApiToken):
            # Per token, not per user: two tools of the same person do not starve each other.
            return "token", str(request.auth.pk)
        if request.user and request.user.is_authenticated:
            return "user", str(request.user.pk)
        return "anon", self.get_ident(request)

    def get_ident(self, request: Request) -> str:
        # DRF's own ident is the whole X-Forwarded-For header unless told how many proxies to trust,
        # so a client could pick a fresh bucket per request; use the address the sign-in throttle uses.
        return client_address(request) or ""

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        scope, ident = self._scope_and_ident(request)
        return self.cache_format % {"scope": scope, "ident": ident}

    def allow_request(self, request: Request, view: Any) -> bool:
        self.scope, _ = self._scope_and_ident(request)
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
