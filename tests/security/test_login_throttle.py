"""Repeated failed sign-ins are refused for a while, per username and per address, on the workbench's
sign-in page and the admin's; other people keep signing in."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import authenticate
from django.test import Client, override_settings
from django.urls import reverse

from claims.services.login_throttle import client_address
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"


def sign_in(username: str, password: str, *, address: str = "203.0.113.7", path: str = LOGIN):
    return Client(REMOTE_ADDR=address).post(path, {"username": username, "password": password})


@pytest.fixture
def rita(db):
    return UserFactory(username="rita_reviewer", roles=["reviewer"])


@pytest.fixture
def emma(db):
    return UserFactory(username="emma_editor", roles=["editor"])


@override_settings(LOGIN_FAILURES_PER_USERNAME=3, LOGIN_FAILURES_PER_ADDRESS=100)
def test_a_username_is_refused_after_repeated_failures_even_with_the_right_password(rita):
    for _ in range(3):
        response = sign_in("rita_reviewer", "wrong")
        assert response.status_code == 200
        assert "did not match" in response.content.decode()

    refused = sign_in("rita_reviewer", PASSWORD, address="198.51.100.9")

    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert "_auth_user_id" not in refused.wsgi_request.session


@override_settings(LOGIN_FAILURES_PER_USERNAME=3, LOGIN_FAILURES_PER_ADDRESS=100)
def test_the_username_count_ignores_letter_case(rita):
    for name in ("Rita_Reviewer", "RITA_REVIEWER", "rita_reviewer"):
        sign_in(name, "wrong")
    assert sign_in("rita_reviewer", PASSWORD).status_code == 429


@override_settings(LOGIN_FAILURES_PER_USERNAME=3, LOGIN_FAILURES_PER_ADDRESS=100)
def test_others_still_sign_in_while_one_username_is_refused(rita, emma):
    for _ in range(3):
        sign_in("rita_reviewer", "wrong")
    assert sign_in("rita_reviewer", PASSWORD).status_code == 429

    response = sign_in("emma_editor", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("claims:editor")


@override_settings(LOGIN_FAILURES_PER_USERNAME=100, LOGIN_FAILURES_PER_ADDRESS=4)
def test_an_address_is_refused_after_failures_across_many_usernames(rita, emma):
    for number in range(4):
        sign_in(f"guess{number}", "wrong", address="192.0.2.66")

    assert sign_in("emma_editor", PASSWORD, address="192.0.2.66").status_code == 429
    assert sign_in("emma_editor", PASSWORD, address="192.0.2.67").status_code == 302


@override_settings(LOGIN_FAILURES_PER_USERNAME=3, LOGIN_FAILURES_PER_ADDRESS=100)
def test_a_successful_sign_in_clears_the_usernames_failures(rita):
    sign_in("rita_reviewer", "wrong")
    sign_in("rita_reviewer", "wrong")
    assert sign_in("rita_reviewer", PASSWORD).status_code == 302
    sign_in("rita_reviewer", "wrong")
    sign_in("rita_reviewer", "wrong")
    assert sign_in("rita_reviewer", PASSWORD).status_code == 302


@override_settings(LOGIN_FAILURES_PER_USERNAME=3, LOGIN_FAILURES_PER_ADDRESS=100, LOGIN_FAILURE_WINDOW_SECONDS=1)
def test_the_refusal_ends_when_the_window_has_passed(rita):
    for _ in range(3):
        sign_in("rita_reviewer", "wrong")
    assert sign_in("rita_reviewer", PASSWORD).status_code == 429
    time.sleep(1.1)
    assert sign_in("rita_reviewer", PASSWORD).status_code == 302


@override_settings(LOGIN_FAILURES_PER_USERNAME=3, LOGIN_FAILURES_PER_ADDRESS=100)
def test_failures_on_the_admin_sign_in_count_and_the_admin_refuses_too(db):
    UserFactory(username="ada_admin", roles=["admin"], is_staff=True, is_superuser=True)
    for _ in range(3):
        assert sign_in("ada_admin", "wrong", path="/admin/login/").status_code == 200

    assert sign_in("ada_admin", PASSWORD, path="/admin/login/").status_code == 200  # the form again, not signed in
    assert authenticate(username="ada_admin", password=PASSWORD) is None
    assert sign_in("ada_admin", PASSWORD).status_code == 429


def test_the_limits_have_defaults_in_settings(settings):
    assert settings.LOGIN_FAILURES_PER_USERNAME == 5
    assert settings.LOGIN_FAILURES_PER_ADDRESS == 30
    assert settings.LOGIN_FAILURE_WINDOW_SECONDS == 900


# --- Behind a reverse proxy ------------------------------------------------------------------------

PROXY = "10.0.0.5"


def sign_in_via_proxy(username: str, password: str, *, forwarded_for: str):
    """As the desk's reverse proxy passes a sign-in on: from its own address, with the client's appended."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for).post(
        LOGIN, {"username": username, "password": password}
    )


