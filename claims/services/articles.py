"""Ingest: every door (text, HTML, URL, bulk, API) comes through article_ingest."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from ..choices import ClaimStatus, ExtractionStatus
from ..errors import DocumentTooLargeError, InvalidInputError
from ..extraction import errors as extraction_errors
from ..extraction.fetch import fetch_url
from ..extraction.html import html_title, html_to_text
from ..extraction.pipeline import FINDING_PRIORITY_BOOST, extract_claims
from ..extraction.text import content_hash, decode_and_normalise
from ..language import detect_language
from ..models import MAX_URL_BYTES, MAX_URL_CHARS, Article, Claim, url_digest
from ..roles import User, require_reviewer
from .findings import findings_run_for_claim
from .jobs import job_queue_after_commit
from .webhooks import article_event_data, webhook_event_emit

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
) -> IngestResult:
    """Store an article and its claims, or return the article already stored under the same URL or
    content. Give the body as ``text`` or ``html``, or give ``url`` with ``fetch=True``.

    Extraction (the slow part) runs before the transaction; the article, its claims and their
    follow-up jobs are then written together, so a failure leaves nothing half-saved.
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

    published = _published_datetime(published_at)
    # No language given: detect it (the check-worthiness model reads English only).
    metadata["language"] = metadata["language"] or detect_language(body).language
    candidates = extract_claims(
        text=body, published_at=published.date() if published else None, language=metadata["language"]
    )

    try:
        with transaction.atomic():
            article = Article.objects.create(
                url=url,
                body=body,
                content_hash=digest,
                published_at=published,
                ingested_by=user if user is not None and user.is_authenticated else None,
                extraction_status=ExtractionStatus.DONE,
                **metadata,
            )
            claims = bulk_create_with_history(
                [
                    Claim(
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
                    )
                    for candidate in candidates
                ],
                Claim,
                default_user=article.ingested_by,
                default_change_reason="extracted",
            )
            # The checks are pure and cheap (the timeline check parses an article's few sentences
            # with an order phrase or a date once, for all its claims): running them here means
            # findings exist with the claims, whether or not a worker or the broker is up.
            flagged = [claim.pk for claim in claims if findings_run_for_claim(claim_id=claim.pk)]
            # A machine-detected error is the cheapest check a reviewer can make and the likeliest
            # to be wrong: it goes to the top of the queue, and into it if it was below the threshold.
            Claim.objects.filter(pk__in=flagged).update(
                priority=F("priority") + FINDING_PRIORITY_BOOST, status=ClaimStatus.NEW
            )
            for claim in claims:
                if claim.pk in flagged:
                    claim.status = ClaimStatus.NEW
            claim_ids = [claim.pk for claim in claims if claim.status == ClaimStatus.NEW]
            webhook_event_emit(
                event_type="article.ingested", data=article_event_data(article=article, claim_ids=claim_ids)
            )
            if claim_ids:
                # Embedding and suggestions; the sweep job re-queues claims whose job was lost.
                job_queue_after_commit("claims_process_new_task", claim_ids, waiting=f"{len(claim_ids)} claims")
    except IntegrityError:
        # Another request stored the same article between our look-up and our insert.
        existing = Article.objects.filter(
            Q(content_hash=digest) | (Q(url_digest=url_digest(url)) if url else Q(pk__in=[]))
        ).first()
        if existing is None:
            raise
        return IngestResult(article=existing, created=False)
    return IngestResult(article=article, created=True)
