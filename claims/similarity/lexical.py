"""Lexical matching: BM25 (bm25s) with one tokenisation for documents and queries.

Names, numbers and rare words ("emoluments", "Guantanamo", "$1.9 trillion") are where the
embedding model is weakest and BM25 strongest; the two rankings are fused downstream.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence

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

    def search(self, query: str, k: int) -> list[tuple[Hashable, float]]:
        """The `k` best-scoring documents with a positive score, best first."""
        scores = self.score_all(query)
        return [(self.ids[row], float(scores[row])) for row in top_k_rows(scores, k) if scores[row] > 0]
