"""The per-token rate limit counts with one atomic increment: many requests at once never let more
through than the limit (a read-modify-write of a request history did, by about 13 %)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from django.core.cache import cache
from django.test import override_settings

from claims.api.throttling import ClientRateThrottle
from claims.models import ApiToken

LIMIT = 50


@override_settings(
    REST_FRAMEWORK={
        "DEFAULT_THROTTLE_CLASSES": ["claims.api.throttling.ClientRateThrottle"],
        "DEFAULT_THROTTLE_RATES": {"token": f"{LIMIT}/hour", "user": None, "anon": None},
    }
)
def test_concurrent_requests_with_one_token_get_exactly_the_limit(monkeypatch):
    # Mid-window, so a window boundary cannot fall inside the test.
    monkeypatch.setattr("claims.api.throttling.time.time", lambda: 1_800_000_000.0 + 1800)
    cache.clear()
    request = SimpleNamespace(auth=ApiToken(pk=4242), user=None, META={"REMOTE_ADDR": "127.0.0.1"})
    threads_count, per_thread = 16, 10
    barrier = threading.Barrier(threads_count)
    allowed: list[bool] = []
    lock = threading.Lock()

    def hammer() -> None:
        barrier.wait()
        for _ in range(per_thread):
            result = ClientRateThrottle().allow_request(request, view=None)
            with lock:
                allowed.append(result)

    threads = [threading.Thread(target=hammer) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(allowed) == threads_count * per_thread
    assert allowed.count(True) == LIMIT
    refused = ClientRateThrottle()
    assert refused.allow_request(request, view=None) is False
    assert 0 < refused.wait() <= 3600
    cache.clear()
