"""Latency of the suggestion job for one new claim (embedding included) against a source library
of 10k and 100k passages, on the embedded default (exact numpy) and on PostgreSQL (pgvector HNSW);
and of the lexical ranking alone: BM25 inside the database (the lexical store) against the
per-process bm25s index the product used to build, with the process's memory after each.

The command never touches the configured database: for each size and backend it creates a
throwaway one (a SQLite file, or a PostgreSQL database it drops afterwards), runs itself in a child
process against it, and prints one table. Passage texts are real verified claims from a retrieval
benchmark folder (``--texts``), repeated with a suffix to reach the size; their vectors are random
unit vectors, which cost the same to search as real ones and save embedding 100k passages first.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import time
from pathlib import Path

import numpy as np
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from claims.models import Claim, Source, SourcePassage
from claims.services import similarity
from claims.services.lexical_stores import get_lexical_store
from claims.similarity.embedder import get_embedder
from claims.similarity.lexical import BM25Index
from claims.similarity.text import clean_query
from lab.data import shared_data_dir
from lab.throwaway import run_in_throwaway_database

DEFAULT_TEXTS = str(shared_data_dir() / "claim_retrieval" / "clef2022_task2a_en" / "vclaims.jsonl")
QUERIES = [
    "Former U.S. President Donald Trump called for immediate talks on Truth Social.",
    "Unemployment fell to its lowest level in fifty years last month, the minister said.",
    "The vaccine was tested on fewer than a hundred people before it was approved.",
    "A photo shows sharks swimming on a flooded highway after the hurricane.",
    "The governor signed a law banning books about climate change from schools.",
]


LEXICAL_POOL = 50


def _rss_mb() -> float:
    """The process's resident memory now (Linux), else its peak."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _lexical_queries(texts_path: Path, count: int) -> list[str]:
    """Real posts: the test queries of the folder the passage texts come from."""
    queries_path = texts_path.with_name("test.jsonl")
    if not queries_path.is_file():
        return QUERIES
    rows = [json.loads(line)["query_text"] for line in queries_path.open(encoding="utf-8")]
    return [clean_query(text) for text in rows[:count]]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def suggestion_timings(claims: list[Claim]) -> list[float]:
    """Milliseconds of the suggestion job for each claim, one after the other (embedding included)."""
    timings = []
    for claim in claims:
        start = time.perf_counter()
        similarity.claim_suggest(claim_id=claim.pk)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


