"""A passage is found by its words as soon as its transaction commits: BM25 ranks inside the
database, so there is no per-process index to rebuild first."""

import pytest
from django.db import transaction

from claims.choices import SuggestionTarget
from claims.models import Source, SourcePassage, Suggestion
from claims.services import similarity
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FILLER = [f"Council minutes number {n}: the budget for roads and parks was discussed again." for n in range(40)]
RARE = "The zorblax quintaphor vexillology accord was signed."


def _library_then_one_more_passage() -> SourcePassage:
    library = Source.objects.create(url="https://records.example.org/minutes", title="Minutes")
    SourcePassage.objects.bulk_create(
        [SourcePassage(source=library, position=position, text=text) for position, text in enumerate(FILLER)]
    )
    # Warm every lookup the search does, so a cache (if one existed) would hold the old library.
    assert similarity.source_passages_search(query="zorblax quintaphor") == []
    with transaction.atomic():
        source = Source.objects.create(url="https://records.example.org/accord", title="Accord")
        # No vector yet (its embedding job has not run): only the words can find it.
        return SourcePassage.objects.create(source=source, position=0, text=RARE)


def test_the_library_search_finds_a_passage_added_a_moment_ago_by_a_rare_word():
    passage = _library_then_one_more_passage()

    hits = similarity.source_passages_search(query="zorblax quintaphor")

    assert hits and hits[0].passage.pk == passage.pk
    assert hits[0].scores["bm25"] > 0


def test_the_suggestion_job_finds_a_passage_added_a_moment_ago_by_its_rare_words():
    passage = _library_then_one_more_passage()
    claim = ClaimFactory(text="Reports say the zorblax quintaphor vexillology accord was signed in secret.")

    similarity.claims_process_new(claim_ids=[claim.pk])

    suggestion = Suggestion.objects.get(claim=claim, target_kind=SuggestionTarget.PASSAGE, target_passage=passage)
    assert suggestion.scores["dense"] == 0.0
    assert suggestion.scores["bm25"] >= 3.0


def test_a_save_limited_to_the_text_column_rewrites_the_words_too():
    passage = _library_then_one_more_passage()
    passage.text = "The glimmerwick treaty replaced it."
    passage.save(update_fields=["text"])

    assert [hit.passage.pk for hit in similarity.source_passages_search(query="glimmerwick")] == [passage.pk]
    assert similarity.source_passages_search(query="zorblax quintaphor") == []
