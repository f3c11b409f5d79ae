"""Every change made in the admin goes through the same service as the API: the version check,
the lease rule, decided_by, and the re-cutting and re-embedding of an edited source.

Each test signs in to the admin through Django's test client as a staff user of one role."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.choices import FindingState, SuggestionState, SuggestionTarget
from claims.models import Claim, Evidence, Finding, Source, SourcePassage, Suggestion, Verdict
from claims.services import review, similarity
from claims.services.sources import source_create
from claims.similarity.embedder import get_embedder
from tests.factories import ClaimFactory, EvidenceFactory, SourceFactory, SourcePassageFactory, UserFactory, rating

ROLES = ["reviewer", "editor", "admin"]


@pytest.fixture
def staff(db):
    def make(role: str, name: str = ""):  # type: ignore[no-untyped-def]
        return UserFactory(username=name or f"staff_{role}", roles=[role], is_staff=True)

    return make


def _messages(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(message) for message in response.context["messages"]) if response.context else ""


# --- Claims: annotation corrections ---------------------------------------------------------------


def _claim_form(claim: Claim, **changes: object) -> dict[str, object]:
    """The claim's change form as the admin renders it: types as checkboxes, entities as LABEL: text lines."""
    data: dict[str, object] = {
        "speaker": claim.speaker,
        "claim_types": list(claim.claim_types),
        "entities": "\n".join(f"{entity['label']}: {entity['text']}" for entity in claim.entities),
        "dates": json.dumps(claim.dates),
        "opened_version": str(claim.version),
    }
    for prefix in ("findings", "evidence", "verdict"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data | changes


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_a_correction_in_the_admin_is_the_services_correction(client, staff, role):
    user = staff(role)
    claim = ClaimFactory()
    client.force_login(user)
    entities = [{"text": "Jane Doe", "label": "PERSON"}]
    response = client.post(
        reverse("admin:claims_claim_change", args=[claim.pk]),
        _claim_form(claim, speaker="Jane Doe", claim_types=["quote"], entities="PERSON: Jane Doe"),
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.speaker, claim.claim_types, claim.entities, claim.version) == ("Jane Doe", ["quote"], entities, 2)
    assert claim.history.first().history_change_reason == "annotations corrected"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"dates": '[{"text": "Friday", "start": 9, "end": 3}]'}, "dates item 1: start must not pass end"),
        ({"dates": '[{"text": "Friday"}]'}, "dates item 1 lacks start, end"),
    ],
)
def test_the_admin_shows_the_services_refusal_and_keeps_what_was_typed(client, staff, changes, message):
    claim = ClaimFactory()
    client.force_login(staff("reviewer"))
    response = client.post(
        reverse("admin:claims_claim_change", args=[claim.pk]), _claim_form(claim, speaker="Typed name", **changes)
    )
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert 'value="Typed name"' in page
    assert Claim.objects.get(pk=claim.pk).version == 1


@pytest.mark.django_db
def test_a_stale_admin_correction_is_refused_by_the_service(client, staff):
    claim = ClaimFactory()
    opened = _claim_form(claim, speaker="Jane Doe")
    client.force_login(staff("editor"))
    client.post(reverse("admin:claims_claim_change", args=[claim.pk]), _claim_form(claim, speaker="First"))

    response = client.post(reverse("admin:claims_claim_change", args=[claim.pk]), opened)
    assert "Someone changed this claim since you opened it" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).speaker == "First"


@pytest.mark.django_db
def test_the_admin_cannot_correct_a_claim_another_reviewer_holds(client, staff, second_reviewer):
    claim = review.review_take(user=second_reviewer, claim_id=ClaimFactory().pk)
    client.force_login(staff("admin"))
    response = client.post(reverse("admin:claims_claim_change", args=[claim.pk]), _claim_form(claim, speaker="X"))
    assert "Another reviewer is working on this claim" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).speaker == ""


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_claims_are_not_deleted_in_the_admin(client, staff, role):
    claim = ClaimFactory()
    client.force_login(staff(role))
    assert client.post(reverse("admin:claims_claim_delete", args=[claim.pk]), {"post": "yes"}).status_code == 403
    assert Claim.objects.filter(pk=claim.pk).exists()


# --- Sources and passages ---------------------------------------------------------------------------

