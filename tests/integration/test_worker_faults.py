"""Suggestion jobs survive the faults a deployment sees: a worker killed mid-job, and Redis down while
an article is stored. Real redis-server (a private one, so it can be stopped), real prefork Celery
workers, real embedding model; the outcome is compared with an undisturbed in-process run."""

from __future__ import annotations

import datetime as dt
import logging
import time

import pytest
from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from rest_framework.test import APIClient

from claims import tasks
from claims.choices import ClaimStatus
from claims.models import Article, Claim, Suggestion
from claims.services import review, similarity
from claims.services.articles import article_extract, article_ingest
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

from .conftest import celery_publishing_to, embedded_source_library, wait_for

pytestmark = [pytest.mark.integration]

VISIBILITY_TIMEOUT_SECONDS = 6
# kombu's Redis transport keeps delivered-but-unacknowledged messages in this hash until acked.
UNACKED_KEY = "unacked"


def _claims_about(sentences: list[str], *, count: int) -> list[int]:
    framings = ("{}.", "Officials said that {}.", "According to a post on Sunday, {}.", "It is true that {}.")
    texts = [framing.format(sentence) for framing in framings for sentence in sentences][:count]
    assert len(texts) == count
    article = ArticleFactory()
    return [Claim.objects.create(article=article, text=text, checkworthiness=0.9, status="new").pk for text in texts]


def _suggestion_rows(claim_ids: list[int]) -> list[tuple]:
    return list(
        Suggestion.objects.filter(claim_id__in=claim_ids)
        .order_by("claim_id", "target_kind", "target_passage_id", "target_claim_id")
        .values_list("claim_id", "target_kind", "target_passage_id", "target_claim_id", "model_version", "state")
    )


def _undisturbed_rows(batches: list[list[int]]) -> list[tuple]:
    """What uninterrupted in-process runs of the same jobs compute from scratch. Same batches: the
    int8 embedder's vectors depend slightly on which texts share a batch."""
    claim_ids = [claim_id for batch in batches for claim_id in batch]
    Suggestion.objects.filter(claim_id__in=claim_ids).delete()
    Claim.objects.filter(pk__in=claim_ids).update(suggested_at=None, embedding=None, embedding_model="")
    for batch in batches:
        similarity.claims_process_new(claim_ids=batch)
    return _suggestion_rows(claim_ids)


def _suggested_count(claim_ids: list[int]) -> int:
    return Claim.objects.filter(pk__in=claim_ids, suggested_at__isnull=False).count()


def _broker_backlog(private_redis) -> tuple[int, int]:
    client = private_redis.client()
    # Suggestion jobs go to the claims queue (the default one).
    return client.llen(settings.CELERY_TASK_DEFAULT_QUEUE), client.hlen(UNACKED_KEY)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_job_leaves_every_claim_with_its_suggestions_exactly_once(private_redis, start_worker):
    claim_ids = _claims_about(embedded_source_library(), count=45)
    batches = [claim_ids[start : start + 15] for start in range(0, len(claim_ids), 15)]

    first = start_worker(broker_url=private_redis.url, visibility_timeout=VISIBILITY_TIMEOUT_SECONDS)
    with celery_publishing_to(private_redis.url):
        for batch in batches:
            tasks.claims_process_new_task.delay(batch)

    # A job is half done when some claims of its batch have their suggestions and others not yet.
    def running_batch() -> list[int] | None:
        for batch in batches:
            if 0 < _suggested_count(batch) < len(batch):
                return batch
        return None

    interrupted = wait_for(running_batch, timeout=90, interval=0.01, what="a suggestion job to be running")
    first.kill_group()
    killed_at = time.monotonic()

    # Evidence that the kill landed mid-job: the batch is half done, and its message is still held
    # as delivered-but-unacknowledged while the two jobs behind it wait in the queue.
    done_before_kill = list(
        Claim.objects.filter(pk__in=interrupted, suggested_at__isnull=False).values_list("id", flat=True)
    )
    assert 0 < len(done_before_kill) < len(interrupted)
    assert _broker_backlog(private_redis) == (len(batches) - 1, 1)
    assert first.log().count("claims_process_new_task[") == 1

    # A replacement worker started after the visibility timeout takes the lost job back.
    time.sleep(max(0.0, VISIBILITY_TIMEOUT_SECONDS + 1 - (time.monotonic() - killed_at)))
    second = start_worker(broker_url=private_redis.url, visibility_timeout=VISIBILITY_TIMEOUT_SECONDS)
    wait_for(
        lambda: _suggested_count(claim_ids) == len(claim_ids),
        timeout=120,
        interval=0.5,
        what="every claim to be suggested after the restart",
        context=lambda: second.log()[-4000:],
    )
    wait_for(
        lambda: _broker_backlog(private_redis) == (0, 0),
        timeout=30,
        interval=0.2,
        what="every job to be acknowledged",
        context=lambda: second.log()[-4000:],
    )
    # The replacement received all three jobs: the two that waited, and the one taken back from the dead worker.
    assert second.log().count("claims_process_new_task[") == len(batches)

    after_fault = _suggestion_rows(claim_ids)
    assert len(after_fault) == len(set(after_fault)), "a suggestion was stored twice"
    # The claims finished before the kill were computed again by the redelivered job: upserted, not duplicated.
    rerun = Suggestion.objects.filter(claim_id__in=done_before_kill)
    assert rerun.exists() and all(row.updated_at > row.created_at for row in rerun)

    assert after_fault == _undisturbed_rows(batches)
    with_suggestions = Claim.objects.filter(pk__in=claim_ids).annotate(n=Count("suggestions")).filter(n__gt=0).count()
    assert with_suggestions >= len(claim_ids) * 0.8


