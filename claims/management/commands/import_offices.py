"""Convert a Wikidata-style "position held" extract into office knowledge-base CSV files."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.checks.office_kb import OfficeKBError, load_office_kb, office_kb_paths, read_office_kb
from claims.checks.wikidata_import import ExtractError, convert_extract, read_extract_rows, write_kb_directory


class Command(BaseCommand):
    help = (
        "Convert a Wikidata-style extract (rows of person, aliases, position, start and end time) into "
        "knowledge-base CSV files that CHECKS_OFFICE_KB_FILES can list."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="SPARQL JSON results, JSON list, JSON Lines or CSV.")
        parser.add_argument("--output", type=Path, required=True, help="Directory to write the CSV files into.")
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            default=None,
            help="Date the extract was taken (YYYY-MM-DD); offices count as verified up to it. Default: today.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = options["as_of"] or datetime.date.today()
        try:
            rows = read_extract_rows(options["file"])
            extract = convert_extract(rows, as_of=as_of, known=load_office_kb())
            written = write_kb_directory(extract, options["output"])
            # Read the result back so a desk learns now, not at check time, if it does not load.
            read_office_kb([*office_kb_paths(), options["output"]])
        except (OSError, ExtractError, OfficeKBError) as error:
            raise CommandError(str(error)) from error
        for problem in extract.skipped:
            self.stderr.write(f"skipped {problem}")
        self.stdout.write(
            f"{len(extract.people)} people, {len(extract.offices)} offices, {len(extract.terms)} terms "
            f"written to {', '.join(str(path) for path in written)}"
        )
