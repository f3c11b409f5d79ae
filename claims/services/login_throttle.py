"""Sign-in throttling: after too many failed sign-ins for one username, or from one address, further
attempts are refused for a while, so passwords cannot be guessed at the speed of the server.

Counts live in Django's cache for ``LOGIN_FAILURE_WINDOW_SECONDS`` from the first failure. Usernames
are counted case-folded, so "Rita" and "rita" share one count, and hashed, so any text makes a
valid cache key. A successful sign-in clears its username's count but not its address's: one
person signing in must not reset the count of someone guessing from the same address."""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from ..errors import WorkbenchError


class LoginThrottledError(WorkbenchError):
    status_code = 429


def _key(kind: str, value: str) -> str:
    return f"login-failures:{kind}:{hashlib.sha256(value.encode('utf-8', 'surrogatepass')).hexdigest()}"


def _keys(*, username: str, address: str | None) -> list[tuple[str, int]]:
    keys = [(_key("username", username.strip().casefold()), settings.LOGIN_FAILURES_PER_USERNAME)]
    if address:
        keys.append((_key("address", address), settings.LOGIN_FAILURES_PER_ADDRESS))
    return keys


def login_throttle_check(*, username: str, address: str | None) -> None:
    """Raise ``LoginThrottledError`` while this username or address has used up its failures."""
    for key, limit in _keys(username=username, address=address):
        if (cache.get(key) or 0) >= limit:
            minutes = max(1, round(settings.LOGIN_FAILURE_WINDOW_SECONDS / 60))
            raise LoginThrottledError(
                f"Too many failed sign-ins for this username or from this address. "
                f"Wait {minutes} minutes, then try again.",
                retry_after_seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS,
            )


def login_failure_record(*, username: str, address: str | None) -> None:
    for key, _limit in _keys(username=username, address=address):
        # add() starts the window only on the first failure; later failures do not extend it.
        cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:
            # The window ended between add() and incr().
            cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def login_success_record(*, username: str) -> None:
    cache.delete(_key("username", username.strip().casefold()))


def client_address(request: HttpRequest | None) -> str | None:
    """The address the sign-in and API throttles count against. Behind ``TRUSTED_PROXY_COUNT``
    proxies of our own, that is the address the outermost one saw, which it appended to
    X-Forwarded-For: the entry that many places from the right. Entries left of it were sent by
    the client and may be forged, so a header with too few entries, or an entry that is not an IP
    address, counts as REMOTE_ADDR."""
    if request is None:
        return None
    remote_address = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote_address
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < proxies:
        return remote_address
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote_address


class ThrottledModelBackend(ModelBackend):
    """Django's password check behind the throttle, so every sign-in door (the workbench's page and
    the admin's) counts failures and refuses a throttled username or address."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None:
            username = kwargs.get(str(get_user_model().USERNAME_FIELD), "")
        address = client_address(request)
        try:
            login_throttle_check(username=username or "", address=address)
        except LoginThrottledError:
            # PermissionDenied stops Django trying any other backend.
            raise PermissionDenied from None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            login_failure_record(username=username or "", address=address)
        else:
            login_success_record(username=username or "")
        return user
