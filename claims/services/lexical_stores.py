"""BM25 ranking inside the database, one class per backend, next to the vector stores.

No process holds a corpus-sized index: every row carries its tokens (`lexical_terms`, written with
the row by `LexicalTermsField`), the database indexes that column, and a row is searchable as soon
as its transaction commits.

SQLite: an FTS5 external-content table per corpus, kept in step by triggers, and an fts5vocab
table for document frequencies. PostgreSQL: a GIN index on ``to_tsvector('simple', lexical_terms)``
(the column holds lower-case alphanumeric tokens only, so the 'simple' parser splits it into
exactly those tokens). Both: ``claims_lexical_statistics`` holds the passage count and token count,
kept by triggers (migration 0016).

A query is scored as Lucene's BM25 by `BM25Scorer`, the numbers the in-memory `BM25Index` gives.
Candidates are the rows holding the query's rarest terms, as many terms (rarest first) as keep
their summed document frequencies within `SIMILARITY_LEXICAL_CANDIDATES`; every candidate gets its
exact score over all the query's terms. A row that shares only common words with the query is
left out; its score is small (common words have a low IDF), and the hybrid only needs the best
`SIMILARITY_CANDIDATES`. When all the query's terms fit, the ranking is exact. When even the
rarest term is commoner than that, SQLite takes the rows holding it in FTS5's bm25() order, and
PostgreSQL the rows holding two of the query's rarest terms, then rows holding the rarest.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

from django.conf import settings
from django.db import connection

from claims.lexical_schema import STATISTICS_TABLE, TERMS_TABLE
from claims.selectors import claims_with_published_verdict
from claims.similarity.lexical import (
    BM25Scorer,
    CorpusStatistics,
    LexicalRanking,
    query_terms,
)

PASSAGES = "passages"
PUBLISHED_CLAIMS = "claims"
# SQL for the number of tokens in a `lexical_terms` value (tokens are joined by single spaces).
TERM_COUNT_SQL = "(CASE WHEN {column} = '' THEN 0 ELSE length({column}) - length(replace({column}, ' ', '')) + 1 END)"


class LexicalStore(Protocol):
    def passages(self, text: str) -> LexicalRanking:
        """The query's BM25 ranking over every source passage."""
        ...

    def published_claims(self, text: str) -> LexicalRanking:
        """The query's BM25 ranking over the claims with a published verdict."""
        ...


@dataclass(frozen=True)
class _Corpus:
    table: str
    # Passages are all ranked; claims only when published (an `id IN (...)` subquery).
    published_only: bool


_CORPORA = {
    PASSAGES: _Corpus(table="claims_sourcepassage", published_only=False),
    PUBLISHED_CLAIMS: _Corpus(table="claims_claim", published_only=True),
}


def _published_ids_sql() -> tuple[str, list[Any]]:
    sql, params = claims_with_published_verdict().values("id").query.sql_with_params()
    return sql, list(params)


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


class _EmptyRanking:
    def top(self, k: int) -> list[tuple[Hashable, float]]:
        return []

    def scores_of(self, ids: Sequence[Hashable]) -> dict[Hashable, float]:
        return {}


class _StoredRanking:
    def __init__(
        self,
        *,
        store: _DatabaseLexicalStore,
        corpus: _Corpus,
        terms: list[str],
        frequencies: dict[str, int],
        scorer: BM25Scorer,
    ) -> None:
        self.store, self.corpus, self.terms, self.frequencies, self.scorer = store, corpus, terms, frequencies, scorer

    def top(self, k: int) -> list[tuple[Hashable, float]]:
        """The query's terms, rarest first, as many as keep their rows within the candidate budget,
        fetched in one statement and scored over all the query's terms. A row holding none of them
        shares only common words with the query, so it scores less than the rows fetched. When even
        the rarest term holds more rows than the budget, the backend picks that many rows among those
        of the query's rarest terms (`rows_of_common_terms`)."""
        budget = max(int(settings.SIMILARITY_LEXICAL_CANDIDATES), k)
        order = sorted((frequency, term) for term, frequency in self.frequencies.items() if frequency > 0)
        chosen: list[str] = []
        rows_held = 0
        for frequency, term in order:
            if chosen and rows_held + frequency > budget:
                break
            chosen.append(term)
            rows_held += frequency
        if not chosen:
            return []
        if rows_held > budget:
            rows = self.store.rows_of_common_terms(self.corpus, [term for _, term in order], limit=budget)
        else:
            rows = self.store.rows_matching(self.corpus, chosen, limit=budget)
        scores = self.scorer.score_all(rows)
        ranked = sorted((row_id for row_id, score in scores.items() if score > 0), key=lambda i: (-scores[i], i))
        return [(row_id, scores[row_id]) for row_id in ranked[:k]]

    def scores_of(self, ids: Sequence[Hashable]) -> dict[Hashable, float]:
        if not ids:
            return {}
        return self.scorer.score_all(self.store.rows_with_ids(self.corpus, [cast(int, row_id) for row_id in ids]))


