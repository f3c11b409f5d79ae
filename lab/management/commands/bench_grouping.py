"""The desk's near-duplicate step of storing an article, at a desk's volume, on PostgreSQL. Prints a table.

Storing an article's claims looks for near-duplicates of its new check-worthy sentences among the
claims of the window (APPEARANCE_WINDOW_DAYS, cosine of at least APPEARANCE_SIMILARITY). Two ways
are timed in one run, on the same database, for articles of ``--new`` new sentences:

- exact: every vector of the window read into numpy and compared (what SQLite does);
- index: one statement, each sentence searched through the HNSW index among the window's claims
  (what PostgreSQL does).

Without ``--in-place`` the command never touches the configured database: it creates a throwaway
PostgreSQL database (dropped afterwards), runs itself against it in a child process, and prints
that child's table.

The desk: ``--real`` real sentences (BBC news from ../shared/data) embedded by the served encoder
and stored as claims; the rest of each size in ``--claims`` are vectors scattered around those
(cosine 0.55 to 0.85 to one of them), so the index works on a clustered set, as with real claims.
A fifth more claims that the filter must turn down sit next to them: older than the window,
candidates, merged away, of another model. The new sentences are real: held-out sentences of other
articles and, a quarter of them, light rewrites of stored ones (so that near-duplicates exist).

Agreement: of the new sentences whose exact best claim reaches the threshold, the share for which
the index search returns that same claim; and how many the index search grouped differently."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from claims.choices import ClaimStatus
from claims.extraction.text import claim_key
from claims.models import Article, Claim
from claims.services import appearances
from claims.services.appearances import DESK_NEAREST_SQL, desk_nearest_numpy, desk_nearest_pgvector
from claims.similarity.embedder import get_embedder
from claims.similarity.text import clean_query
from lab.throwaway import DEFAULT_POSTGRES_SERVER, throwaway_database

NEWS_FILE = Path("shared") / "data" / "news" / "bbc_news_2225" / "articles.jsonl"
DEFAULT_NEWS = next(
    (folder / NEWS_FILE for folder in Path(settings.BASE_DIR).parents[:2] if (folder / NEWS_FILE).exists()),
    Path(settings.BASE_DIR).parent / NEWS_FILE,
)
INDEX_SQL = (
    "CREATE INDEX claim_embedding_hnsw ON claims_claim USING hnsw (embedding vector_cosine_ops) "
    "WITH (m = 16, ef_construction = 64)"
)
_BATCH = 2000


def news_sentences(path: Path, *, seed: int) -> list[str]:
    sentences: set[str] = set()
    for line in path.read_text().splitlines():
        for sentence in re.split(r"(?<=[.!?])\s+", json.loads(line)["text"].replace("\n", " ")):
            if 60 <= len(sentence) <= 240:
                sentences.add(sentence.strip())
    ordered = sorted(sentences)
    random.Random(seed).shuffle(ordered)
    return ordered


def rewrite(sentence: str, rng: random.Random) -> str:
    """A light rewrite, as another outlet repeats a sentence: a word dropped, a tense or an attribution changed."""
    words = sentence.split()
    choice = rng.randrange(4)
    if choice == 0 and len(words) > 8:
        del words[rng.randrange(1, len(words) - 1)]
        return " ".join(words)
    if choice == 1 and " said" in sentence:
        return sentence.replace(" said", " says", 1)
    if choice == 2:
        return "According to reports, " + sentence[0].lower() + sentence[1:]
    return sentence.rstrip(".") + ", it said."


def scattered(bases: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` unit vectors, each at a cosine of 0.55 to 0.85 from a random row of `bases`."""
    picked = bases[rng.integers(0, len(bases), count)]
    noise = rng.standard_normal(picked.shape).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    cosine = rng.uniform(0.55, 0.85, (count, 1)).astype(np.float32)
    vectors = picked + noise * (np.sqrt(1 - cosine**2) / cosine)
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


