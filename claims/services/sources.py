"""The source library: reference material that suggestions point into, chunked into passages."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from ..choices import SourceKind
from ..errors import InvalidInputError, NotFoundError
from ..models import MAX_URL_BYTES, MAX_URL_CHARS, Source, SourcePassage, Verdict, url_digest
from ..roles import User, require_editor, require_reviewer
from ..similarity.passages import chunk_passages
from .jobs import job_queue_after_commit

logger = logging.getLogger(__name__)

MAX_SOURCE_BODY_CHARS = 2_000_000


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    passages: int = 0
    errors: list[str] = field(default_factory=list)


def _clean(row: Mapping[str, object]) -> dict[str, object]:
    url = str(row.get("url") or "").strip()
    title = str(row.get("title") or "").strip()
    if not url.startswith(("http://", "https://")):
        raise InvalidInputError("A source needs an http(s) URL.", url=url[:200])
    if len(url.encode("utf-8", "surrogatepass")) > MAX_URL_BYTES:
        raise InvalidInputError(f"A source URL is limited to {MAX_URL_BYTES} bytes in UTF-8.", url=url[:200])
    if not title:
        raise InvalidInputError("A source needs a title.", url=url[:200])
    kind = str(row.get("kind") or SourceKind.NEWS_REPORT)
    if kind not in SourceKind.values:
        raise InvalidInputError(f"Kind must be one of: {', '.join(SourceKind.values)}.", kind=kind)
    body = str(row.get("body") or "")
    if len(body) > MAX_SOURCE_BODY_CHARS:
        raise InvalidInputError(f"A source body is limited to {MAX_SOURCE_BODY_CHARS} characters.")
    published = row.get("published_at") or None
    if isinstance(published, str):
        try:
            published = dt.date.fromisoformat(published[:10])
        except ValueError:
            raise InvalidInputError("published_at must be a date (YYYY-MM-DD).", published_at=published) from None
    return {
        "url": url[:MAX_URL_CHARS],
        "title": title[:500],
        "publisher": str(row.get("publisher") or "")[:200],
        "published_at": published,
        "kind": kind,
        "body": body,
    }


def _write(*, fields: dict[str, object], user: User | None) -> tuple[Source, bool, int]:
    """Create or update one source and replace its passages. Call inside a transaction."""
    # Adding or importing a retired source again brings it back into the library.
    source, created = Source.objects.update_or_create(
        url_digest=url_digest(str(fields["url"])),
        defaults={**fields, "retired_at": None, **({"added_by": user} if user is not None else {})},
    )
    return source, created, _replace_passages(source)


def _passage_text(source: Source) -> str:
    """What a source's passages are cut from: its body, or its title when it has none."""
    return source.body or source.title


def _replace_passages(source: Source) -> int:
    """Cut the source into new passages (new ids, no vectors yet). Call inside a transaction.

    The old rows go with their vectors, so no passage keeps a vector of text it no longer holds;
    suggestions pointing at them go too, and evidence keeps its excerpt."""
    source.passages.all().delete()
    passages = SourcePassage.objects.bulk_create(
        [
            SourcePassage(source=source, position=position, text=passage.text, start=passage.start, end=passage.end)
            for position, passage in enumerate(chunk_passages(_passage_text(source)))
        ]
    )
    return len(passages)


def _queue_embedding(source_ids: list[int], *, rematch: bool) -> None:
    """Embed the sources' passages after commit (the sweep job embeds passages whose job was lost),
    then, with ``rematch``, match the open claims against the library again."""
    job_queue_after_commit("sources_embed_task", source_ids, rematch, waiting=f"{len(source_ids)} sources")


def source_create(*, user: User, **row: object) -> Source:
    """Add (or refresh, by URL) one source. Its passages are embedded by a background job after commit."""
    require_editor(user)
    fields = _clean(row)
    with transaction.atomic():
        source, _, _ = _write(fields=fields, user=user)
        _queue_embedding([source.pk], rematch=True)
    return source


def source_update(*, user: User, source_id: int, **row: object) -> Source:
    """Change a source. When the text its passages are cut from changed, it is cut again and the new
    passages are embedded (and open claims re-matched) by a background job after commit."""
    require_editor(user)
    fields = _clean(row)
    with transaction.atomic():
        source = Source.objects.select_for_update().filter(pk=source_id).first()
        if source is None:
            raise NotFoundError("Source not found.", source_id=source_id)
        if Source.objects.filter(url_digest=url_digest(str(fields["url"]))).exclude(pk=source_id).exists():
            raise InvalidInputError("Another source has this URL.", url=str(fields["url"])[:200])
        old_text = _passage_text(source)
        for name, value in fields.items():
            setattr(source, name, value)
        # Saving moves updated_at, which tells the library's search caches that the library changed.
        source.save()
        # A retired source stays retired, without passages.
        if source.retired_at is None and _passage_text(source) != old_text:
            _replace_passages(source)
            _queue_embedding([source.pk], rematch=True)
    return source


def source_delete(*, user: User, source_id: int) -> None:
    """Remove a source and its passages (and the suggestions that point at them). A source cited as
    evidence stays: remove the evidence first."""
    require_editor(user)
    with transaction.atomic():
        source = Source.objects.select_for_update().filter(pk=source_id).first()
        if source is None:
            raise NotFoundError("Source not found.", source_id=source_id)
        if source.evidence.exists():
            raise InvalidInputError(
                "This source is cited as evidence; remove that evidence first.", source_id=source_id
            )
        source.delete()