OLD_BODY = "The statistics office reported that unemployment fell to 3.9 percent in March."
NEW_BODY = "The harbour authority said container traffic doubled after the new quay opened."


def _source_form(source: Source, **changes: str) -> dict[str, str]:
    data = {
        "url": source.url,
        "title": source.title,
        "publisher": source.publisher,
        "published_at": "",
        "kind": source.kind,
        "body": source.body,
        "passages-TOTAL_FORMS": "0",
        "passages-INITIAL_FORMS": "0",
    }
    return data | changes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("role", ["editor", "admin"])
def test_an_edited_body_is_cut_again_and_embedded_and_the_library_search_sees_it(client, staff, role):
    editor = staff(role)
    source = source_create(user=editor, url="https://stats.example.org/jobs", title="Jobs report", body=OLD_BODY)
    old_passages = set(source.passages.values_list("pk", flat=True))
    assert similarity.source_passages_search(query="unemployment fell in March")[0].passage.source_id == source.pk

    client.force_login(editor)
    response = client.post(reverse("admin:claims_source_change", args=[source.pk]), _source_form(source, body=NEW_BODY))
    assert response.status_code == 302

    passages = list(SourcePassage.objects.filter(source=source))
    assert passages and not old_passages & {passage.pk for passage in passages}
    assert " ".join(passage.text for passage in passages) == NEW_BODY
    # The job queued on commit embedded the new passages with the current model: no stale vector is left.
    assert {passage.embedding_model for passage in passages} == {get_embedder().model_version}
    hits = similarity.source_passages_search(query="container traffic at the new quay")
    assert hits[0].passage.source_id == source.pk and hits[0].passage.text in NEW_BODY
    found_by_old_words = similarity.source_passages_search(query="unemployment")
    assert all("unemployment" not in hit.passage.text for hit in found_by_old_words)


@pytest.mark.django_db
def test_a_metadata_edit_keeps_the_passages_and_their_vectors(client, staff):
    source = SourceFactory(body=OLD_BODY)
    passage = SourcePassageFactory(source=source, text=OLD_BODY, embedding_model="kept-model")
    client.force_login(staff("editor"))
    response = client.post(
        reverse("admin:claims_source_change", args=[source.pk]), _source_form(source, title="Jobs, corrected")
    )
    assert response.status_code == 302
    assert Source.objects.get(pk=source.pk).title == "Jobs, corrected"
    assert SourcePassage.objects.get(source=source).pk == passage.pk
    assert SourcePassage.objects.get(pk=passage.pk).embedding_model == "kept-model"


@pytest.mark.django_db
def test_a_source_added_in_the_admin_is_cut_into_passages_by_the_service(client, staff):
    client.force_login(staff("editor"))
    response = client.post(
        reverse("admin:claims_source_add"),
        _source_form(Source(url="https://stats.example.org/new", title="New report", kind="dataset", body=OLD_BODY)),
    )
    assert response.status_code == 302
    source = Source.objects.get(url="https://stats.example.org/new")
    assert source.added_by.username == "staff_editor"
    assert list(source.passages.values_list("text", flat=True)) == [OLD_BODY]


@pytest.mark.django_db
def test_a_reviewer_cannot_change_a_source_in_the_admin(client, staff):
    source = SourceFactory()
    client.force_login(staff("reviewer"))
    response = client.post(reverse("admin:claims_source_change", args=[source.pk]), _source_form(source, title="X"))
    assert response.status_code == 403
    assert Source.objects.get(pk=source.pk).title == source.title


@pytest.mark.django_db
def test_a_source_cited_as_evidence_is_not_deleted(client, staff):
    evidence = EvidenceFactory()
    client.force_login(staff("admin"))
    response = client.post(reverse("admin:claims_source_delete", args=[evidence.source_id]), {"post": "yes"})
    assert "would require deleting the following protected related objects" in response.content.decode()
    assert Source.objects.filter(pk=evidence.source_id).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_deleted_source_leaves_the_library_search(client, staff):
    admin = staff("admin")
    source = source_create(user=admin, url="https://stats.example.org/jobs", title="Jobs report", body=OLD_BODY)
    assert similarity.source_passages_search(query="unemployment fell in March")
    client.force_login(admin)
    assert client.post(reverse("admin:claims_source_delete", args=[source.pk]), {"post": "yes"}).status_code == 302
    assert not Source.objects.filter(pk=source.pk).exists()
    assert similarity.source_passages_search(query="unemployment fell in March") == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["editor", "admin"])
