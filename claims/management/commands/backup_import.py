"""Restore a backup written by backup_export into an empty, migrated database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...services.backup import BackupError, backup_import


class Command(BaseCommand):
    help = "Restore a backup into an empty, migrated database, in one transaction."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The JSON Lines file backup_export wrote.")

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["file"]
        if not source.is_file():
            raise CommandError(f"No such file: {source}")
        try:
            with source.open("r", encoding="utf-8") as lines:
                report = backup_import(lines=lines)
        except BackupError as error:
            raise CommandError(f"Nothing was restored. {error.message}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"Nothing was restored. {source} is not UTF-8 text: {error}") from error
        summary = ", ".join(f"{count} {label}" for label, count in report.counts.items())
        self.stderr.write(
            f"Restored {source}: {summary} "
            f"({report.users_created} users created, {report.users_reused} matched by name)"
        )
