"""A claim from the queue to a published verdict, through the API only, and the errors on the way."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from claims.choices import ClaimStatus
from claims.models import Evidence, Finding, Verdict
from tests.factories import ClaimFactory, rating

pytestmark = pytest.mark.django_db


def test_a_claim_goes_from_the_queue_to_the_export(client_as, desk, second_editor):
    reviewer = client_as("reviewer")
    taken = reviewer.post("/api/v1/claims/take-next/", format="json")
    assert taken.status_code == 200
    claim = taken.json()
    assert claim["id"] == desk.new_claim.pk  # highest priority
    assert claim["status"] == "in_review" and claim["assignee"] == "rita_reviewer"

    evidence = reviewer.post(
        f"/api/v1/claims/{claim['id']}/evidence/",
        {"source": desk.source_id, "stance": "refutes", "excerpt": "Unemployment fell by 2 percent."},
        format="json",
    )
    assert evidence.status_code == 201
    drafted = reviewer.put(
        f"/api/v1/claims/{claim['id']}/verdict/",
        {"rating": rating("Inaccurate").pk, "explanation": "The office reports 2 percent."},
        format="json",
    )
    assert drafted.status_code == 200
    version = drafted.json()["version"]

    editor = client_as("editor")
    approved = editor.post(
        f"/api/v1/claims/{claim['id']}/verdict/approve/", {"expected_version": version}, format="json"
    )
    assert approved.status_code == 200 and approved.json()["approver"] == "emma_editor"
    published = editor.post(
        f"/api/v1/claims/{claim['id']}/verdict/publish/",
        {"expected_version": approved.json()["version"]},
        format="json",
    )
    assert published.status_code == 200 and published.json()["published_at"]

    export = client_as("outsider").get("/api/v1/exports/jsonl/")
    rows = [json.loads(line) for line in b"".join(export.streaming_content).decode().splitlines()]
    row = next(row for row in rows if row["id"] == claim["id"])
    assert row["rating"] == "Inaccurate"
    assert row["evidence"][0]["stance"] == "refutes"


def test_the_queue_answers_204_when_it_is_empty(client_as, db):
    response = client_as("reviewer").post("/api/v1/claims/take-next/", format="json")
    assert response.status_code == 204
    assert response.content == b""


def test_a_stale_version_is_refused_with_409_and_the_current_version(client_as, desk):
    response = client_as("editor").post(
        f"/api/v1/claims/{desk.drafted_claim.pk}/verdict/approve/", {"expected_version": 99}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["extra"] == {"current_version": 1, "expected_version": 99}
    assert "changed by someone else" in body["message"]


def test_a_write_on_a_claim_held_by_someone_else_is_409(client_as, desk, second_reviewer):
    assert client_as("reviewer").post(f"/api/v1/claims/{desk.new_claim.pk}/take/").status_code == 200
    response = client_as("editor").post(
        f"/api/v1/claims/{desk.new_claim.pk}/evidence/",
        {"source": desk.source_id, "stance": "supports"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["extra"] == {"claim_id": desk.new_claim.pk}
    assert not Evidence.objects.filter(claim=desk.new_claim).exists()


def test_nobody_approves_their_own_verdict(client_as, desk, editor):
    Verdict.objects.filter(claim=desk.drafted_claim).update(author=editor)
    response = client_as("editor").post(f"/api/v1/claims/{desk.drafted_claim.pk}/verdict/approve/", format="json")
    assert response.status_code == 403
    assert "another editor" in response.json()["message"]


def test_invalid_input_is_400_with_the_field_errors(client_as, desk):
    response = client_as("reviewer").post(
        f"/api/v1/claims/{desk.new_claim.pk}/evidence/", {"source": "x", "stance": "maybe"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["message"].startswith("Invalid input")
    assert set(body["extra"]["fields"]) == {"source", "stance"}


def test_malformed_json_is_400_with_the_error_body(client_as, desk):
    response = client_as("reviewer").generic(
        "POST", f"/api/v1/claims/{desk.new_claim.pk}/dismiss/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("JSON parse error")


@override_settings(INGEST_MAX_BYTES=1000)
def test_a_body_over_the_limit_is_413_before_it_is_read(client_as, desk):
    response = client_as("reviewer").post(
        f"/api/v1/claims/{desk.new_claim.pk}/dismiss/", {"padding": "x" * 200_000}, format="json"
    )
    assert response.status_code == 413
    assert response.json()["extra"]["max_bytes"] == 2 * 1000 + 64 * 1024


def test_a_verdict_is_readable_and_404_when_there_is_none(client_as, desk):
    client = client_as("reviewer")
    assert client.get(f"/api/v1/claims/{desk.published_claim.pk}/verdict/").json()["rating"]["label"] == "Outdated"
    response = client.get(f"/api/v1/claims/{desk.new_claim.pk}/verdict/")
    assert response.status_code == 404
    assert response.json()["message"] == "This claim has no verdict yet."


def test_accepting_a_suggested_passage_adds_it_as_evidence(client_as, desk):
    client = client_as("reviewer")
    client.post(f"/api/v1/claims/{desk.new_claim.pk}/take/")
    response = client.post(f"/api/v1/suggestions/{desk.suggestion_id}/accept/", {"stance": "supports"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    evidence = Evidence.objects.get(claim=desk.new_claim)
    assert evidence.stance == "supports" and evidence.from_suggestion_id == desk.suggestion_id


def test_a_finding_decided_one_way_cannot_be_decided_the_other(client_as, desk):
    client = client_as("reviewer")
    finding = Finding.objects.get(pk=desk.finding_id)
    assert client.post(f"/api/v1/claims/{finding.claim_id}/take/").status_code == 200
    assert client.post(f"/api/v1/findings/{desk.finding_id}/confirm/").json()["state"] == "confirmed"
    response = client.post(f"/api/v1/findings/{desk.finding_id}/dismiss/")
    assert response.status_code == 409


def test_the_rating_scale_lists_active_ratings_in_order(client_as, db):
    labels = [item["label"] for item in client_as("outsider").get("/api/v1/ratings/").json()]
    assert labels[:2] == ["Accurate", "Mostly accurate"] and "Outdated" in labels


def test_a_sentence_below_the_threshold_is_promoted_into_the_queue(client_as, desk):
    candidate = ClaimFactory(article=desk.new_claim.article, status=ClaimStatus.CANDIDATE, checkworthiness=0.05)
    reviewer = client_as("reviewer")

    stale = reviewer.post(f"/api/v1/claims/{candidate.pk}/promote/", {"expected_version": 7}, format="json")
    assert stale.status_code == 409 and stale.json()["extra"]["current_version"] == 1

    promoted = reviewer.post(f"/api/v1/claims/{candidate.pk}/promote/", {"expected_version": 1}, format="json")
    assert promoted.status_code == 200
    assert (promoted.json()["status"], promoted.json()["version"]) == ("new", 2)

    again = reviewer.post(f"/api/v1/claims/{candidate.pk}/promote/", format="json")
    assert again.status_code == 409
    assert "This claim is new." in again.json()["message"]
