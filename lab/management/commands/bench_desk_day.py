"""A desk's day, compressed: real news articles posted over the API by several clients while
reviewers work the queue, on the full stack (gunicorn, Celery workers on Redis, the configured
database). Prints a table.

It empties the database that DATABASE_URL names and the Redis database of REDIS_URL, so it refuses
to run unless ``--i-mean-it`` is given (point both at a throwaway: ``wb_<name>``, a spare Redis db).

The defaults are a desk's day: 500 articles, the quote planted in 50, three digests of over 1 MiB,
five reviewers. ``--articles 80 --planted 12 --large 1`` is a quicker look, and
``--articles 0 --large 1 --reviewers 0`` times one 1 MiB digest alone, with the stages of its
extraction (from the workers' log) and the machine's load average.

The workers run at a lower CPU priority (``--worker-nice``, as the README recommends): extraction
is batch work, and on a small machine it would otherwise take the cores from the web process
answering reviewers and ingest clients."""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from claims.choices import ClaimStatus, ExtractionStatus, TokenScope
from claims.extraction.text import claim_key
from claims.models import Appearance, Article, Claim
from claims.services.tokens import token_create

PLANTED_QUOTE = (
    "“We will cut the national debt by 40 percent before 2030,” the finance minister, Jane Doe, told parliament."
)
PLANTED_VARIANTS = [
    PLANTED_QUOTE,
    PLANTED_QUOTE.replace("“", '"').replace("”", '"'),
    PLANTED_QUOTE.upper(),
    PLANTED_QUOTE.replace(" ", "  "),
]
# Short articles extracted before the timed run: enough that each worker process takes one.
WARM_UP_ARTICLES = 4
NEWS_FILE = Path("shared") / "data" / "news" / "bbc_news_2225" / "articles.jsonl"
# The shared data sit next to the project (../shared), or next to the folder holding the checkouts.
DEFAULT_NEWS = next(
    (folder / NEWS_FILE for folder in Path(settings.BASE_DIR).parents[:2] if (folder / NEWS_FILE).exists()),
    Path(settings.BASE_DIR).parent / NEWS_FILE,
)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


@dataclass
class Run:
    """What the clients saw. Each client and reviewer is a process of its own, as people's browsers
    and other tools are: timed from threads of one Python process, a page's time would include
    waiting for that process's interpreter lock."""

    post_ms: list[float] = field(default_factory=list)
    posted_at: dict[int, float] = field(default_factory=dict)
    queue_ms: list[float] = field(default_factory=list)
    # When each queue page load ended (time.time()), to tell the posting part of the run from the rest.
    queue_at: list[float] = field(default_factory=list)
    # When the last article was posted.
    posting_ended: float = 0.0
    errors: list[str] = field(default_factory=list)
    taken: int = 0

    def add(self, other: dict[str, Any]) -> None:
        self.post_ms += other["post_ms"]
        self.posted_at.update(other["posted_at"])
        self.queue_ms += other["queue_ms"]
        self.queue_at += other["queue_at"]
        self.posting_ended = max(self.posting_ended, other["posting_ended"])
        self.errors += other["errors"]
        self.taken += other["taken"]


# gunicorn's access log: method, path, query, status, and the request's time in microseconds from
# its first byte read to its last byte sent (waiting for a free thread is not in it).
ACCESS_LOG_FORMAT = "%(m)s %(U)s %(s)s %(D)s"


