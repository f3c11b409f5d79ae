"""Server time of the reviewer pages on a desk with many claims.

Without ``--in-place`` the command never touches the configured database: it creates a throwaway
one (a SQLite file in a temporary folder, or with ``--postgres`` a new PostgreSQL database that is
dropped afterwards), runs itself against it in a child process, and prints that child's table.
With ``--in-place`` it migrates and fills the *current* database and measures; only for throwaway ones.

Every claim has its first appearance, a share of them are seen again in other articles, a few carry
findings and suggestions; the queue and ``GET /api/v1/claims/`` are timed in each of the queue's
sort orders, with and without a search (``--claims 30000 --claims-per-article 30`` is a desk's volume).

Times are measured around Django's test client: URL resolving, middleware, views, queries and
template rendering, without a network or a browser.

With ``--busy N`` each page is timed twice in turn: alone, and while N background processes at a
lower CPU priority run the real models the Celery workers run (the check-worthiness model, named
entities and the encoder, through ``extract_claims`` and ``get_embedder``) on real news articles,
over and over. They stand for the desk's workers: on the 2-core machine, ``--busy 2`` keeps both
cores as busy as two workers extracting a day's articles do, without a broker, a web server or
clients. Between pages they are stopped (SIGSTOP) and continued for the "busy" timings only, so both
columns of a row are measured a few seconds apart.

Last, the ingest POST is timed through both doors, the API (``POST /api/v1/articles/`` with a token)
and the workbench's article form, for a typical article (about 4 KB) and one of over 1 MiB. The
extraction job each POST queues goes to Celery's in-memory broker, where no worker takes it: the
request is measured up to and including the job's dispatch, and no extraction competes for the CPU."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import itertools
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from claims.choices import ClaimStatus, ClaimType, SourceKind, Stance, SuggestionTarget
from claims.models import (
    Appearance,
    Article,
    Claim,
    Evidence,
    Finding,
    Rating,
    Source,
    SourcePassage,
    Suggestion,
    Verdict,
    url_digest,
)
from lab.throwaway import DEFAULT_POSTGRES_SERVER, throwaway_database

CLAIMS_PER_ARTICLE = 50
# Roughly a busy desk: most claims wait, a fifth are done, a few are being worked on right now.
STATUS_MIX = [
    (ClaimStatus.NEW, 0.55),
    (ClaimStatus.IN_REVIEW, 0.05),
    (ClaimStatus.REOPENED, 0.02),
    (ClaimStatus.DRAFTED, 0.05),
    (ClaimStatus.APPROVED, 0.02),
    (ClaimStatus.PUBLISHED, 0.16),
    (ClaimStatus.DISMISSED, 0.05),
    (ClaimStatus.CANDIDATE, 0.10),
]
SENTENCE = "{who} said on {day} that {what} rose by {n} percent in {place}, the highest level since {year}."
HEADLINE = ["Budget row deepens", "Minister under fire", "Election campaign", "Health service figures", "Crime report"]
REPEATED_SHARE = 0.15
WHO = ["The minister", "The governor", "Former President Smith", "The central bank", "A spokesperson"]
WHAT = ["unemployment", "inflation", "crime", "housing prices", "exports", "hospital waiting times"]
PLACE = ["the capital", "the north", "rural areas", "the eurozone", "the region"]


SORTS = [
    ("-priority", "priority"),
    ("-created_at", "newest"),
    ("-appearance_count", "repeated"),
    ("created_at", "waiting"),
]
SEARCHES = ["inflation", "governor", "minister under", "by 7"]
NEWS_FILE = Path("shared") / "data" / "news" / "bbc_news_2225" / "articles.jsonl"
# The shared data sit next to the project (../shared), or next to the folder holding the checkouts.
DEFAULT_NEWS = next(
    (folder / NEWS_FILE for folder in Path(settings.BASE_DIR).parents[:2] if (folder / NEWS_FILE).exists()),
    Path(settings.BASE_DIR).parent / NEWS_FILE,
)
BUSY_READY = "models loaded"
# How long the busy processes run before a page's "busy" timings start, so that they are at full
# speed again (and the page's own caches are as warm as for the "alone" timings).
BUSY_RAMP_SECONDS = 0.5


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


class Command(BaseCommand):
    help = "Time the queue, workspace and other reviewer pages at scale, in a throwaway database."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--claims", type=int, default=100_000)
        parser.add_argument("--claims-per-article", type=int, default=CLAIMS_PER_ARTICLE)
        parser.add_argument("--requests", type=int, default=100, help="timed requests per page")
        parser.add_argument(
            "--postgres",
            nargs="?",
            const="postgres://postgres@127.0.0.1:5432",
            default=None,
            metavar="SERVER_URL",
            help="use a new database on this PostgreSQL server (default postgres://postgres@127.0.0.1:5432)",
        )
        parser.add_argument("--in-place", action="store_true", help="fill and measure the configured database")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--ingest", type=int, default=20, help="timed ingest POSTs of a typical article per door")
        parser.add_argument(
            "--ingest-large", type=int, default=5, help="timed ingest POSTs of a 1 MiB article per door"
        )
        parser.add_argument(
            "--busy",
            type=int,
            default=0,
            metavar="N",
            help="also time every page while N processes run the workers' models (2 on a 2-core machine)",
        )
        parser.add_argument(
            "--busy-nice",
            type=int,
            default=10,
            help="niceness the busy processes add to this command's own, as bench_desk_day starts its workers",
        )
        parser.add_argument("--news", default=str(DEFAULT_NEWS), help="JSONL of {title, text} the busy processes read")
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="TEXT",
            help="time only the pages whose name contains TEXT (repeat for several); skips nothing else",
        )
        parser.add_argument("--run-models", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        if options["run_models"]:
            run_models_until_stopped(Path(options["news"]))
        elif options["in_place"]:
            self._run_in_place(options)
        else:
            self._run_in_throwaway_database(options)

    # --- The parent: a database nobody else uses, and a child process pointed at it. -------------

    def _run_in_throwaway_database(self, options: dict) -> None:
        child_args = [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "bench_pages",
            "--in-place",
            f"--claims={options['claims']}",
            f"--claims-per-article={options['claims_per_article']}",
            f"--requests={options['requests']}",
            f"--seed={options['seed']}",
            f"--ingest={options['ingest']}",
            f"--ingest-large={options['ingest_large']}",
            f"--busy={options['busy']}",
            f"--busy-nice={options['busy_nice']}",
            f"--news={options['news']}",
            *(f"--only={text}" for text in options["only"]),
        ]
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "workbench.settings.local"),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "testserver",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("REDIS_URL", None)
        backend = "postgresql" if options["postgres"] else "sqlite"
        server = options["postgres"] or DEFAULT_POSTGRES_SERVER
        with throwaway_database(backend=backend, postgres_server=server, name=throwaway_name()) as url:
            env["DATABASE_URL"] = url
            if backend == "sqlite":
                env["WORKBENCH_VAR_DIR"] = str(Path(url.removeprefix("sqlite:///")).parent)
            self._child(child_args, env, label=f"{backend} ({url.rsplit('/', 1)[-1]}, deleted afterwards)")

    def _child(self, args: list[str], env: dict[str, str], *, label: str) -> None:
        self.stdout.write(f"Database: {label}")
        self.stdout.flush()
        result = subprocess.run(args, env=env, stdout=sys.stdout, stderr=sys.stderr, check=False)
        if result.returncode != 0:
            raise CommandError(f"The measuring process failed with exit code {result.returncode}.")

    # --- The child: fill, then measure. -------------------------------------------------------

    def _run_in_place(self, options: dict) -> None:
        if self._migrated() and Claim.objects.exists():
            raise CommandError("This database already holds claims; bench_pages fills only an empty one.")
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        users = self._users()
        target = self._fill(
            claims=options["claims"],
            per_article=options["claims_per_article"],
            users=users,
            rng=random.Random(options["seed"]),
        )
        with connection.cursor() as cursor:
            # A desk that has run for a while has statistics, and on PostgreSQL a visibility map
            # (autovacuum keeps it), which lets counts read the indexes alone. Freshly bulk-loaded
            # rows have neither, so give them both before measuring.
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        self.stdout.write(
            f"Filled {Claim.objects.count():,} claims, {Verdict.objects.count():,} verdicts, "
            f"{Suggestion.objects.count():,} suggestions in {time.perf_counter() - started:.0f} s."
        )
        with busy_processes(options["busy"], nice=options["busy_nice"], news=Path(options["news"])) as busy:
            self._measure(target=target, users=users, requests=options["requests"], busy=busy, only=options["only"])
        self._measure_ingest(
            users=users, small=options["ingest"], large=options["ingest_large"], rng=random.Random(options["seed"])
        )

    def _migrated(self) -> bool:
        return Claim._meta.db_table in connection.introspection.table_names()

    def _users(self) -> dict[str, object]:
        User = get_user_model()
        users = {}
        for name, role in [("bench_reviewer", "reviewer"), ("bench_other", "reviewer"), ("bench_editor", "editor")]:
            user = User.objects.create_user(username=name, password=uuid.uuid4().hex)
            user.groups.add(Group.objects.get(name=role))
            users[name] = user
        return users

    def _fill(self, *, claims: int, per_article: int, users: dict, rng: random.Random) -> Claim:
        """Bulk-insert ``claims`` claims in articles of ``per_article`` sentences, with their appearances
        (some seen again elsewhere), verdicts for the finished ones, a source library, findings and
        suggestions on a few claims, and everything a workspace shows on the claim the benchmark opens."""
        now = timezone.now()
        ratings = list(Rating.objects.all())
        statuses = [status for status, _ in STATUS_MIX]
        weights = [weight for _, weight in STATUS_MIX]
        types = [value for value, _ in ClaimType.choices]
        n_articles = max(1, claims // per_article)
        for first in range(0, n_articles, 500):
            articles = []
            for index in range(first, min(n_articles, first + 500)):
                sentences = [self._sentence(rng) for _ in range(per_article)]
                body = " ".join(sentences)
                articles.append(
                    Article(
                        title=f"{rng.choice(HEADLINE)} ({index})",
                        outlet=f"Outlet {index % 40}",
                        published_at=now - dt.timedelta(days=rng.randint(0, 365)),
                        body=body,
                        content_hash=hashlib.sha256(f"{index}:{body}".encode()).hexdigest(),
                    )
                )
            created = Article.objects.bulk_create(articles)
            rows = []
            for article in created:
                offset = 0
                for sentence in article.body.split(". "):
                    text = sentence if sentence.endswith(".") else sentence + "."
                    status = rng.choices(statuses, weights)[0]
                    leased = status in (ClaimStatus.IN_REVIEW, ClaimStatus.REOPENED)
                    rows.append(
                        Claim(
                            article=article,
                            text=text,
                            start=offset,
                            end=offset + len(text),
                            speaker=rng.choice(WHO),
                            claim_types=rng.sample(types, rng.randint(1, 2)),
                            checkworthiness=round(rng.random(), 3),
                            priority=round(rng.random() * 100, 3),
                            status=status,
                            assignee=users["bench_other"] if leased else None,
                            lease_expires_at=now + dt.timedelta(minutes=30) if leased else None,
                            embedding_model="bench",
                        )
                    )
                    offset += len(sentence) + 2
            Claim.objects.bulk_create(rows, batch_size=2000)
            self._appearances(rows, article_ids=[article.pk for article in created], rng=rng)
        finished = Claim.objects.filter(
            status__in=[ClaimStatus.DRAFTED, ClaimStatus.APPROVED, ClaimStatus.PUBLISHED]
        ).values_list("id", "status")
        verdicts = [
            Verdict(
                claim_id=claim_id,
                rating=rng.choice(ratings),
                explanation="Checked against the official statistics.",
                author=users["bench_other"],
                approver=users["bench_editor"] if status != ClaimStatus.DRAFTED else None,
                approved_at=now if status != ClaimStatus.DRAFTED else None,
                published_at=now if status == ClaimStatus.PUBLISHED else None,
            )
            for claim_id, status in finished
        ]
        Verdict.objects.bulk_create(verdicts, batch_size=2000)
        sources = Source.objects.bulk_create(
            [
                Source(
                    url=f"https://records.example.org/{index}",
                    url_digest=url_digest(f"https://records.example.org/{index}"),
                    title=f"Statistics release {index}",
                    publisher="Statistics Office",
                    kind=SourceKind.OFFICIAL_RECORD,
                    body=self._sentence(rng),
                )
                for index in range(2000)
            ]
        )
        passages = SourcePassage.objects.bulk_create(
            [SourcePassage(source=source, position=0, text=source.body, end=len(source.body)) for source in sources]
        )
        # The claim the benchmark opens: the busiest one in the queue, with everything a workspace shows.
        target = Claim.objects.filter(status=ClaimStatus.NEW).order_by("-priority", "id").first()
        assert target is not None, "the status mix always leaves new claims"
        Suggestion.objects.bulk_create(
            [
                Suggestion(
                    claim=target,
                    target_kind=SuggestionTarget.PASSAGE,
                    target_passage=passage,
                    scores={"bm25": 5.0 - index / 10, "dense": 0.8 - index / 100},
                    fused_score=0.03 - index / 1000,
                    model_version="bench",
                )
                for index, passage in enumerate(passages[:8])
            ]
        )
        self._findings_and_suggestions(passages=passages, ratings=ratings, rng=rng)
        Finding.objects.create(
            claim=target,
            check_name="role_in_office",
            span_text=target.text[:30],
            message="The person named held a different office on the article's date.",
            suggested_rating=ratings[0],
        )
        Evidence.objects.create(
            claim=target, source=sources[0], passage=passages[0], stance=Stance.REFUTES, added_by=users["bench_other"]
        )
        return target

    @staticmethod
    def _appearances(claims: list[Claim], *, article_ids: list[int], rng: random.Random) -> None:
        """Each claim's first appearance; one in REPEATED_SHARE is seen again, up to 12 times."""
        rows = []
        for claim in claims:
            fields = {"claim_id": claim.pk, "text": claim.text, "speaker": claim.speaker}
            rows.append(Appearance(article_id=claim.article_id, start=claim.start, end=claim.end, **fields))
            if rng.random() < REPEATED_SHARE:
                repeats = rng.randint(1, 12)
                elsewhere = [rng.choice(article_ids) for _ in range(repeats)]
                rows += [Appearance(article_id=article_id, match="exact", **fields) for article_id in elsewhere]
                claim.appearance_count = 1 + repeats
        Appearance.objects.bulk_create(rows, batch_size=2000)
        Claim.objects.bulk_update([claim for claim in claims if claim.appearance_count > 1], ["appearance_count"])

    @staticmethod
    def _findings_and_suggestions(*, passages: list[SourcePassage], ratings: list[Rating], rng: random.Random) -> None:
        queued = list(Claim.objects.filter(status=ClaimStatus.NEW).values_list("id", "text"))
        flagged = rng.sample(queued, len(queued) // 30)
        Finding.objects.bulk_create(
            [
                Finding(
                    claim_id=claim_id,
                    check_name="number_against_record",
                    span_text=text[:30],
                    message="The number differs from the official statistics.",
                    suggested_rating=ratings[0],
                )
                for claim_id, text in flagged
            ],
            batch_size=2000,
        )
        Suggestion.objects.bulk_create(
            [
                Suggestion(
                    claim_id=claim_id,
                    target_kind=SuggestionTarget.PASSAGE,
                    target_passage=passage,
                    scores={"bm25": 4.0, "dense": 0.7},
                    fused_score=0.02,
                    model_version="bench",
                )
                for claim_id, _ in rng.sample(queued, len(queued) // 10)
                for passage in rng.sample(passages, 3)
            ],
            batch_size=2000,
        )

    @staticmethod
    def _sentence(rng: random.Random) -> str:
        return SENTENCE.format(
            who=rng.choice(WHO),
            day=rng.choice(["Monday", "Tuesday", "Thursday"]),
            what=rng.choice(WHAT),
            n=rng.randint(1, 40),
            place=rng.choice(PLACE),
            year=rng.randint(1990, 2020),
        )

    def _measure(
        self, *, target: Claim, users: dict, requests: int, busy: BusyProcesses | None, only: list[str]
    ) -> None:
        from claims.services import review

        reviewer = Client()
        reviewer.force_login(users["bench_reviewer"])
        editor = Client()
        editor.force_login(users["bench_editor"])
        pages = [
            ("queue", reviewer, reverse("claims:queue")),
            ("queue, filtered", reviewer, reverse("claims:queue") + "?type=statistic&min_score=0.5&outlet=Outlet+3"),
            ("queue, page 40", reviewer, reverse("claims:queue") + "?page=40"),
            ("workspace (not held)", reviewer, reverse("claims:workspace", args=[target.pk])),
            ("suggestions panel", reviewer, reverse("claims:suggestions", args=[target.pk])),
            ("editor's desk", editor, reverse("claims:editor")),
            ("dashboard", reviewer, reverse("claims:dashboard")),
            ("sources", reviewer, reverse("claims:sources")),
        ]
        review.review_take(user=users["bench_reviewer"], claim_id=target.pk)
        pages.insert(4, ("workspace (held)", reviewer, reverse("claims:workspace", args=[target.pk])))
        pages += self._queue_and_list_pages(reviewer)
        if only:
            pages = [page for page in pages if any(text in page[0] for text in only)]
        # Other processes on the machine change these numbers; say how busy it was.
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        self.stdout.write(f"Load average (1, 5, 15 min) before measuring: {load} on {os.cpu_count()} CPUs")
        if busy is not None:
            self.stdout.write(
                f"Busy: {busy.count} processes running the workers' models at nice {busy.nice} "
                f"(this process: nice {os.nice(0)}); each page alone, then busy."
            )
            header = f"{'alone p50':>10}{'p95':>7}{'busy p50':>10}{'p95':>7}{'cpu py':>8}{'cpu db':>8}"
        else:
            header = f"{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'cpu py':>8}{'cpu db':>8}"
        self.stdout.write(
            "cpu py / cpu db: CPU ms per request of this process and of its PostgreSQL backend while timed\n"
            "alone (what the page costs, whatever else runs on the machine)"
        )
        self.stdout.write(f"\n{'page':<40}{'requests':>9}{header}{'queries':>9}\n" + "-" * 101)
        for name, client, url in pages:
            for _ in range(3):
                client.get(url)
            queries: list[str] = []

            def count(execute, sql, params, many, context, queries=queries):  # type: ignore[no-untyped-def]
                queries.append(sql)
                return execute(sql, params, many, context)

            # Django clears its own query log when a request starts, so count at the cursor instead.
            with connection.execute_wrapper(count):
                response = client.get(url)
            if response.status_code != 200:
                raise CommandError(f"{name} answered {response.status_code}")
            cpu_before = _cpu_ms()
            alone = self._timings(client, url, requests)
            cpu = _cpu_per_request(cpu_before, _cpu_ms(), requests)
            if busy is None:
                figures = f"{statistics.median(alone):>9.1f}{percentile(alone, 0.95):>9.1f}{max(alone):>9.1f}{cpu}"
            else:
                with busy.running():
                    loaded = self._timings(client, url, requests)
                figures = (
                    f"{statistics.median(alone):>10.1f}{percentile(alone, 0.95):>7.1f}"
                    f"{statistics.median(loaded):>10.1f}{percentile(loaded, 0.95):>7.1f}{cpu}"
                )
            self.stdout.write(f"{name:<40}{requests:>9}{figures}{len(queries):>9}")

    @staticmethod
    def _timings(client: Client, url: str, requests: int) -> list[float]:
        timings = []
        for _ in range(requests):
            begin = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - begin) * 1000)
        return timings

    @staticmethod
    def _queue_and_list_pages(client: Client) -> list[tuple[str, Client, str]]:
        """The queue page and the API's claim list in each of the queue's sort orders, with and
        without a search: a word of the claim text, a speaker, an article title, and a short word."""
        pages = []
        for ordering, label in SORTS:
            searches = ("", *SEARCHES) if ordering == "-priority" else ("", SEARCHES[0])
            for search in searches:
                query = f"?ordering={ordering}" + (f"&q={search.replace(' ', '+')}" if search else "")
                shown = f", q={search}" if search else ""
                pages.append((f"queue {label}{shown}", client, reverse("claims:queue") + query))
                pages.append((f"api {label}{shown}", client, "/api/v1/claims/" + query))
        return pages

    def _measure_ingest(self, *, users: dict, small: int, large: int, rng: random.Random) -> None:
        """p50/p95 of the ingest POST per door and size. Each article is new (no duplicate shortcut)."""
        from rest_framework.test import APIClient

        from claims.choices import TokenScope
        from claims.services.tokens import token_create
        from workbench.celery import app as celery_app

        if not small and not large:
            return
        reviewer = users["bench_reviewer"]
        api = APIClient()
        token = token_create(user=reviewer, name="bench ingest", scope=TokenScope.WRITE)
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.secret}")
        form = Client()
        form.force_login(reviewer)

        def post_api(title: str, text: str) -> int:
            return api.post("/api/v1/articles/", {"title": title, "text": text}, format="json").status_code

        def post_form(title: str, text: str) -> int:
            return form.post(reverse("claims:article_add"), {"title": title, "body": text}).status_code

        doors = [("api", post_api, 202), ("form", post_form, 302)]
        sizes = [("typical", 4 * 1024, small), ("1 MiB", 2**20, large)]
        self.stdout.write(
            f"\n{'ingest POST':<40}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'KiB':>9}\n" + "-" * 85
        )
        # The extraction job goes to the in-memory broker (a real send, never taken by a worker).
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = False
        try:
            with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
                for door, post, expected in doors:
                    for size_name, size, count in sizes:
                        if not count:
                            continue
                        timings: list[float] = []
                        for index in range(count + 2):
                            text = self._article_text(rng, size)
                            begin = time.perf_counter()
                            status = post(f"Bench ingest {door} {size_name} {index}", text)
                            elapsed = (time.perf_counter() - begin) * 1000
                            if status != expected:
                                raise CommandError(f"ingest through the {door} answered {status}")
                            if index >= 2:  # the first two warm up
                                timings.append(elapsed)
                        self.stdout.write(
                            f"{door + ', ' + size_name:<40}{count:>9}{statistics.median(timings):>9.1f}"
                            f"{percentile(timings, 0.95):>9.1f}{max(timings):>9.1f}{size / 1024:>9.0f}"
                        )
        finally:
            celery_app.conf.task_always_eager = eager

    @classmethod
    def _article_text(cls, rng: random.Random, size: int) -> str:
        """A new article of at least ``size`` bytes, in paragraphs of five sentences."""
        paragraphs: list[str] = []
        length = 0
        while length < size:
            paragraph = " ".join(cls._sentence(rng) for _ in range(5))
            paragraphs.append(paragraph)
            length += len(paragraph) + 2
        return "\n\n".join(paragraphs)


