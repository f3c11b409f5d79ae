"""The source library: reference material that suggestions point into, chunked into passages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import transaction

from ..choices import SourceKind
from ..errors import InvalidInputError, NotFoundError
from ..models import Source, SourcePassage
from ..roles import User, require_editor
from ..similarity.passages import chunk_passages
from .jobs import job_queue_after_commit

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
        "url": url[:2000],
        "title": title[:500],
        "publisher": str(row.get("publisher") or "")[:200],
        "published_at": published,
        "kind": kind,
        "body": body,
    }


def _write(*, fields: dict[str, object], user: User | None) -> tuple[Source, bool, int]:
    """Create or update one source and replace its passages. Call inside a transaction."""
    source, created = Source.objects.update_or_create(
        url=fields["url"], defaults={**fields, **({"added_by": user} if user is not None else {})}
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
        if Source.objects.filter(url=fields["url"]).exclude(pk=source_id).exists():
            raise InvalidInputError("Another source has this URL.", url=str(fields["url"])[:200])
        old_text = _passage_text(source)
        for name, value in fields.items():
            setattr(source, name, value)
        # Saving moves updated_at, which tells the library's search caches that the library changed.
        source.save()
        if _passage_text(source) != old_text:
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
