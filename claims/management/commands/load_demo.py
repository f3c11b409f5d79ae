"""Loads the demo data: the seed article (through the real ingest pipeline), the source library in
fixtures/ when present, and one demo user per role. Safe to run again: nothing is duplicated, and
passwords are printed only when a user is created."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand

from claims.services.articles import article_ingest
from claims.services.factchecks import rating_map_load

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DEMO_USERS = [("reviewer", "reviewer"), ("reviewer2", "reviewer"), ("editor", "editor"), ("admin", "admin")]


class Command(BaseCommand):
    help = "Load the demo article, sources and users (idempotent)."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--with-checks",
            action="store_true",
            help="Also publish a few checks of the seed article (fixtures/demo_checks.json), for the public pages.",
        )

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        self._users()
        sources = FIXTURES / "sources.jsonl"
        if sources.exists():
            call_command("import_sources", str(sources), verbosity=0)
            self.stdout.write(f"Source library loaded from {sources.relative_to(settings.BASE_DIR)}.")
        rating_map = json.loads((FIXTURES / "rating_map.json").read_text(encoding="utf-8"))["mappings"]
        added = rating_map_load(rows=rating_map)
        self.stdout.write(f"Rating map: {added} of {len(rating_map)} lines added (editors change it in the admin).")
        meta = json.loads((FIXTURES / "seed_article.json").read_text())
        result = article_ingest(
            text=(FIXTURES / meta["file"]).read_text(encoding="utf-8"),
            title=meta["title"],
            outlet=meta["outlet"],
            author=meta["author"],
            published_at=dt.date.fromisoformat(meta["published_at"]),
            language=meta["language"],
        )
        article = result.article
        queued = article.claims.filter(status="new").count()
        verb = "Ingested" if result.created else "Already there:"
        self.stdout.write(f"{verb} “{article.title}” — {article.claims.count()} sentences, {queued} claims queued.")
        if options.get("with_checks"):
            from claims.services.demo_checks import demo_checks_publish

            User = get_user_model()
            published = demo_checks_publish(
                path=FIXTURES / "demo_checks.json",
                reviewer=User.objects.get(username="reviewer"),
                editor=User.objects.get(username="editor"),
            )
            self.stdout.write(f"Published {published} demo checks (see /checks/).")

    def _users(self) -> None:
        User = get_user_model()
        created = []
        for username, role in DEMO_USERS:
            if User.objects.filter(username=username).exists():
                continue
            password = secrets.token_urlsafe(9)
            user = User.objects.create_user(
                username=username, password=password, is_staff=True, is_superuser=(role == "admin")
            )
            user.groups.add(Group.objects.get(name=role))
            created.append((username, role, password))
        if created:
            self.stdout.write(self.style.WARNING("Demo users (passwords are shown only this once):"))
            for username, role, password in created:
                self.stdout.write(f"  {username:<10} {role:<9} {password}")
