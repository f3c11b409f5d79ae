"""Bulk actions over the API: the confirmed count, per-claim refusals, who may assign to whom."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from claims.models import Claim
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_claims():
    return {"tax": ClaimFactory(text="Taxes rose by 2 percent."), "jobs": ClaimFactory(text="Jobs rose.")}


def test_bulk_over_the_api_reports_what_it_refused(client_as, reviewer, second_reviewer, desk_claims):
    held = desk_claims["jobs"]
    api = APIClient()
    api.force_login(second_reviewer)
    api.post(f"/api/v1/claims/{held.pk}/take/")
    ids = [desk_claims["tax"].pk, held.pk]
    response = client_as("reviewer").post(
        "/api/v1/claims/bulk/", {"action": "assign", "ids": ids, "confirm_count": 2}, format="json"
    )
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["done"] == [desk_claims["tax"].pk]
    assert [refusal["id"] for refusal in body["refused"]] == [held.pk]
    assert Claim.objects.get(pk=desk_claims["tax"].pk).assignee == reviewer


def test_only_an_editor_assigns_claims_to_someone_else(client_as, second_reviewer, desk_claims):
    payload = {"action": "assign", "ids": [desk_claims["tax"].pk], "confirm_count": 1, "assignee": "second_reviewer"}
    payload["assignee"] = second_reviewer.username
    assert client_as("reviewer").post("/api/v1/claims/bulk/", payload, format="json").status_code == 403
    assert client_as("editor").post("/api/v1/claims/bulk/", payload, format="json").status_code == 200
    assert Claim.objects.get(pk=desk_claims["tax"].pk).assignee == second_reviewer
