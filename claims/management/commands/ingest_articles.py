"""Ingest many articles from a JSON Lines file, one article per line, with a progress bar.

Each line is an object with the fields of the API's article ingest: the body as ``text`` or
``html``, or a ``url`` with ``"fetch": true``; optionally ``url``, ``title``, ``outlet``,
``author``, ``published_at`` (YYYY-MM-DD or ISO date-time) and ``language``. Every line is its own
ingest: a refused line is reported with its number and the others are stored. Articles already
stored (same URL or content) are counted, not duplicated. Claim jobs (embedding, suggestions) are
queued as for any ingest.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from tqdm import tqdm

from claims.api.inputs import ArticleIngestInput
from claims.choices import ClaimStatus, ExtractionStatus
from claims.errors import WorkbenchError
from claims.jsonl import JsonLine, read_json_lines
from claims.services.articles import article_ingest

logger = logging.getLogger(__name__)


@dataclass
class BulkReport:
    created: list[int] = field(default_factory=list)
    existing: list[int] = field(default_factory=list)
    queued_claims: int = 0
    # Articles handed to the workers, whose claims are not counted in queued_claims yet.
    extraction_queued: int = 0
    refused: list[dict] = field(default_factory=list)

    def refuse(self, line_number: int, message: str) -> None:
        self.refused.append({"line": line_number, "error": message})

    def as_dict(self) -> dict:
        return {
            "created": len(self.created),
            "existing": len(self.existing),
            "refused": len(self.refused),
            "queued_claims": self.queued_claims,
            "extraction_queued": self.extraction_queued,
            "article_ids": self.created + self.existing,
            "errors": self.refused,
        }


def _validation_message(errors: object) -> str:
    """DRF's nested error structure as one line: "published_at: Date has wrong format."."""
    if isinstance(errors, dict):
        parts = []
        for name, value in errors.items():
            message = _validation_message(value)
            parts.append(message if name == "non_field_errors" else f"{name}: {message}")
        return "; ".join(parts)
    if isinstance(errors, list):
        return " ".join(_validation_message(value) for value in errors)
    return str(errors)


def _lines(path: Path) -> Iterator[JsonLine]:
    # Read as bytes so that one line in a wrong encoding is refused on its own.
    with path.open("rb") as handle:
        yield from read_json_lines(handle)


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


class Command(BaseCommand):
    help = "Ingest articles from a JSON Lines file (one article object per line)."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        show_progress = options["verbosity"] > 0 and self.stderr.isatty()
        report = BulkReport()
        lines = tqdm(
            _lines(path),
            total=_count_lines(path) if show_progress else None,
            desc="articles",
            unit=" articles",
            disable=not show_progress,
        )
        for line in lines:
            if line.error:
                report.refuse(line.number, line.error)
            else:
                self._ingest_row(line.number, line.row, report)

        for refused in report.refused:
            self.stderr.write(f"line {refused['line']}: {refused['error']}")
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        elif options["verbosity"] > 0:
            self.stdout.write(
                f"{len(report.created)} articles stored, {len(report.existing)} already stored, "
                f"{report.queued_claims} claims queued, {report.extraction_queued} articles queued for extraction; "
                f"{len(report.refused)} lines refused."
            )
        if report.refused:
            raise CommandError(f"{len(report.refused)} of the lines in {path} were refused; the others were ingested.")

    def _ingest_row(self, line_number: int, row: dict, report: BulkReport) -> None:
        validator = ArticleIngestInput(data=row)
        if not validator.is_valid():
            report.refuse(line_number, _validation_message(validator.errors))
            return
        try:
            # With a broker the workers extract, several articles at once; without one the jobs would
            # run in this process anyway, so they run here, in order.
            result = article_ingest(background=not settings.CELERY_TASK_ALWAYS_EAGER, **validator.validated_data)
        except WorkbenchError as error:
            report.refuse(line_number, error.message)
            return
        except DatabaseError as error:
            # One line the database refuses (the service rolled its own transaction back) must not
            # cost the rest of the file; it is reported with its line number like any other refusal.
            logger.exception("Line %d of the bulk file could not be stored", line_number)
            report.refuse(line_number, f"The database refused this article: {str(error).splitlines()[0][:200]}")
            return
        if result.created:
            report.created.append(result.article.pk)
            if result.article.extraction_status == ExtractionStatus.DONE:
                report.queued_claims += result.article.claims.filter(status=ClaimStatus.NEW).count()
            else:
                report.extraction_queued += 1
        else:
            report.existing.append(result.article.pk)
