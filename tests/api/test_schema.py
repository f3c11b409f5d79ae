"""The OpenAPI schema: valid, and every operation survives generated requests without a server error."""

from __future__ import annotations

import io

import pytest
import schemathesis
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from claims.choices import TokenScope
from claims.extraction.errors import FetchError
from claims.services import articles
from claims.services.tokens import token_create
from tests.factories import UserFactory


def test_the_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target), stderr=io.StringIO())
    text = target.read_text()
    assert "/api/v1/claims/{id}/verdict/approve/" in text
    assert "tokenAuth" in text


@pytest.mark.django_db
def test_the_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    # Swagger UI comes from the installed package: the docs work on a desk with no internet access.
    assert "cdn" not in docs.content.decode().lower()
    assert "/static/drf_spectacular_sidecar/" in docs.content.decode()


@pytest.fixture
def admin_token(db):
    admin = UserFactory(username="schema_fuzzer", roles=["admin"])
    return token_create(user=admin, name="schemathesis", scope=TokenScope.WRITE).secret


# Loaded at collection: serving the schema reads no database. (schemathesis' lazy fixture loader
# does not work with pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture
def no_network(monkeypatch):
    """Generated ingest requests may ask to fetch a URL; answer as an unreachable host would."""

    def refuse(url, **kwargs):
        raise FetchError(f"Could not fetch {url}: no network in tests.")

    monkeypatch.setattr(articles, "fetch_url", refuse)


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_with_a_server_error(case, desk, admin_token, no_network):
    response = case.call(headers={"Authorization": f"Token {admin_token}"})
    case.validate_response(response, checks=[not_a_server_error])
