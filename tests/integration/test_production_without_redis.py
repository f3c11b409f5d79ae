"""The documented production stack, served by gunicorn with the production settings, keeps
answering when Redis is unreachable: the sign-in page, a sign-in, an ingest and a list — none of
them a 500. Redis is a port where nothing listens."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from claims.choices import TokenScope
from claims.services.tokens import token_create
from tests.factories import UserFactory

from .conftest import _free_port, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def production_server(tmp_path) -> Iterator[int]:
    database = connection.settings_dict
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "workbench.settings.production",
        "SECRET_KEY": "integration-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": UNREACHABLE_REDIS,
        "WORKBENCH_VAR_DIR": str(tmp_path),
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("CACHE_REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "workbench.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "2", "--timeout", "60"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "gunicorn.log").open("wb"),
    )

    def answers() -> bool:
        try:
            return _request(port, "GET", "/accounts/login/")[0] == 200
        except OSError:
            return False

    try:
        wait_for(
            answers,
            timeout=90,
            interval=0.5,
            what="gunicorn under production settings",
            context=lambda: (tmp_path / "gunicorn.log").read_text()[-3000:],
        )
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def _request(port: int, method: str, path: str, *, body: bytes = b"", headers: dict[str, str] | None = None):
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection_.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
        response = connection_.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection_.close()


def test_sign_in_ingest_and_list_answer_without_redis(production_server):
    rita = UserFactory(username="rita_reviewer", roles=["reviewer"])
    # The production settings verify with PBKDF2; the test settings hash with MD5 for speed.
    rita.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    rita.save(update_fields=["password"])
    editor = UserFactory(username="cms_integration", roles=["editor"])
    secret = token_create(user=editor, name="CMS", scope=TokenScope.WRITE).secret
    auth = {"Authorization": f"Token {secret}", "Content-Type": "application/json"}

    page_status, page_headers, _ = _request(production_server, "GET", "/accounts/login/")
    csrf = page_headers.get("Set-Cookie", "").split("csrftoken=")[1].split(";")[0]
    form = urllib.parse.urlencode({"username": "rita_reviewer", "password": PASSWORD, "csrfmiddlewaretoken": csrf})
    sign_in = _request(
        production_server,
        "POST",
        "/accounts/login/",
        body=form.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": "http://127.0.0.1/accounts/login/",
        },
    )
    ingest = _request(
        production_server,
        "POST",
        "/api/v1/articles/",
        body=json.dumps(
            {"text": "Former U.S. President Donald Trump spoke on Sunday.", "published_at": "2025-05-12"}
        ).encode(),
        headers=auth,
    )
    listed = _request(production_server, "GET", "/api/v1/claims/", headers=auth)

    assert page_status == 200
    assert sign_in[0] == 302, sign_in[2][:500]
    assert ingest[0] == 202, ingest[2][:500]
    assert listed[0] == 200, listed[2][:500]
