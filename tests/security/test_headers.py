"""Every URL the project routes (workbench pages, the admin, the API and its docs) answers with the
security headers, whoever asks and whatever the answer."""

from __future__ import annotations

import itertools
import re

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from claims.api.views.base import DOCS_CONTENT_SECURITY_POLICY
from claims.middleware import DATA_CONTENT_SECURITY_POLICY
from claims.views.base import CONTENT_SECURITY_POLICY
from tests.factories import ClaimFactory, UserFactory

EVERY_RESPONSE = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Values tried for each URL parameter until the pattern reverses: ids, an export format, an app label.
PARAMETER_VALUES = ("1", "csv", "claims", "claim", "auth", "1/change")


def _named_patterns(patterns, namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name, entry


def _reverse_with_sample_values(name: str, pattern: URLPattern) -> str | None:
    converters = getattr(pattern.pattern, "converters", {})
    named = list(converters) or list(pattern.pattern.regex.groupindex)
    unnamed = 0 if named else pattern.pattern.regex.groups
    for values in itertools.product(PARAMETER_VALUES, repeat=len(named) or unnamed):
        try:
            if named:
                return reverse(name, kwargs=dict(zip(named, values, strict=True)))
            return reverse(name, args=values)
        except NoReverseMatch:
            continue
    return None


def every_path() -> list[str]:
    paths: set[str] = set()
    for name, pattern in _named_patterns(get_resolver().url_patterns):
        path = _reverse_with_sample_values(name, pattern)
        assert path is not None, f"no test path for the URL named {name!r}"
        paths.add(path)
    return sorted(paths)


PATHS = every_path()


def test_the_walk_reaches_pages_the_admin_and_the_api():
    for expected in ("/", "/accounts/login/", "/admin/login/", "/api/v1/claims/", "/api/docs/", "/api/schema/"):
        assert expected in PATHS
    assert len(PATHS) > 60


@pytest.fixture
def clients(db):
    ClaimFactory()
    admin = UserFactory(username="ada_admin", roles=["admin"], is_staff=True, is_superuser=True)
    signed_in = Client()
    signed_in.force_login(admin)
    return {"anonymous": Client(), "admin": signed_in}


@pytest.mark.parametrize("path", PATHS)
def test_every_url_sends_the_security_headers(clients, path):
    for who, client in clients.items():
        response = client.get(path)
        assert response.status_code < 500, (who, path)
        for header, value in EVERY_RESPONSE.items():
            assert response.get(header) == value, (who, path, header)
        policy = response.get("Content-Security-Policy")
        if path == "/api/docs/":
            assert policy == DOCS_CONTENT_SECURITY_POLICY
        elif response.get("Content-Type", "").startswith("text/html"):
            assert policy == CONTENT_SECURITY_POLICY, (who, path)
        else:
            assert policy in {CONTENT_SECURITY_POLICY, DATA_CONTENT_SECURITY_POLICY}, (who, path)


def test_an_unrouted_path_and_an_api_error_carry_the_headers_too(clients):
    for response in (clients["anonymous"].get("/no/such/page/"), clients["anonymous"].get("/api/v1/claims/")):
        assert response.status_code in {401, 404}
        for header, value in EVERY_RESPONSE.items():
            assert response.get(header) == value
        assert "Content-Security-Policy" in response


def test_the_api_docs_page_runs_no_inline_script(clients):
    response = clients["admin"].get("/api/docs/")
    assert "script-src 'self';" in response["Content-Security-Policy"]
    page = response.content.decode()
    assert re.search(r"<script>", page) is None
    assert '<script src="/api/docs/?script=' in page
