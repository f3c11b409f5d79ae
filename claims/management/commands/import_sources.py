"""Import reference material into the source library from JSON Lines or CSV.

Each row: url, title, publisher, published_at (YYYY-MM-DD), kind, body. Sources are upserted by
URL, chunked into passages, and embedded by background jobs in batches.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from claims.jsonl import read_json_lines
from claims.services.sources import sources_import


def _rows(path: Path, errors: list[str]) -> Iterator[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        if path.suffix.lower() == ".csv":
            yield from csv.DictReader(handle)
            return
        for line in read_json_lines(handle):
            if line.error:
                errors.append(f"line {line.number}: {line.error}")
            else:
                yield line.row


class Command(BaseCommand):
    help = "Import sources (JSON Lines or CSV) into the library."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("file", type=Path)
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        parse_errors: list[str] = []
        show_progress = options["verbosity"] > 0 and self.stderr.isatty()
        rows = tqdm(_rows(path, parse_errors), desc="sources", unit=" rows", disable=not show_progress)
        try:
            report = sources_import(rows=rows, batch_size=options["batch_size"])
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text: {error}") from error
        for message in parse_errors + report.errors:
            self.stderr.write(message)
        if options["verbosity"] > 0:
            self.stdout.write(
                f"{report.created} sources added, {report.updated} updated, {report.passages} passages; "
                f"{len(parse_errors) + len(report.errors)} rows skipped."
            )
