"""Exports of published verdicts (ClaimReview JSON-LD, CSV, JSON Lines), streamed.

The API endpoint, the admin action and ``manage.py export_claims`` all come through ``claims_export``.
Memory stays flat whatever the number of claims: rows are read with ``.iterator(chunk_size=...)``,
evidence is prefetched per chunk, and the writers yield text as they go."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from types import ModuleType

from django.conf import settings
from django.db.models import Max, Min, Prefetch
from django.utils import timezone

from ..errors import InvalidInputError
from ..exports import claimreview, jsonl
from ..exports import csv as csv_writer
from ..exports.records import AppearanceRecord, Desk, EvidenceRecord, ExplainerRecord, PublishedClaimRecord
from ..models import Appearance, Claim, Evidence, Explainer, Rating
from ..selectors import claims_published

EXPORT_WRITERS: dict[str, ModuleType] = {"claimreview": claimreview, "csv": csv_writer, "jsonl": jsonl}
EXPORT_FORMATS = tuple(EXPORT_WRITERS)
DEFAULT_CHUNK_SIZE = 500
# Writers yield one small string per claim; sending each as its own HTTP chunk would cost more in
# syscalls than in data, so they are gathered into blocks of about this many characters.
STREAM_BLOCK_CHARS = 64 * 1024


@dataclass(frozen=True)
class ClaimExport:
    export_format: str
    content_type: str
    filename: str
    chunks: Iterator[str]


def desk_from_settings() -> Desk:
    scale = Rating.objects.filter(value__isnull=False).aggregate(best=Max("value"), worst=Min("value"))
    return Desk(
        name=settings.DESK_NAME,
        url=settings.DESK_URL,
        best_rating=scale["best"],
        worst_rating=scale["worst"],
    )


def claim_public_url(*, claim_id: int, text: str) -> str:
    """The claim's public page: DESK_CLAIM_URL_TEMPLATE when the desk publishes elsewhere, else the workbench's own."""
    if settings.DESK_CLAIM_URL_TEMPLATE:
        return settings.DESK_CLAIM_URL_TEMPLATE.format(id=claim_id)
    from ..public import public_check_url

    return public_check_url(claim_id=claim_id, text=text)


def _person(user: object | None) -> str:
    if user is None:
        return ""
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full_name or getattr(user, "username", "")


def published_claim_record(claim: Claim) -> PublishedClaimRecord:
    """Call with a claim from ``claims_published`` whose evidence (with sources) is prefetched."""
    verdict = claim.verdict
    article = claim.article
    if verdict.published_at is None:
        raise ValueError(f"claim {claim.pk} has no published verdict; pass claims from claims_published")
    return PublishedClaimRecord(
        claim_id=claim.pk,
        text=claim.text,
        claim_url=claim_public_url(claim_id=claim.pk, text=claim.text),
        speaker=claim.speaker,
        rating_label=verdict.rating.label,
        rating_alternate_name=verdict.rating.alternate_name,
        rating_value=verdict.rating.value,
        explanation=verdict.explanation,
        corrected_statement=verdict.corrected_statement,
        reviewer=_person(verdict.author),
        approver=_person(verdict.approver),
        drafted_at=verdict.created_at,
        approved_at=verdict.approved_at,
        published_at=verdict.published_at,
        updated_at=claim.updated_at,
        article_url=article.url if article else None,
        article_title=article.title if article else "",
        article_outlet=article.outlet if article else "",
        article_published_at=article.published_at if article else None,
        evidence=tuple(
            EvidenceRecord(
                source_url=item.source.url,
                source_title=item.source.title,
                stance=item.stance,
                excerpt=item.excerpt,
            )
            for item in claim.evidence.all()
        ),
        appearances=tuple(
            AppearanceRecord(
                url=seen.article.url if seen.article else None,
                title=seen.article.title if seen.article else "",
                outlet=seen.article.outlet if seen.article else "",
                published_at=seen.article.published_at if seen.article else None,
            )
            for seen in claim.appearances.all()
        ),
        explainers=explainer_records(claim),
    )


def explainer_records(claim: Claim) -> tuple[ExplainerRecord, ...]:
    """Call with the claim's explainers prefetched when there are many claims."""
    return tuple(
        ExplainerRecord(title=item.title, body=item.body, sources=tuple(item.sources))
        for item in claim.explainers.all()
    )


def published_claim_records(
    *,
    since: dt.datetime | None = None,
    claim_ids: Sequence[int] | None = None,
    published_from: dt.datetime | None = None,
    published_before: dt.datetime | None = None,
    rating_id: int | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Iterator[PublishedClaimRecord]:
    """Published claims, oldest change first, read ``chunk_size`` at a time."""
    claims = claims_published(since=since).defer("embedding", "article__body")
    if claim_ids is not None:
        claims = claims.filter(pk__in=list(claim_ids))
    if published_from is not None:
        claims = claims.filter(verdict__published_at__gte=published_from)
    if published_before is not None:
        claims = claims.filter(verdict__published_at__lt=published_before)
    if rating_id is not None:
        claims = claims.filter(verdict__rating_id=rating_id)
    claims = claims.prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.select_related("source").defer("source__body")),
        Prefetch("explainers", queryset=Explainer.objects.order_by("title", "id")),
        Prefetch(
            "appearances",
            queryset=Appearance.objects.select_related("article").defer("article__body").order_by("created_at", "id"),
        ),
    )
    # With a chunk size, Django runs the prefetch once per chunk instead of once for everything.
    for claim in claims.iterator(chunk_size=chunk_size):
        yield published_claim_record(claim)


def _blocks(pieces: Iterable[str], *, block_chars: int = STREAM_BLOCK_CHARS) -> Iterator[str]:
    pending: list[str] = []
    size = 0
    for piece in pieces:
        pending.append(piece)
        size += len(piece)
        if size >= block_chars:
            yield "".join(pending)
            pending, size = [], 0
    if pending:
        yield "".join(pending)


def claims_export(
    *,
    export_format: str,
    since: dt.datetime | None = None,
    claim_ids: Sequence[int] | None = None,
    published_from: dt.datetime | None = None,
    published_before: dt.datetime | None = None,
    rating_id: int | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> ClaimExport:
    """Everything published (changed after ``since``, or only ``claim_ids`` when given; published in
    [``published_from``, ``published_before``) and with one rating when given) in one format.
    Nothing is read until ``chunks`` is iterated, so the caller can hand it to a streaming response."""
    writer = EXPORT_WRITERS.get(export_format)
    if writer is None:
        raise InvalidInputError(
            f"Unknown export format; use one of: {', '.join(EXPORT_FORMATS)}.", export_format=export_format
        )
    if since is not None and timezone.is_naive(since):
        since = timezone.make_aware(since, dt.UTC)

    def chunks() -> Iterator[str]:
        desk = desk_from_settings()
        records = published_claim_records(
            since=since,
            claim_ids=claim_ids,
            published_from=published_from,
            published_before=published_before,
            rating_id=rating_id,
            chunk_size=chunk_size,
        )
        yield from _blocks(writer.write(records, desk=desk))

    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    return ClaimExport(
        export_format=export_format,
        content_type=writer.CONTENT_TYPE,
        filename=f"claims-{stamp}.{writer.FILE_EXTENSION}",
        chunks=chunks(),
    )
