"""Request rates: per token for tools, per user for sessions, per address for anonymous callers.

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (scopes ``token``, ``user``, ``anon``),
read on every request so a settings override takes effect without re-importing this module.

Counting is one atomic increment per request (a sliding-window counter: this window's count plus
the previous window's, weighted by how much of it still overlaps). DRF's own throttle reads a list
of timestamps, appends, and writes it back, so concurrent requests overwrite each other's entries
and let extra requests through."""

from __future__ import annotations

import math
import time
from typing import Any

from django.core.cache import cache
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
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = time.time()
        window = int(now // self.duration)
        current_key, previous_key = f"{key}:{window}", f"{key}:{window - 1}"
        # The counter lives two windows: it is the "previous" one during the next.
        cache.add(current_key, 0, timeout=2 * self.duration + 1)
        try:
            current = cache.incr(current_key)
        except ValueError:
            # Expired between add() and incr(): this request is the window's first.
            cache.set(current_key, 1, timeout=2 * self.duration + 1)
            current = 1
        previous = cache.get(previous_key) or 0
        elapsed = (now - window * self.duration) / self.duration
        if previous * (1 - elapsed) + current <= self.num_requests:
            return True
        # A refused request does not count against the next one.
        try:
            cache.incr(current_key, -1)
        except ValueError:
            pass
        self._wait = self._seconds_until_allowed(now=now, window=window, current=current, previous=previous)
        return False

    def _seconds_until_allowed(self, *, now: float, window: int, current: int, previous: int) -> float:
        window_start = window * self.duration
        if current > self.num_requests or previous == 0:
            return window_start + self.duration - now
        # previous * (1 - f) + current <= num_requests once f reaches this fraction of the window.
        fraction = 1 - (self.num_requests - current) / previous
        return max(1.0, window_start + math.ceil(fraction * self.duration) - now)

    def wait(self) -> float | None:
        return max(1.0, getattr(self, "_wait", self.duration))
