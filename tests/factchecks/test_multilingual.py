"""Claims in other languages are matched to fact-checks in any language, in the multilingual space."""

from __future__ import annotations

import json

import pytest

from claims.choices import SuggestionState
from claims.factchecks.parsing import parse_json_lines
from claims.models import MultilingualPassageVector, SourcePassage, Suggestion
from claims.services import similarity
from claims.services.factchecks import factchecks_import
from claims.similarity.multilingual import get_multilingual_embedder
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Real PolitiFact records (CLEF-2021 CheckThat! 2B verified claims) and an unrelated one.
FLU_SHOT = {
    "claim": "Says there is a 4,250% increase in fetal death from the flu shot.",
    "rating": "false",
    "publisher": "PolitiFact",
    "review_date": "2019-10-29",
    "url": "https://www.politifact.com/factchecks/2019/oct/29/facebook-posts/no-flu-shot-fetal-deaths/",
    "title": "No, the flu shot does not increase fetal deaths by 4,250%",
    "language": "en",
}
MURDERS = {
    "claim": "Over the last two years, the number of murders in America's major cities has dropped by more than 10%.",
    "rating": "pants-fire",
    "publisher": "PolitiFact",
    "review_date": "2019-10-29",
    "url": "https://www.politifact.com/factchecks/2019/oct/29/donald-trump/trump-dead-wrong-about-change-murders-chicago/",
    "title": "Trump ‘dead wrong’ about the change in murders in Chicago",
    "language": "en",
}


@pytest.fixture
def factchecks():
    factchecks_import(records=parse_json_lines([json.dumps(FLU_SHOT), json.dumps(MURDERS)]))


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "La vacuna contra la gripe aumenta en un 4.250 % las muertes fetales."),
        ("ru", "Прививка от гриппа увеличивает смертность плода на 4250 процентов."),
    ],
)
def test_a_claim_in_another_language_is_matched_to_the_english_fact_check(factchecks, language, text):
    version = get_multilingual_embedder().model_version
    assert MultilingualPassageVector.objects.filter(model_version=version).count() == SourcePassage.objects.count()
    claim = ClaimFactory(text=text, language=language)

    similarity.claims_process_new(claim_ids=[claim.pk])

    suggestions = Suggestion.objects.filter(claim=claim, model_version=version).order_by("-fused_score")
    assert suggestions, "the multilingual job should suggest the fact-check"
    best = suggestions[0]
    assert best.target_passage.source.url == FLU_SHOT["url"]
    assert best.state == SuggestionState.PENDING and best.scores["language"] == language
    assert not suggestions.filter(target_passage__source__url=MURDERS["url"], fused_score__gte=best.fused_score)
    # The English encoder and BM25 cannot read it: their accidental scores are not shown next to it.
    assert not Suggestion.objects.filter(claim=claim).exclude(model_version=version).exists()


def test_an_english_claim_is_not_matched_again_in_the_multilingual_space(factchecks):
    claim = ClaimFactory(text="The flu shot increases fetal deaths by 4,250 percent.", language="en")

    similarity.claims_process_new(claim_ids=[claim.pk])

    assert not Suggestion.objects.filter(claim=claim, model_version=get_multilingual_embedder().model_version)


def test_the_sweep_gives_passages_stored_without_a_multilingual_vector_one():
    from claims import tasks
    from claims.services.multilingual import sources_without_multilingual_vectors
    from tests.factories import SourcePassageFactory

    lost = SourcePassageFactory(text="La vacuna contra la gripe no aumenta las muertes fetales.")
    assert sources_without_multilingual_vectors() == [lost.source_id]

    tasks.claims_sweep_unprocessed_task()

    assert MultilingualPassageVector.objects.filter(passage=lost).count() == 1
    assert sources_without_multilingual_vectors() == []