ARTICLE = (
    "Former U.S. President Donald Trump called for immediate talks on Truth Social on Sunday. "
    "Emmanuel Macron has been president of France since May 14, 2017, and was re-elected in April 2022. "
    "Friedrich Merz travelled to Kyiv four days after taking office as chancellor of Germany."
)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_redis_down_an_ingest_is_kept_and_the_sweep_runs_its_jobs_once_redis_is_back(
    private_redis, start_worker, caplog
):
    embedded_source_library()
    editor = UserFactory(username="ingest_editor", roles=["editor"])
    reviewer = UserFactory(username="promoting_reviewer", roles=["reviewer"])
    candidate = ClaimFactory(
        text="Donald Tusk has been prime minister of Poland since December 13, 2023.", status=ClaimStatus.CANDIDATE
    )
    api = APIClient()
    api.force_authenticate(editor)
    private_redis.stop()

    with celery_publishing_to(private_redis.url), caplog.at_level(logging.WARNING):
        by_service = article_ingest(text=ARTICLE, published_at=dt.date(2025, 5, 12), user=editor)
        response = api.post(
            "/api/v1/articles/",
            {"text": ARTICLE.replace("Sunday", "Monday"), "published_at": "2025-05-12"},
            format="json",
        )
        # Promoting a candidate also queues its suggestions after commit.
        promoted = review.claim_promote(user=reviewer, claim_id=candidate.pk)

    # The broker being down loses nothing: both ingest doors stored the article (the API's waits
    # for its extraction job, which the sweep queues again), the promotion stands, and each missing
    # job was reported in the log rather than swallowed.
    assert by_service.created
    assert response.status_code == 202, response.content
    assert response.json()["extraction_status"] == "queued"
    assert promoted.status == ClaimStatus.NEW
    article_extract(article_id=response.json()["id"])
    articles = [by_service.article.pk, response.json()["id"]]
    queued = Claim.objects.filter(Q(article_id__in=articles) | Q(pk=candidate.pk), status=ClaimStatus.NEW)
    claim_ids = list(queued.values_list("id", flat=True))
    # The second article repeats most of the first's sentences: those are appearances, not claims.
    assert Article.objects.filter(pk__in=articles).count() == 2 and len(claim_ids) >= 4
    assert not queued.filter(suggested_at__isnull=False).exists()
    broker_warnings = [r for r in caplog.records if "Broker unavailable" in r.getMessage()]
    assert len(broker_warnings) == 3

    # The sweep only re-queues claims older than a normal job's delay; move their clock back
    # rather than wait two minutes.
    Claim.objects.filter(pk__in=claim_ids).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    private_redis.start()
    worker = start_worker(broker_url=private_redis.url)
    with celery_publishing_to(private_redis.url):
        tasks.claims_sweep_unprocessed_task.delay()
    wait_for(
        lambda: _suggested_count(claim_ids) == len(claim_ids),
        timeout=120,
        interval=0.5,
        what="the swept claims to be suggested",
    )
    wait_for(lambda: _broker_backlog(private_redis) == (0, 0), timeout=30, interval=0.2, what="an empty queue")

    assert similarity.claims_unprocessed_batches() == []
    assert worker.log().count("claims_sweep_unprocessed_task[") == 1
    assert worker.log().count("claims_process_new_task[") == 1
    swept_batch = sorted(claim_ids)
    after_fault = _suggestion_rows(claim_ids)
    assert after_fault and len(after_fault) == len(set(after_fault))
    assert after_fault == _undisturbed_rows([swept_batch])
    assert not Claim.objects.filter(pk__in=claim_ids, embedding__isnull=True).exists()
