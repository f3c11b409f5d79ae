"""Repeated failed sign-ins are refused for a while, per username and per address, on the workbench's
sign-in page and the admin's; other people keep signing in."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import authenticate
from django.test import Client, override_settings
from django.urls import reverse

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
    assert response["Location"] == reverse("claims:queue")


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
