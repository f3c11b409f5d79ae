"""Requests that name a charset that is not a text codec, carry control characters in the address,
or send a chunked body without a length, are refused with the one error body (never a 500)."""

from __future__ import annotations

import pytest
from django.test import Client

from claims.request_guard import RequestGuard
from tests.factories import UserFactory
from tests.security.wsgi_calls import wsgi_call

NON_TEXT_CHARSETS = ["rot13", "hex", "base64", "zlib", "bz2", "uu", "quopri", "no-such-charset"]
PAGES = ["/api/v1/claims/", "/api/v1/articles/", "/accounts/login/", "/", "/admin/claims/claim/"]


@pytest.mark.django_db
@pytest.mark.parametrize("charset", NON_TEXT_CHARSETS)
@pytest.mark.parametrize("path", PAGES)
def test_a_get_with_a_non_text_charset_is_refused_with_415(charset, path):
    answer = wsgi_call("GET", path, query="q=abc", content_type=f"text/plain; charset={charset}")

    assert answer.status == 415
    assert answer.json()["message"].startswith("The request's charset")
    assert answer.json()["extra"] == {"charset": charset}


@pytest.mark.django_db
@pytest.mark.parametrize("charset", NON_TEXT_CHARSETS)
def test_a_json_post_or_a_sign_in_with_a_non_text_charset_is_refused_with_415(charset):
    ingest = wsgi_call(
        "POST", "/api/v1/articles/", body=b'{"text": "x"}', content_type=f"application/json; charset={charset}"
    )
    sign_in = wsgi_call(
        "POST",
        "/accounts/login/",
        body=b"username=rita&password=x",
        content_type=f'application/x-www-form-urlencoded; charset="{charset}"',
    )

    assert (ingest.status, sign_in.status) == (415, 415)
    assert set(ingest.json()) == {"message", "extra"}


@pytest.mark.django_db
def test_without_the_guard_django_fails_outside_its_own_error_handling():
    """Why the guard sits in front of Django: this is what a rot13 query string does without it."""
    with pytest.raises(LookupError):
        wsgi_call("GET", "/api/v1/claims/", query="q=abc", content_type="text/plain; charset=rot13", guarded=False)


def test_the_served_application_is_the_guarded_one():
    from workbench.wsgi import application

    assert isinstance(application, RequestGuard)


@pytest.mark.django_db
@pytest.mark.parametrize("charset", ["utf-8", "UTF8", "us-ascii", "iso-8859-1", "latin-1"])
def test_text_charsets_pass(charset):
    UserFactory(username="rita_reviewer", roles=["reviewer"])
    answer = wsgi_call("GET", "/accounts/login/", query="next=/queue/", content_type=f"text/plain; charset={charset}")
    sign_in = wsgi_call(
        "POST",
        "/accounts/login/",
        body=b"username=rita_reviewer&password=x",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )

    assert answer.status == 200
    assert sign_in.status < 500


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["%00", "a%00b", "%01", "%1b[31m", "%7f", "%0b"])
@pytest.mark.parametrize("path", ["/api/v1/claims/", "/queue/", "/admin/claims/claim/", "/accounts/login/"])
def test_a_control_character_in_a_query_parameter_is_refused_with_400(value, path):
    reviewer = UserFactory(username="rita_reviewer", roles=["reviewer"], is_staff=True)
    client = Client()
    client.force_login(reviewer)

    response = client.get(f"{path}?q={value}&status={value}")

    assert response.status_code == 400
    assert "control character" in response.json()["message"]


@pytest.mark.django_db
def test_tabs_and_newlines_in_a_search_are_not_control_characters_here():
    reviewer = UserFactory(username="rita_reviewer", roles=["reviewer"])
    client = Client()
    client.force_login(reviewer)

    assert client.get("/api/v1/claims/?q=former%09president%0A").status_code == 200


@pytest.mark.django_db
def test_a_chunked_body_without_a_length_is_answered_411():
    answer = wsgi_call(
        "POST",
        "/api/v1/articles/",
        body=b'{"text": "x"}',
        content_type="application/json",
        headers={"HTTP_TRANSFER_ENCODING": "chunked", "CONTENT_LENGTH": ""},
    )

    assert answer.status == 411
    assert "Content-Length" in answer.json()["message"]