class _DatabaseLexicalStore:
    """What both backends share: the BM25 arithmetic, in Python over the candidates' stored terms."""

    def passages(self, text: str) -> LexicalRanking:
        return self._rank(_CORPORA[PASSAGES], text)

    def published_claims(self, text: str) -> LexicalRanking:
        return self._rank(_CORPORA[PUBLISHED_CLAIMS], text)

    def _rank(self, corpus: _Corpus, text: str) -> LexicalRanking:
        terms = query_terms(text)
        if not terms:
            return _EmptyRanking()
        frequencies, statistics = self.frequencies_and_statistics(corpus, terms)
        if not any(frequencies.values()):
            return _EmptyRanking()
        scorer = BM25Scorer(terms=terms, document_frequencies=frequencies, statistics=statistics())
        return _StoredRanking(store=self, corpus=corpus, terms=terms, frequencies=frequencies, scorer=scorer)

    def _restriction(self, corpus: _Corpus, column: str) -> tuple[str, list[Any]]:
        if not corpus.published_only:
            return "", []
        sql, params = _published_ids_sql()
        return f" AND {column} IN ({sql})", params

    def frequencies_and_statistics(
        self, corpus: _Corpus, terms: list[str]
    ) -> tuple[dict[str, int], Callable[[], CorpusStatistics]]:
        """The terms' document frequencies, and the corpus statistics (asked for only when a term
        occurs at all)."""
        return self.document_frequencies(corpus, terms), lambda: self.statistics(corpus)

    def statistics(self, corpus: _Corpus) -> CorpusStatistics:
        with connection.cursor() as cursor:
            if corpus.published_only:
                # Published claims are few next to the library, and whether a claim is published
                # depends on its verdict too: counted at query time.
                restriction, params = self._restriction(corpus, "id")
                cursor.execute(
                    f"SELECT count(*), coalesce(sum({TERM_COUNT_SQL.format(column='lexical_terms')}), 0) "  # noqa: S608
                    f"FROM {corpus.table} WHERE 1 = 1{restriction}",
                    params,
                )
            else:
                cursor.execute("SELECT documents, terms FROM claims_lexical_statistics WHERE corpus = %s", [PASSAGES])
            row = cursor.fetchone()
        return CorpusStatistics(documents=int(row[0]), terms=int(row[1])) if row else CorpusStatistics(0, 0)

    def rows_with_ids(self, corpus: _Corpus, ids: list[int]) -> list[tuple[int, str]]:
        restriction, params = self._restriction(corpus, "id")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, lexical_terms FROM {corpus.table} WHERE id IN ({_placeholders(ids)}){restriction}",  # noqa: S608
                [*ids, *params],
            )
            return list(cursor.fetchall())

    def document_frequencies(self, corpus: _Corpus, terms: list[str]) -> dict[str, int]:
        raise NotImplementedError

    def rows_matching(self, corpus: _Corpus, terms: list[str], *, limit: int) -> list[tuple[int, str]]:
        """The rows holding any of `terms` (no more than `limit` do)."""
        raise NotImplementedError

    def rows_of_common_terms(self, corpus: _Corpus, terms: list[str], *, limit: int) -> list[tuple[int, str]]:
        """`limit` rows among the many holding the query's `terms` (rarest first; even the first
        is held by more rows than `limit`)."""
        raise NotImplementedError


class Fts5LexicalStore(_DatabaseLexicalStore):
    """SQLite: FTS5 external-content tables ``<table>_fts`` and their ``<table>_fts_vocab``."""

    @staticmethod
    def _match(terms: list[str]) -> str:
        # Tokens are [a-z0-9]+; quoting keeps "not", "and" and "or" words, never operators.
        return " OR ".join(f'"{term}"' for term in terms)

    def document_frequencies(self, corpus: _Corpus, terms: list[str]) -> dict[str, int]:
        with connection.cursor() as cursor:
            if not corpus.published_only:
                cursor.execute(
                    f"SELECT term, doc FROM {corpus.table}_fts_vocab WHERE term IN ({_placeholders(terms)})",  # noqa: S608
                    terms,
                )
                return {term: int(count) for term, count in cursor.fetchall()}
            restriction, params = self._restriction(corpus, "rowid")
            frequencies = {}
            for term in terms:
                cursor.execute(
                    f"SELECT count(*) FROM {corpus.table}_fts WHERE {corpus.table}_fts MATCH %s{restriction}",  # noqa: S608
                    [self._match([term]), *params],
                )
                frequencies[term] = int(cursor.fetchone()[0])
            return frequencies

    def rows_matching(self, corpus: _Corpus, terms: list[str], *, limit: int) -> list[tuple[int, str]]:
        return self._rows(corpus, terms, limit=limit, ordered=False)

    def rows_of_common_terms(self, corpus: _Corpus, terms: list[str], *, limit: int) -> list[tuple[int, str]]:
        """The rarest term's best rows by FTS5's own bm25()."""
        return self._rows(corpus, terms[:1], limit=limit, ordered=True)

    def _rows(self, corpus: _Corpus, terms: list[str], *, limit: int, ordered: bool) -> list[tuple[int, str]]:
        restriction, params = self._restriction(corpus, "rowid")
        match = self._match(terms)
        order = f" ORDER BY bm25({corpus.table}_fts)" if ordered else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT c.id, c.lexical_terms FROM (SELECT rowid FROM {corpus.table}_fts "  # noqa: S608
                f"WHERE {corpus.table}_fts MATCH %s{restriction}{order} LIMIT %s) f "
                f"JOIN {corpus.table} c ON c.id = f.rowid",
                [match, *params, limit],
            )
            return list(cursor.fetchall())


