"""Under the production cache, sign-in failures are counted in Redis, so every web process shares
one count: two gunicorn workers allow the limit once, not once each. Two web processes are played
by two fresh cache clients (each with its own connection pool, as in a separate process)."""

from __future__ import annotations

import os

import pytest
from django.core.cache import caches
from django.test import override_settings

from claims.cache import ResilientRedisCache
from claims.services.login_throttle import LoginThrottledError, login_failure_record, login_throttle_check

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
PRODUCTION_CACHE = {"default": {"BACKEND": "claims.cache.ResilientRedisCache", "LOCATION": REDIS_URL}}


@override_settings(CACHES=PRODUCTION_CACHE, LOGIN_FAILURES_PER_USERNAME=4, LOGIN_FAILURES_PER_ADDRESS=100)
def test_failures_counted_by_one_process_refuse_sign_in_in_another(monkeypatch):
    caches["default"].clear()
    first_worker = caches["default"]
    second_worker = ResilientRedisCache(REDIS_URL, {})
    assert first_worker is not second_worker

    import claims.services.login_throttle as throttle

    for worker in (first_worker, second_worker):
        monkeypatch.setattr(throttle, "cache", worker)
        for _ in range(2):
            login_failure_record(username="rita_reviewer", address="203.0.113.7")

    for worker in (first_worker, second_worker):
        monkeypatch.setattr(throttle, "cache", worker)
        with pytest.raises(LoginThrottledError):
            login_throttle_check(username="rita_reviewer", address="203.0.113.7")
    caches["default"].clear()
