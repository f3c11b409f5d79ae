"""Claim matching measured through the product's own path: rows in the database, the suggestion job.

`evaluate_matching` ranks a benchmark's verified claims in memory; this puts them into the source
library as passages, embeds them with the job that embeds passages, then runs the suggestion job
(`claim_suggest`) for each query as a new claim and scores the suggestions it wrote, best fused
score first. Everything the product does on the way counts: the vector store of the database
(pgvector HNSW or exact numpy), the suggest thresholds and the number of suggestions kept.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.db import transaction

from claims.choices import SuggestionTarget
from claims.errors import InvalidInputError
from claims.models import Claim, Source, SourcePassage, Suggestion
from claims.services import similarity
from claims.similarity.embedder import get_embedder
from lab.matching.evaluation import (
    BenchmarkRun,
    load_queries,
    load_verified_claims,
    score_by_official_split,
    score_rankings,
)

LIBRARY_URL = "https://benchmark.invalid/verified-claims"


def matching_evaluate_through_service(*, data_dir: Path, split: str, limit: int | None = None) -> BenchmarkRun:
    """Score the suggestion job on a claim-retrieval folder. Needs an empty, throwaway database."""
    if Claim.objects.exists() or SourcePassage.objects.exists():
        raise InvalidInputError("The service-path evaluation needs an empty database: it adds thousands of rows.")
    queries = load_queries(data_dir=data_dir, split=split)[:limit]
    verified = load_verified_claims(data_dir=data_dir)

    started = time.perf_counter()
    with transaction.atomic():
        library = Source.objects.create(url=LIBRARY_URL, title=f"Verified claims of {data_dir.name}")
        SourcePassage.objects.bulk_create(
            [
                SourcePassage(source=library, position=position, text=claim.document_text)
                for position, claim in enumerate(verified)
            ],
            batch_size=2000,
        )
    vclaim_of = {
        passage_id: verified[position].vclaim_id
        for passage_id, position in SourcePassage.objects.values_list("id", "position")
    }
    similarity.passages_embed(passage_ids=list(vclaim_of))
    indexing_seconds = time.perf_counter() - started

    started = time.perf_counter()
    rankings: dict[str, list[str]] = {}
    for query in queries:
        claim = Claim.objects.create(text=query.text)
        similarity.claim_suggest(claim_id=claim.pk)
        suggested = Suggestion.objects.filter(claim=claim, target_kind=SuggestionTarget.PASSAGE).order_by(
            "-fused_score", "target_passage_id"
        )
        rankings[query.query_id] = [
            vclaim_of[passage_id] for passage_id in suggested.values_list("target_passage_id", flat=True)
        ]
    elapsed = time.perf_counter() - started

    return BenchmarkRun(
        scores=score_rankings(queries=queries, rankings=rankings),
        scores_by_official_split=score_by_official_split(queries=queries, rankings=rankings),
        queries_per_second=len(queries) / elapsed if elapsed > 0 else float("inf"),
        indexing_seconds=indexing_seconds,
        model_versions={"dense": get_embedder().model_version},
        rankings=rankings,
    )
