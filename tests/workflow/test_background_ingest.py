"""Ingest stores the article at once and extracts its claims in a job: progress, failure with its
reason, retry, and a redelivered job that finds the work done."""

from __future__ import annotations

import pytest

from claims.choices import ExtractionStatus
from claims.errors import ArticleStateError
from claims.models import Article, Claim
from claims.services import articles as article_services
from claims.services.articles import article_extract, article_extraction_retry, article_ingest

pytestmark = pytest.mark.django_db

BODY = (
    "Former U.S. President Donald Trump met the German chancellor in Washington on Monday. "
    "The minister said unemployment fell by 3 percent in 2024."
)


def test_a_background_ingest_stores_the_article_queued_and_the_job_extracts_it(
    reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as jobs:
        article = article_ingest(text=BODY, user=reviewer, background=True).article
    assert article.extraction_status == ExtractionStatus.QUEUED and not article.claims.exists()
    assert len(jobs) == 1
    jobs[0]()
    article.refresh_from_db()
    assert article.extraction_status == ExtractionStatus.DONE and article.extraction_progress == 100
    assert article.extraction_attempts == 1 and article.claims.count() == 2


def test_a_redelivered_job_finds_the_extraction_done_and_adds_nothing(reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = article_ingest(text=BODY, user=reviewer, background=True).article
    claims = Claim.objects.count()
    article_extract(article_id=article.pk)
    article_extract(article_id=article.pk)
    assert Claim.objects.count() == claims == 2
    assert Article.objects.get(pk=article.pk).extraction_attempts == 1


def test_two_jobs_running_at_once_write_the_claims_once(reviewer, monkeypatch):
    article = article_ingest(text=BODY, user=reviewer, background=True).article
    real = article_services.extract_claims

    def extract_while_another_job_finishes(**kwargs):
        candidates = real(**kwargs)
        # The other delivery gets here first and writes the claims while this one still extracts.
        monkeypatch.setattr(article_services, "extract_claims", real)
        Article.objects.filter(pk=article.pk).update(extraction_status=ExtractionStatus.EXTRACTING)
        article_extract(article_id=article.pk)
        return candidates

    monkeypatch.setattr(article_services, "extract_claims", extract_while_another_job_finishes)
    article_extract(article_id=article.pk)
    assert Claim.objects.filter(article=article).count() == 2


def test_a_failed_extraction_keeps_its_reason_and_a_reviewer_can_retry_it(
    reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    article = article_ingest(text=BODY, user=reviewer, background=True).article

    def broken(**kwargs):
        raise MemoryError

    monkeypatch.setattr(article_services, "extract_claims", broken)
    with pytest.raises(MemoryError):
        article_extract(article_id=article.pk)
    article.refresh_from_db()
    assert article.extraction_status == ExtractionStatus.FAILED
    assert "unexpected error (MemoryError)" in article.extraction_error

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        article_extraction_retry(user=reviewer, article_id=article.pk)
    article.refresh_from_db()
    assert article.extraction_status == ExtractionStatus.DONE and article.extraction_error == ""
    assert article.extraction_attempts == 2 and article.claims.count() == 2


def test_a_finished_or_fresh_extraction_cannot_be_retried(reviewer, django_capture_on_commit_callbacks):
    waiting = article_ingest(text=BODY, user=reviewer, background=True).article
    with pytest.raises(ArticleStateError):
        article_extraction_retry(user=reviewer, article_id=waiting.pk)
    done = article_ingest(text="Unemployment fell by 3 percent in 2024, the minister said.", user=reviewer).article
    with pytest.raises(ArticleStateError):
        article_extraction_retry(user=reviewer, article_id=done.pk)


def test_progress_is_written_while_the_sentences_are_scored(reviewer, monkeypatch):
    monkeypatch.setattr("claims.extraction.pipeline.SCORE_BATCH", 1)
    seen: list[int] = []
    real_update = article_services._ProgressWriter.__call__

    def record(self, share):
        real_update(self, share)
        seen.append(Article.objects.get(pk=self.article_id).extraction_progress)

    monkeypatch.setattr(article_services._ProgressWriter, "__call__", record)
    article = article_ingest(text=BODY, user=reviewer, background=True).article
    article_extract(article_id=article.pk)
    assert seen == sorted(seen) and 0 < max(seen) < 100