def _cpu_ms() -> tuple[float, int | None, float | None]:
    """CPU ms used so far by this process, and the id and CPU ms of its PostgreSQL backend (read
    from /proc, so only for a server on this machine; None elsewhere)."""
    own = time.process_time() * 1000
    if connection.vendor != "postgresql":
        return own, None, None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return own, pid, None
    # utime and stime, the 14th and 15th fields of the line (12th and 13th after the name).
    return own, pid, (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _cpu_per_request(
    before: tuple[float, int | None, float | None], after: tuple[float, int | None, float | None], requests: int
) -> str:
    own = f"{(after[0] - before[0]) / requests:>8.1f}"
    same_backend = before[1] is not None and before[1] == after[1]
    if not same_backend or before[2] is None or after[2] is None:
        return own + f"{'–':>8}"
    return own + f"{(after[2] - before[2]) / requests:>8.1f}"


def throwaway_name() -> str:
    """``<configured database>_bench_pages`` when DATABASE_URL names a PostgreSQL database (a shared
    server's databases stay recognisable by their owner's prefix), else ``workbench_bench_pages``."""
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        name = configured.rsplit("/", 1)[-1].split("?", 1)[0]
        if name.replace("_", "").isalnum():
            return f"{name}_bench_pages"
    return "workbench_bench_pages"


class BusyProcesses:
    """Processes running the workers' models, stopped except inside ``running()``."""

    def __init__(self, processes: list[subprocess.Popen[str]], *, nice: int) -> None:
        self.processes = processes
        self.count = len(processes)
        self.nice = nice

    def _signal(self, number: int) -> None:
        for process in self.processes:
            process.send_signal(number)

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        self._signal(signal.SIGCONT)
        try:
            time.sleep(BUSY_RAMP_SECONDS)
            yield
        finally:
            self._signal(signal.SIGSTOP)


@contextlib.contextmanager
def busy_processes(count: int, *, nice: int, news: Path) -> Iterator[BusyProcesses | None]:
    """Start ``count`` model-running processes at this process's niceness plus ``nice``; yield them
    stopped once each has loaded its models and run them once; kill them afterwards."""
    if count <= 0:
        yield None
        return
    niceness = min(19, os.nice(0) + nice)
    processes: list[subprocess.Popen[str]] = []
    try:
        for _ in range(count):
            processes.append(
                subprocess.Popen(
                    [
                        "nice",
                        "-n",
                        str(nice),
                        sys.executable,
                        str(Path(settings.BASE_DIR) / "manage.py"),
                        "bench_pages",
                        "--run-models",
                        f"--news={news}",
                    ],
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
        for process in processes:
            assert process.stdout is not None
            line = process.stdout.readline()
            if BUSY_READY not in line:
                raise CommandError(f"A busy process did not start its models (exit code {process.poll()}).")
            process.send_signal(signal.SIGSTOP)
        yield BusyProcesses(processes, nice=niceness)
    finally:
        for process in processes:
            process.kill()
            process.send_signal(signal.SIGCONT)
            process.wait()


def run_models_until_stopped(news: Path) -> None:
    """What a Celery worker's CPU does on a desk's day, without the database: extract the claims of
    one article after another (sentence split, check-worthiness model, named entities for the
    check-worthy sentences) and embed the check-worthy ones with the encoder, until killed."""
    from claims.extraction.pipeline import extract_claims
    from claims.similarity.embedder import get_embedder

    if news.exists():
        with news.open(encoding="utf-8") as lines:
            texts = [json.loads(line)["text"] for line in lines if line.strip()]
    else:
        rng = random.Random(1)
        texts = [Command._article_text(rng, 4 * 1024) for _ in range(20)]
    embedder = get_embedder()
    today = dt.date.today()
    for index, text in enumerate(itertools.cycle(texts)):
        candidates = extract_claims(text=text, published_at=today)
        checkworthy = [candidate.text for candidate in candidates if candidate.is_checkworthy]
        embedder.encode(checkworthy or [text[:500]])
        if index == 0:
            print(BUSY_READY, flush=True)
