"""Hybrid ranking: dense cosine and BM25, fused. One ranker, `hybrid_rank`, serves every caller —
the suggestion job and the library search (through the vector and lexical stores of the database)
and the evaluation (`HybridRetriever`, over an in-memory corpus with bm25s) — so `evaluate_matching`
measures the ranking reviewers get. Both hand it BM25 as a `LexicalRanking`: the best rows, and the
exact score of any other row.

Candidates are the dense hits plus as many BM25 hits (those with a positive score); each is scored
by both methods, then the scores are fused.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from claims.similarity.config import similarity_setting
from claims.similarity.embedder import Embedder
from claims.similarity.fusion import reciprocal_rank_fusion, weighted_score_fusion
from claims.similarity.index import ExactNumpyIndex, top_k_rows
from claims.similarity.lexical import BM25Index, LexicalRanking
from claims.similarity.text import clean_query

LEXICAL_METHOD = "bm25"
DENSE_METHOD = "dense"
FUSION_METHODS = ("weighted", "rrf")


@dataclass(frozen=True)
class FusionConfig:
    """How the methods' scores become one ranking.

    "weighted" adds raw cosines to BM25 scores divided by the query's best BM25 score. The default
    BM25 weight (0.3 for the packaged encoder) was picked on the 997 CheckThat! 2020 development
    posts; weighted fusion beat reciprocal rank fusion there by 0.02 MAP@5 or more at every k tried.
    """

    method: str = "weighted"
    weights: Mapping[str, float] = field(default_factory=lambda: {DENSE_METHOD: 1.0, LEXICAL_METHOD: 0.3})
    normalisation: Mapping[str, str] = field(default_factory=lambda: {LEXICAL_METHOD: "max"})
    rrf_k: float = 60.0
    # How many nearest vectors a query starts from (the `SIMILARITY_CANDIDATES` setting, as in the product).
    candidates_per_method: int = field(default_factory=lambda: int(similarity_setting("SIMILARITY_CANDIDATES")))

    def __post_init__(self) -> None:
        if self.method not in FUSION_METHODS:
            raise ValueError(f"Unknown fusion method {self.method!r}; expected one of {FUSION_METHODS}.")


def fusion_for(embedder: Embedder | None) -> FusionConfig:
    """The default fusion, with the BM25 weight tuned for `embedder` when its folder records one."""
    bm25_weight = getattr(embedder, "bm25_weight", None)
    if bm25_weight is None:
        return FusionConfig()
    return FusionConfig(weights={DENSE_METHOD: 1.0, LEXICAL_METHOD: float(bm25_weight)})


def _ranking(scores: Mapping[Hashable, float], *, keep_zero: bool) -> list[Hashable]:
    """Ids best first (ties by id); without `keep_zero`, ids a method gave nothing are left out."""
    kept = [row_id for row_id, value in scores.items() if keep_zero or value > 0]
    return sorted(kept, key=lambda row_id: (-scores[row_id], str(row_id)))


@dataclass(frozen=True)
class RetrievalResult:
    id: Hashable
    score: float
    method_scores: dict[str, float]


def hybrid_rank(
    *,
    lexical: LexicalRanking,
    dense: Sequence[tuple[Hashable, float]] | None,
    cosines_of: Callable[[list[Hashable]], Mapping[Hashable, float]] | None,
    keep: int,
    fusion: FusionConfig,
) -> list[RetrievalResult]:
    """The `keep` best candidates for one query, best first, with each method's own score.

    `lexical` is the query's BM25 ranking (from the database's lexical store, or an in-memory
    index); `dense` the nearest (id, cosine) pairs (None: rank on words alone). Candidates are the
    `dense` hits and the best `max(len(dense), keep)` BM25 hits with a positive score; every
    candidate gets both scores: a row BM25 ranks first that the vector search missed gets its real
    cosine from `cosines_of`, which leaves out ids that no longer exist, and a dense hit gets its
    real BM25 score from `lexical.scores_of`.
    """
    pool = max(len(dense or ()), keep)
    lexical_hits = dict(lexical.top(pool))
    lexical_top = list(lexical_hits)
    if dense is None or cosines_of is None:
        cosines: dict[Hashable, float] | None = None
        candidates = lexical_top
    else:
        cosines = dict(dense)
        unscored = [row_id for row_id in lexical_top if row_id not in cosines]
        if unscored:
            cosines.update(cosines_of(unscored))
        candidates = list(cosines)
    missing = [row_id for row_id in candidates if row_id not in lexical_hits]
    found = lexical.scores_of(missing) if missing else {}
    bm25 = {row_id: lexical_hits.get(row_id, found.get(row_id, 0.0)) for row_id in candidates}
    scores: dict[str, dict[Hashable, float]] = {LEXICAL_METHOD: bm25}
    if cosines is not None:
        scores[DENSE_METHOD] = cosines
    if fusion.method == "rrf":
        rankings = {
            method: _ranking(method_scores, keep_zero=method == DENSE_METHOD)
            for method, method_scores in scores.items()
        }
        fused = reciprocal_rank_fusion(rankings, k=fusion.rrf_k, weights=fusion.weights)
    else:
        # Cosine plus a weight times BM25 over the query's best BM25 score; on CheckThat! dev data
        # this beat reciprocal rank fusion by 0.02 MAP@5 or more.
        fused = weighted_score_fusion(scores, weights=fusion.weights, normalisation=fusion.normalisation)
    return [
        RetrievalResult(
            id=row_id,
            score=score,
            method_scores={method: method_scores[row_id] for method, method_scores in scores.items()},
        )
        for row_id, score in fused[:keep]
    ]


class HybridRetriever:
    """Rank the documents of a fixed corpus for free-text queries with `hybrid_rank`.

    `embedders` maps "dense" to an embedder, or is empty (BM25 alone); `texts` are the
    document texts (see `text.build_document_text`). `document_vectors` may supply precomputed
    vectors per method; they must come from that method's embedder (same model version).
    """

    def __init__(
        self,
        *,
        ids: Sequence[Hashable],
        texts: Sequence[str],
        embedders: Mapping[str, Embedder],
        fusion: FusionConfig | None = None,
        query_cleaner: Callable[[str], str] | None = clean_query,
        document_vectors: Mapping[str, np.ndarray] | None = None,
        bm25_index: BM25Index | None = None,
        batch_size: int = 64,
    ) -> None:
        if LEXICAL_METHOD in embedders:
            raise ValueError(f"{LEXICAL_METHOD!r} names the lexical method; pick another name for an embedder.")
        if set(embedders) - {DENSE_METHOD}:
            raise ValueError(f"The hybrid ranking fuses one {DENSE_METHOD!r} method with BM25; name the embedder so.")
        self.ids = list(ids)
        self.fusion = fusion or FusionConfig()
        self.query_cleaner = query_cleaner
        self.embedders = dict(embedders)
        self.batch_size = batch_size
        self.lexical = bm25_index or BM25Index(ids=self.ids, texts=texts)
        if self.lexical.ids != self.ids:
            raise ValueError("The BM25 index must cover the same ids in the same order.")
        self.vector_indexes: dict[str, ExactNumpyIndex] = {}
        for method, embedder in self.embedders.items():
            vectors = (document_vectors or {}).get(method)
            if vectors is None:
                vectors = embedder.encode(list(texts), batch_size=batch_size)
            index = ExactNumpyIndex(
                dimensions=embedder.dimensions, model_version=embedder.model_version, capacity=len(self.ids)
            )
            index.add(self.ids, vectors)
            self.vector_indexes[method] = index

    @property
    def methods(self) -> list[str]:
        return [*self.embedders, LEXICAL_METHOD]

    def prepare_query(self, query: str) -> str:
        return self.query_cleaner(query) if self.query_cleaner else query

    def search(self, query: str, *, k: int = 10) -> list[RetrievalResult]:
        return self.search_many([query], k=k)[0]

    def search_many(self, queries: Sequence[str], *, k: int = 10) -> list[list[RetrievalResult]]:
        """Rank the corpus for each query; queries are embedded in batches."""
        prepared = [self.prepare_query(query) for query in queries]
        dense_scores = {
            method: self.vector_indexes[method].score_all(embedder.encode(prepared, batch_size=self.batch_size))
            for method, embedder in self.embedders.items()
        }
        results = []
        for position, query in enumerate(prepared):
            scores = {method: method_scores[position] for method, method_scores in dense_scores.items()}
            results.append(self._fuse(scores, lexical=self.lexical.rank(query), k=k))
        return results

    def _fuse(self, scores: Mapping[str, np.ndarray], *, lexical: LexicalRanking, k: int) -> list[RetrievalResult]:
        if DENSE_METHOD not in scores:
            return hybrid_rank(
                lexical=lexical,
                dense=None,
                cosines_of=None,
                keep=k,
                fusion=self.fusion,
            )
        cosine_of_row = scores[DENSE_METHOD]
        row_of = self.lexical.row_of
        nearest = top_k_rows(cosine_of_row, max(k, self.fusion.candidates_per_method))
        results = hybrid_rank(
            lexical=lexical,
            dense=[(self.ids[row], float(cosine_of_row[row])) for row in nearest],
            cosines_of=lambda ids: {row_id: float(cosine_of_row[row_of[row_id]]) for row_id in ids},
            keep=k,
            fusion=self.fusion,
        )
        return results
