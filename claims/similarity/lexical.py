"""Lexical matching: BM25 with one tokenisation for documents and queries.

The product ranks inside the database (`claims.services.lexical_stores`: FTS5 on SQLite, a GIN
index on PostgreSQL) and scores candidates with `BM25Scorer`; the evaluation over an in-memory
corpus uses `BM25Index` (bm25s). Both give Lucene's BM25 (k1=1.2, b=0.75, IDF log(1 + (N - n +
0.5) / (n + 0.5))) and hand `retrieval.hybrid_rank` a `LexicalRanking`.

Names, numbers and rare words ("emoluments", "Guantanamo", "$1.9 trillion") are where the
embedding model is weakest and BM25 strongest; the two rankings are fused downstream.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from claims.similarity.index import top_k_rows

TOKEN_RE = re.compile(r"[a-z0-9]+")
# Function words only: negations and modal verbs change what a claim says and stay in.
STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the this to was were will with".split()
)


def tokenize(text: str, *, drop_stopwords: bool = True) -> list[str]:
    """Lower-cased alphanumeric runs; apostrophes and hyphens split words ("didn't" -> "didn", "t")."""
    tokens = TOKEN_RE.findall(text.lower())
    if drop_stopwords:
        return [token for token in tokens if token not in STOPWORDS]
    return tokens


def lexical_terms(text: str) -> str:
    """The tokens of `text` joined by spaces: what the database's full-text index stores for a row."""
    return " ".join(tokenize(text))


class BM25Index:
    """An immutable BM25 index over `texts`; rebuild it when the document set changes."""

    def __init__(
        self,
        *,
        ids: Sequence[Hashable],
        texts: Sequence[str],
        k1: float = 1.2,
        b: float = 0.75,
        drop_stopwords: bool = True,
    ) -> None:
        import bm25s

        if len(ids) != len(texts):
            raise ValueError(f"{len(ids)} ids for {len(texts)} texts.")
        if len(set(ids)) != len(ids):
            raise ValueError("Document ids must be unique.")
        self.ids = list(ids)
        self.row_of = {document_id: row for row, document_id in enumerate(self.ids)}
        self.drop_stopwords = drop_stopwords
        self._bm25 = bm25s.BM25(k1=k1, b=b, method="lucene")
        corpus_tokens = [tokenize(text, drop_stopwords=drop_stopwords) for text in texts]
        self._empty = not any(corpus_tokens)
        if not self._empty:
            self._bm25.index(corpus_tokens, show_progress=False)

    def __len__(self) -> int:
        return len(self.ids)

    def score_all(self, query: str) -> np.ndarray:
        """BM25 score of `query` against every document, in the order of `ids`."""
        if self._empty:
            return np.zeros(len(self.ids), dtype=np.float32)
        # Each query term counts once, as in the reference BM25 of the CheckThat! scorer.
        tokens = list(dict.fromkeys(tokenize(query, drop_stopwords=self.drop_stopwords)))
        token_ids = self._bm25.get_tokens_ids(tokens)
        if not token_ids:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._bm25.get_scores_from_ids(token_ids), dtype=np.float32)

    def rank(self, query: str) -> ArrayRanking:
        return ArrayRanking(ids=self.ids, row_of=self.row_of, scores=self.score_all(query))

    def search(self, query: str, k: int) -> list[tuple[Hashable, float]]:
        """The `k` best-scoring documents with a positive score, best first."""
        scores = self.score_all(query)
        return [(self.ids[row], float(scores[row])) for row in top_k_rows(scores, k) if scores[row] > 0]


BM25_K1 = 1.2
BM25_B = 0.75


def query_terms(text: str) -> list[str]:
    """The distinct tokens of a query: each counts once, as in the reference BM25 of the CheckThat! scorer."""
    return list(dict.fromkeys(tokenize(text)))


class LexicalRanking(Protocol):
    """One query's BM25 ranking over a corpus: its best rows, and the score of any given row."""

    def top(self, k: int) -> list[tuple[Hashable, float]]:
        """Up to `k` rows with a positive score, best first (ties by id)."""
        ...

    def scores_of(self, ids: Sequence[Hashable]) -> dict[Hashable, float]:
        """The score of each of `ids` that exists (0.0 when it shares no word with the query)."""
        ...


class ArrayRanking:
    """A `LexicalRanking` over a full score array (the in-memory `BM25Index`)."""

    def __init__(self, *, ids: Sequence[Hashable], row_of: Mapping[Hashable, int], scores: np.ndarray) -> None:
        self.ids, self.row_of, self.scores = ids, row_of, scores

    def top(self, k: int) -> list[tuple[Hashable, float]]:
        return [(self.ids[row], float(self.scores[row])) for row in top_k_rows(self.scores, k) if self.scores[row] > 0]

    def scores_of(self, ids: Sequence[Hashable]) -> dict[Hashable, float]:
        return {row_id: float(self.scores[self.row_of[row_id]]) for row_id in ids if row_id in self.row_of}


@dataclass(frozen=True)
class CorpusStatistics:
    documents: int
    # Tokens over all documents, so the average document length is terms / documents.
    terms: int

    @property
    def average_length(self) -> float:
        return self.terms / self.documents if self.documents else 0.0


class BM25Scorer:
    """Lucene's BM25 of one query against documents given as their stored terms (`lexical_terms`),
    from the corpus's statistics: the same numbers `BM25Index` gives over the same corpus."""

    def __init__(
        self,
        *,
        terms: Sequence[str],
        document_frequencies: Mapping[str, int],
        statistics: CorpusStatistics,
        k1: float = BM25_K1,
        b: float = BM25_B,
    ) -> None:
        documents = statistics.documents
        self.idf = {
            term: math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))
            for term in terms
            if (frequency := document_frequencies.get(term, 0)) > 0
        }
        self.k1, self.b = k1, b
        self.average_length = statistics.average_length or 1.0

    def score(self, document_terms: str) -> float:
        if not self.idf or not document_terms:
            return 0.0
        total = 0.0
        tokens: list[str] | None = None
        norm = 0.0
        # Most of a query's terms are not in a given row: a substring test (in C) rules a term out
        # before the row is split, and the row is split only once some term may be in it. list.count
        # then counts whole tokens ("art" in "start" counts nothing).
        for term, idf in self.idf.items():
            if term not in document_terms:
                continue
            if tokens is None:
                tokens = document_terms.split(" ")
                norm = self.k1 * (1 - self.b + self.b * len(tokens) / self.average_length)
            count = tokens.count(term)
            if count:
                total += idf * count / (count + norm)
        return total

    def score_all(self, rows: Iterable[tuple[Hashable, str]]) -> dict[Hashable, float]:
        return {row_id: self.score(document_terms) for row_id, document_terms in rows}
