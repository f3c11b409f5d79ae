"""Other organisations' fact-checks: importing them, and reading their ratings on the desk's scale.

Each fact-check has a library entry (a fact-check source whose one passage is its headline and
claim), so the suggestion job matches it like any passage, the old-verdict guard reads its date,
and accepting it cites it as evidence. Imports are idempotent by URL: importing the same feed again
changes nothing and re-embeds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from ..choices import SourceKind
from ..errors import InvalidInputError, NotFoundError
from ..factchecks.parsing import FactCheckRecord, ParsedRecord
from ..language import UNDETERMINED, detect_language
from ..models import MAX_URL_BYTES, ExternalFactCheck, Rating, RatingMapping, Source, SourcePassage, url_digest
from ..roles import User, require_editor
from ..similarity.text import build_document_text
from .jobs import job_queue_after_commit

MAX_REPORTED_ERRORS = 1000


@dataclass
class FactCheckImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Further records with a URL already read in this import (one fact-check attached to several
    # wordings of a claim): the first one is kept.
    duplicates: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def read(self) -> int:
        return self.created + self.updated + self.unchanged + self.duplicates + self.refused


def _fields(record: FactCheckRecord) -> dict[str, Any]:
    language = record.language or detect_language(record.claim_text).language
    return {
        "publisher": record.publisher,
        "publisher_site": record.publisher_site,
        "claim_text": record.claim_text,
        "claimant": record.claimant,
        "claim_date": record.claim_date,
        "title": record.title,
        "rating_text": record.rating_text,
        "rating_value": record.rating_value,
        "reviewed_at": record.reviewed_at,
        "language": language or UNDETERMINED,
        "raw": record.raw,
    }


def factcheck_document_text(factcheck: ExternalFactCheck) -> str:
    """What a fact-check is matched on: its headline and the claim, as for the benchmark's verified claims."""
    return build_document_text(claim=factcheck.claim_text, title=factcheck.title)


def _sync_source(factcheck: ExternalFactCheck) -> tuple[Source, bool]:
    """Create or refresh the fact-check's library entry. Returns it and whether its passage text
    changed (and so needs a vector). Call inside a transaction."""
    text = factcheck_document_text(factcheck)
    defaults = {
        "title": (factcheck.title or factcheck.claim_text)[:500],
        "publisher": (factcheck.publisher or factcheck.publisher_site)[:200],
        "published_at": factcheck.reviewed_at,
        "kind": SourceKind.FACT_CHECK,
        "body": text,
    }
    source = factcheck.source or Source.objects.filter(url_digest=url_digest(factcheck.url)).first()
    if source is None:
        source = Source.objects.create(url=factcheck.url, **defaults)
    else:
        changed = [name for name, value in defaults.items() if getattr(source, name) != value]
        if changed or source.retired_at is not None:
            for name, value in defaults.items():
                setattr(source, name, value)
            source.retired_at = None
            source.save()
    passages = list(source.passages.values_list("text", flat=True))
    if passages == [text]:
        return source, False
    # New rows (new ids, no vector yet): no passage ever keeps a vector of text it no longer holds.
    source.passages.all().delete()
    SourcePassage.objects.create(source=source, position=0, text=text, start=0, end=len(text))
    return source, True


def _write(record: FactCheckRecord) -> tuple[ExternalFactCheck, str, int | None]:
    """Upsert one fact-check by URL. Returns it, "created" / "updated" / "unchanged", and the id of
    its source when that needs embedding. Call inside a transaction."""
    fields = _fields(record)
    factcheck = ExternalFactCheck.objects.select_for_update().filter(url_digest=url_digest(record.url)).first()
    if factcheck is None:
        factcheck = ExternalFactCheck.objects.create(url=record.url, **fields)
        outcome = "created"
    elif all(getattr(factcheck, name) == value for name, value in fields.items()) and factcheck.source_id:
        outcome = "unchanged"
    else:
        for name, value in fields.items():
            setattr(factcheck, name, value)
        outcome = "updated"
    source, needs_vector = _sync_source(factcheck)
    if factcheck.source_id != source.pk or outcome == "updated":
        factcheck.source = source
        factcheck.save()
    return factcheck, outcome, source.pk if needs_vector else None