class Command(BaseCommand):
    help = "Suggestion latency for one claim at 10k and 100k passages, on SQLite and PostgreSQL."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--sizes", default="10000,100000")
        parser.add_argument("--backends", default="sqlite,postgresql")
        parser.add_argument("--claims", type=int, default=40, help="claims measured per run")
        parser.add_argument("--texts", default=DEFAULT_TEXTS, help="a vclaims.jsonl to take passage texts from")
        parser.add_argument("--postgres-server", default="postgres://postgres@127.0.0.1:5432")
        parser.add_argument("--in-place", action="store_true", help="fill and measure the current database")
        parser.add_argument("--passages", type=int, default=10000)
        parser.add_argument("--lexical-queries", type=int, default=100, help="posts ranked by BM25 alone per run")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        if options["in_place"]:
            self.stdout.write(json.dumps(self._measure(options)))
            return
        rows = []
        for backend in options["backends"].split(","):
            for size in [int(s) for s in options["sizes"].split(",")]:
                rows.append(self._child(backend=backend.strip(), size=size, options=options))
        self.stdout.write(f"{'database':<12}{'passages':>10}{'fill s':>9}{'first ms':>10}{'p50 ms':>9}{'p95 ms':>9}")
        for row in rows:
            self.stdout.write(
                f"{row['backend']:<12}{row['passages']:>10}{row['fill_seconds']:>9.1f}{row['first_ms']:>10.1f}"
                f"{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}"
            )
        self.stdout.write(f"(load average {os.getloadavg()[0]:.1f}; first = first claim)")
        self.stdout.write("")
        self.stdout.write(
            f"BM25 alone, top {LEXICAL_POOL} per post: in the database (db) against a per-process bm25s index (mem)"
        )
        self.stdout.write(
            f"{'database':<12}{'passages':>10}{'db p50':>9}{'db p95':>9}{'mem p50':>9}{'mem p95':>9}{'p50 x':>9}"
            f"{'build s':>9}{'db RSS':>8}{'mem RSS':>9}{'RSS x':>7}"
        )
        for row in rows:
            lexical = row["lexical"]
            self.stdout.write(
                f"{row['backend']:<12}{row['passages']:>10}{lexical['db_p50_ms']:>9.1f}{lexical['db_p95_ms']:>9.1f}"
                f"{lexical['memory_p50_ms']:>9.1f}{lexical['memory_p95_ms']:>9.1f}"
                f"{lexical['db_p50_ms'] / max(lexical['memory_p50_ms'], 1e-9):>9.1f}"
                f"{lexical['memory_build_seconds']:>9.1f}{lexical['db_rss_mb']:>8.0f}{lexical['memory_rss_mb']:>9.0f}"
                f"{lexical['db_rss_mb'] / max(lexical['memory_rss_mb'], 1e-9):>7.2f}"
            )
        self.stdout.write(
            "(ms per post; x = database / in memory; RSS in MB of the measuring process after the database "
            "queries, then after building the in-memory index as well; the product no longer builds it)"
        )

    def _child(self, *, backend: str, size: int, options: dict) -> dict:
        arguments = ["bench_suggestions", "--in-place", "--passages", str(size)]
        arguments += ["--claims", str(options["claims"]), "--texts", options["texts"]]
        arguments += ["--lexical-queries", str(options["lexical_queries"])]
        result = run_in_throwaway_database(
            backend=backend, arguments=arguments, postgres_server=options["postgres_server"], name="bench_suggestions"
        )
        return {"backend": backend, **result}

    def _measure(self, options: dict) -> dict:
        call_command("migrate", verbosity=0)
        if Claim.objects.exists() or SourcePassage.objects.exists():
            raise CommandError("--in-place needs an empty, throwaway database.")
        texts_path = Path(options["texts"])
        if not texts_path.is_file():
            raise CommandError(f"No such file: {texts_path}")
        texts = [json.loads(line)["vclaim"] for line in texts_path.open(encoding="utf-8")]
        embedder = get_embedder()
        size = options["passages"]
        rng = np.random.default_rng(0)

        started = time.perf_counter()
        source = Source.objects.create(url="https://bench.example.org/library", title="Benchmark library")
        batch = 2000
        for offset in range(0, size, batch):
            vectors = rng.standard_normal((min(batch, size - offset), 384)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            SourcePassage.objects.bulk_create(
                [
                    SourcePassage(
                        source=source,
                        position=offset + i,
                        text=f"{texts[(offset + i) % len(texts)]} ({offset + i})",
                        embedding=vector,
                        embedding_model=embedder.model_version,
                    )
                    for i, vector in enumerate(vectors)
                ]
            )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE claims_sourcepassage")
        fill_seconds = time.perf_counter() - started

        claims = [
            Claim.objects.create(text=QUERIES[i % len(QUERIES)] + f" ({i})") for i in range(options["claims"] + 1)
        ]
        timings = suggestion_timings(claims)
        first, rest = timings[0], timings[1:]
        return {
            "passages": size,
            "fill_seconds": fill_seconds,
            "first_ms": first,
            "p50_ms": statistics.median(rest),
            "p95_ms": _percentile(rest, 0.95),
            "lexical": self._lexical(_lexical_queries(texts_path, options["lexical_queries"])),
        }

    @staticmethod
    def _lexical(queries: list[str]) -> dict:
        """BM25 alone, in the database and then as the per-process index the product used to build."""
        store = get_lexical_store()
        database = []
        for query in queries:
            start = time.perf_counter()
            store.passages(query).top(LEXICAL_POOL)
            database.append((time.perf_counter() - start) * 1000)
        db_rss = _rss_mb()
        started = time.perf_counter()
        rows = list(SourcePassage.objects.values_list("id", "text"))
        index = BM25Index(ids=[row_id for row_id, _ in rows], texts=[text for _, text in rows])
        del rows
        build_seconds = time.perf_counter() - started
        memory = []
        for query in queries:
            start = time.perf_counter()
            index.rank(query).top(LEXICAL_POOL)
            memory.append((time.perf_counter() - start) * 1000)
        return {
            "db_p50_ms": statistics.median(database),
            "db_p95_ms": _percentile(database, 0.95),
            "db_rss_mb": db_rss,
            "memory_p50_ms": statistics.median(memory),
            "memory_p95_ms": _percentile(memory, 0.95),
            "memory_build_seconds": build_seconds,
            "memory_rss_mb": _rss_mb(),
        }
