"""Ingest: every door (text, HTML, URL, bulk, API) comes through article_ingest."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from ..checks import CheckFinding
from ..choices import EXTRACTION_UNFINISHED, ClaimStatus, ExtractionStatus
from ..errors import ArticleStateError, DocumentTooLargeError, InvalidInputError, NotFoundError
from ..extraction import errors as extraction_errors
from ..extraction.fetch import fetch_url
from ..extraction.html import html_title, html_to_text
from ..extraction.pipeline import FINDING_PRIORITY_BOOST, CandidateClaim, extract_claims
from ..extraction.text import content_hash, decode_and_normalise
from ..extraction.timing import StageSeconds, timed
from ..language import detect_language
from ..models import MAX_URL_BYTES, MAX_URL_CHARS, Article, Claim, url_digest
from ..roles import User, require_reviewer
from ..similarity.embedder import get_embedder
from . import extraction_chunks as chunks
from .appearances import Grouping, appearances_group, appearances_lock_and_recheck, appearances_record
from .copy_rows import rows_copy_create_with_history
from .findings import check_sentences, findings_store_for_new_claims
from .jobs import job_queue_after_commit
from .webhooks import article_event_data, webhook_event_emit

logger = logging.getLogger(__name__)

# New claims per embedding and suggestion job.
SUGGESTION_BATCH = 200
MAX_METADATA_CHARS = {"title": 500, "outlet": 200, "author": 300, "language": 16}


@dataclass(frozen=True)
class IngestResult:
    article: Article
    created: bool


def _as_input_error(error: extraction_errors.ExtractionError) -> InvalidInputError:
    if isinstance(error, extraction_errors.DocumentTooLargeError):
        return DocumentTooLargeError(str(error), max_bytes=settings.INGEST_MAX_BYTES)
    return InvalidInputError(str(error))


def _check_article_url(url: str) -> None:
    """The stored URL is shown as a link to reviewers: only a web address may become one."""
    if len(url) > MAX_URL_CHARS:
        raise InvalidInputError(f"url is limited to {MAX_URL_CHARS} characters.", field="url")
    if len(url.encode("utf-8", "surrogatepass")) > MAX_URL_BYTES:
        raise InvalidInputError(
            f"url is limited to {MAX_URL_BYTES} bytes in UTF-8 (non-Latin letters take 2 to 4 bytes each).",
            field="url",
        )
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        raise InvalidInputError("url is not a valid URL.", field="url") from None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise InvalidInputError("url must be an http or https address.", field="url")


def _published_datetime(value: dt.date | dt.datetime | None) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day, 12, 0, tzinfo=dt.UTC)


def published_at_check(value: dt.date | dt.datetime | None) -> None:
    """A publication date inside the window the desk accepts. The queue ranks by recency: an
    article dated in the year 9999 would stay on top for ever, and checks that read the article's
    year ("Thursday, May 15") would reason about the wrong one."""
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    earliest = settings.PUBLISHED_AT_EARLIEST
    latest = (timezone.now() + settings.PUBLISHED_AT_FUTURE_TOLERANCE).date()
    if day < earliest or day > latest:
        raise InvalidInputError(
            f"published_at must be between {earliest.isoformat()} and {latest.isoformat()} "
            "(an article cannot be published more than a day from now).",
            field="published_at",
        )


def article_ingest(
    *,
    text: str | bytes | None = None,
    html: str | bytes | None = None,
    url: str | None = None,
    fetch: bool = False,
    title: str = "",
    outlet: str = "",
    author: str = "",
    published_at: dt.date | dt.datetime | None = None,
    language: str = "",
    user: User | None = None,
    background: bool = False,
) -> IngestResult:
    """Store an article and its claims, or return the article already stored under the same URL or
    content. Give the body as ``text`` or ``html``, or give ``url`` with ``fetch=True``.

    The article is stored at once. With ``background`` its claims are extracted by a job queued
    after commit (the article's ``extraction_status`` tells how far it has got); without, here and
    now (the command-line ingest, which prints the claims). A failed extraction leaves the article
    stored as failed, with the reason, for a retry.
    ``user`` None means a trusted command-line ingest; anyone else must be a reviewer or up.
    """
    if user is not None:
        require_reviewer(user)
    metadata = {"title": title, "outlet": outlet, "author": author, "language": language}
    for field, limit in MAX_METADATA_CHARS.items():
        if len(metadata[field]) > limit:
            raise InvalidInputError(f"{field} is limited to {limit} characters.", field=field)
    published_at_check(published_at)
    url = (url or "").strip() or None
    if url:
        _check_article_url(url)
        existing = Article.objects.filter(url_digest=url_digest(url)).first()
        if existing is not None:
            return IngestResult(article=existing, created=False)

    try:
        if fetch:
            if not url:
                raise InvalidInputError("A URL is needed to fetch an article.")
            document = fetch_url(
                url,
                timeout=settings.INGEST_FETCH_TIMEOUT_SECONDS,
                max_bytes=settings.INGEST_MAX_BYTES,
                allowed_private_hosts=frozenset(settings.INGEST_FETCH_ALLOWED_PRIVATE_HOSTS),
            )
            if document.html is not None:
                html = document.html
            else:
                text = document.text
        if html is not None:
            raw_html = decode_and_normalise(html, max_bytes=settings.INGEST_MAX_BYTES)
            body = html_to_text(raw_html)
            if not metadata["title"]:
                metadata["title"] = html_title(raw_html)[: MAX_METADATA_CHARS["title"]]
        elif text is not None:
            body = decode_and_normalise(text, max_bytes=settings.INGEST_MAX_BYTES)
        else:
            raise InvalidInputError("Give the article as text, HTML or a URL to fetch.")
    except extraction_errors.ExtractionError as error:
        raise _as_input_error(error) from error

    digest = content_hash(body)
    existing = Article.objects.filter(
        Q(content_hash=digest) | (Q(url_digest=url_digest(url)) if url else Q(pk__in=[]))
    ).first()
    if existing is not None:
        return IngestResult(article=existing, created=False)

    # No language given: detect it (the check-worthiness model reads English only).
    metadata["language"] = metadata["language"] or detect_language(body).language
    try:
        with transaction.atomic():
            article = Article.objects.create(
                url=url,
                body=body,
                content_hash=digest,
                published_at=_published_datetime(published_at),
                ingested_by=user if user is not None and user.is_authenticated else None,
                extraction_status=ExtractionStatus.QUEUED,
                **metadata,
            )
            if background:
                job_queue_after_commit("article_extract_task", article.pk, thread=True, waiting=f"article {article.pk}")
    except IntegrityError:
        # Another request stored the same article between our look-up and our insert.
        existing = Article.objects.filter(
            Q(content_hash=digest) | (Q(url_digest=url_digest(url)) if url else Q(pk__in=[]))
        ).first()
        if existing is None:
            raise
        return IngestResult(article=existing, created=False)
    if not background:
        article = article_extract(article_id=article.pk)
    return IngestResult(article=article, created=True)


class _ProgressWriter:
    """Writes an extraction's progress to its article, at most every PROGRESS_STEP percent: each write
    is its own small commit, outside any transaction, so the article's page sees it at once."""

    PROGRESS_STEP = 5

    def __init__(self, article_id: int, *, share: float = 1.0) -> None:
        self.article_id = article_id
        self.share = share
        self.written = 0

    def __call__(self, share: float) -> None:
        percent = min(99, int(share * self.share * 100))
        if percent - self.written >= self.PROGRESS_STEP:
            self.written = percent
            Article.objects.filter(pk=self.article_id, extraction_status=ExtractionStatus.EXTRACTING).update(
                extraction_progress=percent
            )


def _failure_reason(error: Exception) -> str:
    if isinstance(error, extraction_errors.ExtractionError | InvalidInputError):
        return str(error)
    return (
        f"The extraction stopped with an unexpected error ({type(error).__name__}); "
        "retry it, or report it if it fails again."
    )


def article_extract(*, article_id: int) -> Article:
    """Split, score and annotate a stored article and queue its claims. Idempotent: an article whose
    extraction is done (a redelivered or duplicated job) is returned as it is, and an article that is
    gone is ``Article.DoesNotExist``.

    The slow part runs outside any transaction; the claims are then written in one, under a lock on
    the article that is re-checked first, so two jobs for the same article never both write claims.
    A failure is recorded on the article with its reason (a reviewer can retry it) and re-raised.
    A long article (extraction_chunks) is handed to one job per chunk, and returned still extracting.
    """
    Article.objects.filter(pk=article_id, extraction_status__in=EXTRACTION_UNFINISHED).update(
        extraction_status=ExtractionStatus.EXTRACTING,
        extraction_progress=0,
        extraction_error="",
        extraction_started_at=timezone.now(),
        extraction_attempts=F("extraction_attempts") + 1,
    )
    article = Article.objects.get(pk=article_id)
    if article.extraction_status != ExtractionStatus.EXTRACTING:
        return article
    if chunks.is_long(article.body):
        count = len(chunks.chunk_bounds(article.body))
        for index in range(count):
            job_queue_after_commit(
                "article_extract_chunk_task",
                article.pk,
                article.extraction_attempts,
                index,
                waiting=f"chunk {index + 1} of {count} of article {article.pk}",
            )
        return article
    clock = _JobClock(article_id=article_id)
    with _failure_recorded(article_id):
        candidates = extract_claims(
            text=article.body,
            published_at=_published_day(article),
            language=article.language,
            progress=_ProgressWriter(article.pk, share=CANDIDATES_SHARE),
            stages=clock.stages,
        )
        article = _claims_store(article=article, candidates=candidates, stages=clock.stages)
    clock.log()
    return article


def article_extract_chunk(*, article_id: int, attempt: int, index: int) -> Article:
    """Extract one chunk of a long article (for its extraction attempt ``attempt``); the job that
    finishes the last chunk stores the article's claims. A job of an earlier attempt, or for an
    article no longer extracting, does nothing."""
    article = Article.objects.get(pk=article_id)
    if article.extraction_status != ExtractionStatus.EXTRACTING or article.extraction_attempts != attempt:
        return article
    bounds = chunks.chunk_bounds(article.body)
    clock = _JobClock(article_id=article_id, chunk=index)
    with _failure_recorded(article_id):
        start, end = bounds[index]
        result = chunks.chunk_extract(
            body=article.body,
            start=start,
            end=end,
            published_at=_published_day(article),
            language=article.language,
            stages=clock.stages,
        )
        done = chunks.chunk_save(
            article_id=article_id,
            attempt=attempt,
            index=index,
            chunks=len(bounds),
            result=result,
        )
        percent = int(100 * CANDIDATES_SHARE * done / len(bounds))
        # Chunks finish in any order: the bar only moves forward.
        Article.objects.filter(
            pk=article_id, extraction_status=ExtractionStatus.EXTRACTING, extraction_progress__lt=percent
        ).update(extraction_progress=percent)
        if done < len(bounds):
            clock.log()
            return article
        with timed(clock.stages, "load chunks"):
            joined = chunks.chunks_load(article_id=article_id, attempt=attempt, chunks=len(bounds))
        article = _claims_store(
            article=article,
            candidates=joined.candidates,
            vectors=joined.vectors,
            findings_by_candidate=joined.findings,
            stages=clock.stages,
        )
    chunks.chunks_forget(article_id=article_id, attempt=attempt)
    clock.log()
    return article


class _JobClock:
    """Wall and CPU time of one extraction job and its stages, logged as one JSON line
    ("extraction timings {...}") that bench_desk_day reads from the workers' log."""

    def __init__(self, *, article_id: int, chunk: int | None = None) -> None:
        self.article_id = article_id
        self.chunk = chunk
        self.started = time.time()
        self.cpu_started = time.process_time()
        self.stages: StageSeconds = {}

    def log(self) -> None:
        record = {
            "article": self.article_id,
            "chunk": self.chunk,
            "started": self.started,
            "ended": time.time(),
            "cpu": time.process_time() - self.cpu_started,
            "stages": {stage: round(seconds, 3) for stage, seconds in self.stages.items()},
        }
        logger.info("extraction timings %s", json.dumps(record))


# Share of the progress bar for finding the candidate sentences; grouping repeats, the checks and
# storing the claims take the rest.
CANDIDATES_SHARE = 0.85


@contextlib.contextmanager
def _failure_recorded(article_id: int) -> Iterator[None]:
    try:
        yield
    except Exception as error:
        logger.exception("Extraction of article %s failed", article_id)
        Article.objects.filter(pk=article_id).exclude(extraction_status=ExtractionStatus.DONE).update(
            extraction_status=ExtractionStatus.FAILED, extraction_error=_failure_reason(error)
        )
        raise


def _published_day(article: Article) -> dt.date | None:
    return article.published_at.date() if article.published_at else None


def _claims_store(
    *,
    article: Article,
    candidates: list[CandidateClaim],
    vectors: dict[int, np.ndarray] | None = None,
    findings_by_candidate: dict[int, list[CheckFinding]] | None = None,
    stages: StageSeconds | None = None,
) -> Article:
    """Group the candidates with the claims already at the desk, run the checks, and store the claims.
    ``vectors`` and ``findings_by_candidate`` (by candidate index; a candidate missing from the
    findings has none) are what the chunk jobs of a long article already made."""
    # Repeats are looked for before the lock (the encoder is slow), and word-for-word ones again
    # under it, so two articles carrying the same new quote at once still make one claim.
    with timed(stages, "group"):
        groupings = appearances_group(candidates=candidates, vectors=vectors, stages=stages)
    Article.objects.filter(
        pk=article.pk, extraction_status=ExtractionStatus.EXTRACTING, extraction_progress__lt=90
    ).update(extraction_progress=90)
    # The checks are pure: run here, before the lock that serialises storing claims across
    # workers, they hold no other article's extraction up.
    new = [index for index, grouping in enumerate(groupings) if grouping.is_new]
    if findings_by_candidate is not None:
        findings = {index: findings_by_candidate.get(index, []) for index in new}
    else:
        with timed(stages, "checks"):
            checked = check_sentences(
                body=article.body,
                sentences=[(groupings[index].candidate.text, groupings[index].candidate.start) for index in new],
                published_at=_published_day(article),
            )
        findings = dict(zip(new, checked, strict=True))
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        if article.extraction_status == ExtractionStatus.DONE or article.appearances.exists():
            return article
        with timed(stages, "store lock"):
            appearances_lock_and_recheck(groupings)
        with timed(stages, "store"):
            stored = _store_claims(article=article, groupings=groupings, findings=findings)
        article.extraction_status = ExtractionStatus.DONE
        article.extraction_progress = 100
        article.extraction_error = ""
        article.save(update_fields=["extraction_status", "extraction_progress", "extraction_error", "updated_at"])
    # The claims are in the queue now. Their vectors follow: written with them, each one's insertion
    # into the vector index (HNSW on PostgreSQL) held the article's claims out of the queue for most
    # of the time storing took (25 s of 29 for a 1 MiB digest). Until they are written, a new
    # article's near-duplicates of these claims are not found (word-for-word repeats still are), as
    # for an article whose extraction overlaps this one; a job lost before the end leaves claims
    # without vectors, which the sweep job embeds.
    with timed(stages, "vectors after queueing"):
        _claim_vectors_store(stored.vectors)
    # Embedding and suggestions; the sweep job re-queues claims whose job was lost. A long article
    # queues thousands of claims: in batches, a job stays well inside the time limit, and both
    # workers take them.
    for first in range(0, len(stored.queued_ids), SUGGESTION_BATCH):
        batch = stored.queued_ids[first : first + SUGGESTION_BATCH]
        job_queue_after_commit("claims_process_new_task", batch, waiting=f"{len(batch)} claims")
    return article


@dataclass(frozen=True)
class _StoredClaims:
    # Claims that entered the queue, for the suggestion jobs.
    queued_ids: list[int]
    # (claim id, vector) of each new claim embedded while looking for near-duplicates.
    vectors: list[tuple[int, np.ndarray]]


# Vectors written per transaction after the claims are queued.
_VECTOR_BATCH = 200


def _claim_vectors_store(vectors: list[tuple[int, np.ndarray]]) -> None:
    """Write the vectors the repeat search made for new claims, so the suggestion jobs need not embed
    them again. A claim that got a vector meanwhile (a reviewer's split, a sweep) keeps its own."""
    if not vectors:
        return
    model_version = get_embedder().model_version
    for first in range(0, len(vectors), _VECTOR_BATCH):
        with transaction.atomic():
            for claim_id, vector in vectors[first : first + _VECTOR_BATCH]:
                Claim.objects.filter(pk=claim_id, embedding__isnull=True).update(
                    embedding=vector, embedding_model=model_version
                )


def _store_claims(
    *, article: Article, groupings: list[Grouping], findings: dict[int, list[CheckFinding]]
) -> _StoredClaims:
    """Write an article's new claims with their findings (``findings``: the checks' results for each
    new sentence, by index) and every sentence's appearance. Call inside a transaction; the claims'
    vectors and the suggestion jobs follow after it (returned)."""
    new = [index for index, grouping in enumerate(groupings) if grouping.is_new]
    claims = rows_copy_create_with_history(
        [_new_claim(article, groupings[index]) for index in new],
        default_user=article.ingested_by,
        default_change_reason="extracted",
    )
    seen_again = appearances_record(
        groupings=groupings, claims_by_index=dict(zip(new, claims, strict=True)), article_id=article.pk
    )
    if seen_again:
        job_queue_after_commit("claims_reprioritise_task", seen_again, waiting=f"{len(seen_again)} repeated claims")
    # Stored with the claims, so findings exist whether or not a worker or the broker is up.
    flagged = findings_store_for_new_claims(
        results=[(claim, findings.get(index, [])) for index, claim in zip(new, claims, strict=True)]
    )
    # A machine-detected error is the cheapest check a reviewer can make and the likeliest
    # to be wrong: it goes to the top of the queue, and into it if it was below the threshold.
    Claim.objects.filter(pk__in=flagged).update(priority=F("priority") + FINDING_PRIORITY_BOOST, status=ClaimStatus.NEW)
    for claim in claims:
        if claim.pk in flagged:
            claim.status = ClaimStatus.NEW
    claim_ids = [claim.pk for claim in claims if claim.status == ClaimStatus.NEW]
    # Told once the claims exist, with the same commit.
    webhook_event_emit(event_type="article.ingested", data=article_event_data(article=article, claim_ids=claim_ids))
    vectors = [
        (claim.pk, vector)
        for index, claim in zip(new, claims, strict=True)
        if (vector := groupings[index].vector) is not None
    ]
    return _StoredClaims(queued_ids=claim_ids, vectors=vectors)


def articles_awaiting_extraction(*, older_than_seconds: int = 120) -> list[int]:
    """Articles whose extraction job seems lost: still waiting after a normal job's delay (the broker
    was down when they were stored), or extracting for longer than EXTRACTION_STALE_SECONDS."""
    now = timezone.now()
    return list(
        Article.objects.filter(
            Q(extraction_status=ExtractionStatus.QUEUED, created_at__lt=now - dt.timedelta(seconds=older_than_seconds))
            | Q(
                extraction_status=ExtractionStatus.EXTRACTING,
                extraction_started_at__lt=now - dt.timedelta(seconds=settings.EXTRACTION_STALE_SECONDS),
            )
        ).values_list("id", flat=True)[:1000]
    )


def _new_claim(article: Article, grouping: Grouping) -> Claim:
    candidate = grouping.candidate
    return Claim(
        article=article,
        text=candidate.text,
        start=candidate.start,
        end=candidate.end,
        speaker=candidate.speaker or "",
        claim_types=list(candidate.claim_types),
        entities=list(candidate.entities),
        dates=list(candidate.dates),
        checkworthiness=min(1.0, max(0.0, float(candidate.checkworthiness))),
        priority=float(candidate.priority),
        status=ClaimStatus.NEW if candidate.is_checkworthy else ClaimStatus.CANDIDATE,
        created_by=article.ingested_by,
        language=candidate.language,
        text_key=grouping.key,
    )


def article_extraction_retry(*, user: User, article_id: int) -> Article:
    """Queue a failed extraction again (or one whose job was lost: still waiting or extracting after
    EXTRACTION_STALE_SECONDS)."""
    require_reviewer(user)
    stale = timezone.now() - dt.timedelta(seconds=settings.EXTRACTION_STALE_SECONDS)
    with transaction.atomic():
        retried = (
            Article.objects.filter(pk=article_id)
            .filter(
                Q(extraction_status=ExtractionStatus.FAILED)
                | Q(extraction_status=ExtractionStatus.QUEUED, created_at__lt=stale)
                | Q(extraction_status=ExtractionStatus.EXTRACTING, extraction_started_at__lt=stale)
            )
            .update(extraction_status=ExtractionStatus.QUEUED, extraction_progress=0, extraction_started_at=None)
        )
        if not Article.objects.filter(pk=article_id).exists():
            raise NotFoundError("Article not found.", article_id=article_id)
        if not retried:
            raise ArticleStateError(
                "Only a failed extraction, or one stuck for a while, can be retried.", article_id=article_id
            )
        job_queue_after_commit("article_extract_task", article_id, thread=True, waiting=f"article {article_id}")
    return Article.objects.get(pk=article_id)
