"""Storing an article's claims: what the extraction made once is used, not made again, and nothing
it computes depends on how the article was cut up or how often a sentence repeats in it."""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pytest

from claims.choices import ClaimStatus
from claims.extraction.checkworthiness import get_scorer
from claims.extraction.pipeline import extract_claims
from claims.models import Claim
from claims.services import articles as article_services
from claims.services.articles import article_ingest
from claims.services.extraction_chunks import chunk_bounds, chunk_extract
from claims.services.findings import check_sentences
from claims.similarity.embedder import get_embedder
from claims.similarity.text import clean_query

SEED = (Path(__file__).resolve().parents[2] / "fixtures" / "seed_article.txt").read_text(encoding="utf-8")
SEED_PUBLISHED = datetime.date(2025, 5, 12)


class CountingScorer:
    """The shipped int8 scorer, counting the sentences it is given."""

    def __init__(self) -> None:
        self.scorer = get_scorer()
        self.threshold = self.scorer.threshold
        self.seen: list[str] = []

    def score(self, sentences: list[str]) -> np.ndarray:
        self.seen.extend(sentences)
        return self.scorer.score(sentences)


def test_a_sentence_repeated_in_an_article_is_scored_once_and_gets_the_score_it_gets_alone():
    repeated = "The minister said unemployment fell by 3 percent in 2024."
    text = "\n\n".join([repeated, SEED, repeated, "A short line.", repeated])
    scorer = CountingScorer()

    claims = extract_claims(text=text, published_at=SEED_PUBLISHED, today=SEED_PUBLISHED, scorer=scorer)

    repeats = [claim for claim in claims if claim.text == repeated]
    assert len(repeats) == 3
    assert scorer.seen.count(repeated) == 1
    assert len(scorer.seen) == len(set(scorer.seen)) == len({claim.text for claim in claims})
    (alone,) = extract_claims(text=repeated, published_at=SEED_PUBLISHED, today=SEED_PUBLISHED, scorer=get_scorer())
    assert {claim.checkworthiness for claim in repeats} == {alone.checkworthiness}
    assert all(claim.entities == alone.entities for claim in repeats)


def test_a_chunk_finds_what_the_checks_find_reading_the_whole_article():
    body = "\n\n".join(SEED.replace("Ukraine", f"Ukraine ({copy})") for copy in range(3))
    bounds = chunk_bounds(body, size=len(SEED) + 200)
    whole = extract_claims(text=body, published_at=SEED_PUBLISHED, today=SEED_PUBLISHED)
    expected = {
        claim.start: findings
        for claim, findings in zip(
            whole,
            check_sentences(body=body, sentences=[(c.text, c.start) for c in whole], published_at=SEED_PUBLISHED),
            strict=True,
        )
        if findings
    }

    found = {}
    for start, end in bounds:
        result = chunk_extract(body=body, start=start, end=end, published_at=SEED_PUBLISHED, language="en")
        found.update({result.candidates[index].start: findings for index, findings in result.findings.items()})
        assert set(result.vectors) == {i for i, c in enumerate(result.candidates) if c.is_checkworthy}

    assert len(bounds) == 3
    assert len(expected) >= 3  # "Former U.S. President Donald Trump" in each copy, at least
    assert found == expected


@pytest.mark.django_db
def test_new_claims_keep_the_vectors_made_for_the_repeat_search():
    article = article_ingest(text=SEED).article
    embedder = get_embedder()

    queued = list(Claim.objects.filter(article=article, status=ClaimStatus.NEW).order_by("id"))

    assert len(queued) > 5
    assert all(claim.embedding_model == embedder.model_version for claim in queued)
    expected = embedder.encode([clean_query(claim.text) for claim in queued])
    np.testing.assert_allclose(np.vstack([claim.embedding for claim in queued]), expected, atol=1e-6)


@pytest.mark.django_db
def test_a_claim_given_a_vector_meanwhile_keeps_it():
    article = article_ingest(text=SEED).article
    first, second = Claim.objects.filter(article=article, status=ClaimStatus.NEW).order_by("id")[:2]
    own = np.asarray(first.embedding, dtype=np.float32)
    Claim.objects.filter(pk=second.pk).update(embedding=None, embedding_model="")
    replacement = np.full(own.shape, 1 / np.sqrt(own.size), dtype=np.float32)

    article_services._claim_vectors_store([(first.pk, replacement), (second.pk, replacement)])

    first.refresh_from_db()
    second.refresh_from_db()
    np.testing.assert_allclose(np.asarray(first.embedding, dtype=np.float32), own)
    np.testing.assert_allclose(np.asarray(second.embedding, dtype=np.float32), replacement)
    assert second.embedding_model == get_embedder().model_version