class PostgresLexicalStore(_DatabaseLexicalStore):
    """PostgreSQL: the GIN index ``<table>_lexical_gin`` on ``to_tsvector('simple', lexical_terms)``."""

    VECTOR = "to_tsvector('simple'::regconfig, lexical_terms)"

    def frequencies_and_statistics(
        self, corpus: _Corpus, terms: list[str]
    ) -> tuple[dict[str, int], Callable[[], CorpusStatistics]]:
        if corpus.published_only:
            return super().frequencies_and_statistics(corpus, terms)
        # Both kept by the passages' triggers: one round trip for the two.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.documents, s.terms, (SELECT coalesce(json_object_agg(t.term, t.documents), '{{}}') "  # noqa: S608
                f"FROM {TERMS_TABLE} t WHERE t.corpus = s.corpus AND t.term = ANY(%s)) "
                f"FROM {STATISTICS_TABLE} s WHERE s.corpus = %s",
                [terms, PASSAGES],
            )
            row = cursor.fetchone()
        if row is None:
            return {}, lambda: CorpusStatistics(0, 0)
        documents, term_count, frequencies = row
        statistics = CorpusStatistics(documents=int(documents), terms=int(term_count))
        return {term: int(count) for term, count in frequencies.items()}, lambda: statistics

    def document_frequencies(self, corpus: _Corpus, terms: list[str]) -> dict[str, int]:
        with connection.cursor() as cursor:
            if not corpus.published_only:
                # Kept by the passages' triggers: one index lookup per term, however common.
                cursor.execute(
                    f"SELECT term, documents FROM {TERMS_TABLE} WHERE corpus = %s AND term = ANY(%s)",  # noqa: S608
                    [PASSAGES, terms],
                )
                return {term: int(count) for term, count in cursor.fetchall()}
            # Published claims are few next to all claims: their terms are counted from them.
            sql, params = _published_ids_sql()
            cursor.execute(
                "SELECT term, count(*) FROM (SELECT DISTINCT c.id, term FROM claims_claim c, "  # noqa: S608
                "unnest(string_to_array(c.lexical_terms, ' ')) AS term "
                f"WHERE c.id IN ({sql}) AND term = ANY(%s)) s GROUP BY term",
                [*params, terms],
            )
            return {term: int(count) for term, count in cursor.fetchall()}

    # How many of the query's rarest terms `rows_of_common_terms` pairs up.
    COMMON_TERMS_PAIRED = 4

    def rows_matching(self, corpus: _Corpus, terms: list[str], *, limit: int) -> list[tuple[int, str]]:
        return self._rows(corpus, " | ".join(terms), limit=limit)

    def rows_of_common_terms(self, corpus: _Corpus, terms: list[str], *, limit: int) -> list[tuple[int, str]]:
        """Rows holding two of the query's rarest terms, then, if fewer than `limit` do, rows holding
        the rarest. Ordering thousands of rows by relevance (ts_rank) would read and rank every one
        of them: hundreds of milliseconds at a million passages. The best BM25 scores are mostly
        among rows sharing two words with the query, and the fetched rows are then scored exactly."""
        rarest = terms[: self.COMMON_TERMS_PAIRED]
        rows: dict[int, str] = {}
        if len(rarest) > 1:
            pairs = " | ".join(f"({first} & {second})" for first, second in itertools.combinations(rarest, 2))
            rows.update(self._rows(corpus, pairs, limit=limit))
        if len(rows) < limit:
            for row_id, row_terms in self._rows(corpus, rarest[0], limit=limit):
                if len(rows) >= limit:
                    break
                rows.setdefault(row_id, row_terms)
        return list(rows.items())

    def _rows(self, corpus: _Corpus, query: str, *, limit: int) -> list[tuple[int, str]]:
        restriction, params = self._restriction(corpus, "id")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, lexical_terms FROM {corpus.table} "  # noqa: S608
                f"WHERE {self.VECTOR} @@ to_tsquery('simple'::regconfig, %s){restriction} LIMIT %s",
                [query, *params, limit],
            )
            return list(cursor.fetchall())


_fts5_store = Fts5LexicalStore()
_postgres_store = PostgresLexicalStore()


def get_lexical_store() -> LexicalStore:
    if connection.vendor == "postgresql":
        return _postgres_store
    return _fts5_store
