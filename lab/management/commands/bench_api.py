"""Measure the API's claim list and the exports at scale, on a throwaway database.

The command creates a fresh test database next to the configured one (``test_<name>`` on
PostgreSQL, a file under var/ on SQLite), migrates it, fills it with published claims, measures,
and drops it again; the configured database is never touched. Times are server time: requests go
through Django's full middleware and DRF stack in-process, without a network in between.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from claims.choices import ClaimStatus, Role, SourceKind, Stance, TokenScope
from claims.models import Article, Claim, Evidence, Rating, Source, Verdict, url_digest
from claims.services.exports import EXPORT_FORMATS, claims_export
from claims.services.tokens import token_create

WORDS = (
    "government minister unemployment inflation percent million billion president former chancellor "
    "election vote budget deficit tax growth economy health hospital school teacher police crime border "
    "migration climate emissions energy price wage pension housing rent census report official record "
    "said claimed announced increased fell rose doubled halved since last year month week record highest "
    "lowest every state city region country europe summit treaty agreement parliament senate court law"
).split()
SPEAKERS = [f"Speaker {n}" for n in range(50)]
BATCH = 5000


def _sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "Benchmark the claim list (p50/p95 per page) and the exports (time, peak memory) on a throwaway database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--claims", type=int, default=100_000, help="Published claims at full size.")
        parser.add_argument("--small", type=int, default=10_000, help="Size of the first export measurement.")
        parser.add_argument("--requests", type=int, default=200, help="Timed requests per list scenario.")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        self.rng = random.Random(options["seed"])
        self.rows_made = 0
        if connection.vendor == "sqlite":
            connection.settings_dict.setdefault("TEST", {})["NAME"] = str(settings.VAR_DIR / "bench_api.sqlite3")
        original_name = connection.settings_dict["NAME"]
        rest_framework = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}
        # DEBUG would keep every query in memory; the throttle would cut the timed loop short.
        with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"], REST_FRAMEWORK=rest_framework):
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            try:
                self._run(options)
            finally:
                connection.creation.destroy_test_db(original_name, verbosity=0)

    def _run(self, options: dict[str, Any]) -> None:
        vendor = connection.vendor
        self.stdout.write(f"Database: {vendor} (throwaway), seed {options['seed']}")
        self._setup_people()
        for size in (options["small"], options["claims"]):
            self._fill_to(size)
            if size == options["claims"]:
                self._report_list(requests=options["requests"], size=size, vendor=vendor)
            self.stdout.write(
                f"Exports of {size:,} published claims ({vendor}): wall time; peak Python heap (tracemalloc)"
            )
            self.stdout.write(f"{'format':<12} {'claims':>8} {'seconds':>9} {'claims/s':>9} {'peak MiB':>9}")
            for export_format in EXPORT_FORMATS:
                seconds, peak = self._measure_export(export_format)
                self.stdout.write(
                    f"{export_format:<12} {size:>8,} {seconds:>9.1f} {size / seconds:>9,.0f} {peak / 2**20:>9.1f}"
                )
            self.stdout.write("")

    def _report_list(self, *, requests: int, size: int, vendor: str) -> None:
        self.stdout.write(f"Claim list, {size:,} claims, page of 50 ({vendor}); server time in ms")
        self.stdout.write(f"{'scenario':<46} {'n':>5} {'p50':>8} {'p95':>8} {'max':>8}")
        for name, timings in self._measure_list(requests=requests):
            self.stdout.write(
                f"{name:<46} {len(timings):>5} {statistics.median(timings):>8.1f} "
                f"{_percentile(timings, 0.95):>8.1f} {max(timings):>8.1f}"
            )
        self.stdout.write("")

    def _setup_people(self) -> None:
        users = get_user_model().objects
        self.author = users.create(username="bench_reviewer")
        self.author.groups.add(Group.objects.get(name=Role.REVIEWER))
        self.approver = users.create(username="bench_editor")
        self.approver.groups.add(Group.objects.get(name=Role.EDITOR))
        self.secret = token_create(user=self.approver, name="bench", scope=TokenScope.READ).secret
        self.ratings = list(Rating.objects.all())
        self.sources = Source.objects.bulk_create(
            Source(
                url=f"https://records.example.org/bench/{n}",
                url_digest=url_digest(f"https://records.example.org/bench/{n}"),
                title=_sentence(self.rng, 3, 6),
                publisher="Statistics Office",
                kind=SourceKind.OFFICIAL_RECORD,
            )
            for n in range(1000)
        )

    def _fill_to(self, total: int) -> None:
        """Add published claims (each with an article share, a verdict and one piece of evidence)."""
        started = time.perf_counter()
        now = timezone.now()
        while self.rows_made < total:
            size = min(BATCH, total - self.rows_made)
            first = self.rows_made
            articles = Article.objects.bulk_create(
                Article(
                    url=f"https://news.example.org/bench/{n}",
                    url_digest=url_digest(f"https://news.example.org/bench/{n}"),
                    title=_sentence(self.rng, 4, 9),
                    outlet="Example News",
                    body=_sentence(self.rng, 200, 300),
                    content_hash=f"bench{n:059d}",
                    published_at=now - dt.timedelta(days=n % 700),
                )
                for n in range(first // 10, (first + size + 9) // 10)
            )
            claims = Claim.objects.bulk_create(
                Claim(
                    article=articles[i // 10],
                    text=_sentence(self.rng, 12, 24),
                    speaker=self.rng.choice(SPEAKERS),
                    claim_types=[self.rng.choice(["statistic", "role", "event", "quote"])],
                    checkworthiness=self.rng.random(),
                    priority=float(self.rng.randint(0, 99)),
                    status=ClaimStatus.PUBLISHED,
                )
                for i in range(size)
            )
            Verdict.objects.bulk_create(
                Verdict(
                    claim=claim,
                    rating=self.rng.choice(self.ratings),
                    explanation=_sentence(self.rng, 30, 60),
                    author=self.author,
                    approver=self.approver,
                    approved_at=now,
                    published_at=now,
                )
                for claim in claims
            )
            Evidence.objects.bulk_create(
                Evidence(
                    claim=claim,
                    source=self.rng.choice(self.sources),
                    stance=self.rng.choice(Stance.values),
                    excerpt=_sentence(self.rng, 15, 30),
                    added_by=self.author,
                )
                for claim in claims
            )
            self.rows_made += size
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(f"Filled to {total:,} published claims in {time.perf_counter() - started:.0f} s")

    def _timed(
        self, client: Client, *, count: int, urls: list[str] | None = None, follow: str | None = None
    ) -> list[float]:
        """Time ``count`` requests: cycling through ``urls``, or walking the pages from ``follow``."""
        timings = []
        url = follow
        for n in range(count):
            target = urls[n % len(urls)] if urls else url
            assert target is not None
            started = time.perf_counter()
            response = client.get(target)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{target} answered {response.status_code}: {response.content[:200]!r}")
            if follow is not None:
                url = response.json()["next"] or follow
        return timings

    def _measure_list(self, *, requests: int) -> Iterator[tuple[str, list[float]]]:
        client = Client(HTTP_AUTHORIZATION=f"Token {self.secret}")
        sample = list(Claim.objects.order_by("?").values_list("id", flat=True)[:requests])
        since = (timezone.now() - dt.timedelta(days=1)).isoformat().replace("+", "%2B")
        scenarios: list[tuple[str, dict[str, Any]]] = [
            ("first page (newest first)", {"urls": ["/api/v1/claims/"]}),
            ("consecutive pages via cursor", {"follow": "/api/v1/claims/"}),
            (
                "status=published, ordering=-priority, pages",
                {"follow": "/api/v1/claims/?status=published&ordering=-priority"},
            ),
            (
                "updated_since, ordering=updated_at, pages",
                {"follow": f"/api/v1/claims/?updated_since={since}&ordering=updated_at"},
            ),
            ("ordering=-checkworthiness, pages", {"follow": "/api/v1/claims/?ordering=-checkworthiness"}),
            ("search q=<one common word>", {"urls": [f"/api/v1/claims/?q={word}" for word in WORDS]}),
            # A word no claim contains makes the search read every row: the worst case.
            ("search q=<word in no claim>", {"urls": ["/api/v1/claims/?q=zyzzyva"]}),
            ("claim detail", {"urls": [f"/api/v1/claims/{claim_id}/" for claim_id in sample]}),
        ]
        for name, target in scenarios:
            self._timed(client, count=5, **target)
            yield name, self._timed(client, count=requests, **target)

    def _measure_export(self, export_format: str) -> tuple[float, float]:
        started = time.perf_counter()
        written = sum(len(chunk) for chunk in claims_export(export_format=export_format).chunks)
        seconds = time.perf_counter() - started
        if written == 0:
            raise RuntimeError(f"the {export_format} export was empty")
        tracemalloc.start()
        try:
            for _chunk in claims_export(export_format=export_format).chunks:
                pass
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return seconds, float(peak)
