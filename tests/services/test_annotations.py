"""Correcting a claim's annotations: one service, whichever door the correction comes through."""

from __future__ import annotations

import pytest

from claims.errors import InvalidInputError, LeaseError, PermissionDeniedError, StaleVersionError
from claims.models import Claim
from claims.services import review
from claims.services.annotations import claim_annotations_correct
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

ENTITY = {"text": "Jane Doe", "label": "PERSON", "start": 10, "end": 18}
DATE = {"text": "Friday", "start": 30, "end": 36, "value": None}


def test_a_correction_changes_only_the_fields_given_and_bumps_the_version(reviewer):
    claim = ClaimFactory(speaker="Someone", claim_types=["statistic"])
    corrected = claim_annotations_correct(
        user=reviewer, claim_id=claim.pk, expected_version=1, claim_types=["quote", "statistic", "quote"]
    )
    assert (corrected.speaker, corrected.claim_types, corrected.version) == ("Someone", ["quote", "statistic"], 2)
    record = corrected.history.first()
    assert (record.history_user, record.history_change_reason) == (reviewer, "annotations corrected")


def test_entities_and_dates_are_replaced_as_given(reviewer):
    claim = ClaimFactory()
    corrected = claim_annotations_correct(
        user=reviewer, claim_id=claim.pk, expected_version=1, entities=[ENTITY], dates=[DATE]
    )
    assert (corrected.entities, corrected.dates) == ([ENTITY], [DATE])


def test_a_correction_on_a_stale_version_is_refused_and_writes_nothing(reviewer):
    claim = ClaimFactory()
    claim_annotations_correct(user=reviewer, claim_id=claim.pk, expected_version=1, speaker="First")
    with pytest.raises(StaleVersionError) as stale:
        claim_annotations_correct(user=reviewer, claim_id=claim.pk, expected_version=1, speaker="Second")
    assert stale.value.status_code == 409 and stale.value.extra["current_version"] == 2
    assert Claim.objects.get(pk=claim.pk).speaker == "First"


def test_nothing_changed_means_no_new_version(reviewer):
    claim = ClaimFactory(speaker="Jane Doe")
    same = claim_annotations_correct(user=reviewer, claim_id=claim.pk, expected_version=1, speaker=" Jane Doe ")
    assert same.version == 1 and claim.history.count() == 1


def test_only_the_holder_corrects_a_claim_someone_holds(reviewer, second_reviewer):
    claim = ClaimFactory()
    held = review.review_take(user=second_reviewer, claim_id=claim.pk)
    with pytest.raises(LeaseError):
        claim_annotations_correct(user=reviewer, claim_id=claim.pk, expected_version=held.version, speaker="X")
    corrected = claim_annotations_correct(
        user=second_reviewer, claim_id=claim.pk, expected_version=held.version, speaker="X"
    )
    assert corrected.speaker == "X" and corrected.assignee == second_reviewer


def test_people_without_a_role_cannot_correct(outsider):
    claim = ClaimFactory()
    with pytest.raises(PermissionDeniedError):
        claim_annotations_correct(user=outsider, claim_id=claim.pk, expected_version=1, speaker="X")


def test_an_entity_added_by_name_needs_no_offsets(reviewer):
    claim = ClaimFactory()
    corrected = claim_annotations_correct(
        user=reviewer, claim_id=claim.pk, expected_version=1, entities=[{"text": "Turkey", "label": "GPE"}]
    )
    assert corrected.entities == [{"text": "Turkey", "label": "GPE"}]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"claim_types": ["opinion"]}, "Unknown claim type 'opinion'"),
        ({"claim_types": "quote"}, "claim_types must be a list"),
        ({"speaker": "x" * 201}, "speaker is limited to 200 characters"),
        ({"entities": [{"text": "Jane", "start": 1, "end": 5}]}, "entities item 1 lacks label"),
        ({"entities": [{**ENTITY, "start": 20}]}, "start must not pass end"),
        ({"entities": [{"text": "Jane", "label": "PERSON", "start": 1}]}, "start and end must be whole numbers"),
        ({"dates": [{**DATE, "start": "30"}]}, "start and end must be whole numbers"),
        ({"dates": ["Friday"]}, "dates item 1 must be an object"),
    ],
)
def test_malformed_annotations_are_refused_with_the_reason(reviewer, changes, message):
    claim = ClaimFactory()
    with pytest.raises(InvalidInputError) as refused:
        claim_annotations_correct(user=reviewer, claim_id=claim.pk, expected_version=1, **changes)
    assert message in refused.value.message
    assert Claim.objects.get(pk=claim.pk).version == 1
