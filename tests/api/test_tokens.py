from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from claims.choices import TokenScope
from claims.errors import InvalidInputError, PermissionDeniedError
from claims.models import ApiToken
from claims.services.tokens import secret_hash, token_authenticate, token_create, token_revoke
from tests.api.conftest import token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_stores_only_a_hash_of_the_secret(write_token):
    stored = ApiToken.objects.get(pk=write_token.token.pk)
    assert write_token.secret not in (stored.key_hash, stored.prefix)
    assert stored.key_hash == secret_hash(write_token.secret)
    assert write_token.secret.startswith(stored.prefix)


def test_it_accepts_the_token_and_bearer_keywords(write_token):
    for keyword in ("Token", "Bearer"):
        response = token_client(write_token.secret, keyword=keyword).get("/api/v1/claims/")
        assert response.status_code == 200, keyword


def test_it_refuses_an_unknown_token_with_401_and_the_error_body(db):
    response = token_client("cwb_not-a-real-token").get("/api/v1/claims/")
    assert response.status_code == 401
    assert response.json() == {"message": "Invalid or revoked token.", "extra": {}}
    assert response["WWW-Authenticate"] == "Token"


def test_it_refuses_a_request_without_credentials_with_401(api_client, db):
    response = api_client.get("/api/v1/claims/")
    assert response.status_code == 401
    assert set(response.json()) == {"message", "extra"}


def test_a_revoked_token_stops_working_at_once(write_token, tool_user):
    client = token_client(write_token.secret)
    assert client.get("/api/v1/ratings/").status_code == 200
    token_revoke(user=tool_user, token_id=write_token.token.pk)
    response = client.get("/api/v1/ratings/")
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid or revoked token."


def test_a_token_stops_working_when_its_user_is_deactivated(write_token, tool_user):
    tool_user.is_active = False
    tool_user.save()
    assert token_client(write_token.secret).get("/api/v1/ratings/").status_code == 401


def test_a_read_token_may_read_but_not_write(read_token, desk):
    client = token_client(read_token.secret)
    assert client.get(f"/api/v1/claims/{desk.new_claim.pk}/").status_code == 200
    response = client.post("/api/v1/claims/take-next/", {}, format="json")
    assert response.status_code == 403
    assert "read-only" in response.json()["message"]


def test_a_token_can_do_no_more_than_its_user(db):
    outsider = UserFactory(username="research_script")
    issued = token_create(user=outsider, name="research script", scope=TokenScope.WRITE)
    response = token_client(issued.secret).post("/api/v1/claims/take-next/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["message"] == "Only reviewers, editors and admins can do this."


def test_it_records_when_a_token_was_last_used_without_writing_on_every_request(write_token):
    assert write_token.token.last_used_at is None
    first = token_authenticate(secret=write_token.secret)
    assert first.last_used_at is not None
    ApiToken.objects.filter(pk=first.pk).update(last_used_at=timezone.now() - dt.timedelta(seconds=10))
    token_authenticate(secret=write_token.secret)
    recent = ApiToken.objects.get(pk=first.pk).last_used_at
    assert timezone.now() - recent >= dt.timedelta(seconds=10)


def test_only_admins_create_tokens_for_someone_else(reviewer, editor, admin_user):
    with pytest.raises(PermissionDeniedError):
        token_create(user=editor, name="not mine", created_by=reviewer)
    assert token_create(user=reviewer, name="my script", created_by=reviewer).token.user == reviewer
    assert token_create(user=reviewer, name="for rita", created_by=admin_user).token.user == reviewer


def test_only_the_owner_or_an_admin_revokes_a_token(write_token, reviewer, admin_user):
    with pytest.raises(PermissionDeniedError):
        token_revoke(user=reviewer, token_id=write_token.token.pk)
    assert token_revoke(user=admin_user, token_id=write_token.token.pk).revoked_at is not None


def test_it_refuses_an_unknown_scope(reviewer):
    with pytest.raises(InvalidInputError):
        token_create(user=reviewer, name="tool", scope="admin")


def test_the_command_prints_the_secret_once_and_it_authenticates(reviewer):
    out = io.StringIO()
    call_command(
        "create_api_token", "--username", reviewer.username, "--name", "fact-check bot", "--scope", "write", stdout=out
    )
    secret = out.getvalue().strip().splitlines()[-1]
    token = token_authenticate(secret=secret)
    assert token is not None and token.user == reviewer and token.scope == TokenScope.WRITE


@override_settings(
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": ["claims.api.authentication.ApiTokenAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["claims.api.permissions.WorkbenchPermission"],
        "DEFAULT_THROTTLE_CLASSES": ["claims.api.throttling.ClientRateThrottle"],
        "DEFAULT_THROTTLE_RATES": {"token": "2/minute", "user": None, "anon": None},
        "EXCEPTION_HANDLER": "claims.api.exceptions.api_exception_handler",
    }
)
def test_it_throttles_each_token_separately_with_429(read_token, write_token):
    reader = token_client(read_token.secret)
    assert [reader.get("/api/v1/ratings/").status_code for _ in range(2)] == [200, 200]
    response = reader.get("/api/v1/ratings/")
    assert response.status_code == 429
    assert response.json()["message"] == "Too many requests; slow down."
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["extra"]["retry_after_seconds"] == int(response["Retry-After"])
    assert token_client(write_token.secret).get("/api/v1/ratings/").status_code == 200


ANONYMOUS_TWO_PER_MINUTE = {
    **settings.REST_FRAMEWORK,
    "DEFAULT_THROTTLE_CLASSES": ["claims.api.throttling.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": None, "user": None, "anon": "2/minute"},
}


@override_settings(
    TRUSTED_PROXY_COUNT=0,
    REST_FRAMEWORK=ANONYMOUS_TWO_PER_MINUTE,
)
def test_an_anonymous_caller_cannot_escape_its_rate_with_a_forged_forwarded_for_header(api_client):
    statuses = [
        api_client.get("/api/schema/", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}").status_code for number in range(3)
    ]
    assert statuses == [200, 200, 429]


@override_settings(
    TRUSTED_PROXY_COUNT=1,
    REST_FRAMEWORK=ANONYMOUS_TWO_PER_MINUTE,
)
def test_behind_a_trusted_proxy_anonymous_callers_are_counted_by_the_address_it_saw(api_client):
    def get(forwarded_for):
        return api_client.get("/api/schema/", HTTP_X_FORWARDED_FOR=forwarded_for).status_code

    # The proxy appends the address it saw; a left-hand entry is the client's own claim.
    assert [get("203.0.113.7"), get("10.9.9.9, 203.0.113.7"), get("203.0.113.7")] == [200, 200, 429]
    assert get("203.0.113.8") == 200