def sources_import(
    *, rows: Iterable[Mapping[str, object]], user: User | None = None, batch_size: int = 200
) -> ImportReport:
    """Import many sources. Each batch commits on its own so a bad row costs only itself; rows with
    errors are reported by line number and skipped. ``user`` None means a trusted command-line import."""
    if user is not None:
        require_editor(user)
    report = ImportReport()
    batch: list[tuple[int, dict[str, object]]] = []

    def flush(*, last: bool) -> None:
        with transaction.atomic():
            written = []
            for _, fields in batch:
                source, created, passages = _write(fields=fields, user=user)
                report.created += created
                report.updated += not created
                report.passages += passages
                written.append(source.pk)
            # Open claims are re-matched once, after the last batch, not once per batch.
            _queue_embedding(written, rematch=last)
        batch.clear()

    for line_number, row in enumerate(rows, start=1):
        try:
            batch.append((line_number, _clean(row)))
        except InvalidInputError as error:
            report.errors.append(f"row {line_number}: {error.message}")
        if len(batch) >= batch_size:
            flush(last=False)
    if batch or report.created or report.updated:
        flush(last=True)
    return report


def source_for_earlier_verdict(*, verdict: Verdict) -> Source:
    """The library entry that lets a published verdict be cited as evidence: a fact-check by this desk,
    at the verdict's public address. It has no passages, so it is never suggested as a passage
    itself; the earlier claim is matched as a claim. Call inside a transaction."""
    from django.conf import settings

    from .exports import claim_public_url

    url = claim_public_url(claim_id=verdict.claim_id, text=verdict.claim.text)
    source, _ = Source.objects.get_or_create(
        url_digest=url_digest(url[:MAX_URL_CHARS]),
        defaults={
            "url": url[:MAX_URL_CHARS],
            "title": f"Earlier verdict: {verdict.rating} — {verdict.claim.text}"[:500],
            "publisher": settings.DESK_NAME[:200],
            "kind": SourceKind.FACT_CHECK,
            "published_at": verdict.published_at.date() if verdict.published_at else None,
            "body": verdict.explanation,
        },
    )
    return source


def source_add_by_reviewer(
    *, user: User, url: str, title: str = "", body: str = "", kind: str = SourceKind.NEWS_REPORT
) -> Source:
    """A reviewer adds a source while working on a claim: by its URL (the page is fetched, through the
    guarded fetch, by a background job, then chunked and embedded) or with its text pasted. A URL
    already in the library gives back that source unchanged: only editors edit the library."""
    require_reviewer(user)
    url = url.strip()
    existing = Source.objects.filter(url_digest=url_digest(url)).first()
    if existing is not None:
        return existing
    if body.strip():
        fields = _clean({"url": url, "title": title or url, "body": body, "kind": kind})
        with transaction.atomic():
            source, _, _ = _write(fields=fields, user=user)
            _queue_embedding([source.pk], rematch=True)
        return source
    fields = _clean({"url": url, "title": title or url, "kind": kind})
    with transaction.atomic():
        source = Source.objects.create(**fields, added_by=user)
        _queue_fetch(source.pk)
    return source


def _queue_fetch(source_id: int) -> None:
    job_queue_after_commit("source_fetch_task", source_id, waiting=f"source {source_id} to be fetched")


def source_fetch(*, source_id: int) -> Source | None:
    """Fetch a source's page, keep its main text (and its headline when the title was only the URL),
    and replace its passages; the embedding job follows. A page that cannot be fetched leaves the
    source as it was (its title and URL still cite it) and is logged."""
    from django.conf import settings

    from ..extraction import errors as extraction_errors
    from ..extraction.fetch import fetch_url
    from ..extraction.html import html_title, html_to_text

    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        return None
    try:
        document = fetch_url(
            source.url,
            timeout=settings.INGEST_FETCH_TIMEOUT_SECONDS,
            max_bytes=settings.INGEST_MAX_BYTES,
            allowed_private_hosts=frozenset(settings.INGEST_FETCH_ALLOWED_PRIVATE_HOSTS),
        )
        text = html_to_text(document.html) if document.html is not None else document.text
        headline = html_title(document.html) if document.html is not None else ""
    except extraction_errors.ExtractionError as error:
        logger.warning("Source %d (%s) could not be fetched: %s", source_id, source.url, error)
        return source
    with transaction.atomic():
        source = Source.objects.select_for_update().get(pk=source_id)
        fields: dict[str, object] = {
            "url": source.url,
            "title": headline[:500] if headline and source.title == source.url else source.title,
            "publisher": source.publisher,
            "published_at": source.published_at,
            "kind": source.kind,
            "body": text[:MAX_SOURCE_BODY_CHARS],
        }
        source, _, _ = _write(fields=fields, user=None)
        _queue_embedding([source.pk], rematch=True)
    return source


def source_retire(*, user: User, source_id: int, retire: bool = True) -> Source:
    """Take a source out of the library's search and suggestions (its passages go; evidence citing it
    stays), or put it back (passages cut again and embedded)."""
    require_editor(user)
    with transaction.atomic():
        source = Source.objects.select_for_update().filter(pk=source_id).first()
        if source is None:
            raise NotFoundError("Source not found.", source_id=source_id)
        if retire and source.retired_at is None:
            source.retired_at = timezone.now()
            source.save(update_fields=["retired_at", "updated_at"])
            source.passages.all().delete()
        elif not retire and source.retired_at is not None:
            source.retired_at = None
            source.save(update_fields=["retired_at", "updated_at"])
            _replace_passages(source)
            _queue_embedding([source.pk], rematch=True)
    return source
