"""Sign-in lasts as long as its session: found by its key, until it expires or the person signs out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from claims.sessions import SessionStore
from tests.ui.signed_in import client_for

pytestmark = pytest.mark.django_db


def test_the_workbench_keeps_its_sessions_in_this_store():
    assert settings.SESSION_ENGINE == "claims.sessions"


def test_a_stored_session_is_read_back_by_its_key():
    store = SessionStore()
    store["desk"] = "politics"
    store.save()
    assert SessionStore(store.session_key).load() == {"desk": "politics"}
    assert SessionStore(store.session_key).session_key == store.session_key


def test_an_unknown_or_expired_session_reads_as_empty_and_forgets_its_key():
    store = SessionStore()
    store["desk"] = "politics"
    store.save()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert expired.load() == {} and expired.session_key is None
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None


def test_a_signed_in_reviewer_stays_signed_in_until_the_session_expires(reviewer):
    client = client_for(reviewer)
    assert client.get(reverse("claims:queue")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("claims:queue"))
    assert response.status_code == 302 and reverse("claims:login") in response["Location"]


def test_signing_out_ends_the_session(reviewer):
    client = client_for(reviewer)
    client.post(reverse("claims:logout"))
    response = client.get(reverse("claims:queue"))
    assert response.status_code == 302 and reverse("claims:login") in response["Location"]
