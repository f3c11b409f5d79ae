"""Write every published verdict as ClaimReview JSON-LD, CSV or JSON Lines, streamed to a file or stdout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_date, parse_datetime

from ...errors import WorkbenchError
from ...services.exports import EXPORT_FORMATS, claims_export


def _instant(value: str) -> dt.datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"--since must be an ISO 8601 date or date-time, not {value!r}.")
        parsed = dt.datetime(day.year, day.month, day.day)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


class Command(BaseCommand):
    help = "Export published verdicts (only those) as ClaimReview JSON-LD, CSV or JSON Lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", dest="export_format", choices=EXPORT_FORMATS, required=True)
        parser.add_argument("--since", help="Only claims changed after this ISO 8601 instant (UTC if no offset).")
        parser.add_argument("--output", type=Path, help="File to write; standard output when omitted.")

    def handle(self, *args: Any, **options: Any) -> None:
        since = _instant(options["since"]) if options["since"] else None
        try:
            export = claims_export(export_format=options["export_format"], since=since)
            if options["output"] is None:
                for chunk in export.chunks:
                    self.stdout.write(chunk, ending="")
                self.stdout.flush()
                return
            output: Path = options["output"]
            # Write next to the target and rename at the end, so a failed export never leaves half a file.
            partial = output.with_name(output.name + ".partial")
            with partial.open("w", encoding="utf-8", newline="") as handle:
                for chunk in export.chunks:
                    handle.write(chunk)
            partial.replace(output)
        except WorkbenchError as error:
            raise CommandError(error.message) from error
        self.stderr.write(f"Wrote {output}")
