"""Celery tasks: thin wrappers that take ids, look the object up, and call one service.

They are idempotent (upserts keyed on claim + target + model version), so a retry, or a
redelivery after a worker died mid-job (acks_late), is harmless. Only transient failures, a
dropped database or broker connection or two suggestion jobs inserting the same row at once,
are retried, with exponential backoff.
"""

from __future__ import annotations

from celery import shared_task
from django.db import IntegrityError, InterfaceError, OperationalError

from .services import review as review_services
from .services.jobs import job_queue_after_commit

TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
RETRY = {"autoretry_for": TRANSIENT_ERRORS, "retry_backoff": True, "retry_backoff_max": 300, "max_retries": 5}
# Two jobs suggesting for the same claim at once (an article's job next to the re-match a new source
# starts) may both insert the same suggestion, and the unique constraint refuses the second. Run
# again, the job finds that row and updates it; without the retry the rest of its batch is dropped.
SUGGESTION_RETRY = {**RETRY, "autoretry_for": (*TRANSIENT_ERRORS, IntegrityError)}


@shared_task(**RETRY)
def article_extract_task(article_id: int) -> str:
    """Extract a stored article's claims. A redelivered job finds the extraction done and returns."""
    from .models import Article
    from .services import articles as article_services

    try:
        return article_services.article_extract(article_id=article_id).extraction_status
    except Article.DoesNotExist:
        return "gone"


@shared_task(**RETRY)
def article_extract_chunk_task(article_id: int, attempt: int, index: int) -> str:
    """Extract one chunk of a long article; the job that finishes the last one stores its claims."""
    from .models import Article
    from .services import articles as article_services

    try:
        return article_services.article_extract_chunk(
            article_id=article_id, attempt=attempt, index=index
        ).extraction_status
    except Article.DoesNotExist:
        return "gone"


@shared_task
def leases_release_expired_task() -> int:
    return review_services.leases_release_expired()


@shared_task
def queue_reprioritise_task() -> int:
    return review_services.queue_reprioritise()


@shared_task(**RETRY)
def claims_reprioritise_task(claim_ids: list[int]) -> int:
    """Claims seen again in a new article: their count of appearances moves them up the queue."""
    return review_services.queue_reprioritise(claim_ids=claim_ids)


@shared_task(**SUGGESTION_RETRY)
def claims_process_new_task(claim_ids: list[int]) -> int:
    """Embed a batch of new claims and compute their suggestions: one job per article, not per claim."""
    from .services import similarity as similarity_services

    return similarity_services.claims_process_new(claim_ids=claim_ids)


@shared_task(**SUGGESTION_RETRY)
def claim_suggest_task(claim_id: int) -> int:
    from .services import similarity as similarity_services

    return similarity_services.claim_suggest(claim_id=claim_id)


@shared_task(**RETRY)
def sources_embed_task(source_ids: list[int], rematch: bool = True) -> int:
    """Embed new sources' passages, then re-match open claims against the library, one job per batch of claims."""
    from .models import SourcePassage
    from .services import multilingual as multilingual_services
    from .services import similarity as similarity_services

    passage_ids = list(SourcePassage.objects.filter(source_id__in=source_ids).values_list("id", flat=True))
    embedded = similarity_services.passages_embed(passage_ids=passage_ids)
    multilingual_services.passages_embed_multilingual(passage_ids=passage_ids)
    if rematch:
        for batch in similarity_services.open_claim_batches():
            job_queue_after_commit("claims_rematch_task", batch, waiting=f"{len(batch)} open claims")
    return embedded


@shared_task(**RETRY)
def source_fetch_task(source_id: int) -> int:
    """Fetch the page of a source a reviewer added by URL; its passages are embedded by the next job."""
    from .services import sources as source_services

    source = source_services.source_fetch(source_id=source_id)
    return 0 if source is None else source.passages.count()


@shared_task(**SUGGESTION_RETRY)
def claims_rematch_task(claim_ids: list[int]) -> int:
    from .services import similarity as similarity_services

    return sum(similarity_services.claim_suggest(claim_id=claim_id) for claim_id in claim_ids)


@shared_task
def claims_sweep_unprocessed_task() -> int:
    """Re-queue what a lost job left undone (e.g. the broker was down when an article or source was
    stored, or the encoder changed): articles' extractions; passages before claims, so the claims'
    suggestions can find them. Idempotent like the jobs it queues."""
    from .services import articles as article_services
    from .services import multilingual as multilingual_services
    from .services import similarity as similarity_services

    for article_id in article_services.articles_awaiting_extraction():
        job_queue_after_commit("article_extract_task", article_id, waiting=f"article {article_id}")
    source_ids = sorted(
        set(similarity_services.sources_with_unembedded_passages())
        | set(multilingual_services.sources_without_multilingual_vectors())
    )
    if source_ids:
        job_queue_after_commit("sources_embed_task", source_ids, True, waiting=f"{len(source_ids)} sources")
    batches = similarity_services.claims_unprocessed_batches()
    for batch in batches:
        job_queue_after_commit("claims_process_new_task", batch, waiting=f"{len(batch)} claims")
    return sum(len(batch) for batch in batches)


@shared_task
def idempotency_records_purge_task() -> int:
    """Idempotency keys only need to outlive a client's retries; a day is plenty."""
    import datetime as dt

    from .services.idempotency import idempotency_records_purge

    return idempotency_records_purge(older_than=dt.timedelta(days=1))


# Webhook deliveries keep their own schedule of attempts (claims.services.webhooks): a failed
# attempt is recorded with its next try, which the beat job below picks up; Celery never retries them.
@shared_task
def webhook_delivery_send_task(delivery_id: int) -> bool:
    from .services import webhooks as webhook_services

    return webhook_services.webhook_delivery_send(delivery_id=delivery_id) is not None


@shared_task
def webhook_deliveries_send_due_task() -> int:
    from .services import webhooks as webhook_services

    return webhook_services.webhook_deliveries_send_due()
