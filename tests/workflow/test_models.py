import numpy as np
import pytest
from django.db import IntegrityError, transaction

from claims.choices import SuggestionTarget
from claims.models import Article, Claim, Rating, Suggestion
from tests.factories import ArticleFactory, ClaimFactory, SourcePassageFactory

pytestmark = pytest.mark.django_db


def test_the_default_rating_scale_is_seeded_with_claimreview_names():
    scale = {rating.label: rating for rating in Rating.objects.all()}
    assert list(scale) == [
        "Accurate",
        "Mostly accurate",
        "Needs context",
        "Misleading",
        "Outdated",
        "Inaccurate",
        "Unverifiable",
    ]
    assert scale["Outdated"].alternate_name == "Outdated"
    assert scale["Inaccurate"].alternate_name == "False"
    assert scale["Accurate"].value == 5 and scale["Inaccurate"].value == 1


def test_roles_exist_as_groups():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {"reviewer", "editor", "admin"}


def test_two_articles_cannot_share_a_content_hash():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(body="other", content_hash=article.content_hash)


def test_a_score_outside_zero_to_one_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(checkworthiness=1.5)


def test_a_lease_without_an_expiry_is_refused_by_the_database(reviewer):
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(assignee=reviewer)


def test_a_suggestion_is_unique_per_claim_target_and_model_version():
    claim = ClaimFactory()
    passage = SourcePassageFactory()
    fields = dict(claim=claim, target_kind=SuggestionTarget.PASSAGE, target_passage=passage, model_version="m1")
    Suggestion.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Suggestion.objects.create(**fields)
    Suggestion.objects.create(**{**fields, "model_version": "m2"})


def test_a_suggestion_names_exactly_one_target():
    claim = ClaimFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Suggestion.objects.create(claim=claim, target_kind=SuggestionTarget.PASSAGE, model_version="m1")


def test_an_embedding_round_trips_as_float32():
    claim = ClaimFactory()
    vector = np.random.default_rng(0).standard_normal(384).astype(np.float32)
    Claim.objects.filter(pk=claim.pk).update(embedding=vector)

    stored = Claim.objects.get(pk=claim.pk).embedding

    assert stored.dtype == np.float32
    np.testing.assert_array_equal(stored, vector)


def test_an_embedding_of_the_wrong_size_is_refused():
    claim = ClaimFactory()
    with pytest.raises(ValueError):
        Claim.objects.filter(pk=claim.pk).update(embedding=np.zeros(10, dtype=np.float32))
