"""Access guarantees checked from the outside, independent of the permission table: a read token
is refused by every route that writes, no table ever holds a token's secret, and production sends
HSTS. (The permission matrix, self-approval and `check --deploy` are tested in tests/api and
tests/workflow.)"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from claims.api.urls import router
from claims.choices import TokenScope
from claims.services.tokens import SECRET_PREFIX, token_create
from tests.factories import ClaimFactory, UserFactory

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WRITE_METHODS = {"post", "put", "patch", "delete"}


def write_routes() -> list[tuple[str, str]]:
    """(method, path) for every write the router serves, with 1 for any id."""
    routes = []
    for url in router.urls:
        callback = url.callback
        for method, _action in getattr(callback, "actions", {}).items():
            if method in WRITE_METHODS:
                path = "/api/v1/" + str(url.pattern).lstrip("^").rstrip("$")
                path = path.replace("(?P<pk>[0-9]{1,18})", "1").replace(
                    "(?P<export_format>csv|jsonl|claimreview)", "csv"
                )
                routes.append((method, path))
    return sorted(set(routes))


WRITE_ROUTES = write_routes()


def test_the_router_has_the_write_routes_we_expect():
    assert ("post", "/api/v1/articles/") in WRITE_ROUTES
    assert ("put", "/api/v1/claims/1/verdict/") in WRITE_ROUTES
    assert ("delete", "/api/v1/evidence/1/") in WRITE_ROUTES
    assert len(WRITE_ROUTES) >= 19


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES, ids=lambda value: str(value))
def test_a_read_token_is_refused_by_every_write_route(method, path):
    admin = UserFactory(username="ada_admin", roles=["admin"])
    ClaimFactory()
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION="Token " + token_create(user=admin, name="reader", scope=TokenScope.READ).secret
    )

    response = getattr(client, method)(path, {}, format="json")

    assert response.status_code == 403
    assert "read-only" in response.json()["message"]


@pytest.mark.django_db
def test_no_table_ever_holds_a_token_secret():
    user = UserFactory(username="cms_integration", roles=["editor"])
    issued = token_create(user=user, name="newsroom CMS", scope=TokenScope.WRITE)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.secret}")
    assert client.get("/api/v1/claims/").status_code == 200  # a use writes last_used_at

    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)

    hidden_part = issued.secret[len(SECRET_PREFIX) + 6 :]
    assert issued.secret not in dump.getvalue()
    assert hidden_part not in dump.getvalue()
    assert issued.token.key_hash in dump.getvalue()  # the dump does include the token's row


def test_production_sends_hsts_and_the_other_headers_over_https(tmp_path):
    script = (
        "from django.test import Client\n"
        "response = Client().get('/accounts/login/', secure=True)\n"
        "for name in ('Strict-Transport-Security', 'X-Content-Type-Options', 'Referrer-Policy',"
        " 'X-Frame-Options', 'Cross-Origin-Opener-Policy', 'Content-Security-Policy'):\n"
        "    print(name + ': ' + response.get(name, 'MISSING'))\n"
    )
    environment = {
        key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="workbench.settings.production",
        SECRET_KEY="k3y-" + "a1B2c3D4e5" * 6,
        ALLOWED_HOSTS="testserver",
        WORKBENCH_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    headers = dict(line.split(": ", 1) for line in result.stdout.splitlines() if ": " in line)
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
