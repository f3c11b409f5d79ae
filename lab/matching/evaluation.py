"""Claim-retrieval benchmarks (CheckThat! verified-claim retrieval) and their official measures.

The folder layout is that of `data/claim_retrieval/<dataset>/`: `vclaims.jsonl` (the verified
claims to rank) and `<split>.jsonl` (queries with their relevant verified-claim ids). The measures
follow the TREC conventions of the CheckThat! scorer: AP@k = (1/R)·Σ_{i≤k, d_i relevant} P@i with R
the number of relevant claims of the query, averaged over all queries of the gold file; MRR over the
first 1000 ranks.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from claims.similarity.embedder import Embedder
from claims.similarity.retrieval import FusionConfig, HybridRetriever
from claims.similarity.text import build_document_text

MAX_RANKS = 1000
CUTOFF = 5


@dataclass(frozen=True)
class RetrievalQuery:
    query_id: str
    text: str
    relevant_ids: frozenset[str]
    official_split: str


@dataclass(frozen=True)
class VerifiedClaim:
    vclaim_id: str
    claim: str
    title: str

    @property
    def document_text(self) -> str:
        return build_document_text(claim=self.claim, title=self.title)


@dataclass(frozen=True)
class RetrievalScores:
    map_at_5: float
    mrr: float
    recall_at_5: float
    n_queries: int

    def as_dict(self, *, digits: int = 4) -> dict[str, float | int]:
        return {
            "map@5": round(self.map_at_5, digits),
            "mrr": round(self.mrr, digits),
            "recall@5": round(self.recall_at_5, digits),
            "n_queries": self.n_queries,
        }


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_queries(*, data_dir: Path, split: str) -> list[RetrievalQuery]:
    return [
        RetrievalQuery(
            query_id=str(row["query_id"]),
            text=row["query_text"],
            relevant_ids=frozenset(str(vclaim_id) for vclaim_id in row["relevant_vclaim_ids"]),
            official_split=row.get("official_split", ""),
        )
        for row in _read_jsonl(Path(data_dir) / f"{split}.jsonl")
    ]


def load_verified_claims(*, data_dir: Path) -> list[VerifiedClaim]:
    return [
        VerifiedClaim(vclaim_id=str(row["vclaim_id"]), claim=row.get("vclaim") or "", title=row.get("title") or "")
        for row in _read_jsonl(Path(data_dir) / "vclaims.jsonl")
    ]


def average_precision_at(ranking: Sequence[str], relevant: frozenset[str], *, k: int) -> float:
    hits = 0
    total = 0.0
    for rank, document_id in enumerate(ranking[:k], start=1):
        if document_id in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


def reciprocal_rank(ranking: Sequence[str], relevant: frozenset[str]) -> float:
    for rank, document_id in enumerate(ranking[:MAX_RANKS], start=1):
        if document_id in relevant:
            return 1.0 / rank
    return 0.0


def score_rankings(*, queries: Sequence[RetrievalQuery], rankings: Mapping[str, Sequence[str]]) -> RetrievalScores:
    """Score `rankings` ({query_id: document ids, best first}); a query without a ranking scores 0."""
    if not queries:
        raise ValueError("No queries to score.")
    map_total = mrr_total = recall_total = 0.0
    for query in queries:
        if not query.relevant_ids:
            raise ValueError(f"Query {query.query_id} has no relevant claim; the measures are undefined.")
        ranking = list(rankings.get(query.query_id, ()))[:MAX_RANKS]
        map_total += average_precision_at(ranking, query.relevant_ids, k=CUTOFF)
        mrr_total += reciprocal_rank(ranking, query.relevant_ids)
        recall_total += len(query.relevant_ids.intersection(ranking[:CUTOFF])) / len(query.relevant_ids)
    count = len(queries)
    return RetrievalScores(
        map_at_5=map_total / count, mrr=mrr_total / count, recall_at_5=recall_total / count, n_queries=count
    )


def score_by_official_split(
    *, queries: Sequence[RetrievalQuery], rankings: Mapping[str, Sequence[str]]
) -> dict[str, RetrievalScores]:
    """Scores per official split, when a file mixes several (dev folders often do); else empty."""
    official_splits = sorted({query.official_split for query in queries})
    if len(official_splits) < 2:
        return {}
    return {
        official_split: score_rankings(
            queries=[query for query in queries if query.official_split == official_split], rankings=rankings
        )
        for official_split in official_splits
    }


@dataclass(frozen=True)
class BenchmarkRun:
    scores: RetrievalScores
    scores_by_official_split: dict[str, RetrievalScores]
    queries_per_second: float
    indexing_seconds: float
    model_versions: dict[str, str]
    rankings: dict[str, list[str]]

    def as_dict(self, *, details: bool = False) -> dict[str, object]:
        summary: dict[str, object] = {**self.scores.as_dict(), "queries_per_second": round(self.queries_per_second, 1)}
        if details:
            summary["by_official_split"] = {
                split: scores.as_dict() for split, scores in self.scores_by_official_split.items()
            }
            summary["indexing_seconds"] = round(self.indexing_seconds, 1)
            summary["model_versions"] = self.model_versions
        return summary


def write_trec_run(rankings: Mapping[str, Sequence[str]], path: Path, *, tag: str) -> None:
    """Write rankings as a TREC run (`qid Q0 docid rank score tag`, tab-separated) for external scorers.

    Scores are 1/rank: ties in fused scores would let a scorer that re-sorts by score reorder them.
    """
    with open(path, "w", encoding="utf-8") as handle:
        for query_id, ranking in rankings.items():
            for rank, document_id in enumerate(ranking, start=1):
                handle.write(f"{query_id}\tQ0\t{document_id}\t{rank}\t{1 / rank:.6f}\t{tag}\n")


def run_retrieval_benchmark(
    *,
    data_dir: Path,
    split: str,
    embedders: Mapping[str, Embedder],
    fusion: FusionConfig | None = None,
    limit: int | None = None,
    depth: int = 100,
) -> BenchmarkRun:
    """Rank the folder's verified claims for each query of `split` with a `HybridRetriever` and score it.

    Queries per second covers everything a query costs once the corpus is indexed: cleaning,
    embedding, scoring both methods and fusing.
    """
    queries = load_queries(data_dir=data_dir, split=split)
    if limit is not None:
        queries = queries[:limit]
    claims = load_verified_claims(data_dir=data_dir)
    started = time.perf_counter()
    retriever = HybridRetriever(
        ids=[claim.vclaim_id for claim in claims],
        texts=[claim.document_text for claim in claims],
        embedders=embedders,
        fusion=fusion,
    )
    indexing_seconds = time.perf_counter() - started
    started = time.perf_counter()
    results = retriever.search_many([query.text for query in queries], k=depth)
    elapsed = time.perf_counter() - started
    rankings = {
        query.query_id: [str(result.id) for result in ranking] for query, ranking in zip(queries, results, strict=True)
    }
    return BenchmarkRun(
        scores=score_rankings(queries=queries, rankings=rankings),
        scores_by_official_split=score_by_official_split(queries=queries, rankings=rankings),
        queries_per_second=len(queries) / elapsed if elapsed > 0 else float("inf"),
        indexing_seconds=indexing_seconds,
        model_versions={method: embedder.model_version for method, embedder in embedders.items()},
        rankings=rankings,
    )
