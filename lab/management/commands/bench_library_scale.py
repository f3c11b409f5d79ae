"""The source library at 10k, 100k and 1M passages on PostgreSQL: fill and index time, suggestion
latency for a new claim (embedding included), the suggesting process's peak memory, how soon a new
passage is found, and HNSW recall against exact search.

For each size the command makes a throwaway PostgreSQL database and runs three child processes
against it: one fills it (COPY, then the vector and lexical indexes are built), a fresh one
measures (so its peak RSS is that of a process that only suggests), and the parent drops the
database. Passage texts are real sentences from the shared data (`lab.library_corpus`); the first
hundred thousand or so carry their real vectors, the rest join two sentences and their vectors.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import time
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from claims.choices import ClaimStatus
from claims.lexical_schema import ensure_lexical_index
from claims.models import Claim, Source, SourcePassage, Suggestion
from claims.services import similarity, sources
from claims.services.lexical_stores import get_lexical_store
from claims.similarity.embedder import get_embedder
from claims.similarity.lexical import lexical_terms
from lab.data import shared_data_dir
from lab.library_corpus import passage_text, passage_vectors, pool_vectors, real_sentences
from lab.suggestion_stages import StageTimer, format_breakdown
from lab.throwaway import DEFAULT_POSTGRES_SERVER, throwaway_database

from .bench_suggestions import _percentile

PASSAGES_PER_SOURCE = 50
COPY_BATCH = 20_000
FRESH_URL = "https://library.example.org/fresh"
FRESH_SOURCE_URL = "https://library.example.org/fresh-source"
EDITOR = "bench-editor"
EXPLAINED_HNSW = "passages: HNSW nearest"
EXPLAINED_BM25 = "passages: BM25 candidate statement"
QUERIES = shared_data_dir() / "claim_retrieval" / "clef2022_task2a_en" / "test.jsonl"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _new_database(server: str, name: str) -> str:
    import subprocess
    import uuid

    database = f"{name}_{uuid.uuid4().hex[:8]}"
    server = server.rstrip("/")
    subprocess.run(["psql", server + "/postgres", "-qc", f"CREATE DATABASE {database}"], check=True)
    return f"{server}/{database}"


def _query_texts(limit: int) -> list[str]:
    with QUERIES.open(encoding="utf-8") as lines:
        return [json.loads(line)["query_text"] for line, _ in zip(lines, range(limit), strict=False)]


class Command(BaseCommand):
    help = "Library search at 10k, 100k and 1M passages on PostgreSQL: latency, memory, freshness, recall."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--sizes", default="10000,100000,1000000")
        parser.add_argument("--claims", type=int, default=40, help="new claims timed per size")
        parser.add_argument("--recall-at", type=int, default=100_000, help="size at which HNSW recall is measured")
        parser.add_argument("--recall-queries", type=int, default=100)
        parser.add_argument("--postgres-server", default=DEFAULT_POSTGRES_SERVER)
        parser.add_argument("--step", choices=["fill", "measure"], help="(internal) one step, in a child process")
        parser.add_argument("--passages", type=int, default=10_000)
        parser.add_argument(
            "--explain",
            action="store_true",
            help="print EXPLAIN (ANALYZE, BUFFERS) of the vector search and the BM25 candidate statement",
        )
        parser.add_argument(
            "--database-url",
            help="measure this already filled PostgreSQL database (a --keep run's) instead of filling a new one",
        )
        parser.add_argument("--keep", action="store_true", help="keep each filled database and print its URL")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        if options["step"]:
            if connection.vendor != "postgresql":
                raise CommandError("This benchmark measures PostgreSQL; point DATABASE_URL at a throwaway database.")
            result = self._fill(options) if options["step"] == "fill" else self._measure(options)
            self.stdout.write(json.dumps(result))
            return
        rows = [self._one_size(int(size), options) for size in options["sizes"].split(",")]
        self._print(rows)

    # The parent: one throwaway database per size.

    def _one_size(self, size: int, options: dict) -> dict:
        row: dict = {"passages": size}
        if options["database_url"]:
            row.update(self._step("measure", size, options["database_url"], options))
            return row
        if options["keep"]:
            url = _new_database(options["postgres_server"], f"bench_scale_{size}")
            for step in ("fill", "measure"):
                row.update(self._step(step, size, url, options))
            self.stderr.write(f"{size:>9} passages: kept {url}")
            return row
        with throwaway_database(
            backend="postgresql", postgres_server=options["postgres_server"], name="bench_scale"
        ) as url:
            for step in ("fill", "measure"):
                row.update(self._step(step, size, url, options))
        return row

    def _step(self, step: str, size: int, url: str, options: dict) -> dict:
        import subprocess
        import sys

        arguments = ["bench_library_scale", "--step", step, "--passages", str(size)]
        arguments += ["--claims", str(options["claims"]), "--recall-queries", str(options["recall_queries"])]
        arguments += ["--recall-at", str(size if size == options["recall_at"] else 0)]
        if options["explain"]:
            arguments.append("--explain")
        self.stderr.write(f"{size:>9} passages: {step}…")
        result = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DATABASE_URL": url, "REDIS_URL": ""},
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise CommandError(f"The {step} step at {size} passages failed:\n{result.stderr[-3000:]}")
        parsed: dict = json.loads(result.stdout.strip().splitlines()[-1])
        return parsed

    def _print(self, rows: list[dict]) -> None:
        header = (
            f"{'passages':>10}{'fill s':>8}{'hnsw s':>8}{'lexical s':>10}{'first ms':>10}{'p50 ms':>8}"
            f"{'p95 ms':>8}{'RSS MB':>8}{'found ms':>10}{'suggested ms':>14}{'recall@10':>11}"
        )
        self.stdout.write(header)
        for row in rows:
            recall = f"{row['recall_at_10']:.3f}" if row.get("recall_at_10") is not None else "-"
            # A --database-url run measures a database filled earlier: no fill times.
            fill = "".join(
                f"{row[key]:>{width}.1f}" if key in row else f"{'-':>{width}}"
                for key, width in (("fill_seconds", 8), ("hnsw_seconds", 8), ("lexical_seconds", 10))
            )
            self.stdout.write(
                f"{row['passages']:>10}{fill}{row['first_ms']:>10.1f}{row['p50_ms']:>8.1f}{row['p95_ms']:>8.1f}"
                f"{row['peak_rss_mb']:>8.0f}{row['found_ms']:>10.1f}{row['suggested_ms']:>14.1f}{recall:>11}"
            )
        if len(rows) > 1:
            growth = rows[-1]["peak_rss_mb"] - rows[0]["peak_rss_mb"]
            self.stdout.write(
                f"Peak RSS of the suggesting process grows by {growth:.0f} MB from "
                f"{rows[0]['passages']:,} to {rows[-1]['passages']:,} passages."
            )
        self.stdout.write(
            "first/p50/p95: suggestion job for a new claim, embedding included; found: BM25 in the database "
            "ranks first a passage committed a moment ago, before its vector exists; suggested: adding a source "
            f"until an open claim has it as a suggestion, its jobs run in-process. Load {os.getloadavg()[0]:.1f}."
        )
        for row in rows:
            self.stdout.write("")
            self.stdout.write(
                f"Where a suggestion's time goes at {row['passages']:,} passages (per claim, first claim left out; "
                f"hnsw.ef_search {row['ef_search']}; a stage's own time, without the stages it calls):"
            )
            for line in format_breakdown(row["breakdown"]):
                self.stdout.write(line)
            for plan in row.get("plans", []):
                self.stdout.write("")
                self.stdout.write(plan)

    # Step 1, in its own process: fill with COPY, then build the indexes.

    def _fill(self, options: dict) -> dict:
        from pgvector.psycopg import register_vector

        call_command("migrate", verbosity=0)
        size = options["passages"]
        embedder = get_embedder()
        pool = real_sentences()
        vectors = pool_vectors(pool, embedder=embedder)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            # The graph is built once over the filled table: inserting into a live HNSW index row by
            # row is several times slower.
            cursor.execute("DROP INDEX IF EXISTS passage_embedding_hnsw")
            cursor.execute("DROP INDEX IF EXISTS claims_sourcepassage_lexical_gin")
        source_count = (size + PASSAGES_PER_SOURCE - 1) // PASSAGES_PER_SOURCE
        now = timezone.now()
        created = Source.objects.bulk_create(
            [
                Source(
                    url=f"https://library.example.org/{n}", title=f"Library item {n}", created_at=now, updated_at=now
                )
                for n in range(source_count)
            ],
            batch_size=5000,
        )
        source_ids = [source.pk for source in created]
        raw = connection.connection
        register_vector(raw)
        columns = 'source_id, position, text, start, "end", embedding, embedding_model, lexical_terms'
        with raw.cursor() as cursor:
            for offset in range(0, size, COPY_BATCH):
                positions = range(offset, min(size, offset + COPY_BATCH))
                batch_vectors = passage_vectors(vectors, positions)
                with cursor.copy(f"COPY claims_sourcepassage ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types(["int8", "int4", "text", "int4", "int4", "vector", "varchar", "text"])
                    for row, position in enumerate(positions):
                        text = passage_text(pool, position)
                        copy.write_row(
                            (
                                source_ids[position // PASSAGES_PER_SOURCE],
                                position % PASSAGES_PER_SOURCE,
                                text,
                                0,
                                len(text),
                                batch_vectors[row],
                                embedder.model_version,
                                lexical_terms(text),
                            )
                        )
        raw.commit()
        fill_seconds = time.perf_counter() - started

        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '3GB'")
            cursor.execute("SET max_parallel_maintenance_workers = 1")
            cursor.execute(
                "CREATE INDEX passage_embedding_hnsw ON claims_sourcepassage "
                "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)"
            )
        hnsw_seconds = time.perf_counter() - started

        started = time.perf_counter()
        # The statistics triggers ran with the COPY; the GIN index is built once, as after a restore.
        ensure_lexical_index(connection)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        lexical_seconds = time.perf_counter() - started
        return {
            "fill_seconds": fill_seconds,
            "hnsw_seconds": hnsw_seconds,
            "lexical_seconds": lexical_seconds,
            "real_vectors": len(vectors),
        }

    # Step 2, in a fresh process: what a process that suggests costs and sees.

    def _measure(self, options: dict) -> dict:
        embedder = get_embedder()
        texts = _query_texts(options["claims"] + 1 + options["recall_queries"])
        timed = texts[: options["claims"] + 1]
        claims = [Claim.objects.create(text=text) for text in timed]
        created_claims = [claim.pk for claim in claims]
        try:
            stages = StageTimer()
            if options["explain"]:
                stages.capture_stages = {EXPLAINED_HNSW, EXPLAINED_BM25}
            with stages.installed():
                timings = [stages.time_claim(similarity.claim_suggest, claim_id=pk) for pk in created_claims]
            first, rest = timings[0], timings[1:]
            peak_rss_mb = _peak_rss_mb()
            # Out of the queue, so that adding a source below re-matches only the claim it is about.
            Claim.objects.filter(pk__in=created_claims).update(status=ClaimStatus.DISMISSED)
            plans = self._plans(stages) if options["explain"] else []

            found_ms, suggested_ms = self._freshness(embedder, created_claims)
            recall = None
            if options["recall_at"] and options["recall_at"] == options["passages"]:
                recall = self._recall(embedder, texts[options["claims"] + 1 :])
        finally:
            self._remove_measuring_rows(created_claims)
        return {
            "first_ms": first,
            "p50_ms": statistics.median(rest),
            "p95_ms": _percentile(rest, 0.95),
            "peak_rss_mb": peak_rss_mb,
            "found_ms": found_ms,
            "suggested_ms": suggested_ms,
            "recall_at_10": recall,
            "breakdown": stages.summary(),
            "ef_search": int(settings.SIMILARITY_HNSW_EF_SEARCH),
            "plans": plans,
        }

    @staticmethod
    def _remove_measuring_rows(claim_ids: list[int]) -> None:
        """What measuring added, so that a filled database (--keep) can be measured again."""
        Claim.objects.filter(pk__in=claim_ids).delete()
        Source.objects.filter(url__in=[FRESH_URL, FRESH_SOURCE_URL]).delete()
        get_user_model().objects.filter(username=EDITOR).delete()

    @staticmethod
    def _plans(stages: StageTimer) -> list[str]:
        """EXPLAIN (ANALYZE, BUFFERS) of the last claim's vector search and BM25 candidate statement,
        run again as the job ran them (same settings, same transaction shape)."""
        last: dict[str, tuple[str, Any]] = {}
        for statement in stages.captured:
            if statement.sql.lstrip().upper().startswith(("SELECT", "WITH")):
                last[statement.stage] = (statement.sql, statement.params)
        plans = []
        for stage, (sql, params) in last.items():
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL hnsw.ef_search = %s", [int(settings.SIMILARITY_HNSW_EF_SEARCH)])
                cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                plan = "\n".join(f"    {line}" for (line,) in cursor.fetchall())
            plans.append(f"  EXPLAIN (ANALYZE, BUFFERS), {stage}:\n{plan}")
        return plans

    def _freshness(self, embedder, measured_claims: list[int]) -> tuple[float, float]:  # type: ignore[no-untyped-def]
        """How soon a new passage is found by the library search, and suggested to an open claim."""
        marker = "Quetzalcoatlus"
        sentence = f"The {marker} pterosaur had a wingspan of ten to eleven metres, larger than a small plane."
        with transaction.atomic():
            source = Source.objects.create(url=FRESH_URL, title="Fresh")
            passage = SourcePassage.objects.create(source=source, position=0, text=sentence, end=len(sentence))
        start = time.perf_counter()
        # It has no vector yet (its embedding job has not run): its words alone must find it.
        hits = get_lexical_store().passages(f"{marker} wingspan").top(5)
        found_ms = (time.perf_counter() - start) * 1000
        if not hits or hits[0][0] != passage.pk:
            raise CommandError("A passage committed a moment ago is not the first lexical hit for its rare word.")

        editor = get_user_model().objects.create_superuser(EDITOR, password=None)
        claim = Claim.objects.create(text=f"Scientists say the {marker} was bigger than a small aeroplane.")
        measured_claims.append(claim.pk)
        similarity.claim_suggest(claim_id=claim.pk)
        start = time.perf_counter()
        added = sources.source_create(
            user=editor,
            url=FRESH_SOURCE_URL,
            title="A giant of the Cretaceous sky",
            body=f"Fossils show {marker} had a wingspan larger than a small plane. It lived in North America.",
        )
        suggested_ms = (time.perf_counter() - start) * 1000
        if not Suggestion.objects.filter(claim=claim, target_passage__source=added).exists():
            raise CommandError("A new source's passage was not suggested to the open claim that matches it.")
        return found_ms, suggested_ms

    def _recall(self, embedder, texts: list[str]) -> float:  # type: ignore[no-untyped-def]
        """Mean share of the exact 10 nearest passages that the HNSW index returns, for real queries."""
        from claims.services.vector_stores import vector_literal

        vectors = embedder.encode(texts, batch_size=32)
        sql = (
            "SELECT id FROM claims_sourcepassage WHERE embedding_model = %s ORDER BY embedding <=> %s::vector LIMIT 10"
        )
        recalls = []
        for vector in vectors:
            literal = vector_literal(vector)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL hnsw.ef_search = %s", [int(settings.SIMILARITY_HNSW_EF_SEARCH)])
                cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
                cursor.execute(sql, [embedder.model_version, literal])
                approximate = {row for (row,) in cursor.fetchall()}
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_indexscan = off")
                cursor.execute(sql, [embedder.model_version, literal])
                exact = {row for (row,) in cursor.fetchall()}
            recalls.append(len(approximate & exact) / max(1, len(exact)))
        return float(np.mean(recalls))