def _rss_kib(pid: int) -> int:
    """Resident memory of a process and its children, in KiB (Linux /proc)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(child) for child in children)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


class Command(BaseCommand):
    help = "Ingest a day's articles over the API while reviewers work the queue; print a table."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--news", default=str(DEFAULT_NEWS), help="A JSONL file of {title, text} articles.")
        parser.add_argument("--articles", type=int, default=500)
        parser.add_argument("--planted", type=int, default=50, help="Articles that carry the same wire quote.")
        parser.add_argument("--large", type=int, default=3, help="Articles of over 1 MiB.")
        parser.add_argument("--clients", type=int, default=4)
        parser.add_argument("--reviewers", type=int, default=5, help="Simulated reviewers (0: none).")
        parser.add_argument("--workers", type=int, default=2, help="Celery worker processes.")
        parser.add_argument("--port", type=int, default=8131)
        parser.add_argument("--wait", type=float, default=900.0, help="Seconds to wait for the extractions.")
        parser.add_argument(
            "--worker-nice", type=int, default=10, help="Niceness of the Celery workers (0: same as the web process)."
        )
        parser.add_argument(
            "--i-mean-it", action="store_true", help="Empty DATABASE_URL's database and REDIS_URL's db."
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if not options["i_mean_it"]:
            raise CommandError("This empties the configured database and Redis db; add --i-mean-it.")
        if not settings.REDIS_URL:
            raise CommandError("Set REDIS_URL (a spare Redis database): the workers take jobs from it.")
        random.seed(7)
        call_command("migrate", verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
        subprocess.run(["redis-cli", "-u", settings.REDIS_URL, "flushdb"], check=True, capture_output=True)

        payloads, warm_ups = self._payloads(options)
        users = [
            get_user_model().objects.create_user(username=f"desk_{n}", password="x")
            for n in range(max(1, options["reviewers"]))
        ]
        for user in users:
            user.groups.add(Group.objects.get_or_create(name="reviewer")[0])
        secrets = [
            token_create(user=users[n % len(users)], name=f"client {n}", scope=TokenScope.WRITE).secret
            for n in range(options["clients"])
        ]
        cookies = [self._session_cookie(user) for user in users[: options["reviewers"]]]
        worker_log = tempfile.NamedTemporaryFile(prefix="bench_desk_day_workers_", suffix=".log", delete=False)
        access_log = tempfile.NamedTemporaryFile(prefix="bench_desk_day_access_", suffix=".log", delete=False)

        environment = {**os.environ, "JOBS_EAGER_IN_THREAD": "0", "API_RATE_PER_TOKEN": "1000000/min"}
        base = f"http://127.0.0.1:{options['port']}"
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "workbench.wsgi:application",
                    "--config",
                    "gunicorn.conf.py",
                    "--bind",
                    f"127.0.0.1:{options['port']}",
                    "--access-logfile",
                    access_log.name,
                    "--access-logformat",
                    ACCESS_LOG_FORMAT,
                ],
                cwd=settings.BASE_DIR,
                env=environment,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
            subprocess.Popen(
                [
                    "nice",
                    "-n",
                    str(options["worker_nice"]),
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "workbench",
                    "worker",
                    "--concurrency",
                    str(options["workers"]),
                    "--loglevel",
                    "INFO",
                ],
                cwd=settings.BASE_DIR,
                env=environment,
                stdout=worker_log,
                stderr=subprocess.STDOUT,
            ),
        ]
        worker = processes[1]
        try:
            self._wait_for(base, secrets[0])
            self._warm_up(base, secrets[0], warm_ups)
            # The timed part starts with an empty access log.
            Path(access_log.name).write_text("")
            run = Run()
            peak_rss = [0]
            sampling = threading.Event()

            def sample() -> None:
                while not sampling.is_set():
                    peak_rss[0] = max(peak_rss[0], _rss_kib(worker.pid))
                    time.sleep(0.5)

            # The children only speak HTTP; they must not inherit this process's database connection.
            connections.close_all()
            context = multiprocessing.get_context("fork")
            results = context.Queue()
            stop = context.Event()
            plans = [payloads[n :: options["clients"]] for n in range(options["clients"])]
            clients = [
                context.Process(target=_client, args=(base, secrets[n], plans[n], results))
                for n in range(options["clients"])
            ]
            reviewers = [
                context.Process(target=_reviewer, args=(base, cookies[n], secrets[n % len(secrets)], results, stop))
                for n in range(len(cookies))
            ]
            sampler = threading.Thread(target=sample)
            load_at_start = os.getloadavg()
            started = time.monotonic()
            sampler.start()
            for process in clients + reviewers:
                process.start()
            # Reviewers report only once stopped, so the first results are the clients'.
            for _ in clients:
                run.add(results.get())
            for process in clients:
                process.join()
            deadline = time.monotonic() + options["wait"]
            while time.monotonic() < deadline:
                unfinished = Article.objects.exclude(
                    extraction_status__in=[ExtractionStatus.DONE, ExtractionStatus.FAILED]
                ).count()
                if not unfinished:
                    break
                time.sleep(1)
            stop.set()
            for _ in reviewers:
                run.add(results.get())
            for process in reviewers:
                process.join()
            sampling.set()
            sampler.join()
            elapsed = time.monotonic() - started
            load_at_end = os.getloadavg()
            self._report(run, options, peak_rss[0], elapsed, _server_times(Path(access_log.name)))
            self.stdout.write(
                "load average (1/5/15 min) at start {:.1f} / {:.1f} / {:.1f}, at end {:.1f} / {:.1f} / {:.1f}".format(
                    *load_at_start, *load_at_end
                )
            )
            self._report_stages(run, Path(worker_log.name))
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()

    def _payloads(self, options: dict) -> tuple[list[dict], list[dict]]:
        """The day's articles (planted quote, digests spread among them), and a few short articles
        of other text that warm the workers up first."""
        path = Path(options["news"])
        if not path.exists():
            raise CommandError(f"No news file at {path}; give --news.")
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        random.shuffle(rows)
        wanted = options["articles"]
        if len(rows) < wanted + WARM_UP_ARTICLES + options["large"] * 500:
            raise CommandError(f"{path} has too few articles.")
        payloads = []
        for index, row in enumerate(rows[:wanted]):
            text = row["text"]
            if index < options["planted"]:
                paragraphs = text.split("\n\n")
                paragraphs.insert(min(2, len(paragraphs)), PLANTED_VARIANTS[index % len(PLANTED_VARIANTS)])
                text = "\n\n".join(paragraphs)
            payloads.append({"title": row["title"], "text": text, "outlet": f"Outlet {index % 7}"})
        warm_ups = [
            {"title": f"Warm-up: {row['title']}", "text": row["text"]}
            for row in rows[wanted : wanted + WARM_UP_ARTICLES]
        ]
        spare = rows[wanted + WARM_UP_ARTICLES :]
        for large in range(options["large"]):
            parts, size = [], 0
            while size < 1_100_000 and spare:
                body = spare.pop()["text"]
                parts.append(body)
                size += len(body.encode("utf-8")) + 2
            # Spread over the day, each arriving while the workers are busy with short articles.
            position = (large + 1) * wanted // (options["large"] + 1) + large
            payloads.insert(position, {"title": f"Digest {large}", "text": "\n\n".join(parts)})
        return payloads, warm_ups

    def _session_cookie(self, user) -> str:  # type: ignore[no-untyped-def]
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    def _wait_for(self, base: str, secret: str) -> None:
        for _ in range(120):
            try:
                status, _ = _request(base, "GET", "/api/v1/ratings/", headers={"Authorization": f"Token {secret}"})
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise CommandError("gunicorn did not answer within a minute.")

    def _warm_up(self, base: str, secret: str, warm_ups: list[dict]) -> None:
        """A desk's workers have loaded their models long before an article arrives; here they have
        just started. Short articles, posted at once so that each worker process takes some, load
        them before the timed run."""
        headers = {"Authorization": f"Token {secret}", "Content-Type": "application/json"}
        started = time.monotonic()
        ids = []
        for payload in warm_ups:
            status, body = _request(base, "POST", "/api/v1/articles/", body=json.dumps(payload), headers=headers)
            if status not in (200, 202):
                raise CommandError(f"The warm-up article was refused: {status} {body[:200]!r}")
            ids.append(json.loads(body)["id"])
        while Article.objects.filter(pk__in=ids).exclude(extraction_status=ExtractionStatus.DONE).exists():
            if time.monotonic() - started > 300:
                raise CommandError("The workers did not extract the warm-up articles within 5 minutes.")
            time.sleep(0.5)
        self.stdout.write(f"workers warmed up by {len(ids)} short articles in {time.monotonic() - started:.1f} s")

    def _report_stages(self, run: Run, log: Path) -> None:
        """For each 1 MiB digest: where the time from POST to claims queued went, from the
        "extraction timings" lines its jobs logged (seconds of wall time; stages summed over jobs)."""

        def logged() -> list[dict[str, Any]]:
            return [
                json.loads(line[line.index("extraction timings ") + len("extraction timings ") :])
                for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
                if "extraction timings " in line
            ]

        # The job that stores a digest's claims goes on writing their vectors after the article is
        # done, and logs its timings at its end.
        deadline = time.monotonic() + 300
        records = logged()
        while time.monotonic() < deadline and not all(
            any(record["article"] == pk and "store" in record["stages"] for record in records)
            for pk in Article.objects.filter(
                title__startswith="Digest ", extraction_status=ExtractionStatus.DONE
            ).values_list("id", flat=True)
        ):
            time.sleep(2)
            records = logged()
        digests = Article.objects.filter(title__startswith="Digest ").values_list(
            "id", "updated_at", "extraction_status"
        )
        for article_id, updated, status in digests:
            jobs = [record for record in records if record["article"] == article_id]
            posted = run.posted_at.get(article_id)
            if not jobs or posted is None:
                self.stdout.write(f"digest {article_id}: no timings logged ({status})")
                continue
            first_start = min(job["started"] for job in jobs)
            chunk_jobs = [job for job in jobs if job["chunk"] is not None]
            last = max(jobs, key=lambda job: job["ended"])
            stages: dict[str, float] = {}
            for job in jobs:
                for stage, seconds in job["stages"].items():
                    stages[stage] = stages.get(stage, 0.0) + seconds
            store_stages = ("load chunks", "group", "checks", "store lock", "store")
            storing = sum(last["stages"].get(stage, 0.0) for stage in store_stages)
            # Stages after the claims are queued (their vectors) are not part of the wait.
            afterwards = last["stages"].get("vectors after queueing", 0.0)
            extracted = last["ended"] - afterwards - storing
            done = status == ExtractionStatus.DONE
            rows = [
                ("POST to claims queued s", f"{updated.timestamp() - posted:.1f}" if done else f"not yet ({status})"),
                ("POST to first job started s (queue wait)", f"{first_start - posted:.1f}"),
                ("jobs / chunk jobs", f"{len(jobs)} / {len(chunk_jobs)}"),
                ("first job started to every chunk extracted s", f"{extracted - first_start:.1f}"),
                ("last job: grouping, checks and storing s", f"{storing:.1f}"),
                (
                    "article done to its job's end (work after queueing) s",
                    f"{last['ended'] - updated.timestamp():.1f}" if done else "–",
                ),
                ("CPU s of all jobs", f"{sum(job['cpu'] for job in jobs):.1f}"),
                ("wall s inside jobs (sum)", f"{sum(job['ended'] - job['started'] for job in jobs):.1f}"),
            ]
            rows += [(f"  stage {stage} s (sum over jobs)", f"{seconds:.1f}") for stage, seconds in stages.items()]
            width = max(len(name) for name, _ in rows)
            self.stdout.write(f"digest {article_id}:")
            for name, value in rows:
                self.stdout.write(f"  {name:<{width}}  {value}")

    def _report(
        self, run: Run, options: dict, peak_rss_kib: int, elapsed: float, server: dict[str, list[float]]
    ) -> None:
        done = Article.objects.filter(extraction_status=ExtractionStatus.DONE)
        to_claims = []
        for article_id, updated in done.values_list("id", "updated_at"):
            if article_id in run.posted_at:
                to_claims.append(max(0.0, updated.timestamp() - run.posted_at[article_id]))
        large = [
            updated.timestamp() - run.posted_at.get(article_id, updated.timestamp())
            for article_id, updated in done.filter(title__startswith="Digest ").values_list("id", "updated_at")
        ]
        planted = Claim.objects.filter(text_key=claim_key(PLANTED_QUOTE), merged_into__isnull=True).exclude(
            status=ClaimStatus.CANDIDATE
        )
        while_posting = [ms for ms, at in zip(run.queue_ms, run.queue_at, strict=True) if at <= run.posting_ended]
        afterwards = [ms for ms, at in zip(run.queue_ms, run.queue_at, strict=True) if at > run.posting_ended]
        failed = Article.objects.filter(extraction_status=ExtractionStatus.FAILED).count()
        unfinished = Article.objects.exclude(extraction_status__in=[ExtractionStatus.DONE, ExtractionStatus.FAILED])
        rows = [
            ("articles posted (clients)", f"{len(run.post_ms)} ({options['clients']})"),
            ("of them > 1 MiB", str(options["large"])),
            ("database", settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]),
            ("celery worker processes", str(options["workers"])),
            ("ingest POST p50 / p95 ms", _p50_p95(run.post_ms)),
            ("  the same in gunicorn (server side)", _p50_p95(server["ingest"])),
            (
                "POST to claims queued p50 / p95 s",
                f"{percentile(to_claims, 0.5):.1f} / {percentile(to_claims, 0.95):.1f}",
            ),
            ("1 MiB article to claims queued s", ", ".join(f"{value:.1f}" for value in large) or "not done"),
            ("queue page p50 / p95 ms (during run)", f"{_p50_p95(run.queue_ms)} (n={len(run.queue_ms)})"),
            ("  the same in gunicorn (server side)", f"{_p50_p95(server['queue'])} (n={len(server['queue'])})"),
            ("  while articles are posted", f"{_p50_p95(while_posting)} (n={len(while_posting)})"),
            ("  afterwards, the workers extracting", f"{_p50_p95(afterwards)} (n={len(afterwards)})"),
            ("claims taken by reviewers", str(run.taken)),
            ("errors", str(len(run.errors))),
            ("extractions failed / unfinished", f"{failed} / {unfinished.count()}"),
            ("queue items for the planted quote", str(planted.count())),
            (
                "appearances of the planted quote",
                str(Appearance.objects.filter(claim__in=planted).count()),
            ),
            (
                "claims stored / queued (warm-up's included)",
                f"{Claim.objects.count()} / {Claim.objects.filter(status='new').count()}",
            ),
            ("peak RSS of the workers MiB", f"{peak_rss_kib / 1024:.0f}"),
            ("wall time s", f"{elapsed:.0f}"),
        ]
        width = max(len(name) for name, _ in rows)
        for name, value in rows:
            self.stdout.write(f"{name:<{width}}  {value}")
        for error in run.errors[:5]:
            self.stderr.write(error)
        if run.errors:
            self.stderr.write(f"{len(run.errors)} errors")


def _request(base: str, method: str, path: str, *, body: str | None = None, headers: dict) -> tuple[int, bytes]:
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        connection.request(method, path, body=body.encode("utf-8") if body else None, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _p50_p95(values: list[float]) -> str:
    return f"{percentile(values, 0.5):.0f} / {percentile(values, 0.95):.0f}"


def _server_times(log: Path) -> dict[str, list[float]]:
    """Milliseconds gunicorn spent on each ingest POST and queue page load, from its access log."""
    times: dict[str, list[float]] = {"ingest": [], "queue": []}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split()
        if len(parts) != 4:
            continue
        method, path, _, microseconds = parts
        if method == "POST" and path == "/api/v1/articles/":
            times["ingest"].append(int(microseconds) / 1000)
        elif method == "GET" and path == "/":
            times["queue"].append(int(microseconds) / 1000)
    return times


def _client(base: str, secret: str, plan: list[dict], results: Any) -> None:
    """An API client posting its share of the day's articles one after another (a process)."""
    run = Run()
    headers = {"Authorization": f"Token {secret}", "Content-Type": "application/json"}
    for payload in plan:
        started = time.monotonic()
        try:
            status, body = _request(base, "POST", "/api/v1/articles/", body=json.dumps(payload), headers=headers)
        except OSError as error:
            run.errors.append(f"POST: {error!r}")
            continue
        took = (time.monotonic() - started) * 1000
        if status not in (200, 202):
            run.errors.append(f"POST {status}: {body[:200]!r}")
            continue
        run.post_ms.append(took)
        run.posted_at[json.loads(body)["id"]] = time.time()
    run.posting_ended = time.time()
    results.put(asdict(run))


def _reviewer(base: str, cookie: str, secret: str, results: Any, stop: Any) -> None:
    """A reviewer loading the queue, taking the next claim and releasing it, until ``stop`` (a process)."""
    run = Run()
    api = {"Authorization": f"Token {secret}", "Content-Type": "application/json"}
    while not stop.is_set():
        started = time.monotonic()
        try:
            status, _ = _request(base, "GET", "/?ordering=-priority", headers={"Cookie": cookie})
            took = (time.monotonic() - started) * 1000
            taken_status, taken = _request(base, "POST", "/api/v1/claims/take-next/", body="{}", headers=api)
            if taken_status == 200:
                claim_id = json.loads(taken)["id"]
                _request(base, "POST", f"/api/v1/claims/{claim_id}/release/", body="{}", headers=api)
        except OSError as error:
            run.errors.append(f"reviewer: {error!r}")
            continue
        if status != 200 or taken_status not in (200, 204):
            run.errors.append(f"reviewer: queue {status}, take {taken_status}")
        else:
            run.queue_ms.append(took)
            run.queue_at.append(time.time())
            run.taken += taken_status == 200
        time.sleep(0.2)
    results.put(asdict(run))