def test_passages_posted_with_a_source_are_not_saved(client, staff, role):
    """Passages are cut from the body: rows posted for them, changed, added or deleted, are ignored."""
    source = SourceFactory(body=OLD_BODY)
    passage = SourcePassageFactory(source=source, position=0, text=OLD_BODY)
    client.force_login(staff(role))
    form = _source_form(source) | {
        "passages-TOTAL_FORMS": "2",
        "passages-INITIAL_FORMS": "1",
        "passages-0-id": str(passage.pk),
        "passages-0-source": str(source.pk),
        "passages-0-position": "0",
        "passages-0-text": "Rewritten by hand",
        "passages-0-DELETE": "on",
        "passages-1-source": str(source.pk),
        "passages-1-position": "1",
        "passages-1-text": "Added by hand",
    }
    response = client.post(reverse("admin:claims_source_change", args=[source.pk]), form)
    assert response.status_code == 302
    assert list(SourcePassage.objects.filter(source=source).values_list("pk", "text")) == [(passage.pk, OLD_BODY)]
    apps = client.get(reverse("admin:index")).context["app_list"]
    assert "SourcePassage" not in {model["object_name"] for app in apps for model in app["models"]}


# --- Evidence -------------------------------------------------------------------------------------


def _evidence_form(claim: Claim, source: Source) -> dict[str, str]:
    return {
        "claim": str(claim.pk),
        "source": str(source.pk),
        "passage": "",
        "stance": "refutes",
        "excerpt": "",
        "note": "",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_evidence_is_added_in_the_admin_only_by_the_reviewer_holding_the_claim(client, staff, role):
    user = staff(role)
    claim, source = ClaimFactory(), SourceFactory()
    client.force_login(user)
    refused = client.post(reverse("admin:claims_evidence_add"), _evidence_form(claim, source))
    assert refused.status_code == 200 and "You do not hold this claim" in refused.content.decode()
    assert not Evidence.objects.exists()

    review.review_take(user=user, claim_id=claim.pk)
    added = client.post(reverse("admin:claims_evidence_add"), _evidence_form(claim, source))
    assert added.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.claim_id, evidence.added_by, evidence.excerpt) == (claim.pk, user, "")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_evidence_is_removed_in_the_admin_through_the_lease_rule(client, staff, second_reviewer, role):
    user = staff(role)
    evidence = EvidenceFactory()
    review.review_take(user=second_reviewer, claim_id=evidence.claim_id)
    client.force_login(user)
    url = reverse("admin:claims_evidence_delete", args=[evidence.pk])
    response = client.post(url, {"post": "yes"}, follow=True)
    assert "You do not hold this claim" in _messages(response)
    assert Evidence.objects.filter(pk=evidence.pk).exists()

    review.review_release(user=second_reviewer, claim_id=evidence.claim_id)
    review.review_take(user=user, claim_id=evidence.claim_id)
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Evidence.objects.filter(pk=evidence.pk).exists()


@pytest.mark.django_db
def test_evidence_is_not_edited_in_the_admin(client, staff):
    evidence = EvidenceFactory(note="Original")
    user = staff("admin")
    review.review_take(user=user, claim_id=evidence.claim_id)
    client.force_login(user)
    form = _evidence_form(evidence.claim, evidence.source) | {"note": "Rewritten"}
    assert client.post(reverse("admin:claims_evidence_change", args=[evidence.pk]), form).status_code == 403
    assert Evidence.objects.get(pk=evidence.pk).note == "Original"


# --- Suggestions and findings ---------------------------------------------------------------------


@pytest.fixture
def suggestion(db):
    passage = SourcePassageFactory()
    return Suggestion.objects.create(
        claim=ClaimFactory(),
        target_kind=SuggestionTarget.PASSAGE,
        target_passage=passage,
        scores={"dense": 0.6},
        fused_score=0.6,
        model_version="test-model",
    )


@pytest.fixture
def finding(db):
    return Finding.objects.create(
        claim=ClaimFactory(),
        check_name="role_in_office",
        span_text="Former President",
        message="Holds the office since 2025-01-20.",
        suggested_rating=rating("Outdated"),
    )


