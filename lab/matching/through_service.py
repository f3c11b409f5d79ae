"""Claim matching measured through the product's own path: rows in the database, the suggestion job.

`evaluate_matching` ranks a benchmark's verified claims in memory; this puts them into the source
library as passages, embeds them with the job that embeds passages, then runs the suggestion job
(`claim_suggest`) for each query as a new claim and scores the suggestions it wrote, best fused
score first. Everything the product does on the way counts: the vector store of the database
(pgvector HNSW or exact numpy), the suggest thresholds and the number of suggestions kept.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import quote

from django.db import transaction

from claims.choices import SuggestionTarget
from claims.errors import InvalidInputError
from claims.extraction.language_neutral import sentence_languages
from claims.factchecks.parsing import parse_json_lines
from claims.models import Claim, Source, SourcePassage, Suggestion
from claims.services import similarity
from claims.services.factchecks import factchecks_import
from claims.similarity.embedder import get_embedder
from lab.matching.evaluation import (
    BenchmarkRun,
    load_queries,
    load_verified_claims,
    score_by_official_split,
    score_rankings,
)

LIBRARY_URL = "https://benchmark.invalid/verified-claims"


def _import_as_factchecks(*, data_dir: Path) -> dict[int, str]:
    """The verified claims through the fact-check importer, as JSON Lines records of another
    organisation; returns the vclaim id of each passage."""
    rows = [json.loads(line) for line in (Path(data_dir) / "vclaims.jsonl").read_text(encoding="utf-8").splitlines()]
    records = [
        json.dumps(
            {
                "url": f"{LIBRARY_URL}/{quote(str(row['vclaim_id']), safe='')}",
                "claim": row.get("vclaim") or "",
                "title": row.get("title") or "",
                "publisher": "Snopes" if "-sno-" in str(row["vclaim_id"]) else "",
            }
        )
        for row in rows
    ]
    report = factchecks_import(records=parse_json_lines(records), batch_size=2000)
    if report.refused:
        raise InvalidInputError(f"{report.refused} verified claims were refused: {report.errors[:3]}")
    vclaim_of_url = {f"{LIBRARY_URL}/{quote(str(row['vclaim_id']), safe='')}": str(row["vclaim_id"]) for row in rows}
    return {
        passage_id: vclaim_of_url[url]
        for passage_id, url in SourcePassage.objects.values_list("id", "source__external_factcheck__url")
    }


def matching_evaluate_through_service(
    *, data_dir: Path, split: str, limit: int | None = None, as_factchecks: bool = False
) -> BenchmarkRun:
    """Score the suggestion job on a claim-retrieval folder. Needs an empty, throwaway database.

    With ``as_factchecks`` the verified claims come in through the fact-check importer (another
    organisation's fact-checks) instead of as passages of one library source."""
    if Claim.objects.exists() or SourcePassage.objects.exists():
        raise InvalidInputError("The service-path evaluation needs an empty database: it adds thousands of rows.")
    queries = load_queries(data_dir=data_dir, split=split)[:limit]
    verified = load_verified_claims(data_dir=data_dir)

    started = time.perf_counter()
    if as_factchecks:
        vclaim_of = _import_as_factchecks(data_dir=data_dir)
    else:
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
        # As ingest does: a claim in another language is matched in the multilingual space as well.
        language = sentence_languages([query.text], document_language="en")[0] if as_factchecks else ""
        claim = Claim.objects.create(text=query.text, language=language)
        similarity.claim_suggest(claim_id=claim.pk)
        suggested = Suggestion.objects.filter(claim=claim, target_kind=SuggestionTarget.PASSAGE).order_by(
            "-fused_score", "target_passage_id"
        )
        # A passage suggested by both encoders (a claim in another language) counts once, where it ranks best.
        rankings[query.query_id] = list(
            dict.fromkeys(vclaim_of[passage_id] for passage_id in suggested.values_list("target_passage_id", flat=True))
        )
    elapsed = time.perf_counter() - started

    return BenchmarkRun(
        scores=score_rankings(queries=queries, rankings=rankings),
        scores_by_official_split=score_by_official_split(queries=queries, rankings=rankings),
        queries_per_second=len(queries) / elapsed if elapsed > 0 else float("inf"),
        indexing_seconds=indexing_seconds,
        model_versions={"dense": get_embedder().model_version},
        rankings=rankings,
    )
