"""Import other organisations' fact-checks: ClaimReview JSON-LD (a JSON document or fact-check
pages' HTML), Google Fact Check Tools API responses, or JSON Lines of records.

Fact-checks are upserted by URL (importing a feed again changes nothing), get a library entry that
the suggestion job matches, and are embedded by background jobs. Records that cannot be read are
refused one by one, with their line or item number; the rest are imported.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from claims.factchecks.parsing import FORMATS, ParsedRecord, parse_json_lines, parse_text
from claims.services.factchecks import factchecks_import


def _records(path: Path, format: str) -> Iterator[ParsedRecord]:
    if format == "jsonl" or (format == "auto" and path.suffix.lower() == ".jsonl"):
        # Streamed: a feed of hundreds of thousands of lines is never held whole.
        with path.open(encoding="utf-8") as handle:
            yield from parse_json_lines(handle)
        return
    yield from parse_text(path.read_text(encoding="utf-8"), format=format, name=path.name)


class Command(BaseCommand):
    help = "Import fact-checks (ClaimReview JSON-LD, Fact Check Tools API responses, JSON Lines)."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--format", default="auto", choices=FORMATS)
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        show_progress = options["verbosity"] > 0 and self.stderr.isatty()
        for path in options["files"]:
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        for path in options["files"]:
            records = tqdm(
                _records(path, options["format"]), desc=path.name, unit=" records", disable=not show_progress
            )
            try:
                report = factchecks_import(records=records, batch_size=options["batch_size"])
            except UnicodeDecodeError as error:
                raise CommandError(f"{path} is not UTF-8 text: {error}") from error
            for message in report.errors:
                self.stderr.write(f"{path.name}: {message}")
            if options["verbosity"] > 0:
                self.stdout.write(
                    f"{path.name}: {report.created} fact-checks added, {report.updated} updated, "
                    f"{report.unchanged} unchanged, {report.duplicates} repeated URLs skipped; "
                    f"{report.refused} records refused."
                )
