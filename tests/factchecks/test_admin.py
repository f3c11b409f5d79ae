"""The back office for imported fact-checks (read-only) and the rating map (written through its service)."""

from __future__ import annotations

from pathlib import Path

import pytest

from claims.factchecks.parsing import parse_text
from claims.models import ExternalFactCheck, RatingMapping
from claims.services.factchecks import factchecks_import
from tests.factories import UserFactory, rating

pytestmark = pytest.mark.django_db

POLITIFACT = Path(__file__).parent / "data" / "politifact_records.jsonl"


@pytest.fixture
def admin_user(db):
    return UserFactory(username="ada_staff_admin", roles=["admin"], is_staff=True)


@pytest.fixture
def imported():
    factchecks_import(records=parse_text(POLITIFACT.read_text(encoding="utf-8"), name=POLITIFACT.name))
    return ExternalFactCheck.objects.get(rating_text="false")


def test_an_admin_reads_imported_fact_checks_with_their_desk_rating_but_cannot_edit_them(client, admin_user, imported):
    RatingMapping.objects.create(publisher="PolitiFact", rating_text="false", rating=rating("Inaccurate"))
    client.force_login(admin_user)

    listing = client.get("/admin/claims/externalfactcheck/")
    page = client.get(f"/admin/claims/externalfactcheck/{imported.pk}/change/")

    assert listing.status_code == 200 and "Inaccurate" in listing.content.decode()
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get("/admin/claims/externalfactcheck/add/").status_code == 403


def test_a_rating_mapping_added_in_the_admin_goes_through_the_service(client, admin_user):
    RatingMapping.objects.create(publisher="", rating_text="false", rating=rating("Inaccurate"))
    client.force_login(admin_user)

    refused = client.post(
        "/admin/claims/ratingmapping/add/",
        {"publisher": "", "rating_text": " FALSE ", "rating": rating("Misleading").pk},
    )
    added = client.post(
        "/admin/claims/ratingmapping/add/",
        {"publisher": "PolitiFact", "rating_text": "pants-fire", "rating": rating("Inaccurate").pk},
    )

    assert refused.status_code == 200 and "mapped already" in refused.content.decode()
    assert added.status_code == 302
    assert RatingMapping.objects.filter(publisher="PolitiFact", rating_text="pants-fire").exists()