def _changelist_action(client, model: str, action: str, pk: int):  # type: ignore[no-untyped-def]
    return client.post(
        reverse(f"admin:claims_{model}_changelist"), {"action": action, "_selected_action": [pk]}, follow=True
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_suggestions_are_decided_in_the_admin_by_the_lease_holder_and_record_who(client, staff, suggestion, role):
    user = staff(role)
    client.force_login(user)
    refused = _changelist_action(client, "suggestion", "accept_suggestions", suggestion.pk)
    assert "You do not hold this claim" in _messages(refused)
    assert Suggestion.objects.get(pk=suggestion.pk).state == SuggestionState.PENDING

    review.review_take(user=user, claim_id=suggestion.claim_id)
    _changelist_action(client, "suggestion", "accept_suggestions", suggestion.pk)
    accepted = Suggestion.objects.get(pk=suggestion.pk)
    assert (accepted.state, accepted.decided_by) == (SuggestionState.ACCEPTED, user)
    assert Evidence.objects.get(from_suggestion=accepted).added_by == user


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_a_rejection_in_the_admin_records_who_rejected(client, staff, suggestion, role):
    user = staff(role)
    review.review_take(user=user, claim_id=suggestion.claim_id)
    client.force_login(user)
    _changelist_action(client, "suggestion", "reject_suggestions", suggestion.pk)
    rejected = Suggestion.objects.get(pk=suggestion.pk)
    assert (rejected.state, rejected.decided_by) == (SuggestionState.REJECTED, user)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_findings_are_decided_in_the_admin_by_the_lease_holder_and_record_who(client, staff, finding, role):
    user = staff(role)
    client.force_login(user)
    refused = _changelist_action(client, "finding", "confirm_findings", finding.pk)
    assert "You do not hold this claim" in _messages(refused)
    assert Finding.objects.get(pk=finding.pk).state == FindingState.OPEN

    review.review_take(user=user, claim_id=finding.claim_id)
    _changelist_action(client, "finding", "dismiss_findings", finding.pk)
    dismissed = Finding.objects.get(pk=finding.pk)
    assert (dismissed.state, dismissed.decided_by) == (FindingState.DISMISSED, user)
    assert dismissed.decided_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["suggestion", "finding"])
def test_suggestions_and_findings_are_not_edited_or_deleted_in_the_admin(client, staff, suggestion, finding, model):
    row = suggestion if model == "suggestion" else finding
    client.force_login(staff("admin"))
    assert client.post(reverse(f"admin:claims_{model}_change", args=[row.pk]), {"state": "accepted"}).status_code == 403
    assert client.post(reverse(f"admin:claims_{model}_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert type(row).objects.get(pk=row.pk).state == row.state


@pytest.mark.django_db
def test_verdicts_are_not_deleted_in_the_admin(client, staff, reviewer):
    verdict = Verdict.objects.create(claim=ClaimFactory(), rating=rating("Outdated"), author=reviewer)
    client.force_login(staff("admin"))
    assert client.post(reverse("admin:claims_verdict_delete", args=[verdict.pk]), {"post": "yes"}).status_code == 403
    assert Verdict.objects.filter(pk=verdict.pk).exists()


@pytest.mark.django_db
def test_an_expired_lease_does_not_let_the_admin_decide(client, staff, finding):
    user = staff("reviewer")
    review.review_take(user=user, claim_id=finding.claim_id)
    Claim.objects.filter(pk=finding.claim_id).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(user)
    response = _changelist_action(client, "finding", "confirm_findings", finding.pk)
    assert "Your lease on this claim has expired" in _messages(response)
    assert Finding.objects.get(pk=finding.pk).state == FindingState.OPEN


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_history_can_be_read_but_not_reverted_to(client, staff, editor, second_editor, role):
    claim = ClaimFactory(status="published")
    verdict = Verdict.objects.create(claim=claim, rating=rating("Outdated"), author=editor)
    draft = verdict.history.get()
    verdict.approver, verdict.published_at = second_editor, timezone.now()
    verdict.save()
    client.force_login(staff(role))
    url = reverse("admin:claims_verdict_simple_history", args=[verdict.pk, draft.history_id])
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403
    verdict.refresh_from_db()
    assert verdict.published_at is not None and Claim.objects.get(pk=claim.pk).status == "published"
