"""The workspace's small form for correcting a claim's speaker and types."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import Claim
from claims.services import review
from tests.ui.signed_in import client_for, page_messages

pytestmark = pytest.mark.django_db


def _post(client, claim: Claim, *, version: int, speaker: str, types: list[str]):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("claims:annotations_correct", args=[claim.pk]),
        {"annotations-speaker": speaker, "annotations-claim_types": types, "annotations-version": str(version)},
        follow=True,
    )


def test_a_reviewer_corrects_the_speaker_and_types_from_the_workspace(reviewer, trump_claim):
    client = client_for(reviewer)
    page = client.get(reverse("claims:workspace", args=[trump_claim.pk])).content.decode()
    assert f'action="/claims/{trump_claim.pk}/annotations/"' in page

    response = _post(client, trump_claim, version=1, speaker="Donald J. Trump", types=["quote", "event"])
    assert "Annotations corrected." in page_messages(response)
    claim = Claim.objects.get(pk=trump_claim.pk)
    # Types already there keep their order; new ones follow.
    assert (claim.speaker, claim.claim_types, claim.version) == ("Donald J. Trump", ["quote", "event"], 2)


def test_a_stale_page_is_refused_and_keeps_what_was_typed(reviewer, editor, trump_claim):
    client = client_for(reviewer)
    review.claim_dismiss(user=editor, claim_id=trump_claim.pk)

    response = _post(client, trump_claim, version=1, speaker="Typed by the reviewer", types=["role"])
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone changed this claim since you opened it" in page
    assert 'value="Typed by the reviewer"' in page
    assert Claim.objects.get(pk=trump_claim.pk).speaker == "Donald Trump"


def test_the_form_is_not_offered_on_a_claim_another_reviewer_holds(reviewer, second_reviewer, trump_claim):
    held = review.review_take(user=second_reviewer, claim_id=trump_claim.pk)
    client = client_for(reviewer)
    page = client.get(reverse("claims:workspace", args=[trump_claim.pk])).content.decode()
    assert "/annotations/" not in page
    response = _post(client, trump_claim, version=held.version, speaker="X", types=[])
    assert response.status_code == 409 and "Another reviewer is working on this claim" in response.content.decode()


def test_a_person_without_a_role_cannot_correct(outsider, trump_claim):
    response = _post(client_for(outsider), trump_claim, version=1, speaker="X", types=[])
    assert response.status_code == 404
    assert Claim.objects.get(pk=trump_claim.pk).speaker == "Donald Trump"
