"""Explainers: written once, attached to many claims, shown on their public pages, carried by the
exports, and read and written through the API and the admin."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from claims.errors import InvalidInputError, PermissionDeniedError
from claims.models import Explainer
from claims.public import public_check_path
from claims.services import explainers
from claims.services.exports import claims_export
from tests.factories import UserFactory

from .conftest import publish_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def terms(desk):
    return explainers.explainer_create(
        user=desk["reviewer"],
        title="How U.S. presidential terms work",
        body="A president serves four years and at most two terms.\n\nTerms need not be consecutive.",
        sources=["https://www.archives.gov/founding-docs/amendments-11-27"],
    )


def test_one_explainer_shows_on_every_claim_it_is_attached_to(desk, terms):
    first = publish_check(desk)
    second = publish_check(desk, text="Former President Trump spoke in Ohio.")
    before = first.updated_at
    explainers.explainer_attach(user=desk["reviewer"], explainer_id=terms.pk, claim_ids=[first.pk, second.pk])
    first.refresh_from_db()
    assert first.updated_at > before  # incremental exports and the feeds see the change
    for claim in (first, second):
        html = Client().get(public_check_path(claim_id=claim.pk, text=claim.text)).content.decode()
        assert "How U.S. presidential terms work" in html
        assert "Terms need not be consecutive." in html
        assert "https://www.archives.gov/founding-docs/amendments-11-27" in html


def test_exports_carry_the_explainers(desk, terms):
    claim = publish_check(desk)
    explainers.explainer_attach(user=desk["reviewer"], explainer_id=terms.pk, claim_ids=[claim.pk])
    (line,) = "".join(claims_export(export_format="jsonl").chunks).splitlines()
    assert json.loads(line)["explainers"] == [
        {
            "title": "How U.S. presidential terms work",
            "body": terms.body,
            "sources": ["https://www.archives.gov/founding-docs/amendments-11-27"],
        }
    ]
    assert "How U.S. presidential terms work" in "".join(claims_export(export_format="csv").chunks)


def test_a_detached_explainer_leaves_the_page(desk, terms):
    claim = publish_check(desk)
    explainers.explainer_attach(user=desk["reviewer"], explainer_id=terms.pk, claim_ids=[claim.pk])
    explainers.explainer_detach(user=desk["reviewer"], explainer_id=terms.pk, claim_ids=[claim.pk])
    html = Client().get(public_check_path(claim_id=claim.pk, text=claim.text)).content.decode()
    assert "How U.S. presidential terms work" not in html


def test_sources_must_be_web_links_and_outsiders_write_nothing(desk):
    with pytest.raises(InvalidInputError):
        explainers.explainer_create(user=desk["reviewer"], title="T", body="B", sources=["javascript:alert(1)"])
    with pytest.raises(PermissionDeniedError):
        explainers.explainer_create(user=UserFactory(username="nobody"), title="T", body="B")
    assert not Explainer.objects.exists()


def test_the_api_creates_attaches_and_lists_explainers(desk):
    claim = publish_check(desk)
    client = APIClient()
    client.force_login(desk["reviewer"])
    created = client.post(
        "/api/v1/explainers/", {"title": "Ceasefires", "body": "What a ceasefire is.", "sources": []}, format="json"
    )
    assert created.status_code == 201
    explainer_id = created.json()["id"]
    attached = client.post(f"/api/v1/explainers/{explainer_id}/attach/", {"claim_ids": [claim.pk]}, format="json")
    assert attached.json()["claim_ids"] == [claim.pk]
    listed = client.get("/api/v1/explainers/").json()["results"]
    assert [item["title"] for item in listed] == ["Ceasefires"]


def test_the_admin_writes_an_explainer_and_attaches_it(desk):
    claim = publish_check(desk)
    admin = UserFactory(username="ada", roles=["admin"], is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/claims/explainer/add/",
        {
            "title": "Ceasefires",
            "body": "What a ceasefire is.",
            "source_lines": "https://un.org/x",
            "claim_ids": str(claim.pk),
        },
    )
    assert response.status_code == 302
    explainer = Explainer.objects.get()
    assert explainer.sources == ["https://un.org/x"]
    assert list(explainer.claims.all()) == [claim]
