"""A mixed read/write load on a running server, through the HTTP API, for a bounded time.

``bench_load prepare --plan FILE`` fills the configured database (a throwaway one: see
scripts/bench_load.sh) with generated claims, one reviewer per client and a write token each, and
writes what the clients need to FILE. ``bench_load run --plan FILE --url URL`` then drives the
server: every client thread acts as its own reviewer and picks, request after request, one of
claim list pages (following the cursor), claim detail, search, a review cycle (take-next, add
evidence, then draft a verdict or release the claim) or an article ingest.

The clients are closed-loop: each waits for its answer before sending the next request, so the
latencies are what a client saw with that many requests in flight. A new connection per request,
because gunicorn's sync workers close every connection after one response.
"""

from __future__ import annotations

import http.client
import json
import random
import resource
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from simple_history.utils import bulk_create_with_history

from claims.choices import ClaimStatus, Role, Stance, TokenScope
from claims.models import Article, Claim, Rating, Source
from claims.services.tokens import token_create

from .bench_api import SPEAKERS, WORDS, _percentile, _sentence

CLAIMS_PER_ARTICLE = 50
# How often a client starts each kind of work; a review cycle sends two or three requests.
ACTION_WEIGHTS = {"list": 30, "detail": 25, "search": 15, "review": 20, "ingest": 10}
EXPECTED_CONFLICT = 409
KINDS = (
    "list page",
    "claim detail",
    "search",
    "take-next",
    "evidence add",
    "verdict draft",
    "release",
    "article ingest",
)


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    conflicts: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)


