"""Where the suggestion job's time goes: wall time per stage, and the SQL statements of each.

`StageTimer` wraps the functions the job calls for each part of its work (embedding the claim,
the vector search, the BM25 look-ups and candidates, BM25 scoring in Python, the cosines of rows
only BM25 found, the fact-check dates, writing the suggestions) for the length of a `with` block,
and a database execute wrapper counts every statement and attributes its time to the stage that
ran it. Stages nest: an outer stage's own time excludes its inner stages, so the stages of one
claim add up to its total and "other" (fusion, deciding, Python between the calls) is what is left.
Passages and published claims are kept apart: the published-claims side is its own stage.

Only for benchmarks: the wrappers cost a few microseconds per call.
"""

from __future__ import annotations

import contextlib
import functools
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

OTHER = "other (claim read and update, fusion, deciding)"
TOTAL = "total"


@dataclass
class _ClaimRecord:
    own_ms: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    sql_ms: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    queries: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    total_ms: float = 0.0


@dataclass
class CapturedStatement:
    stage: str
    sql: str
    params: Any


def _corpus_side(corpus: Any) -> str:
    return "published claims" if getattr(corpus, "published_only", False) else "passages"


def _by_corpus(label: str) -> Callable[..., str]:
    """The stage name of a lexical store method called with a corpus: its side, then `label`."""
    return lambda store, corpus, *args, **kwargs: f"{_corpus_side(corpus)}: {label}"


def _rows_side(rows: Any) -> str:
    return "published claims" if rows.model._meta.db_table == "claims_claim" else "passages"


class StageTimer:
    """Per-claim stage times of `claims.services.similarity.claim_suggest` (see the module docstring)."""

    def __init__(self) -> None:
        self.records: list[_ClaimRecord] = []
        self._stack: list[list[Any]] = []  # [stage, started, inner time]
        self._record: _ClaimRecord | None = None
        self.captured: list[CapturedStatement] = []
        self.capture_stages: set[str] = set()

    # Stages

    def _enter(self, stage: str) -> None:
        self._stack.append([stage, time.perf_counter(), 0.0])

    def _leave(self) -> None:
        stage, started, inner = self._stack.pop()
        elapsed = (time.perf_counter() - started) * 1000
        if self._record is not None:
            self._record.own_ms[stage] += elapsed - inner
        if self._stack:
            self._stack[-1][2] += elapsed

    def _wrapped(self, function: Callable[..., Any], name_of: Callable[..., str]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._enter(name_of(*args, **kwargs))
            try:
                return function(*args, **kwargs)
            finally:
                self._leave()

        return timed

    def _execute(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        stage = self._stack[-1][0] if self._stack else "outside"
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if self._record is not None:
                self._record.sql_ms[stage] += (time.perf_counter() - started) * 1000
                self._record.queries[stage] += 1
                if stage in self.capture_stages:
                    self.captured.append(CapturedStatement(stage=stage, sql=sql, params=params))

    @contextlib.contextmanager
    def installed(self) -> Iterator[StageTimer]:
        from claims.services import lexical_stores, similarity, vector_stores
        from claims.similarity import lexical

        lexical_class = lexical_stores.PostgresLexicalStore
        vector_class = vector_stores.PgvectorStore
        targets: list[tuple[Any, str, Callable[..., str]]] = [
            (similarity, "_claim_encode", lambda *a, **k: "embed the claim"),
            (vector_class, "nearest_passages", lambda *a, **k: "passages: HNSW nearest"),
            (vector_class, "nearest_published_claims", lambda *a, **k: "published claims"),
            (vector_class, "similarities", lambda s, rows, *a, **k: f"{_rows_side(rows)}: cosines of BM25-only hits"),
            (lexical_class, "frequencies_and_statistics", _by_corpus("BM25 term frequencies")),
            (lexical_class, "document_frequencies", _by_corpus("BM25 term frequencies")),
            (lexical_class, "statistics", _by_corpus("BM25 term frequencies")),
            (lexical_class, "rows_matching", _by_corpus("BM25 candidate statement")),
            (lexical_class, "rows_of_common_terms", _by_corpus("BM25 candidate statement")),
            (lexical_class, "rows_with_ids", _by_corpus("BM25 of dense hits (fetch)")),
            (lexical.BM25Scorer, "score_all", lambda *a, **k: "BM25 scoring in Python"),
            (similarity, "factcheck_dates_for_passages", lambda **_: "fact-check dates"),
            (similarity, "_upsert", lambda **_: "write suggestions"),
        ]
        # The published-claims side of claim_suggest runs between its two `_hybrid` calls; the
        # second call is the one over claims.
        originals = [(owner, name, getattr(owner, name)) for owner, name, _ in targets]
        original_hybrid = similarity._hybrid
        hybrid_calls = {"n": 0}

        def hybrid(**kwargs: Any) -> Any:
            hybrid_calls["n"] += 1
            if hybrid_calls["n"] % 2 == 0:
                self._enter("published claims")
                try:
                    return original_hybrid(**kwargs)
                finally:
                    self._leave()
            return original_hybrid(**kwargs)

        try:
            for owner, name, name_of in targets:
                setattr(owner, name, self._wrapped(getattr(owner, name), name_of))
            similarity._hybrid = hybrid
            self._hybrid_calls = hybrid_calls
            with connection.execute_wrapper(self._execute):
                yield self
        finally:
            similarity._hybrid = original_hybrid
            for owner, name, original in originals:
                setattr(owner, name, original)

    def time_claim(self, run: Callable[..., Any], **arguments: Any) -> float:
        """Run one suggestion job, `run(**arguments)`; return its milliseconds."""
        self._record = _ClaimRecord()
        self._hybrid_calls["n"] = 0
        self._enter(OTHER)
        started = time.perf_counter()
        try:
            run(**arguments)
        finally:
            self._record.total_ms = (time.perf_counter() - started) * 1000
            self._leave()
            self.records.append(self._record)
            self._record = None
        return self.records[-1].total_ms

    # Results

    def summary(self, *, skip_first: bool = True) -> dict[str, dict[str, float]]:
        """Per stage: mean and p95 own milliseconds per claim, mean SQL milliseconds, mean statements."""
        records = self.records[1:] if skip_first and len(self.records) > 1 else self.records
        stages = sorted({stage for record in records for stage in record.own_ms})
        rows: dict[str, dict[str, float]] = {}
        for stage in [*stages, TOTAL]:
            if stage == TOTAL:
                own = [record.total_ms for record in records]
                sql = [sum(record.sql_ms.values()) for record in records]
                queries = [sum(record.queries.values()) for record in records]
            else:
                own = [record.own_ms.get(stage, 0.0) for record in records]
                sql = [record.sql_ms.get(stage, 0.0) for record in records]
                queries = [record.queries.get(stage, 0) for record in records]
            ordered = sorted(own)
            rows[stage] = {
                "mean_ms": statistics.fmean(own),
                "p95_ms": ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))],
                "sql_ms": statistics.fmean(sql),
                "queries": statistics.fmean(queries),
            }
        return rows


def format_breakdown(summary: dict[str, dict[str, float]]) -> list[str]:
    lines = [f"  {'stage':<48}{'mean ms':>9}{'p95 ms':>9}{'of it SQL':>11}{'statements':>12}"]
    for stage, row in summary.items():
        lines.append(
            f"  {stage:<48}{row['mean_ms']:>9.1f}{row['p95_ms']:>9.1f}{row['sql_ms']:>11.1f}{row['queries']:>12.1f}"
        )
    return lines
