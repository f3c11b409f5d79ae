"""Write a backup of the desk's data (JSON Lines, streamed) to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ...services.backup import backup_export


class Command(BaseCommand):
    help = "Back up users referenced by the data, ratings, articles, claims, sources, verdicts, evidence and history."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The JSON Lines file to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        target: Path = options["file"]
        # Written next to the target and renamed at the end, so a failed run never leaves half a backup.
        partial = target.with_name(target.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8") as output:
                report = backup_export(output=output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(target)
        summary = ", ".join(f"{count} {label}" for label, count in report.counts.items())
        self.stderr.write(f"Wrote {target}: {summary}")
