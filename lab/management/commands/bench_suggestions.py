"""Latency of the suggestion job for one new claim (embedding included) against a source library
of 10k and 100k passages, on the embedded default (exact numpy) and on PostgreSQL (pgvector HNSW).

The command never touches the configured database: for each size and backend it creates a
throwaway one (a SQLite file, or a PostgreSQL database it drops afterwards), runs itself in a child
process against it, and prints one table. Passage texts are real verified claims from a retrieval
benchmark folder (``--texts``), repeated with a suffix to reach the size; their vectors are random
unit vectors, which cost the same to search as real ones and save embedding 100k passages first.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

import numpy as np
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from claims.models import Claim, Source, SourcePassage
from claims.services import similarity
from claims.similarity.embedder import get_embedder
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


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


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
        self.stdout.write(f"(load average {os.getloadavg()[0]:.1f}; first = first claim, which builds the BM25 index)")

    def _child(self, *, backend: str, size: int, options: dict) -> dict:
        arguments = ["bench_suggestions", "--in-place", "--passages", str(size)]
        arguments += ["--claims", str(options["claims"]), "--texts", options["texts"]]
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
        timings = []
        for claim in claims:
            start = time.perf_counter()
            similarity.claim_suggest(claim_id=claim.pk)
            timings.append((time.perf_counter() - start) * 1000)
        first, rest = timings[0], timings[1:]
        return {
            "passages": size,
            "fill_seconds": fill_seconds,
            "first_ms": first,
            "p50_ms": statistics.median(rest),
            "p95_ms": _percentile(rest, 0.95),
        }