def factchecks_import(
    *, records: Iterable[ParsedRecord], user: User | None = None, batch_size: int = 500
) -> FactCheckImportReport:
    """Import fact-checks. Each batch commits on its own, so a refused record costs only itself; it is
    reported with where it was. ``user`` None means a trusted command-line import. The new and
    changed fact-checks are embedded by background jobs, and open claims re-matched once at the end."""
    if user is not None:
        require_editor(user)
    report = FactCheckImportReport()
    seen: set[str] = set()
    batch: list[FactCheckRecord] = []
    to_embed: list[int] = []

    def flush() -> None:
        with transaction.atomic():
            written = []
            for record in batch:
                _, outcome, source_id = _write(record)
                setattr(report, outcome, getattr(report, outcome) + 1)
                if source_id is not None:
                    written.append(source_id)
            if written:
                job_queue_after_commit("sources_embed_task", written, False, waiting=f"{len(written)} fact-checks")
            to_embed.extend(written)
        batch.clear()

    for parsed in records:
        if parsed.record is None:
            report.refused += 1
            if len(report.errors) < MAX_REPORTED_ERRORS:
                report.errors.append(f"{parsed.where}: {parsed.error}")
            continue
        if len(parsed.record.url.encode("utf-8", "surrogatepass")) > MAX_URL_BYTES:
            report.refused += 1
            if len(report.errors) < MAX_REPORTED_ERRORS:
                report.errors.append(f"{parsed.where}: the URL is over {MAX_URL_BYTES} bytes in UTF-8")
            continue
        if parsed.record.url in seen:
            report.duplicates += 1
            continue
        seen.add(parsed.record.url)
        batch.append(parsed.record)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    if to_embed:
        # One re-match of the open claims for the whole import, after its vectors exist.
        with transaction.atomic():
            job_queue_after_commit("sources_embed_task", to_embed[-1:], True, waiting="re-matching open claims")
    return report


def factcheck_for_source(*, source_id: int) -> ExternalFactCheck | None:
    return ExternalFactCheck.objects.filter(source_id=source_id).first()


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def rating_for_factcheck(*, factcheck: ExternalFactCheck) -> Rating | None:
    """The desk's rating for a fact-check's rating text, from the rating map: the publisher's own
    mapping first, then one for any publisher. None when nothing maps it (or the rating is inactive)."""
    wanted = _normalised(factcheck.rating_text)
    if not wanted:
        return None
    publishers = {_normalised(factcheck.publisher), _normalised(factcheck.publisher_site)} - {""}
    best: tuple[int, Rating] | None = None
    for mapping in RatingMapping.objects.select_related("rating").filter(rating__is_active=True):
        if _normalised(mapping.rating_text) != wanted:
            continue
        specificity = 1 if _normalised(mapping.publisher) in publishers else 0 if not mapping.publisher else -1
        if specificity >= 0 and (best is None or specificity > best[0]):
            best = (specificity, mapping.rating)
    return best[1] if best else None


