"""The limits agree with each other: nothing a request is allowed to do can outlast the web
worker's timeout, and an idempotency reservation outlives any request that holds it."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _gunicorn_timeouts() -> set[int]:
    found = set()
    for name in ("Dockerfile", "docker-compose.yml", "README.md"):
        text = (PROJECT_ROOT / name).read_text()
        found |= {int(value) for value in re.findall(r'--timeout"?,?\s*"?(\d+)', text)}
    return found


def test_every_documented_gunicorn_command_uses_one_timeout():
    assert len(_gunicorn_timeouts()) == 1


def test_a_url_fetch_ends_well_inside_the_worker_timeout():
    (worker_timeout,) = _gunicorn_timeouts()
    # The fetch has one overall deadline; extraction of what it brings back needs the rest.
    assert settings.INGEST_FETCH_TIMEOUT_SECONDS <= worker_timeout / 3


def test_an_idempotency_reservation_outlives_any_request():
    (worker_timeout,) = _gunicorn_timeouts()
    assert settings.IDEMPOTENCY_PENDING_TIMEOUT_SECONDS >= worker_timeout
