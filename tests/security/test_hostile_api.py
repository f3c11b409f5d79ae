"""The hostile corpus against the API: every case is a 4xx with the one error body and a message
that says what was wrong, never a server error, and leaves every table as it was."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client

from claims.choices import ExtractionStatus, TokenScope
from claims.models import Article
from claims.services.tokens import token_create
from tests.factories import ClaimFactory, EvidenceFactory, SourceFactory, UserFactory
from tests.security.hostile_inputs import CORPUS, HostileRequest, as_json

CATEGORIES = {case.category for case in CORPUS}


def table_sizes() -> dict[str, int]:
    models = [*apps.get_app_config("claims").get_models(), get_user_model()]
    return {model._meta.label: model._default_manager.count() for model in models}


@pytest.fixture
def rows(db):
    tool = UserFactory(username="cms_integration", roles=["editor"])
    claim = ClaimFactory()
    evidence = EvidenceFactory(claim=claim, source=SourceFactory())
    return {
        "claim": claim.pk,
        "article": claim.article_id,
        "source": evidence.source_id,
        "evidence": evidence.pk,
        "write": "Token " + token_create(user=tool, name="newsroom CMS", scope=TokenScope.WRITE).secret,
        "read": "Token " + token_create(user=tool, name="dashboard", scope=TokenScope.READ).secret,
    }


def send(case: HostileRequest, rows: dict) -> object:
    extra = dict(case.headers)
    authorization = rows.get(case.auth, case.auth)
    if case.auth != "none":
        extra["HTTP_AUTHORIZATION"] = authorization
    path = case.path.format(**rows)
    # raise_request_exception off: a server error must show as a 500 here, as a client would see it.
    client = Client(raise_request_exception=False)
    return client.generic(case.method, path, data=case.body or b"", content_type=case.content_type or "", **extra)


def test_the_corpus_is_large_and_covers_every_kind_of_bad_input():
    assert len(CORPUS) >= 60
    assert CATEGORIES >= {"json", "types", "missing", "size", "characters", "ids", "query", "auth", "idempotency"}
    assert CATEGORIES >= {"content-type", "verbs", "url"}
    assert len({case.name for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: f"{case.category}: {case.name}")
def test_a_hostile_request_is_refused_clearly_and_changes_nothing(rows, case):
    before = table_sizes()

    response = send(case, rows)

    low, high = case.status
    assert low <= response.status_code <= high, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"message", "extra"}
    assert isinstance(body["message"], str) and body["message"].strip()
    assert case.says.lower() in body["message"].lower(), body["message"]
    assert table_sizes() == before


@pytest.mark.parametrize("published_at", ["0001-01-01", "9999-12-31", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_an_article_dated_at_the_ends_of_the_calendar_is_no_server_error(
    rows, published_at, django_capture_on_commit_callbacks
):
    text = "The minister said yesterday that prices rose 3 percent and would fall tomorrow."
    with django_capture_on_commit_callbacks(execute=True):
        response = send(
            HostileRequest(
                "edge date", "dates", "POST", "/api/v1/articles/", as_json({"text": text, "published_at": published_at})
            ),
            rows,
        )
    assert response.status_code in {202, 400}, response.content[:300]
    if response.status_code == 202:
        # The extraction (which reads the date) ran after the commit, and did not fail on it.
        assert Article.objects.get(pk=response.json()["id"]).extraction_status == ExtractionStatus.DONE
