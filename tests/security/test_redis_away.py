"""With Redis unreachable, the production cache answers as an empty one: sign-in, ingest and the API
keep working (rate limits lapse, with a warning in the log) instead of answering 500."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.test import APIClient

from claims.choices import ExtractionStatus, TokenScope
from claims.models import Article
from claims.services.tokens import token_create
from tests.factories import UserFactory

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Port 1 on loopback: nothing listens there, so every connection is refused at once.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
PASSWORD = "correct horse battery staple"

redis_away = override_settings(
    DEBUG=False,
    CACHES={"default": {"BACKEND": "claims.cache.ResilientRedisCache", "LOCATION": UNREACHABLE_REDIS}},
)


@pytest.fixture
def editor_token(db):
    editor = UserFactory(username="cms_integration", roles=["editor"])
    return token_create(user=editor, name="newsroom CMS", scope=TokenScope.WRITE)


@redis_away
def test_the_cache_answers_as_an_empty_one_and_logs_why(caplog):
    with caplog.at_level(logging.WARNING, logger="claims.cache"):
        assert cache.get("anything", "default") == "default"
        assert cache.add("anything", 1) is False
        assert cache.incr("anything") == 1
        cache.set("anything", 1)
        cache.delete("anything")
    assert any("Cache unavailable" in record.getMessage() for record in caplog.records)


@redis_away
@pytest.mark.django_db
def test_ingest_and_list_answer_without_redis(editor_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {editor_token.secret}")

    ingested = client.post(
        "/api/v1/articles/",
        {"text": "Former U.S. President Donald Trump spoke on Sunday about trade.", "published_at": "2025-05-12"},
        format="json",
    )
    listed = client.get("/api/v1/claims/")
    anonymous = APIClient().get("/api/v1/claims/")

    assert ingested.status_code == 202, ingested.content
    assert listed.status_code == 200, listed.content
    assert anonymous.status_code == 401


@contextlib.contextmanager
def celery_broker_away():
    """Jobs go to the broker (as under production settings), which is the same unreachable Redis."""
    from kombu import pools

    from workbench.celery import app

    def drop_pools() -> None:
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    previous = (app.conf.broker_url, app.conf.task_always_eager)
    drop_pools()
    app.conf.broker_url, app.conf.task_always_eager = UNREACHABLE_REDIS, False
    try:
        yield
    finally:
        drop_pools()
        app.conf.broker_url, app.conf.task_always_eager = previous


@redis_away
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ingest_is_kept_when_both_the_cache_and_the_broker_are_away(editor_token, caplog):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {editor_token.secret}")

    with celery_broker_away(), caplog.at_level(logging.WARNING):
        ingested = client.post(
            "/api/v1/articles/",
            {"text": "Former U.S. President Donald Trump spoke on Sunday about trade.", "published_at": "2025-05-12"},
            format="json",
        )

    # The article is kept, waiting for its extraction: the sweep job queues it once the broker is back.
    assert ingested.status_code == 202, ingested.content
    assert Article.objects.get(pk=ingested.json()["id"]).extraction_status == ExtractionStatus.QUEUED
    assert any("Broker unavailable" in record.getMessage() for record in caplog.records)


@redis_away
@pytest.mark.django_db
def test_sign_in_works_and_wrong_passwords_are_refused_without_redis():
    UserFactory(username="rita_reviewer", roles=["reviewer"], password=PASSWORD)

    wrong = Client().post("/accounts/login/", {"username": "rita_reviewer", "password": "wrong"})
    right = Client().post("/accounts/login/", {"username": "rita_reviewer", "password": PASSWORD})

    assert wrong.status_code == 200 and "did not match" in wrong.content.decode()
    assert right.status_code == 302
    assert "_auth_user_id" in right.wsgi_request.session


def test_the_production_settings_use_the_cache_that_fails_open(tmp_path):
    """The settings module the README names for the full stack, with Redis where nothing listens."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "workbench.settings.production",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "workbench.example.org",
        "REDIS_URL": UNREACHABLE_REDIS,
        "WORKBENCH_VAR_DIR": str(tmp_path),
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("DATABASE_URL", None)
    env.pop("CACHE_REDIS_URL", None)
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings; from django.core.cache import cache\n"
        "assert not settings.DEBUG\n"
        "assert settings.CACHES['default']['BACKEND'] == 'claims.cache.ResilientRedisCache'\n"
        "print(cache.get('login-failures:x', 0), cache.incr('api:x'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "0 1" in result.stdout
    assert "Cache unavailable" in result.stderr