def rating_mapping_save(
    *, user: User, rating_text: str, rating_id: int, publisher: str = "", mapping_id: int | None = None
) -> RatingMapping:
    """Add or change one line of the rating map (admins and editors)."""
    require_editor(user)
    rating_text = " ".join(rating_text.split())
    if not rating_text:
        raise InvalidInputError("A mapping needs the publisher's rating text.")
    rating = Rating.objects.filter(pk=rating_id).first()
    if rating is None:
        raise InvalidInputError("Unknown rating.", rating_id=rating_id)
    publisher = " ".join(publisher.split())
    with transaction.atomic():
        clash = RatingMapping.objects.filter(publisher__iexact=publisher, rating_text__iexact=rating_text)
        if mapping_id is not None:
            clash = clash.exclude(pk=mapping_id)
        if clash.exists():
            raise InvalidInputError("This publisher's rating text is mapped already.", rating_text=rating_text)
        if mapping_id is None:
            return RatingMapping.objects.create(publisher=publisher, rating_text=rating_text, rating=rating)
        mapping = RatingMapping.objects.select_for_update().filter(pk=mapping_id).first()
        if mapping is None:
            raise NotFoundError("Rating mapping not found.", mapping_id=mapping_id)
        mapping.publisher, mapping.rating_text, mapping.rating = publisher, rating_text, rating
        mapping.save()
        return mapping


def rating_mapping_delete(*, user: User, mapping_id: int) -> None:
    require_editor(user)
    deleted, _ = RatingMapping.objects.filter(pk=mapping_id).delete()
    if not deleted:
        raise NotFoundError("Rating mapping not found.", mapping_id=mapping_id)


def factcheck_delete(*, user: User, factcheck_id: int) -> None:
    """Remove an imported fact-check and its library entry (unless that entry is cited as evidence:
    then it stays, retired from matching, so the citation keeps working)."""
    require_editor(user)
    from django.utils import timezone

    with transaction.atomic():
        factcheck = ExternalFactCheck.objects.select_for_update().filter(pk=factcheck_id).first()
        if factcheck is None:
            raise NotFoundError("Fact-check not found.", factcheck_id=factcheck_id)
        source = factcheck.source
        factcheck.delete()
        if source is not None:
            if source.evidence.exists():
                source.passages.all().delete()
                source.retired_at = timezone.now()
                source.save(update_fields=["retired_at", "updated_at"])
            else:
                source.delete()


def factcheck_prefill(*, claim) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Where a draft verdict starts when the reviewer accepted another organisation's fact-check: the
    desk rating the rating map gives its rating text (none when unmapped), and an explanation citing it."""
    from ..choices import SuggestionState

    factcheck = (
        ExternalFactCheck.objects.filter(
            source__passages__suggestions__claim=claim,
            source__passages__suggestions__state__in=(SuggestionState.ACCEPTED, SuggestionState.AUTO_LINKED),
        )
        .order_by("-reviewed_at", "-id")
        .first()
    )
    if factcheck is None:
        return {}
    prefill: dict[str, object] = {"explanation": f"{factcheck.summary} ({factcheck.url})."}
    rating = rating_for_factcheck(factcheck=factcheck)
    if rating is not None:
        prefill["rating"] = rating
    return prefill


def factcheck_dates_for_passages(*, passage_ids: Iterable[int]) -> dict[int, Any]:
    """When each passage's fact-check was published, for the passages that are fact-checks of
    another organisation (the old-verdict guard reads it)."""
    return dict(
        SourcePassage.objects.filter(pk__in=list(passage_ids), source__external_factcheck__isnull=False).values_list(
            "id", "source__external_factcheck__reviewed_at"
        )
    )


def rating_map_load(*, rows: Iterable[Mapping[str, str]]) -> int:
    """Add the lines of a starting rating map that are not there yet (a trusted command-line load,
    as ``load_demo`` does); lines already present, even changed by an editor, are kept as they are.
    Lines naming a rating the desk does not have are skipped. Returns how many were added."""
    ratings = {rating.label: rating for rating in Rating.objects.all()}
    added = 0
    with transaction.atomic():
        for row in rows:
            rating = ratings.get(row["rating"])
            rating_text = " ".join(str(row["rating_text"]).split())
            if rating is None or not rating_text:
                continue
            _, created = RatingMapping.objects.get_or_create(
                publisher=str(row.get("publisher", "")).strip(), rating_text=rating_text, defaults={"rating": rating}
            )
            added += created
    return added