class LoadClient:
    """One reviewer's client: a token, a random stream of actions, and its own tallies."""

    def __init__(self, *, number: int, url: str, secret: str, plan: dict[str, Any], seed: int) -> None:
        address = urlsplit(url)
        self.host = address.hostname or "127.0.0.1"
        self.port = address.port or 80
        self.number = number
        self.headers = {"Authorization": f"Token {secret}", "Content-Type": "application/json"}
        self.plan = plan
        self.seed = seed
        self.rng = random.Random(seed * 1000 + number)
        self.tallies: dict[str, Tally] = defaultdict(Tally)
        self.recording = False
        self.next_page: str | None = None
        self.ingested = 0

    def request(self, kind: str, method: str, path: str, body: Any = None, **headers: str) -> tuple[int, Any]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        payload = None if body is None else json.dumps(body)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=payload, headers={**self.headers, **headers})
            response = connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as error:
            elapsed = (time.perf_counter() - started) * 1000
            self._record(kind, elapsed, status=None, detail=f"{method} {path}: {error!r}")
            return 0, None
        finally:
            connection.close()
        elapsed = (time.perf_counter() - started) * 1000
        self._record(kind, elapsed, status=response.status, detail=f"{method} {path}: {response.status} {raw[:200]!r}")
        return response.status, (json.loads(raw) if raw and response.status < 300 else None)

    def _record(self, kind: str, elapsed_ms: float, *, status: int | None, detail: str) -> None:
        if not self.recording:
            return
        tally = self.tallies[kind]
        tally.latencies_ms.append(elapsed_ms)
        if status == EXPECTED_CONFLICT:
            tally.conflicts += 1
        elif status is None or not 200 <= status < 300:
            tally.errors += 1
            if len(tally.error_samples) < 3:
                tally.error_samples.append(detail)

    def run_until(self, deadline: float) -> None:
        actions = list(ACTION_WEIGHTS)
        weights = list(ACTION_WEIGHTS.values())
        while time.monotonic() < deadline:
            getattr(self, f"_{self.rng.choices(actions, weights)[0]}")()

    def _list(self) -> None:
        if self.next_page is None or self.rng.random() < 0.2:
            self.next_page = self.rng.choice(
                [
                    "/api/v1/claims/?page_size=50",
                    "/api/v1/claims/?status=new&ordering=-priority&page_size=50",
                    "/api/v1/claims/?ordering=-checkworthiness&page_size=50",
                ]
            )
        status, body = self.request("list page", "GET", self.next_page)
        next_url = body.get("next") if body else None
        self.next_page = None if not next_url else _path_of(next_url)

    def _detail(self) -> None:
        self.request("claim detail", "GET", f"/api/v1/claims/{self.rng.choice(self.plan['claim_ids'])}/")

    def _search(self) -> None:
        self.request("search", "GET", f"/api/v1/claims/?q={self.rng.choice(WORDS)}&page_size=50")

    def _review(self) -> None:
        status, claim = self.request("take-next", "POST", "/api/v1/claims/take-next/")
        if status != 200 or not claim:
            return
        claim_id = claim["id"]
        self.request(
            "evidence add",
            "POST",
            f"/api/v1/claims/{claim_id}/evidence/",
            {
                "source": self.rng.choice(self.plan["source_ids"]),
                "stance": self.rng.choice(self.plan["stances"]),
                "excerpt": _sentence(self.rng, 8, 16),
            },
        )
        if self.rng.random() < 0.7:
            self.request(
                "verdict draft",
                "PUT",
                f"/api/v1/claims/{claim_id}/verdict/",
                {"rating": self.rng.choice(self.plan["rating_ids"]), "explanation": _sentence(self.rng, 20, 40)},
            )
        else:
            self.request("release", "POST", f"/api/v1/claims/{claim_id}/release/")

    def _ingest(self) -> None:
        self.ingested += 1
        # One in ten repeats an earlier article of this client, with its key: a retry.
        repeat = self.ingested > 1 and self.rng.random() < 0.1
        serial = self.rng.randrange(1, self.ingested) if repeat else self.ingested
        text = " ".join(
            f"Client {self.number} story {serial}: "
            + _sentence(random.Random(f"{self.seed}-{self.number}-{serial}-{n}"), 10, 20)
            for n in range(4)
        )
        self.request(
            "article ingest",
            "POST",
            "/api/v1/articles/",
            {"text": text, "title": f"Load story {self.seed}-{self.number}-{serial}", "outlet": "Load Wire"},
            **{"Idempotency-Key": f"load-{self.plan['run_id']}-{self.seed}-{self.number}-{serial}"},
        )


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Command(BaseCommand):
    help = "Mixed API load on a running server (prepare the database, then run). See scripts/bench_load.sh."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["prepare", "run"])
        parser.add_argument("--plan", type=Path, required=True, help="JSON file: written by prepare, read by run.")
        parser.add_argument("--claims", type=int, default=5000, help="prepare: generated claims in the queue.")
        parser.add_argument("--clients", type=int, default=8, help="Concurrent clients, one reviewer each.")
        parser.add_argument("--url", default="http://127.0.0.1:8124", help="run: the server.")
        parser.add_argument("--duration", type=float, default=120.0, help="run: measured seconds.")
        parser.add_argument("--warmup", type=float, default=20.0, help="run: unmeasured seconds first.")
        parser.add_argument("--seed", type=int, default=11)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "prepare":
            self._prepare(options)
        else:
            self._run(options)

    def _prepare(self, options: dict[str, Any]) -> None:
        rng = random.Random(options["seed"])
        sources = list(Source.objects.values_list("id", flat=True))
        ratings = list(Rating.objects.filter(is_active=True).values_list("id", flat=True))
        if not sources or not ratings:
            raise CommandError("Load the demo data first (manage.py load_demo): sources and ratings are needed.")
        total = options["claims"]
        articles = Article.objects.bulk_create(
            Article(
                title=_sentence(rng, 4, 9),
                outlet="Example News",
                body=_sentence(rng, 200, 300),
                content_hash=f"load{n:060d}",
            )
            for n in range((total + CLAIMS_PER_ARTICLE - 1) // CLAIMS_PER_ARTICLE)
        )
        claims = bulk_create_with_history(
            [
                Claim(
                    article=articles[n // CLAIMS_PER_ARTICLE],
                    text=_sentence(rng, 12, 24),
                    speaker=rng.choice(SPEAKERS),
                    claim_types=[rng.choice(["statistic", "role", "event", "quote"])],
                    checkworthiness=rng.random(),
                    priority=float(rng.randint(0, 99)),
                    status=ClaimStatus.NEW,
                )
                for n in range(total)
            ],
            Claim,
            batch_size=1000,
        )
        reviewers = Group.objects.get(name=Role.REVIEWER)
        user_model = cast(type[AbstractUser], get_user_model())
        secrets = []
        for number in range(options["clients"]):
            user, _ = user_model.objects.get_or_create(username=f"load_reviewer_{number}")
            user.groups.add(reviewers)
            secrets.append(token_create(user=user, name=f"load client {number}", scope=TokenScope.WRITE).secret)
        plan = {
            "run_id": f"{time.time():.0f}",
            "secrets": secrets,
            "claim_ids": list(Claim.objects.values_list("id", flat=True)),
            "source_ids": sources,
            "rating_ids": ratings,
            "stances": list(Stance.values),
        }
        options["plan"].write_text(json.dumps(plan))
        self.stdout.write(f"Prepared {len(claims)} claims, {len(secrets)} reviewers with write tokens.")

    def _run(self, options: dict[str, Any]) -> None:
        plan = json.loads(options["plan"].read_text())
        count = min(options["clients"], len(plan["secrets"]))
        clients = [
            LoadClient(number=n, url=options["url"], secret=plan["secrets"][n], plan=plan, seed=options["seed"])
            for n in range(count)
        ]
        if options["warmup"] > 0:
            self._drive(clients, seconds=options["warmup"])
        for client in clients:
            client.recording = True
        usage_before = resource.getrusage(resource.RUSAGE_SELF)
        seconds = self._drive(clients, seconds=options["duration"])
        usage_after = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = (usage_after.ru_utime - usage_before.ru_utime) + (usage_after.ru_stime - usage_before.ru_stime)
        self._report(clients, seconds=seconds, client_cpu=client_cpu, url=options["url"])

    @staticmethod
    def _drive(clients: list[LoadClient], *, seconds: float) -> float:
        deadline = time.monotonic() + seconds
        threads = [threading.Thread(target=client.run_until, args=(deadline,)) for client in clients]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - started

    def _report(self, clients: list[LoadClient], *, seconds: float, client_cpu: float, url: str) -> None:
        merged: dict[str, Tally] = defaultdict(Tally)
        for client in clients:
            for kind, tally in client.tallies.items():
                target = merged[kind]
                target.latencies_ms.extend(tally.latencies_ms)
                target.conflicts += tally.conflicts
                target.errors += tally.errors
                target.error_samples.extend(tally.error_samples)
        total = Tally()
        for tally in merged.values():
            total.latencies_ms.extend(tally.latencies_ms)
            total.conflicts += tally.conflicts
            total.errors += tally.errors
        self.stdout.write(
            f"{len(clients)} closed-loop clients against {url} for {seconds:.0f} s; "
            f"client CPU {client_cpu:.1f} s ({100 * client_cpu / seconds:.0f}% of one core). Latency in ms."
        )
        self.stdout.write(
            f"{'kind':<16} {'requests':>8} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} "
            f"{'409':>5} {'errors':>6}"
        )
        rows = [(kind, merged[kind]) for kind in KINDS if kind in merged] + [("total", total)]
        for kind, tally in rows:
            values = tally.latencies_ms
            if not values:
                continue
            self.stdout.write(
                f"{kind:<16} {len(values):>8} {len(values) / seconds:>7.1f} {_percentile(values, 0.50):>7.1f} "
                f"{_percentile(values, 0.95):>7.1f} {_percentile(values, 0.99):>7.1f} {max(values):>7.1f} "
                f"{tally.conflicts:>5} {tally.errors:>6}"
            )
        for kind, tally in merged.items():
            for sample in tally.error_samples:
                self.stdout.write(f"error ({kind}): {sample}")
