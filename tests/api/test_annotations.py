"""PATCH /api/v1/claims/{id}/: correcting a claim's annotations, with the version it was based on."""

from __future__ import annotations

import pytest

from claims.models import Claim
from claims.services import review
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

ENTITY = {"text": "Jane Doe", "label": "PERSON", "start": 0, "end": 8}


def test_a_correction_returns_the_claim_at_its_new_version(client_as):
    claim = ClaimFactory(claim_types=["statistic"])
    response = client_as("reviewer").patch(
        f"/api/v1/claims/{claim.pk}/",
        {"speaker": "Jane Doe", "claim_types": ["quote"], "entities": [ENTITY], "expected_version": 1},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["speaker"], body["claim_types"], body["entities"], body["version"]) == (
        "Jane Doe",
        ["quote"],
        [ENTITY],
        2,
    )
    assert body["text"] == claim.text


def test_a_stale_correction_is_a_409_that_names_the_current_version(client_as):
    claim = ClaimFactory()
    client = client_as("editor")
    client.patch(f"/api/v1/claims/{claim.pk}/", {"speaker": "First", "expected_version": 1}, format="json")
    stale = client.patch(f"/api/v1/claims/{claim.pk}/", {"speaker": "Second", "expected_version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["extra"]["current_version"] == 2
    assert Claim.objects.get(pk=claim.pk).speaker == "First"


def test_the_version_is_required_and_the_text_cannot_be_patched(client_as):
    claim = ClaimFactory()
    client = client_as("reviewer")
    missing = client.patch(f"/api/v1/claims/{claim.pk}/", {"speaker": "Jane Doe"}, format="json")
    assert missing.status_code == 400 and "expected_version" in missing.json()["extra"]["fields"]
    ignored = client.patch(
        f"/api/v1/claims/{claim.pk}/", {"text": "Something else", "expected_version": 1}, format="json"
    )
    assert ignored.status_code == 200
    assert Claim.objects.get(pk=claim.pk).text == claim.text


def test_bad_annotations_are_a_400_with_the_reason(client_as):
    claim = ClaimFactory()
    client = client_as("reviewer")
    unknown = client.patch(
        f"/api/v1/claims/{claim.pk}/", {"claim_types": ["opinion"], "expected_version": 1}, format="json"
    )
    assert unknown.status_code == 400
    no_offsets = client.patch(
        f"/api/v1/claims/{claim.pk}/", {"dates": [{"text": "Friday"}], "expected_version": 1}, format="json"
    )
    assert no_offsets.status_code == 400 and "dates item 1 lacks start, end" in no_offsets.json()["message"]
    assert Claim.objects.get(pk=claim.pk).version == 1


def test_a_claim_someone_else_holds_is_corrected_only_by_them(client_as, second_reviewer):
    claim = review.review_take(user=second_reviewer, claim_id=ClaimFactory().pk)
    response = client_as("editor").patch(
        f"/api/v1/claims/{claim.pk}/", {"speaker": "X", "expected_version": claim.version}, format="json"
    )
    assert response.status_code == 409 and "Another reviewer" in response.json()["message"]


def test_the_schema_documents_the_correction(client_as):
    schema = client_as("reviewer").get("/api/schema/", {"format": "json"}).json()
    patch = schema["paths"]["/api/v1/claims/{id}/"]["patch"]
    body = patch["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "expected_version" in schema["components"]["schemas"][body]["required"]
    assert {"200", "409"} <= set(patch["responses"])