def address_of(rf, *, forwarded_for: str | None = None, remote_address: str = PROXY) -> str | None:
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
    return client_address(rf.post(LOGIN, REMOTE_ADDR=remote_address, **headers))


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_without_trusted_proxies_a_forwarded_for_header_is_ignored(rf):
    assert address_of(rf, forwarded_for="198.51.100.20", remote_address="203.0.113.7") == "203.0.113.7"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_is_the_one_it_appended(rf):
    assert address_of(rf, forwarded_for="198.51.100.20") == "198.51.100.20"
    # A client that sends its own header gets the proxy's entry appended after it: only that one counts.
    assert address_of(rf, forwarded_for="192.0.2.1, 198.51.100.20") == "198.51.100.20"
    assert address_of(rf, forwarded_for=" 2001:DB8:0:0::7 ") == "2001:db8::7"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_behind_two_proxies_the_address_is_the_one_the_outer_proxy_saw(rf):
    # The outer proxy appended the client; the inner one appended the outer proxy.
    assert address_of(rf, forwarded_for="192.0.2.1, 198.51.100.20, 10.0.0.4") == "198.51.100.20"
    assert address_of(rf, forwarded_for="198.51.100.20, 10.0.0.4") == "198.51.100.20"


@pytest.mark.parametrize(
    ("proxies", "forwarded_for"),
    [
        (1, None),  # a request that did not come through the proxy
        (1, ""),
        (2, "198.51.100.20"),  # fewer entries than proxies
        (1, "unknown"),
        (1, "198.51.100.20:51234"),
        (1, "192.0.2.1, not-an-address"),
        (1, "198.51.100.20,"),
    ],
)
def test_a_missing_short_or_malformed_header_counts_as_the_connecting_address(rf, settings, proxies, forwarded_for):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert address_of(rf, forwarded_for=forwarded_for) == PROXY


@override_settings(TRUSTED_PROXY_COUNT=1, LOGIN_FAILURES_PER_USERNAME=100, LOGIN_FAILURES_PER_ADDRESS=4)
def test_behind_a_proxy_one_guesser_does_not_lock_out_the_desk(rita, emma):
    for number in range(4):
        # The guesser also forges a left-hand entry with a colleague's address; the proxy appends the real one.
        sign_in_via_proxy(f"guess{number}", "wrong", forwarded_for="198.51.100.30, 192.0.2.66")

    assert sign_in_via_proxy("emma_editor", PASSWORD, forwarded_for="192.0.2.66").status_code == 429
    assert sign_in_via_proxy("emma_editor", PASSWORD, forwarded_for="198.51.100.30").status_code == 302
    assert sign_in_via_proxy("rita_reviewer", PASSWORD, forwarded_for="192.0.2.67").status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=0, LOGIN_FAILURES_PER_USERNAME=100, LOGIN_FAILURES_PER_ADDRESS=4)
def test_without_trusted_proxies_a_forged_header_does_not_escape_the_address_count(emma):
    for number in range(4):
        forged = f"198.51.100.{number}"
        Client(REMOTE_ADDR="192.0.2.66", HTTP_X_FORWARDED_FOR=forged).post(
            LOGIN, {"username": f"guess{number}", "password": "wrong"}
        )

    refused = Client(REMOTE_ADDR="192.0.2.66", HTTP_X_FORWARDED_FOR="198.51.100.99").post(
        LOGIN, {"username": "emma_editor", "password": PASSWORD}
    )
    assert refused.status_code == 429


def test_no_proxy_is_trusted_by_default(settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