class Command(BaseCommand):
    help = "Time the desk's near-duplicate step: exact numpy read against the HNSW index search (PostgreSQL)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--claims", default="10000,50000", help="claims in the window, one table row each")
        parser.add_argument("--new", type=int, default=20, help="new check-worthy sentences per article")
        parser.add_argument("--articles", type=int, default=10, help="articles timed per size")
        parser.add_argument("--real", type=int, default=1200, help="real sentences stored (embedded)")
        parser.add_argument("--queries", type=int, default=400, help="real new sentences for the agreement")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--news", default=str(DEFAULT_NEWS))
        parser.add_argument("--postgres-server", default=DEFAULT_POSTGRES_SERVER)
        parser.add_argument("--in-place", action="store_true", help="fill and measure the current database")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["in_place"]:
            if connection.vendor != "postgresql":
                raise CommandError("The index search exists on PostgreSQL only; point DATABASE_URL at one.")
            result = self.measure(options)
            self.stdout.write(json.dumps(result))
            return
        child = [
            f"--{name}={options[name]}" for name in ("claims", "new", "articles", "real", "queries", "seed", "news")
        ]
        with throwaway_database(
            backend="postgresql", postgres_server=options["postgres_server"], name="wb_grouping_bench"
        ) as url:
            done = subprocess.run(
                [sys.executable, "manage.py", "bench_grouping", *child, "--in-place"],
                cwd=settings.BASE_DIR,
                env={**os.environ, "DATABASE_URL": url},
                capture_output=True,
                text=True,
            )
        if done.returncode != 0:
            raise CommandError(f"The run failed:\n{done.stderr[-3000:]}")
        self.print_table(json.loads(done.stdout.strip().splitlines()[-1]))

    def print_table(self, result: dict[str, Any]) -> None:
        self.stdout.write(
            f"{result['new']} new sentences per article, {result['articles']} articles per size, "
            f"threshold {result['threshold']}, ef_search {result['ef_search']}, "
            f"{result['queries']} real new sentences for the agreement\n"
        )
        self.stdout.write(
            "| claims in window | rows turned down | exact numpy read, median / p95 | index search, median / p95 "
            "| ratio | index used | near-duplicates (exact) | same claim found by index | grouped otherwise "
            "| storing takes |"
        )
        self.stdout.write("|---|---|---|---|---|---|---|---|---|---|")
        for row in result["rows"]:
            found = row["agree"] / row["exact_found"] if row["exact_found"] else float("nan")
            self.stdout.write(
                f"| {row['window']:,} | {row['outside']:,} | {row['exact_ms'][0]:.0f} / {row['exact_ms'][1]:.0f} ms "
                f"| {row['index_ms'][0]:.1f} / {row['index_ms'][1]:.1f} ms "
                f"| {row['exact_ms'][0] / row['index_ms'][0]:.0f}× | {'yes' if row['index_used'] else 'no'} "
                f"| {row['exact_found']} | {row['agree']} ({found:.3f}) | {row['otherwise']} "
                f"| {'index' if row['service_searches_index'] else 'read'} |"
            )

    def measure(self, options: dict[str, Any]) -> dict[str, Any]:
        call_command("migrate", verbosity=0)
        rng = random.Random(options["seed"])
        vector_rng = np.random.default_rng(options["seed"])
        sentences = news_sentences(Path(options["news"]), seed=options["seed"])
        real, queries = options["real"], options["queries"]
        if len(sentences) < real + queries:
            raise CommandError(f"Only {len(sentences)} sentences in {options['news']}.")
        stored = sentences[:real]
        held_out = sentences[real : real + queries - queries // 4]
        rewrites = [rewrite(sentence, rng) for sentence in rng.sample(stored, queries // 4)]
        new_texts = held_out + rewrites
        rng.shuffle(new_texts)
        embedder = get_embedder()
        model = embedder.model_version
        stored_vectors = np.asarray(embedder.encode([clean_query(t) for t in stored]), dtype=np.float32)
        new_vectors = np.asarray(embedder.encode([clean_query(t) for t in new_texts]), dtype=np.float32)

        article = Article.objects.create(title="bench", body="bench", content_hash="bench-grouping")
        old = timezone.now() - dt.timedelta(days=settings.APPEARANCE_WINDOW_DAYS + 5)
        since = timezone.now() - dt.timedelta(days=settings.APPEARANCE_WINDOW_DAYS)
        sizes = sorted(int(size) for size in options["claims"].split(","))
        rows = []
        window = outside = 0
        for size in sizes:
            with connection.cursor() as cursor:
                cursor.execute("DROP INDEX IF EXISTS claim_embedding_hnsw")
            texts = stored[window:] if window < real else []
            vectors = [*stored_vectors[window : window + len(texts)]]
            if size - window - len(texts) > 0:
                vectors += [*scattered(stored_vectors, size - window - len(texts), vector_rng)]
                texts += [f"Scattered claim {window + i}." for i in range(len(texts), len(vectors))]
            self.store(article, texts, vectors, model=model)
            window = size
            extra = (size // 5) - outside
            turned_down = scattered(stored_vectors, extra, vector_rng)
            self.store(article, [f"Turned down {outside + i}." for i in range(extra)], [*turned_down], model=model)
            last = list(Claim.objects.order_by("-id").values_list("id", flat=True)[:extra])
            quarter = max(1, extra // 4)
            Claim.objects.filter(id__in=last[:quarter]).update(created_at=old)
            Claim.objects.filter(id__in=last[quarter : 2 * quarter]).update(status=ClaimStatus.CANDIDATE)
            Claim.objects.filter(id__in=last[2 * quarter : 3 * quarter]).update(merged_into_id=last[-1])
            Claim.objects.filter(id__in=last[3 * quarter :]).update(embedding_model="another/model")
            outside = size // 5
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '256MB'")
                cursor.execute(INDEX_SQL)
                cursor.execute("ANALYZE claims_claim")
            rows.append(
                self.time_and_compare(new_vectors, options, since=since, model=model, window=size)
                | {"outside": outside}
            )
        return {
            "new": options["new"],
            "articles": options["articles"],
            "threshold": settings.APPEARANCE_SIMILARITY,
            "ef_search": settings.SIMILARITY_HNSW_EF_SEARCH,
            "queries": len(new_texts),
            "rows": rows,
        }

    def store(self, article: Article, texts: list[str], vectors: list[np.ndarray], *, model: str) -> None:
        for first in range(0, len(texts), _BATCH):
            Claim.objects.bulk_create(
                Claim(
                    article=article,
                    text=text,
                    text_key=claim_key(text),
                    status=ClaimStatus.NEW,
                    embedding=vector,
                    embedding_model=model,
                )
                for text, vector in zip(texts[first : first + _BATCH], vectors[first : first + _BATCH], strict=True)
            )

    def time_and_compare(
        self, new_vectors: np.ndarray, options: dict[str, Any], *, since: dt.datetime, model: str, window: int
    ) -> dict[str, Any]:
        per_article = options["new"]
        exact_ms: list[float] = []
        index_ms: list[float] = []
        for number in range(options["articles"] + 1):
            first = (number * per_article) % max(1, len(new_vectors) - per_article)
            batch = new_vectors[first : first + per_article]
            for name, search in (("exact", desk_nearest_numpy), ("index", desk_nearest_pgvector)):
                started = time.perf_counter()
                search(batch, since=since, model_version=model)
                elapsed = (time.perf_counter() - started) * 1000
                if number:  # the first article warms the connection and the caches
                    (exact_ms if name == "exact" else index_ms).append(elapsed)
        threshold = settings.APPEARANCE_SIMILARITY
        exact = desk_nearest_numpy(new_vectors, since=since, model_version=model)
        found: dict[int, tuple[int, float]] = {}
        for first in range(0, len(new_vectors), per_article):
            part = desk_nearest_pgvector(new_vectors[first : first + per_article], since=since, model_version=model)
            found.update({first + row: best for row, best in part.items()})
        expected = {row: best[0] for row, best in exact.items() if best[1] >= threshold}
        grouped = {row: best[0] for row, best in found.items() if best[1] >= threshold}
        agree = sum(1 for row, claim_id in expected.items() if grouped.get(row) == claim_id)
        otherwise = sum(1 for row, claim_id in grouped.items() if expected.get(row) != claim_id)
        with connection.cursor() as cursor:
            cursor.execute("SET hnsw.iterative_scan = 'relaxed_order'")
            cursor.execute(
                "EXPLAIN " + DESK_NEAREST_SQL,
                [["[" + ",".join(str(float(x)) for x in new_vectors[0]) + "]"], since, model, "candidate"],
            )
            plan = "\n".join(line for (line,) in cursor.fetchall())
        return {
            "window": window,
            "exact_ms": _median_p95(exact_ms),
            "index_ms": _median_p95(index_ms),
            "exact_found": len(expected),
            "agree": agree,
            "otherwise": otherwise,
            "index_used": "claim_embedding_hnsw" in plan,
            "service_searches_index": appearances._index_search_pays(per_article, since=since, model_version=model),
        }


def _median_p95(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
